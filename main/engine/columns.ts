// The kept columns of interleaved frames (a SpikeGLX sync word, a saved subset), picked off the
// event loop: in a JS loop, a 10 s Neuropixels file took a third of a second of the main thread,
// which every other job's engine calls then waited behind.
import { invalidParameterError, isInteger } from '../util/is.ts';
import { withCallerStack } from './errors.ts';
import { native } from './native.ts';
import { checkFrames } from './validate.ts';

/**
 * Rows of `frame` values → rows of `columns`. The result lands in `into` (a view of its start) when
 * given; else ascending columns are gathered in place (a view at the start of `frames`' buffer), and
 * others into a new array. `fromUint16`: the values are uint16 bit patterns (in an Int16Array) and
 * become int16 − 32768, as SpikeInterface's unsigned_to_signed.
 */
export async function keepColumns<T extends Int16Array | Float32Array>(frames: T, frame: number, columns: readonly number[], fromUint16 = false, into?: T): Promise<T> {
  if (!isInteger(frame) || frame < 1) throw invalidParameterError('frame', 'a positive number of values per frame', frame);
  const rows = checkFrames(frames, frame, 'frames');
  if (columns.length === 0 || columns.some((c) => !isInteger(c) || c < 0 || c >= frame)) throw invalidParameterError('columns', `column indices from 0 to ${frame - 1}`, columns);
  if (fromUint16 && !(frames instanceof Int16Array)) throw invalidParameterError('frames', 'an Int16Array holding uint16 values', frames);
  const identity = columns.length === frame && columns.every((c, i) => c === i);
  if (identity && !fromUint16 && !into) return frames;
  const n = rows * columns.length;
  if (into && !(into.constructor === frames.constructor && into.length >= n && into.buffer !== frames.buffer)) {
    throw invalidParameterError('into', `a ${frames.constructor.name} of at least ${n} values, apart from the frames`, into);
  }
  const ascending = columns.every((c, i) => i === 0 || c > columns[i - 1]);
  const Kind = frames.constructor as new (b: ArrayBufferLike, o: number, n: number) => T;
  const out = into ? (into.subarray(0, n) as T) : ascending ? new Kind(frames.buffer, frames.byteOffset, n) : new (frames.constructor as new (n: number) => T)(n);
  const bytes = (a: T) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  await withCallerStack(() => native().keepColumns(bytes(frames), frame, frames.BYTES_PER_ELEMENT, Int32Array.from(columns), fromUint16, bytes(out)));
  return out;
}
