// Bad-channel detection (SpikeInterface's detect_bad_channels) and interpolation
// (interpolate_bad_channels). The engine measures each chunk (IBL features, or std/MAD); the
// decisions on C values — median-filter detrending, thresholds, the outside-the-brain run, the
// mode over chunks — are made here, as SI and IBL's ibldsp make them.
import { ProbeDeckError, invalidParameterError, isInteger, isNumber } from '../util/is.ts';
import { keepColumns } from './columns.ts';
import { withCallerStack } from './errors.ts';
import { autoMarginSamples, designSos, filterWindow, type FilterSpec } from './filters.ts';
import { native } from './native.ts';
import { scaleToFloat } from './scale.ts';
import { checkChannels, checkFrames, checkWorkers } from './validate.ts';

export type BadChannelMethod = 'coherence+psd' | 'std' | 'mad';
export type ChannelLabel = 'good' | 'dead' | 'noise' | 'out';
const LABELS: ChannelLabel[] = ['good', 'dead', 'noise', 'out'];

/** SpikeInterface's defaults, by its parameter names. */
export interface BadChannelThresholds {
  stdMadThreshold: number;
  psdHfThreshold: number;
  deadChannelThreshold: number;
  noisyChannelThreshold: number;
  outsideChannelThreshold: number;
  nNeighbors: number;
  nyquistThreshold: number;
  welchWindowMs: number;
}
export const BAD_CHANNEL_DEFAULTS: BadChannelThresholds = {
  stdMadThreshold: 5,
  psdHfThreshold: 0.02,
  deadChannelThreshold: -0.5,
  noisyChannelThreshold: 1.0,
  outsideChannelThreshold: -0.75,
  nNeighbors: 11,
  nyquistThreshold: 0.8,
  welchWindowMs: 10.0
};

export interface BadChannelResult {
  method: BadChannelMethod;
  labels: ChannelLabel[];
  /** Indices of the channels not labelled good. */
  bad: number[];
  chunks: number;
  /** coherence+psd: per channel, the median over chunks of the values the labels came from. */
  xcorrNeighbors?: Float64Array;
  xcorrDistant?: Float64Array;
  psdHf?: Float64Array;
  /** std/mad: each channel's deviation over all chunks, and the threshold it was compared with. */
  deviation?: Float64Array;
  threshold?: number;
}

export interface DetectOptions extends Partial<BadChannelThresholds> {
  /** High-passed chunks in µV, time-major, each T × C. */
  chunks: Float32Array[];
  channels: number;
  fs: number;
  method?: BadChannelMethod;
  /** Contact positions (µm), for SI's depth order; channel order is used when absent. */
  positions?: { x: number; y: number }[];
  nWorkers?: number;
}

/** scipy.signal.medfilt (zero padded) of x padded with `ceil(n/2)` copies of its ends, subtracted from x. */
export function detrend(x: Float64Array, nmed: number): Float64Array {
  const ntap = Math.ceil(nmed / 2);
  const xf = new Float64Array(x.length + 2 * ntap);
  xf.fill(x[0], 0, ntap);
  xf.set(x, ntap);
  xf.fill(x[x.length - 1], ntap + x.length);
  const h = Math.floor(nmed / 2);
  const win = new Float64Array(nmed);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const centre = i + ntap;
    for (let k = -h; k <= h; k++) {
      const j = centre + k;
      win[k + h] = j >= 0 && j < xf.length ? xf[j] : 0;
    }
    win.sort();
    out[i] = x[i] - win[h];
  }
  return out;
}

