// Min/max per pixel column, computed in the engine so only decimated columns cross to the view.
import { invalidParameterError, isInteger } from '../util/is.ts';
import { withCallerStack } from './errors.ts';
import { native } from './native.ts';
import { checkChannels, checkFrames, checkWorkers } from './validate.ts';

/** columns × channels × {min, max} of time-major float32 rows split into equal spans. */
export async function decimateMinMax(data: Float32Array, channels: number, columns: number, nWorkers?: number): Promise<Float32Array> {
  if (!(data instanceof Float32Array)) throw invalidParameterError('data', 'a Float32Array', data);
  checkChannels(channels);
  const rows = checkFrames(data, channels, 'data');
  if (rows === 0) throw invalidParameterError('data', 'at least one row', rows);
  if (!isInteger(columns) || columns < 1 || columns > 16384) throw invalidParameterError('columns', 'an integer from 1 to 16384', columns);
  const out = new Float32Array(columns * channels * 2);
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
  const split = whole * samplesPerColumn * channels;
  const last = await decimateMinMax(data.subarray(split), channels, 1, nWorkers);
  if (whole === 0) return last;
  const out = new Float32Array((whole + 1) * channels * 2);
  out.set(await decimateMinMax(data.subarray(0, split), channels, whole, nWorkers));
  out.set(last, whole * channels * 2);
  return out;
}
