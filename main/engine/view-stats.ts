// Per-channel activity (probe map) and Welch spectra (spectrum panel), computed in the engine from
// a window of processed rows.
import { invalidParameterError, isInteger, isNumber } from '../util/is.ts';
import { withCallerStack } from './errors.ts';
import { native } from './native.ts';
import { checkChannels, checkFrames, checkWorkers } from './validate.ts';

export interface ChannelActivity {
  rms: Float64Array;
  ptp: Float64Array;
  /** Noise σ = median|x − median x|/0.6745, robust to spikes (what autoscale and the threshold use). */
  sigma: Float64Array;
  /** Downward crossings of median − k·σ (σ = median|x − median x|/0.6745) in the window. */
  crossings: Float64Array;
}

export async function channelActivity(data: Float32Array, channels: number, k = 5, nWorkers?: number): Promise<ChannelActivity> {
  if (!(data instanceof Float32Array)) throw invalidParameterError('data', 'a Float32Array', data);
  checkChannels(channels);
  if (checkFrames(data, channels, 'data') === 0) throw invalidParameterError('data', 'at least one row', 0);
  if (!isNumber(k) || k <= 0) throw invalidParameterError('k', 'a threshold above 0 (in σ)', k);
  const r = { rms: new Float64Array(channels), ptp: new Float64Array(channels), sigma: new Float64Array(channels), crossings: new Float64Array(channels) };
  await withCallerStack(() => native().channelActivity(data, channels, k, r.rms, r.ptp, r.sigma, r.crossings, checkWorkers(nWorkers)));
  return r;
}

/** scipy.signal.welch(x[:, c], fs, nperseg) for each listed channel; rows of `bins` densities (units²/Hz). */
export async function welchChannels(data: Float32Array, channels: number, list: number[], fs: number, nperseg: number, nWorkers?: number): Promise<{ freqs: Float64Array; psd: Float64Array; bins: number }> {
  if (!(data instanceof Float32Array)) throw invalidParameterError('data', 'a Float32Array', data);
  checkChannels(channels);
  const rows = checkFrames(data, channels, 'data');
  if (!Array.isArray(list) || list.length === 0 || !list.every((c) => isInteger(c) && c >= 0 && c < channels)) throw invalidParameterError('list', `channel indices below ${channels}`, list);
  if (!isNumber(fs) || fs <= 0) throw invalidParameterError('fs', 'a sampling rate above 0 Hz', fs);
  if (!isInteger(nperseg) || nperseg < 8 || nperseg > rows) throw invalidParameterError('nperseg', `a segment of 8 to ${rows} samples (the window's length)`, nperseg);
  const bins = Math.floor(nperseg / 2) + 1;
  const psd = new Float64Array(list.length * bins);
  await withCallerStack(() => native().welchChannels(data, channels, Int32Array.from(list), nperseg, fs, psd, checkWorkers(nWorkers)));
  return { freqs: Float64Array.from({ length: bins }, (_, k) => (k * fs) / nperseg), psd, bins };
}