/** IBL's labels for one chunk: 0 good, 1 dead, 2 noise, 3 outside the brain. */
export function iblLabels(xcorr: Float64Array, psdHf: Float64Array, t: BadChannelThresholds): { labels: Int8Array; neighbors: Float64Array; distant: Float64Array } {
  const nc = xcorr.length;
  const neighbors = detrend(xcorr, t.nNeighbors);
  const distant = neighbors.map((v, c) => xcorr[c] - v - 1);
  const labels = new Int8Array(nc);
  for (let c = 0; c < nc; c++) {
    if (neighbors[c] < t.deadChannelThreshold) labels[c] = 1;
    if (psdHf[c] > t.psdHfThreshold || neighbors[c] > t.noisyChannelThreshold) labels[c] = 2;
  }
  const outside: number[] = [];
  for (let c = 0; c < nc; c++) if (distant[c] < t.outsideChannelThreshold) outside.push(c);
  if (outside.length > 0 && (outside[outside.length - 1] === nc - 1 || outside[0] === 0)) {
    // The last contiguous run of them (SI keeps the run whose gap count is the largest).
    let run = 0;
    const runOf = outside.map((c, i) => (run += i > 0 ? c - outside[i - 1] - 1 : 0));
    const last = Math.max(...runOf);
    outside.forEach((c, i) => {
      if (runOf[i] === last) labels[c] = 3;
    });
  }
  return { labels, neighbors, distant };
}

/** SI's order_channels_by_depth(dimensions=("x", "y")): by y, then x. */
function depthOrder(positions: { x: number; y: number }[] | undefined, channels: number): number[] | null {
  if (!positions) return null;
  if (positions.length !== channels) throw invalidParameterError('positions', `${channels} contact positions`, positions);
  const order = Array.from({ length: channels }, (_, c) => c).sort((a, b) => positions[a].y - positions[b].y || positions[a].x - positions[b].x || a - b);
  return order.every((c, i) => c === i) ? null : order;
}

