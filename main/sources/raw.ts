// Raw binary files (.bin/.dat/.raw): the user says what is in them.
import { basename } from 'node:path';
import { invalidParameterError, isInteger, isNumber } from '../util/is.ts';
import { openFrames } from './frame-reader.ts';
import type { Source } from './source.ts';

export interface RawOptions {
  channels: number;
  fs: number;
  dtype?: 'int16' | 'uint16' | 'float32';
  gainUv?: number;
  offsetUv?: number;
  headerBytes?: number;
}

export async function openRaw(path: string, o: RawOptions): Promise<Source> {
  if (!isInteger(o.channels) || o.channels < 1) throw invalidParameterError('channels', 'a positive channel count', o.channels);
  if (!isNumber(o.fs) || o.fs <= 0) throw invalidParameterError('fs', 'a sampling rate above 0 Hz', o.fs);
  const dtype = o.dtype ?? 'int16';
  if (!['int16', 'uint16', 'float32'].includes(dtype)) throw invalidParameterError('dtype', '"int16", "uint16" or "float32"', dtype);
  if (o.gainUv !== undefined && !(isNumber(o.gainUv) && o.gainUv > 0)) throw invalidParameterError('gainUv', 'µV per unit above 0', o.gainUv);
  const headerBytes = o.headerBytes ?? 0;
  const columns = Array.from({ length: o.channels }, (_, i) => i);
  const frames = await openFrames({ path, headerBytes, frameChannels: o.channels, dtype, columns });
  return {
    info: {
      format: 'raw',
      path,
      stream: basename(path),
      channels: columns.map((i) => ({ id: `CH${i}`, index: i, readout: i, x: 0, y: i * 20, shank: 0, gainUv: o.gainUv ?? 1, offsetUv: o.offsetUv ?? 0 })),
      fs: o.fs,
      dtype,
      samples: frames.samples,
      durationS: frames.samples / o.fs,
      tStart: 0,
      syncChannel: null,
      live: false,
      probe: { kind: 'other', partNumber: null },
      frameChannels: o.channels,
      headerBytes,
      wallClockStart: null,
      uncalibrated: o.gainUv === undefined
    },
    layout: frames.layout,
    read: frames.read,
    close: frames.close
  };
}
