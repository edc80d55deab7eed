// Min/max per pixel column, computed in the engine so only decimated columns cross to the view.
import { invalidParameterError, isInteger } from '../util/is.ts';
import { withCallerStack } from './errors.ts';
import { native } from './native.ts';
import { checkChannels, checkFrames, checkWorkers } from './validate.ts';

/** columns × channels × {min, max} of time-major float32 rows split into equal spans (into `into`, when given). */
export async function decimateMinMax(data: Float32Array, channels: number, columns: number, nWorkers?: number, into?: Float32Array): Promise<Float32Array> {
  if (!(data instanceof Float32Array)) throw invalidParameterError('data', 'a Float32Array', data);
  checkChannels(channels);
  const rows = checkFrames(data, channels, 'data');
  if (rows === 0) throw invalidParameterError('data', 'at least one row', rows);
  if (!isInteger(columns) || columns < 1 || columns > 16384) throw invalidParameterError('columns', 'an integer from 1 to 16384', columns);
  if (into !== undefined && (!(into instanceof Float32Array) || into.length !== columns * channels * 2)) throw invalidParameterError('into', `a Float32Array of ${columns * channels * 2} values`, into);
  const out = into ?? new Float32Array(columns * channels * 2);
  await withCallerStack(() => native().decimateMinMax(data, channels, columns, out, checkWorkers(nWorkers)));
  return out;
}

/**
 * Min/max columns of `samplesPerColumn` rows each, on the view's sample grid (`data` starts on a
 * column's first row). Rows that end inside a column (a recording's or a run's newest samples) make
 * a last, partial column of what they hold: dropping it kept the newest samples from ever being drawn.
 */
export async function decimateColumns(data: Float32Array, channels: number, samplesPerColumn: number, nWorkers?: number): Promise<Float32Array> {
  if (!isInteger(samplesPerColumn) || samplesPerColumn < 1) throw invalidParameterError('samplesPerColumn', 'a positive integer', samplesPerColumn);
  const rows = checkFrames(data, channels, 'data');
  const whole = Math.floor(rows / samplesPerColumn);
  if (whole * samplesPerColumn === rows) return decimateMinMax(data, channels, whole, nWorkers);
  // Both parts straight into one reply: a following view asks for a partial column on every frame.
  const split = whole * samplesPerColumn * channels;
  const out = new Float32Array((whole + 1) * channels * 2);
  if (whole > 0) await decimateMinMax(data.subarray(0, split), channels, whole, nWorkers, out.subarray(0, whole * channels * 2));
  await decimateMinMax(data.subarray(split), channels, 1, nWorkers, out.subarray(whole * channels * 2));
  return out;
}
