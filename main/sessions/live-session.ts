// A live session: samples from a live input go through the streaming pipeline on the engine
// (scale to µV → causal filter with carried state → FIR phase shift → CMR without the bad
// channels), land in history rings sized by the RAM
// budget, and leave as min/max columns on an absolute sample grid, so a following view asks only
// for the columns it has not drawn yet.
import { commonReference, decimateMinMax, designSos, planReference, scaleToFloat, StreamFilter, StreamPhaseShift } from '../engine/index.ts';
import { adcSampleShifts } from '../sources/adc-shifts.ts';
import type { ReferencePlan } from '../engine/reference.ts';
import type { SessionPipeline, SessionStatus, ColumnsReply } from '../api/domains/session.ts';
import { HistoryRing } from './history-ring.ts';
import type { LiveInput } from './live-input.ts';

export interface LiveSessionOptions {
  input: LiveInput;
  pipeline: SessionPipeline;
  ramBudgetBytes: number;
  nWorkers: number;
  onStatus?: (s: SessionStatus) => void;
}

export class LiveSession {
  readonly input: LiveInput;
  readonly raw: HistoryRing;
  readonly processed: HistoryRing;
  #pipeline: SessionPipeline;
  #filter: StreamFilter | null = null;
  #phaseShift: StreamPhaseShift | null = null;
  #reference: ReferencePlan | null = null;
  #gain: Float32Array;
  #offset: Float32Array;
  #nWorkers: number;
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #busyMs = 0;
  #processedSamples = 0;
  #dropped = 0;
  #lastArrival = 0;
  #lastLagMs = 0;
  #message: string | null = null;
  #state: SessionStatus['state'] = 'running';
  #onStatus?: (s: SessionStatus) => void;
  #statusTimer: NodeJS.Timeout | null = null;

  constructor(o: LiveSessionOptions) {
    this.input = o.input;
    const C = o.input.channels.length;
    // Raw and processed float32 rings share the budget.
    const rows = Math.floor(o.ramBudgetBytes / (2 * C * 4));
    this.raw = new HistoryRing(C, rows);
    this.processed = new HistoryRing(C, rows);
    this.#gain = Float32Array.from(o.input.channels, (c) => c.gainUv);
    this.#offset = Float32Array.from(o.input.channels, (c) => c.offsetUv);
    this.#nWorkers = o.nWorkers;
    this.#pipeline = o.pipeline;
    this.#onStatus = o.onStatus;
    this.setPipeline(o.pipeline);
  }

  get pipeline(): SessionPipeline {
    return this.#pipeline;
  }

  /** Applies to samples from now on; history already processed stays as it was processed. */
  setPipeline(p: SessionPipeline): void {
    const fs = this.input.fs;
    const C = this.input.channels.length;
    this.#filter = p.filter ? new StreamFilter({ sos: designSos({ kind: 'bandpass', order: p.filter.order, lowHz: p.filter.lowHz, highHz: p.filter.highHz }, fs), channels: C }) : null;
    // The processed view runs phaseShift.delaySamples (K/2 − 1) behind the raw one.
    this.#phaseShift = p.phaseShift
      ? new StreamPhaseShift({ shifts: adcSampleShifts(this.input.probe ?? 'other', this.input.channels.map((c) => c.readout)), channels: C, taps: p.phaseShift.taps })
      : null;
    this.#reference = p.reference === 'none' ? null : planReference({ mode: 'global', operator: p.reference === 'global-median' ? 'median' : 'mean', exclude: p.exclude }, C);
    this.#pipeline = p;
  }

  async start(): Promise<void> {
    await this.input.start(
      (rows, first) => this.#enqueue(rows, first),
      (e) => {
        this.#message = e.message;
        if (e.kind !== 'info') this.#state = e.kind === 'error' ? 'error' : e.kind === 'stalled' ? 'stalled' : 'running';
        this.#emitStatus();
      }
    );
    this.#statusTimer = setInterval(() => this.#emitStatus(), 500);
  }

  #enqueue(rows: Int16Array, first: number): void {
    const arrival = performance.now();
    this.#lastArrival = arrival;
    // More than a second of chunks waiting: drop this one rather than fall ever further behind.
    if (this.#pending * rows.length > this.input.fs * this.input.channels.length) {
      this.#dropped++;
      return;
    }
    this.#pending++;
    this.#queue = this.#queue.then(async () => {
      const t0 = performance.now();
      try {
        const C = this.input.channels.length;
        if (first > this.raw.end) {
          // A gap (dropped chunk): keep the absolute sample grid by filling it with zeros.
          const gap = new Float32Array((first - this.raw.end) * C);
          this.raw.push(gap);
          this.processed.push(gap);
        }
        const uv = await scaleToFloat(rows, C, this.#gain, this.#offset, this.#nWorkers);
        this.raw.push(uv);
        const filtered = this.#filter ? await this.#filter.process(uv, this.#nWorkers) : uv.slice();
        const out = this.#phaseShift ? await this.#phaseShift.process(filtered, this.#nWorkers) : filtered;
        if (this.#reference) await commonReference(out, C, this.#reference, this.#nWorkers);
        this.processed.push(out);
        this.#processedSamples += rows.length / C;
        this.#lastLagMs = performance.now() - arrival;
      } finally {
        this.#busyMs += performance.now() - t0;
        this.#pending--;
      }
    });
  }

  /** Min/max columns [fromColumn, …) on the grid of `samplesPerColumn`, complete columns only. */
  async columns(fromColumn: number, samplesPerColumn: number, maxColumns: number, processed: boolean, toColumn?: number): Promise<ColumnsReply> {
    const ring = processed ? this.processed : this.raw;
    const C = this.input.channels.length;
    const lastComplete = Math.min(toColumn ?? Infinity, Math.floor(ring.end / samplesPerColumn));
    const first = Math.max(fromColumn, Math.ceil(ring.start / samplesPerColumn), lastComplete - maxColumns);
    const n = Math.max(0, lastComplete - first);
    const base = { fromColumn: first, samplesPerColumn, newestSample: ring.end, oldestSample: ring.start, fs: this.input.fs, channels: C };
    if (n === 0) return { ...base, count: 0, minmax: new Float32Array(0) };
    const views = ring.views(first * samplesPerColumn, (first + n) * samplesPerColumn);
    if (views.length === 1) return { ...base, count: n, minmax: await decimateMinMax(views[0], C, n, this.#nWorkers) };
    // The range wraps around the ring (rarely): join the two parts once, then decimate.
    const joined = new Float32Array(views[0].length + views[1].length);
    joined.set(views[0]);
    joined.set(views[1], views[0].length);
    const minmax = await decimateMinMax(joined, C, n, this.#nWorkers);
    return { ...base, count: n, minmax };
  }

  status(): SessionStatus {
    const uptime = this.#processedSamples / this.input.fs;
    return {
      state: this.#state,
      message: this.#message,
      source: this.input.label,
      fs: this.input.fs,
      channels: this.input.channels.length,
      newestSample: this.processed.end,
      historySeconds: this.processed.capacity / this.input.fs,
      speedX: this.#busyMs > 0 ? uptime / (this.#busyMs / 1000) : 0,
      lagMs: this.#lastLagMs,
      dropped: this.#dropped,
      rssBytes: process.memoryUsage().rss,
      nWorkers: this.#nWorkers,
      sinceLastDataMs: performance.now() - this.#lastArrival
    };
  }

  #emitStatus(): void {
    this.#onStatus?.(this.status());
  }

  async stop(): Promise<void> {
    if (this.#statusTimer) clearInterval(this.#statusTimer);
    await this.input.stop();
    await this.#queue;
  }
}