function thresholds(o: Partial<BadChannelThresholds>): BadChannelThresholds {
  const t = { ...BAD_CHANNEL_DEFAULTS };
  for (const k of Object.keys(BAD_CHANNEL_DEFAULTS) as (keyof BadChannelThresholds)[]) {
    if (o[k] === undefined) continue;
    if (!isNumber(o[k])) throw invalidParameterError(k, 'a number', o[k]);
    t[k] = o[k];
  }
  if (!isInteger(t.nNeighbors) || t.nNeighbors < 1 || t.nNeighbors % 2 === 0) throw invalidParameterError('nNeighbors', 'an odd number of channels', t.nNeighbors);
  if (t.nyquistThreshold <= 0 || t.nyquistThreshold >= 1) throw invalidParameterError('nyquistThreshold', 'a fraction between 0 and 1', t.nyquistThreshold);
  return t;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Labels every channel from a few high-passed µV chunks (SpikeInterface's detect_bad_channels). */
export async function detectBadChannels(o: DetectOptions): Promise<BadChannelResult> {
  const C = checkChannels(o.channels);
  if (!isNumber(o.fs) || o.fs <= 0) throw invalidParameterError('fs', 'a sampling rate above 0 Hz', o.fs);
  const method = o.method ?? 'coherence+psd';
  if (!['coherence+psd', 'std', 'mad'].includes(method)) throw invalidParameterError('method', '"coherence+psd", "std" or "mad"', method);
  if (!Array.isArray(o.chunks) || o.chunks.length === 0) throw invalidParameterError('chunks', 'at least one chunk of data', o.chunks);
  o.chunks.forEach((c, i) => {
    if (!(c instanceof Float32Array)) throw invalidParameterError(`chunks[${i}]`, 'a Float32Array', c);
    checkFrames(c, C, `chunks[${i}]`);
  });
  const t = thresholds(o);
  const workers = checkWorkers(o.nWorkers);

  if (method === 'std' || method === 'mad') {
    // Over all chunks together, as SI concatenates them.
    const all = new Float32Array(o.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of o.chunks) all.set(c, (at += c.length) - c.length);
    const deviation = new Float64Array(C);
    await withCallerStack(() => native().channelDeviation(all, C, method === 'std' ? 0 : 1, deviation, workers));
    const threshold = t.stdMadThreshold * median(Array.from(deviation));
    const labels = Array.from(deviation, (d): ChannelLabel => (d > threshold ? 'noise' : 'good'));
    return { method, labels, bad: labels.flatMap((l, c) => (l === 'good' ? [] : [c])), chunks: o.chunks.length, deviation, threshold };
  }

  const order = depthOrder(o.positions, C);
  const nperseg = Math.trunc((t.welchWindowMs * o.fs) / 1000);
  const votes = Array.from({ length: C }, () => [0, 0, 0, 0]);
  const perChunk: { neighbors: number[]; distant: number[]; psd: number[] }[] = Array.from({ length: C }, () => ({ neighbors: [], distant: [], psd: [] }));
  for (const [i, chunk] of o.chunks.entries()) {
    const rows = chunk.length / C;
    if (rows < nperseg) throw new ProbeDeckError('WINDOW_TOO_SHORT', `chunks[${i}] has ${rows} samples, fewer than one ${t.welchWindowMs} ms Welch segment (${nperseg})`);
    const data = order ? await keepColumns(chunk, C, order) : chunk;
    const xcorr = new Float64Array(C);
    const psdHf = new Float64Array(C);
    await withCallerStack(() => native().iblChannelFeatures(data, C, o.fs, nperseg, t.nyquistThreshold, xcorr, psdHf, workers));
    const f = iblLabels(xcorr, psdHf, t);
    for (let k = 0; k < C; k++) {
      const c = order ? order[k] : k;
      votes[c][f.labels[k]]++;
      perChunk[c].neighbors.push(f.neighbors[k]);
      perChunk[c].distant.push(f.distant[k]);
      perChunk[c].psd.push(psdHf[k]);
    }
  }
  // scipy.stats.mode over chunks: the most frequent label, the smallest on a tie.
  const labels = votes.map((v) => LABELS[v.indexOf(Math.max(...v))]);
  return {
    method,
    labels,
    bad: labels.flatMap((l, c) => (l === 'good' ? [] : [c])),
    chunks: o.chunks.length,
    xcorrNeighbors: Float64Array.from(perChunk, (p) => median(p.neighbors)),
    xcorrDistant: Float64Array.from(perChunk, (p) => median(p.distant)),
    psdHf: Float64Array.from(perChunk, (p) => median(p.psd))
  };
}

export interface RecordingChunksOptions {
  /** Rows [start, end) of the neural channels, raw (int16 with gains, or float32 µV). */
  read: (start: number, end: number) => Promise<Int16Array | Float32Array>;
  samples: number;
  channels: number;
  fs: number;
  gainUv: Float32Array | number;
  offsetUv?: Float32Array | number;
  /** Default 10 chunks of 0.5 s, spread evenly over the recording. */
  numChunks?: number;
  chunkSeconds?: number;
  nWorkers?: number;
}

/** A few short windows spread over a recording, in µV and high-passed as SI does before detection. */
export async function detectionChunks(o: RecordingChunksOptions): Promise<Float32Array[]> {
  const C = checkChannels(o.channels);
  const num = o.numChunks ?? 10;
  if (!isInteger(num) || num < 1) throw invalidParameterError('numChunks', 'a positive number of chunks', num);
  const len = Math.min(o.samples, Math.trunc((o.chunkSeconds ?? 0.5) * o.fs));
  if (!isInteger(o.samples) || len < 1) throw invalidParameterError('samples', 'a recording length of at least one sample', o.samples);
  // SI high-passes an unfiltered recording first (highpass_filter(freq_min=300): order 5, zero-phase).
  const hp: FilterSpec = { kind: 'highpass', order: 5, lowHz: 300 };
  const sos = designSos(hp, o.fs);
  const margin = autoMarginSamples(hp, o.fs);
  const chunks: Float32Array[] = [];
  const starts = new Set<number>();
  for (let i = 0; i < num; i++) starts.add(Math.floor(((o.samples - len) * (i + 0.5)) / num));
  for (const s of starts) {
    const left = Math.min(margin, s);
    const right = Math.min(margin, o.samples - s - len);
    const raw = await o.read(s - left, s + len + right);
    // A float32 file is in its own units, as an int16 one: its gain makes µV for the thresholds.
    const uv = await scaleToFloat(raw, C, o.gainUv, o.offsetUv ?? 0, o.nWorkers);
    chunks.push(await filterWindow({ input: uv, channels: C, sos, mode: 'zero-phase', left, right, nWorkers: o.nWorkers }));
  }
  return chunks;
}
