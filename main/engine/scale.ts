// int16 (or float32 in a file's own units) → float32 µV: float32(x)·gain + offset in float32, as
// SpikeInterface's return_in_uV.
import { invalidParameterError, isNumber } from '../util/is.ts';
import { withCallerStack } from './errors.ts';
import { native } from './native.ts';
import { checkChannels, checkFrames, checkInput, checkWorkers, overlaps } from './validate.ts';

export function perChannel(name: string, v: Float32Array | number, channels: number): Float32Array {
  if (isNumber(v)) return new Float32Array(channels).fill(v);
  if (v instanceof Float32Array && v.length === channels) return v;
  throw invalidParameterError(name, `a number or a Float32Array of ${channels} values`, v);
}

/**
 * `into` (as long as the input) takes the result instead of a new array: a fresh array per call
 * costs more than the scaling (its pages are mapped and zeroed), and live chunks come 50 a second.
 */
export async function scaleToFloat(
  input: Int16Array | Float32Array,
  channels: number,
  gain: Float32Array | number,
  offset: Float32Array | number,
  nWorkers?: number,
  into?: Float32Array
): Promise<Float32Array> {
  checkInput(input);
  checkChannels(channels);
  checkFrames(input, channels);
  if (into !== undefined && (!(into instanceof Float32Array) || into.length !== input.length)) throw invalidParameterError('into', `a Float32Array of ${input.length} values`, into);
  if (into !== undefined && into.buffer === input.buffer) throw invalidParameterError('into', 'a buffer apart from the input', 'the input’s buffer');
  const out = into ?? new Float32Array(input.length);
  await withCallerStack(() =>
    native().scaleToFloat(input, channels, perChannel('gain', gain, channels), perChannel('offset', offset, channels), out, checkWorkers(nWorkers))
  );
  return out;
}

/** float32 → int16, rounding half-to-even as numpy; values beyond int16 are clamped and counted. */
export async function roundToInt16(input: Float32Array, nWorkers?: number, into?: Int16Array): Promise<{ data: Int16Array; clamped: number }> {
  if (!(input instanceof Float32Array)) throw invalidParameterError('input', 'a Float32Array', input);
  if (into !== undefined && (!(into instanceof Int16Array) || into.length !== input.length)) throw invalidParameterError('into', `an Int16Array of ${input.length} values`, into);
  // Half the width: a worker's int16 values land on floats another worker has still to read.
  if (into !== undefined && overlaps(into, input)) throw invalidParameterError('into', 'a buffer apart from the input', 'the input’s memory');
  const data = into ?? new Int16Array(input.length);
  const clamped = await withCallerStack(() => native().roundToInt16(input, data, checkWorkers(nWorkers)));
  return { data, clamped };
}
