// A recorded file opened for scrubbing: every window the view asks for is read with its real
// neighbours ±margin and processed on demand (SpikeInterface's window semantics: zero-phase
// filter, then CMR), then decimated to the view's columns. Nothing is precomputed, so a 1 h
// recording opens at once and any second of it is a read and a filter away.
import type { ChannelActivityReply, ColumnsReply, SessionInfo, SessionPipeline, SessionStatus, SpectrumReply } from '../api/domains/session.ts';
import { autoMarginSamples, commonReference, decimateMinMax, designSos, filterWindow, planReference, scaleToFloat, type FilterSpec } from '../engine/index.ts';
import type { ReferencePlan } from '../engine/reference.ts';
import { channelActivity, welchChannels } from '../engine/view-stats.ts';
import type { Source } from '../sources/source.ts';
import { ProbeDeckError } from '../util/is.ts';

/** Most samples one request may cover (the view asks for at most a screen of columns). */
const MAX_WINDOW_SAMPLES = 30_000 * 40;

export class FileSession {
  readonly source: Source;
  #pipeline: SessionPipeline;
  #sos: Float64Array | null = null;
  #margin = 0;
  #reference: ReferencePlan | null = null;
  #gain: Float32Array;
  #offset: Float32Array;
  #nWorkers: number;
  #lastMs = 0;
  #lastSpeed = 0;
  #lastEnd: number;

  constructor(source: Source, pipeline: SessionPipeline, nWorkers: number) {
    this.source = source;
    this.#gain = Float32Array.from(source.info.channels, (c) => c.gainUv);
    this.#offset = Float32Array.from(source.info.channels, (c) => c.offsetUv);
    this.#nWorkers = nWorkers;
    this.#pipeline = pipeline;
    this.#lastEnd = source.info.samples;
    this.setPipeline(pipeline);
  }

  get pipeline(): SessionPipeline {
    return this.#pipeline;
  }

  /** Display-only: the next windows are processed with it; the file is never modified. */
  setPipeline(p: SessionPipeline): void {
    const { fs, channels } = this.source.info;
    const spec: FilterSpec | null = p.filter ? { kind: 'bandpass', order: p.filter.order, lowHz: p.filter.lowHz, highHz: p.filter.highHz } : null;
    this.#sos = spec ? designSos(spec, fs) : null;
    this.#margin = spec ? autoMarginSamples(spec, fs) : 0;
    this.#reference = p.reference === 'none' ? null : planReference({ mode: 'global', operator: p.reference === 'global-median' ? 'median' : 'mean', exclude: p.exclude }, channels.length);
    this.#pipeline = p;
  }

  describe(): SessionInfo {
    const i = this.source.info;
    return {
      source: i.path,
      kind: 'recording',
      fs: i.fs,
      channels: i.channels.map((c) => ({ id: c.id, x: c.x, y: c.y, shank: c.shank })),
      pipeline: this.#pipeline,
      historySeconds: i.durationS
    };
  }

  /** Rows [s0, s1) in µV, processed or raw. */
  async #window(s0: number, s1: number, processed: boolean): Promise<Float32Array> {
    const N = this.source.info.samples;
    const C = this.source.info.channels.length;
    if (s1 - s0 > MAX_WINDOW_SAMPLES) throw new ProbeDeckError('WINDOW_TOO_LONG', `a window of ${((s1 - s0) / this.source.info.fs).toFixed(1)} s is longer than the view shows`);
    const t0 = performance.now();
    const sos = processed ? this.#sos : null;
    const left = sos ? Math.min(this.#margin, s0) : 0;
    const right = sos ? Math.min(this.#margin, N - s1) : 0;
    const raw = await this.source.read(s0 - left, s1 + right);
    const uv = raw instanceof Int16Array ? await scaleToFloat(raw, C, this.#gain, this.#offset, this.#nWorkers) : raw;
    let out = uv;
    if (sos) out = await filterWindow({ input: uv, channels: C, sos, mode: 'zero-phase', left, right, nWorkers: this.#nWorkers, precision: 'float32' });
    if (processed && this.#reference) await commonReference(out, C, this.#reference, this.#nWorkers);
    this.#lastMs = performance.now() - t0;
    this.#lastSpeed = (s1 - s0) / this.source.info.fs / (this.#lastMs / 1000);
    this.#lastEnd = s1;
    return out;
  }

  async columns(fromColumn: number, samplesPerColumn: number, maxColumns: number, processed: boolean, toColumn?: number): Promise<ColumnsReply> {
    const { samples: N, fs, channels } = this.source.info;
    const lastComplete = Math.min(toColumn ?? Infinity, Math.floor(N / samplesPerColumn));
    const first = Math.max(fromColumn, 0, lastComplete - maxColumns);
    const n = Math.max(0, lastComplete - first);
    const base = { fromColumn: first, samplesPerColumn, newestSample: N, oldestSample: 0, fs, channels: channels.length };
    if (n === 0) return { ...base, count: 0, minmax: new Float32Array(0) };
    const data = await this.#window(first * samplesPerColumn, (first + n) * samplesPerColumn, processed);
    return { ...base, count: n, minmax: await decimateMinMax(data, channels.length, n, this.#nWorkers) };
  }

  async activity(seconds: number, k: number, endSample?: number): Promise<ChannelActivityReply> {
    const { fs, channels } = this.source.info;
    const end = Math.min(this.source.info.samples, endSample ?? this.#lastEnd);
    const start = Math.max(0, end - Math.round(seconds * fs));
    const a = await channelActivity(await this.#window(start, end, true), channels.length, k, this.#nWorkers);
    const spanS = (end - start) / fs;
    return { startSample: start, endSample: end, seconds: spanS, rms: a.rms, ptp: a.ptp, ratePerS: a.crossings.map((x) => x / spanS) };
  }

  async spectrum(list: number[], seconds: number, processed: boolean, nperseg: number): Promise<SpectrumReply> {
    const { fs, channels } = this.source.info;
    const end = this.#lastEnd;
    const start = Math.max(0, end - Math.round(seconds * fs));
    const r = await welchChannels(await this.#window(start, end, processed), channels.length, list, fs, Math.min(nperseg, end - start), this.#nWorkers);
    return { channels: list, freqs: r.freqs, psd: r.psd, bins: r.bins, seconds: (end - start) / fs };
  }

  status(): SessionStatus {
    const i = this.source.info;
    return {
      state: 'running',
      message: null,
      source: i.path,
      fs: i.fs,
      channels: i.channels.length,
      newestSample: i.samples,
      historySeconds: i.durationS,
      speedX: this.#lastSpeed,
      lagMs: this.#lastMs,
      dropped: 0,
      rssBytes: process.memoryUsage().rss,
      nWorkers: this.#nWorkers,
      sinceLastDataMs: 0
    };
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await this.source.close();
  }
}
