// What every source offers the session: its metadata (channels with µV gains and geometry, fs,
// length) and random-access reads of neural channels. Readers never load a whole file.
import type { SourceFormat } from '../api/domains/session.ts';
import { ProbeDeckError } from '../util/is.ts';
import type { FrameLayout } from './frame-reader.ts';

export interface ChannelInfo {
  /** Name as the acquisition software wrote it (AP0, CH1, …). */
  id: string;
  /** Position among the neural channels ProbeDeck reads. */
  index: number;
  /** Readout channel number on the probe (for ADC order), or the column in the file. */
  readout: number;
  x: number;
  y: number;
  shank: number;
  gainUv: number;
  offsetUv: number;
  /** The probe contact it records from, as probeinterface names it (e0, s1e42), where the metadata says. */
  contactId?: string;
  /**
   * SpikeGLX's map marks the site unused (on NP1.0, channel 191 is the reference site): it is kept
   * out of every reference and listed with the bad channels, as Kilosort's channel maps leave it out.
   */
  unused?: true;
}

export interface SourceInfo {
  format: SourceFormat;
  path: string;
  stream: string;
  channels: ChannelInfo[];
  fs: number;
  dtype: 'int16' | 'uint16' | 'float32';
  samples: number;
  durationS: number;
  tStart: number;
  /** The sync column, split off: never filtered or referenced. */
  syncChannel: { column: number; gain: number } | null;
  live: boolean;
  /** muxTable: the .meta's ~muxTbl (ADC slots of the readout channels) when the file carries one. */
  probe: { kind: 'np1' | 'np2' | 'other'; partNumber: string | null; muxTable?: { header: string; entries: string[] } };
  /** Interleaved columns per frame in the file (sync and auxiliary included). */
  frameChannels: number;
  headerBytes: number;
  wallClockStart: string | null;
  /** No µV gain is known (a raw file without one given): "µV" are the file's own units, and say so. */
  uncalibrated?: boolean;
  /** What is doubtful about this source (an unknown probe layout, data that disagree with their .meta): shown with it, written into exports. */
  warnings?: string[];
}

export interface Source {
  readonly info: SourceInfo;
  /** Where the neural columns sit in the file, for batch jobs that read it themselves. */
  readonly layout: FrameLayout;
  /** Rows [start, end) of the neural channels, time-major. uint16 comes back signed as SpikeInterface does. */
  read(start: number, end: number, scratch?: ArrayBuffer): Promise<Int16Array | Float32Array>;
  close(): Promise<void>;
}

export class SourceError extends ProbeDeckError {
  constructor(code: string, path: string, problem: string) {
    super(code, `${path}: ${problem}`);
    this.name = 'SourceError';
  }
}

/** Turns a file-system error into a message naming the file and what went wrong. */
export function fsError(path: string, err: unknown): SourceError {
  return new SourceError((err as NodeJS.ErrnoException).code ?? 'IO_ERROR', path, fsProblem(err));
}

/** What went wrong, in words, for a file-system error. */
export function fsProblem(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (
    {
      ENOENT: 'no such file or folder',
      EACCES: 'permission denied',
      EPERM: 'permission denied',
      ELOOP: 'too many symbolic links (a link loop?)',
      EISDIR: 'is a folder, not a file',
      ENOTDIR: 'a part of the path is not a folder'
    }[e.code ?? ''] ?? e.message
  );
}
