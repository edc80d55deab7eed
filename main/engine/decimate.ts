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
