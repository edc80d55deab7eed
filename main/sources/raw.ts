// Raw binary files (.bin/.dat/.raw): the user says what is in them.
import { basename } from 'node:path';
import { invalidParameterError, isInteger, isNumber } from '../util/is.ts';
import { MAX_CHANNELS } from '../engine/validate.ts';
import { frameFitBytes, firstBytes, frameCountProblem, multipleFrameWarning, oneOffProblem } from './frame-fit.ts';
import { openFrames } from './frame-reader.ts';
import { np1Site } from './spikeglx-meta.ts';
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
  if (!isInteger(o.channels) || o.channels < 1 || o.channels > MAX_CHANNELS) throw invalidParameterError('channels', `a channel count from 1 to ${MAX_CHANNELS}`, o.channels);
  if (!isNumber(o.fs) || o.fs <= 0) throw invalidParameterError('fs', 'a sampling rate above 0 Hz', o.fs);
  const dtype = o.dtype ?? 'int16';
  if (!['int16', 'uint16', 'float32'].includes(dtype)) throw invalidParameterError('dtype', '"int16", "uint16" or "float32"', dtype);
  if (o.gainUv !== undefined && !(isNumber(o.gainUv) && o.gainUv > 0)) throw invalidParameterError('gainUv', 'µV per unit above 0', o.gainUv);
  const headerBytes = o.headerBytes ?? 0;
  if (!isInteger(headerBytes) || headerBytes < 0) throw invalidParameterError('headerBytes', 'a header length of 0 or more bytes', headerBytes);
  // A SpikeGLX probe stream whose .meta is missing, read as SpikeGLX saves it (384 + the sync
  // channel last): the sync column is split off, as with its .meta, never filtered or exported.
  const imec = /\.imec\d*\.(ap|lf)\.bin$/i.exec(path);
  const sync = imec !== null && o.channels === 385 && dtype === 'int16';
  const columns = Array.from({ length: sync ? 384 : o.channels }, (_, i) => i);
  const prefix = imec ? imec[1].toUpperCase() : 'CH';
  const frames = await openFrames({ path, headerBytes, frameChannels: o.channels, dtype, columns });
  // The count typed decides how every frame is read: one the data contradict is said (int16, whose
  // steps the checks measure), as a followed file's is. SpikeGLX's sync word is looked for only in
  // an imec stream: elsewhere a quiet column (a digital input) would be taken for it.
  const head = dtype === 'int16' ? await firstBytes(path, frameFitBytes(o.channels), true, headerBytes) : null;
  const misfit = head && ((imec ? frameCountProblem(head, o.channels, columns.length) : oneOffProblem(head, o.channels)) ?? multipleFrameWarning(head, o.channels));
  return {
    info: {
      format: 'raw',
      path,
      stream: basename(path),
      // An imec stream's sites as on a Neuropixels 1.0 probe (what the view and sorters can use best without its .meta), else a column.
      channels: columns.map((i) => ({ id: `${prefix}${i}`, index: i, readout: i, ...(imec ? np1Site(i) : { x: 0, y: i * 20 }), shank: 0, gainUv: o.gainUv ?? 1, offsetUv: o.offsetUv ?? 0 })),
      fs: o.fs,
      dtype,
      samples: frames.samples,
      durationS: frames.samples / o.fs,
      tStart: 0,
      syncChannel: sync ? { column: 384, gain: 1 } : null,
      live: false,
      probe: { kind: 'other', partNumber: null },
      frameChannels: o.channels,
      headerBytes,
      wallClockStart: null,
      uncalibrated: o.gainUv === undefined,
      // Said as the Open Ephys reader says an unknown layout: an export's channel map is made from these sites.
      warnings: [
        ...(misfit ? [misfit] : []),
        imec
          ? `no .meta: the sites are taken to be a Neuropixels 1.0 probe's (bank 0), so a per-shank or local reference and a sorter's channel map are right only for that probe`
          : `a raw file says nothing of its probe: its channels are placed in a made-up column, 20 µm apart, so a local reference and a sorter's channel map would be wrong`
      ]
    },
    layout: frames.layout,
    read: frames.read,
    close: frames.close
  };
}
