// Checks shared by the engine's entry points: the messages name the argument at fault.
import { ProbeDeckError, invalidParameterError, isInteger } from '../util/is.ts';

/** The most channels the engine takes; a count beyond it is a typo, and would size tables by it before anything is read. */
export const MAX_CHANNELS = 65536;
/** The fastest rate a recording may have: Neuropixels streams run at 2.5 and 30 kHz, NI and OneBox boards up to a few hundred kHz. */
export const MAX_FS = 10e6;
/** The most outer jobs an export or `process` runs. */
export const MAX_JOBS = 64;
/** The most inner workers the engine takes. */
export const MAX_WORKERS = 256;

export function checkChannels(channels: unknown): number {
  if (!isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) throw invalidParameterError('channels', `an integer from 1 to ${MAX_CHANNELS}`, channels);
  return channels;
}

export function checkFrames(data: ArrayLike<number>, channels: number, name = 'input'): number {
  if (data.length % channels !== 0) {
    throw new ProbeDeckError('BAD_SHAPE', `"${name}" holds ${data.length} values, which is not a whole number of ${channels}-channel frames`);
  }
  return data.length / channels;
}

export function checkWorkers(nWorkers: unknown): number {
  if (nWorkers === undefined) return 1;
  if (!isInteger(nWorkers) || nWorkers < 1 || nWorkers > MAX_WORKERS) throw invalidParameterError('nWorkers', `an integer from 1 to ${MAX_WORKERS}`, nWorkers);
  return nWorkers;
}

export function checkInput(input: unknown, name = 'input'): Int16Array | Float32Array {
  if (!(input instanceof Int16Array) && !(input instanceof Float32Array)) throw invalidParameterError(name, 'an Int16Array or Float32Array', input);
  return input;
}

export type Precision = 'float64' | 'float32';

/** 0 = float64 (scipy-exact, the default), 1 = float32 (within 1e-4 of float64 relative to the output RMS). */
export function checkPrecision(precision: unknown): 0 | 1 {
  if (precision === undefined || precision === 'float64') return 0;
  if (precision === 'float32') return 1;
  throw invalidParameterError('precision', '"float64" or "float32"', precision);
}

/** Whether two views share any byte of memory. */
export function overlaps(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
