// A live session: samples from a live input go through the streaming pipeline on the engine
// (scale to µV → causal filter with carried state → FIR phase shift → CMR without the bad
// channels), land in history rings sized by the RAM
// budget, and leave as min/max columns on an absolute sample grid, so a following view asks only
// for the columns it has not drawn yet.
import { autoMarginSamples, decimateColumns, designSos, StreamChain } from '../engine/index.ts';
import { channelActivity, welchChannels } from '../engine/view-stats.ts';
import { detectBadChannels, detectionChunks } from '../engine/bad-channels.ts';
import { ProbeDeckError } from '../util/is.ts';
import { DetectionRuns } from './detection-runs.ts';
import { checkSpectrumChannels, filterSpecOf, shownBadChannels, viewReference, windowTooShort } from './view-pipeline.ts';
import { probeSampleShifts } from '../sources/adc-shifts.ts';
import type { SessionBadChannel, SessionInfo, SessionPipeline, SessionStatus, ColumnsReply, ChannelActivityReply, SpectrumReply } from '../api/domains/session.ts';
import { HistoryRing } from './history-ring.ts';
import { freeBuffer } from '../util/free-buffer.ts';
import { viewHistoryRows } from '../planner/plan.ts';
import { holdSeparately } from '../planner/memory-model.ts';
import type { LiveInput } from './live-input.ts';

export interface LiveSessionOptions {
  input: LiveInput;
  pipeline: SessionPipeline;
  ramBudgetBytes: number;
  nWorkers: number;
  onStatus?: (s: SessionStatus) => void;
  /** Seconds of the newest history a pipeline switch reprocesses first (default 10). */
  recentSeconds?: number;
}

/** Seconds of a live run that bad-channel detection looks at. */
const DETECT_SECONDS = 4;
/** History is reprocessed this many seconds per queued job, so arriving chunks wait at most that long. */
const REBUILD_SLICE_S = 0.25;
/** A pipeline switched live reprocesses this many newest seconds first: the windows a view follows with. */
const RECENT_S = 10;
/**
 * A batch is processed this many seconds per call: few enough calls to keep their overhead small,
 * and the scratch buffers (three float32 copies of a call's rows, kept for the run) small beside the
 * history. Whole, a second caught up at once left 132 MiB of scratch held past the view's budget.
 */
const SLICE_S = 0.1;
/** How long "data again" is said after a silence: news, not the state of the run that goes on. */
const RESUMED_NOTE_MS = 5000;
/**
 * Rows this near a ring's start (s) are copied before an engine call reads them (see #rows): more
 * than the drain can push meanwhile (a second waiting at most, in slices, while a read takes ms).
 */
const OVERWRITE_MARGIN_S = 2;

/** The processing steps of one pipeline, each carrying its own state. */
interface Steps {
  /** Filter, phase shift and reference, run on each chunk in one engine call. */
  chain: StreamChain;
  referenceNote: string | null;
  bad: SessionBadChannel[];
}

/** Who said a session's message: the input (a file's state), the engine, the history rebuild or detection. */
type MessageFrom = 'input' | 'engine' | 'rebuild' | 'detection' | null;

export class LiveSession {
  readonly input: LiveInput;
  readonly raw: HistoryRing;
  readonly processed: HistoryRing;
  #pipeline: SessionPipeline;
  #steps!: Steps;
  /** Bumped when history already served was reprocessed: a view then refetches its window. */
  #revision = 0;
  /** The history rebuild that is current; an older one stops at its next slice. */
  #rebuildToken = 0;
  #gain: Float32Array;
  #offset: Float32Array;
  #nWorkers: number;
  #recentS: number;
  #release: () => void = () => {};
  #queue: Promise<void> = Promise.resolve();
  /** 1 while a drain is queued or running. */
  #pending = 0;
  #waiting: { rows: Int16Array; first: number; arrival: number }[] = [];
  #scratch = [new Float32Array(0), new Float32Array(0), new Float32Array(0)];
  #waitingRows = 0;
  #startedAt: string | null = null;
  #detection: 'waiting' | 'running' | 'done' | 'failed' = 'waiting';
  #detectionRuns = new DetectionRuns();
  #busyMs = 0;
  #processedSamples = 0;
  #dropped = 0;
  #lastArrival = 0;
  #lastLagMs = 0;
  #message: string | null = null;
  /** Who said #message: what it says goes when that no longer holds (detection turned off, the history caught up). */
  #messageFrom: MessageFrom = null;
  #state: SessionStatus['state'] = 'running';
  #onStatus?: (s: SessionStatus) => void;
  #statusTimer: NodeJS.Timeout | null = null;
  #resumed: { message: string; at: number } | null = null;
  /** Why the input went silent, where its file tells (cut mid-frame, a full disk). */
  #stallCause: string | null = null;
  #closed = false;
  /** Requests reading the history now: the engine reads it on its threads, so it is freed only once they are done. */
  #reading = new Set<Promise<unknown>>();

  constructor(o: LiveSessionOptions) {
    this.input = o.input;
    const C = o.input.channels.length;
    // Raw and processed float32 rings share what the processing leaves of the budget.
    const rows = viewHistoryRows(o.ramBudgetBytes, C, o.input.fs, o.nWorkers);
    this.raw = new HistoryRing(C, rows);
    this.processed = new HistoryRing(C, rows);
    this.#gain = Float32Array.from(o.input.channels, (c) => c.gainUv);
    this.#offset = Float32Array.from(o.input.channels, (c) => c.offsetUv);
    this.#nWorkers = o.nWorkers;
    this.#recentS = o.recentSeconds ?? RECENT_S;
    this.#pipeline = o.pipeline;
    this.#onStatus = o.onStatus;
    this.setPipeline(o.pipeline);
  }

  describe(): Omit<SessionInfo, 'preset' | 'presetNote'> {
    return {
      source: this.input.label,
      kind: this.input.kind,
      fs: this.input.fs,
      channels: this.input.channels.map((c) => ({ id: c.id, x: c.x, y: c.y, shank: c.shank, ...(c.unused ? { unused: true as const } : {}) })),
      pipeline: this.#pipeline,
      referenceNote: this.#steps.referenceNote,
      historySeconds: this.processed.capacity / this.input.fs,
      wallClockStart: this.#startedAt,
      badChannels: shownBadChannels(this.#steps.bad, this.#pipeline, this.input.channels),
      sourceWarnings: this.input.warnings ?? []
    };
  }

  get pipeline(): SessionPipeline {
    return this.#pipeline;
  }

  /**
   * Applies to samples from now on, then reprocesses the history behind them from the raw ring, so
   * scrolling back shows one pipeline throughout (see #rebuild). The steps are built before any is
   * swapped in: a pipeline that cannot run here changes nothing (nor takes the bad channels `found`
   * by detection).
   */
  setPipeline(p: SessionPipeline, found: SessionBadChannel[] = this.#steps?.bad ?? []): void {
    // Another method asked for: what the last one found, or is finding, is not its answer.
    const otherMethod = this.#detectionRuns.otherMethod(p);
    const kept = otherMethod ? [] : found;
    const steps = this.#build(p, kept);
    // A run under way for the other method reports nothing (the next one starts with the next chunk, maybe long after).
    if (otherMethod) this.#detectionRuns.replace();
    if (otherMethod || (p.detectBadChannels && !this.#pipeline?.detectBadChannels && (this.#detection === 'done' || this.#detection === 'failed'))) this.#detection = 'waiting';
    // What detection said no longer holds for a pipeline without it.
    if (!p.detectBadChannels && this.#messageFrom === 'detection') this.#say(null, null);
    [this.#steps, this.#pipeline] = [steps, p];
    if (this.raw.end > this.raw.start && !this.#closed) void this.#rebuild(p, kept);
  }

  #say(message: string | null, from: MessageFrom): void {
    [this.#message, this.#messageFrom] = [message, from];
  }

  #build(p: SessionPipeline, found: SessionBadChannel[]): Steps {
    const fs = this.input.fs;
    const C = this.input.channels.length;
    const bad = p.detectBadChannels ? found : [];
    // The view's filter computes in float32 (within 1e-4 of float64 relative to the RMS, see the
    // precision tests): about half the float64 cost, which the acquisition gets back.
    const filter = p.filter ? { sos: designSos(filterSpecOf(p.filter), fs), precision: 'float32' as const } : null;
    // The processed view runs the shift's delaySamples (K/2 − 1) behind the raw one.
    const phaseShift = p.phaseShift ? { shifts: probeSampleShifts(this.input.probe, this.input.channels.map((c) => c.readout)), taps: p.phaseShift.taps } : null;
    const reference = viewReference(p, bad, this.input.channels);
    return { chain: new StreamChain({ channels: C, filter, phaseShift, reference: reference.plan }), referenceNote: reference.note, bad };
  }

  /** Runs µV rows through the steps; `a` and `b` are scratch of the same length. The result may be `uv` itself (no step). */
  #run(steps: Steps, uv: Float32Array, a: Float32Array, b: Float32Array): Promise<Float32Array> {
    return steps.chain.process(uv, this.#nWorkers, { filtered: a, shifted: b });
  }

  /**
   * Reprocesses the raw history into the processed ring, a slice per queued job so live chunks go
   * on between slices. First the last seconds, from a filter warm-up before them: what a following
   * view shows is the new pipeline within a fraction of a second, not after the whole history.
   * Then all of it from the oldest row; once that has caught up with the newest, its steps carry on
   * live, and the whole history is as if the run had started with this pipeline, with no restart
   * transient where it was switched. A newer rebuild stops this one.
   */
  async #rebuild(p: SessionPipeline, found: SessionBadChannel[]): Promise<void> {
    const token = ++this.#rebuildToken;
    // Until it has caught up, the history mixes both pipelines: say so. An error keeps the word, and
    // so does a run's end (when it ended and how long it is stay said for as long as it is shown).
    if (this.#state !== 'error' && this.#state !== 'ended') this.#say('reprocessing the history with the new pipeline…', 'rebuild');
    this.#emitStatus();
    try {
      const fs = this.input.fs;
      const warmUp = (p.filter ? autoMarginSamples(filterSpecOf(p.filter), fs) : 0) + (p.phaseShift?.taps ?? 0);
      const recent = this.processed.end - Math.round(this.#recentS * fs) - warmUp;
      if (recent > this.raw.start && !(await this.#reprocess(token, this.#build(p, found), recent))) return;
      if (!(await this.#reprocess(token, this.#build(p, found), this.raw.start))) return;
      if (this.#messageFrom === 'rebuild') this.#say(null, null);
      this.#emitStatus();
    } catch (err) {
      this.#say(`reprocessing the history failed: ${(err as Error).message}`, 'engine');
      this.#emitStatus();
    }
  }

  /**
   * Runs `steps` (fresh state) over the raw rows from `from` to the newest, overwriting the
   * processed ring; then they go on live and views refetch. False when a newer rebuild took over.
   * Rows the ring drops meanwhile are skipped.
   */
  async #reprocess(token: number, steps: Steps, from: number): Promise<boolean> {
    const C = this.input.channels.length;
    const slice = Math.max(1, Math.round(REBUILD_SLICE_S * this.input.fs));
    const scratch = [new Float32Array(slice * C), new Float32Array(slice * C)];
    let at = from;
    let caughtUp = false;
    while (!caughtUp && token === this.#rebuildToken) {
      await this.#job(async () => {
        if (token !== this.#rebuildToken) return;
        // Between jobs no chunk is half-processed: the processed ring ends where the raw one does.
        at = Math.max(at, this.raw.start);
        const end = Math.min(this.processed.end, at + slice);
        for (const uv of this.raw.views(at, end)) {
          const n = uv.length;
          this.processed.overwrite(at, await this.#run(steps, uv, scratch[0].subarray(0, n), scratch[1].subarray(0, n)));
          at += n / C;
        }
        // A newer pipeline set while this slice ran: its own rebuild takes over, and these steps
        // must not be swapped in over it.
        if (token !== this.#rebuildToken) return;
        if (at >= this.processed.end) {
          this.#steps = steps;
          this.#revision++;
          caughtUp = true;
          this.#emitStatus();
        }
      });
    }
    return caughtUp;
  }

  /** Runs `fn` on the processing queue, after what is queued; its failure is the caller's. */
  #job(fn: () => Promise<void>): Promise<void> {
    const done = this.#queue.then(fn);
    this.#queue = done.catch(() => {});
    return done;
  }

  async start(): Promise<void> {
    this.#release = holdSeparately(() => this.raw.heldBytes + this.processed.heldBytes);
    // The simulator's sample 0 is now; a followed file started before we joined it (unknown here).
    if (this.input.kind === 'simulator') this.#startedAt = new Date().toISOString();
    this.#lastArrival = performance.now(); // silence is counted from the start, until data comes
    await this.input.start(
      (rows, first) => this.#enqueue(rows, first),
      (e) => {
        // An error (every trace is wrong, or reading failed) stays said: a later stall, resume or
        // end does not cover it; only another error does.
        if (this.#state === 'error' && e.kind !== 'error') return;
        this.#say(e.message, 'input');
        // A note while silent (a .meta appeared) leaves the stall and its cause as they are.
        if (e.kind === 'stalled') this.#stallCause = e.cause ?? null;
        else if (e.kind !== 'info') this.#stallCause = null;
        this.#resumed = e.kind === 'resumed' ? { message: e.message, at: performance.now() } : null;
        if (e.kind !== 'info') this.#state = e.kind === 'error' ? 'error' : e.kind === 'stalled' ? 'stalled' : e.kind === 'ended' ? 'ended' : 'running';
        this.#emitStatus();
      },
      () => this.#waitingRows / this.input.fs
    );
    this.#statusTimer = setInterval(() => {
      const r = this.#resumed;
      if (r && performance.now() - r.at > RESUMED_NOTE_MS) {
        if (this.#message === r.message && this.#messageFrom === 'input') this.#say(null, null);
        this.#resumed = null;
      }
      this.#emitStatus();
    }, 500);
  }

  #enqueue(rows: Int16Array, first: number): void {
    if (this.#closed) return; // a read that was under way when the input stopped
    const arrival = performance.now();
    this.#lastArrival = arrival;
    const C = this.input.channels.length;
    // More than a second of samples waiting: drop this chunk rather than fall ever further behind.
    if (this.#waitingRows + rows.length / C > this.input.fs) {
      this.#dropped++;
      return;
    }
    this.#waiting.push({ rows, first, arrival });
    this.#waitingRows += rows.length / C;
    if (this.#pending === 0) {
      this.#pending = 1;
      // A failed step is reported, not fatal: the chain must keep running for the next chunks.
      this.#job(() => this.#drain()).catch((err: Error) => {
        this.#say(`processing failed: ${err.message}`, 'engine');
        this.#state = 'error';
        this.#emitStatus();
      });
    }
  }

  /**
   * Runs everything that arrived while the engine was busy as one call per step: a 20 ms chunk
   * per call costs more in call overhead than in filtering, and a busy moment then catches up
   * in one larger block instead of a queue of small ones.
   */
  async #drain(): Promise<void> {
    const C = this.input.channels.length;
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting.splice(0);
        this.#waitingRows = 0;
        const t0 = performance.now();
        try {
          for (let i = 0; i < batch.length; ) {
            // A run of contiguous chunks; a gap (dropped chunk) is filled with zeros to keep the absolute grid.
            let j = i + 1;
            let rowsInRun = batch[i].rows.length / C;
            while (j < batch.length && batch[j].first === batch[i].first + rowsInRun) rowsInRun += batch[j++].rows.length / C;
            this.raw.skipTo(batch[i].first);
            this.processed.skipTo(batch[i].first);
            for (const rows of slices(batch.slice(i, j).map((b) => b.rows), Math.round(SLICE_S * this.input.fs) * C)) await this.#process(rows);
            i = j;
          }
          // Arrival → processed for the oldest chunk of the batch: the worst wait in it.
          this.#lastLagMs = performance.now() - batch[0].arrival;
        } finally {
          this.#busyMs += performance.now() - t0;
        }
      }
    } finally {
      this.#pending = 0;
    }
  }

  async #process(rows: Int16Array): Promise<void> {
    const C = this.input.channels.length;
    // Three scratch buffers kept across chunks (the ring copies what it keeps): no allocation per chunk.
    if (this.#scratch[0].length < rows.length) this.#scratch = [0, 1, 2].map(() => new Float32Array(rows.length));
    const [uvAll, a, b] = this.#scratch.map((s) => s.subarray(0, rows.length));
    // Scaled to µV and processed in one engine call (the shift re-references its rows while they are in cache).
    const out = await this.#steps.chain.process(rows, this.#nWorkers, { scale: { gain: this.#gain, offset: this.#offset, into: uvAll }, filtered: a, shifted: b });
    this.raw.push(uvAll);
    this.processed.push(out);
    this.#processedSamples += rows.length / C;
    // (A history shorter than that — a tiny RAM budget — is looked at whole once full.)
    if (this.#pipeline.detectBadChannels && this.#detection === 'waiting' && this.raw.end - this.raw.start >= Math.min(DETECT_SECONDS * this.input.fs, this.raw.capacity)) void this.#read(() => this.#detect()).catch(() => {});
  }

  /**
   * SI's detect_bad_channels (coherence+psd) on the run's first seconds — 8 windows of 0.5 s spread
   * over them, high-passed as SI does — then the reference leaves the bad ones out from then on.
   * It runs beside the live path, never in it.
   */
  async #detect(): Promise<void> {
    const { run, method } = this.#detectionRuns.start(this.#pipeline);
    this.#detection = 'running';
    if (this.#state !== 'error') this.#say('looking for bad channels in the newest seconds…', 'detection');
    this.#emitStatus();
    const C = this.input.channels.length;
    const fs = this.input.fs;
    // The newest seconds: at the start of a run they are its first; turned on later, the latest.
    const start = Math.max(this.raw.start, this.raw.end - DETECT_SECONDS * fs);
    try {
      // The ring moves on while detection runs. Holding twice the seconds looked at, it keeps them
      // for seconds more than the windows take to filter, so each is read where it lies (a copy of
      // the 4 s first was 0.18 GB beside the view's budget); a shorter history is copied first.
      const samples = this.raw.end - start;
      const whole = this.raw.capacity < 2 * samples ? concat(this.raw.views(start, this.raw.end)) : null;
      const read = async (a: number, b: number) => {
        if (whole) return whole.subarray(a * C, b * C);
        const parts = this.raw.views(start + a, start + b);
        if (parts.length === 0) throw new ProbeDeckError('HISTORY_MOVED', 'the history moved past the seconds being looked at (processing fell behind the acquisition)');
        return parts.length === 1 ? parts[0] : concat(parts);
      };
      const chunks = await detectionChunks({ read, samples, channels: C, fs, gainUv: 1, numChunks: 8, nWorkers: 1 });
      const r = await detectBadChannels({ chunks, channels: C, fs, method, positions: this.input.channels.map((c) => ({ x: c.x, y: c.y })), nWorkers: 1 });
      // Turned off, replaced by a run of another method, or closed meanwhile.
      if (!this.#detectionRuns.current(run) || !this.#pipeline.detectBadChannels || this.#closed) return;
      this.setPipeline(this.#pipeline, r.bad.map((index) => ({ index, label: r.labels[index] as SessionBadChannel['label'] })));
      const bad = this.#steps.bad;
      this.#detection = 'done';
      this.#say(bad.length ? `bad channels kept out of the reference: ${bad.map((b) => `${this.input.channels[b.index].id} (${b.label})`).join(', ')}` : 'no bad channels found', 'detection');
      this.#emitStatus();
    } catch (err) {
      if (!this.#detectionRuns.current(run)) return;
      // Said on the button too: off and on again tries anew.
      this.#detection = 'failed';
      this.#say(`bad-channel detection failed: ${(err as Error).message}`, 'detection');
      this.#emitStatus();
    } finally {
      if (this.#detectionRuns.current(run) && this.#detection === 'running') this.#detection = 'done'; // turned off meanwhile
    }
  }

  /** Rows of the last `seconds` of a ring ending at `endSample` (default: the newest), as one block. */
  #recent(processed: boolean, seconds: number, endSample?: number): { data: Float32Array; start: number; end: number } {
    const ring = processed ? this.processed : this.raw;
    const end = Math.min(ring.end, endSample ?? ring.end);
    // A paused view's moment the ring has moved past: nothing of it is left to describe ("no data
    // yet" would be untrue, and the newest seconds are another moment). Half held, the part held is.
    if (end <= ring.start && ring.end > ring.start) {
      throw new ProbeDeckError('HISTORY_MOVED', `the moment asked about (sample ${end}) has left the history, which now holds samples ${ring.start}–${ring.end}`);
    }
    const start = Math.max(ring.start, end - Math.round(seconds * this.input.fs));
    return { data: this.#rows(ring, start, end), start, end };
  }

  /**
   * Rows [a, b) of a ring as one block, for an engine call. The drain goes on pushing while the call
   * reads them on its thread, and each push overwrites the oldest rows: rows that near the ring's
   * start are copied first, or a paused view scrolled back to the history's start could be drawn
   * over newer samples. Elsewhere (and joined, where the range wraps) they are read where they lie.
   */
  #rows(ring: HistoryRing, a: number, b: number): Float32Array {
    const views = ring.views(a, b);
    if (views.length === 0) return new Float32Array(0);
    return views.length === 1 && a - ring.start >= OVERWRITE_MARGIN_S * this.input.fs ? views[0] : concat(views);
  }

  /** Per-channel RMS, peak-to-peak and threshold-crossing rate over the last `seconds` of processed data. */
  activity(seconds: number, k: number, endSample?: number): Promise<ChannelActivityReply> {
    return this.#read(() => this.#activity(seconds, k, endSample));
  }

  async #activity(seconds: number, k: number, endSample?: number): Promise<ChannelActivityReply> {
    const w = this.#recent(true, seconds, endSample);
    const C = this.input.channels.length;
    const spanS = (w.end - w.start) / this.input.fs;
    if (w.end - w.start < 1) throw this.processed.end > this.processed.start ? windowTooShort('activity', seconds, w.end, w.end - w.start, this.input.fs) : new ProbeDeckError('NO_DATA', 'no processed data yet');
    const a = await channelActivity(w.data, C, k, this.#nWorkers);
    return { startSample: w.start, endSample: w.end, seconds: spanS, rms: a.rms, ptp: a.ptp, noiseUv: a.sigma, ratePerS: a.crossings.map((n) => n / spanS) };
  }

  /** Welch PSD (µV²/Hz) of the chosen channels over the `seconds` ending at `endSample` (default: the newest). */
  spectrum(channels: number[], seconds: number, processed: boolean, nperseg: number, endSample?: number): Promise<SpectrumReply> {
    return this.#read(() => this.#spectrum(channels, seconds, processed, nperseg, endSample));
  }

  async #spectrum(channels: number[], seconds: number, processed: boolean, nperseg: number, endSample?: number): Promise<SpectrumReply> {
    const C = this.input.channels.length;
    checkSpectrumChannels(channels, C);
    const w = this.#recent(processed, seconds, endSample);
    const seg = Math.min(nperseg, w.end - w.start);
    const ring = processed ? this.processed : this.raw;
    if (seg < 8) throw ring.end - ring.start >= 8 ? windowTooShort('spectrum', seconds, w.end, w.end - w.start, this.input.fs) : new ProbeDeckError('NO_DATA', 'not enough data yet for a spectrum');
    const r = await welchChannels(w.data, C, channels, this.input.fs, seg, this.#nWorkers);
    return { channels, freqs: r.freqs, psd: r.psd, bins: r.bins, seconds: (w.end - w.start) / this.input.fs };
  }

  /**
   * Min/max columns [fromColumn, …) on the grid of `samplesPerColumn`. The newest column may be
   * partial (its min/max over the samples it has so far): a followed file that has ended, or a run
   * that stopped, shows its last samples. A following view asks for that column again with what it
   * gained (see TracesState.#tick), so it is never left drawn as it was when first sent.
   */
  columns(fromColumn: number, samplesPerColumn: number, maxColumns: number, processed: boolean, toColumn?: number): Promise<ColumnsReply> {
    return this.#read(() => this.#columns(fromColumn, samplesPerColumn, maxColumns, processed, toColumn));
  }

  async #columns(fromColumn: number, samplesPerColumn: number, maxColumns: number, processed: boolean, toColumn?: number): Promise<ColumnsReply> {
    const ring = processed ? this.processed : this.raw;
    const C = this.input.channels.length;
    const last = Math.min(toColumn ?? Infinity, Math.ceil(ring.end / samplesPerColumn));
    const first = Math.max(fromColumn, Math.ceil(ring.start / samplesPerColumn), last - maxColumns);
    const n = Math.max(0, last - first);
    const base = { fromColumn: first, samplesPerColumn, newestSample: ring.end, oldestSample: ring.start, fs: this.input.fs, channels: C };
    if (n === 0) return { ...base, count: 0, minmax: new Float32Array(0) };
    const rows = this.#rows(ring, first * samplesPerColumn, Math.min(ring.end, (first + n) * samplesPerColumn));
    return { ...base, count: n, minmax: await decimateColumns(rows, C, samplesPerColumn, this.#nWorkers) };
  }

  status(): SessionStatus {
    const uptime = this.#processedSamples / this.input.fs;
    const silentMs = performance.now() - this.#lastArrival;
    return {
      state: this.#state,
      // A stall's length grows while it lasts: said anew at each status, not frozen at its start.
      message: this.#state === 'stalled' ? `${this.input.label}: no new data for ${(silentMs / 1000).toFixed(0)} s${this.#stallCause ? `: ${this.#stallCause}` : ''}` : this.#message,
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
      sinceLastDataMs: silentMs,
      badChannels: shownBadChannels(this.#steps.bad, this.#pipeline, this.input.channels),
      detection: this.#pipeline.detectBadChannels ? this.#detection : 'off',
      revision: this.#revision
    };
  }

  #emitStatus(): void {
    this.#onStatus?.(this.status());
  }

  /** Runs a request that reads the history, counted until it settles (see stop). */
  #read<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new ProbeDeckError('SESSION_CLOSED', `${this.input.label} was closed`));
    const run = work();
    this.#reading.add(run);
    const done = () => this.#reading.delete(run);
    run.then(done, done);
    return run;
  }

  /**
   * Stops the input and gives the history back at once: left to the garbage collector, a replaced
   * view's rings stayed resident beside the new view's for minutes (twice the view's budget).
   */
  async stop(): Promise<void> {
    this.#closed = true;
    this.#release();
    if (this.#statusTimer) clearInterval(this.#statusTimer);
    this.#rebuildToken++;
    await this.input.stop();
    await this.#queue;
    await Promise.allSettled(this.#reading);
    await this.#queue; // what detection, finishing, may have queued
    this.raw.free();
    this.processed.free();
    for (const b of this.#scratch) freeBuffer(b.buffer); // sized by the largest batch: up to 1 s of rows each
  }
}

/** Contiguous chunks as blocks of about `size` values: small chunks joined, a large one cut (no copy). */
function slices(chunks: Int16Array[], size: number): Int16Array[] {
  const out: Int16Array[] = [];
  let group: Int16Array[] = [];
  let n = 0;
  const flush = () => {
    if (group.length) out.push(group.length === 1 ? group[0] : concat(group));
    [group, n] = [[], 0];
  };
  for (const chunk of chunks) {
    for (let at = 0; at < chunk.length; ) {
      const take = Math.min(size - n, chunk.length - at);
      group.push(at === 0 && take === chunk.length ? chunk : chunk.subarray(at, at + take));
      [n, at] = [n + take, at + take];
      if (n >= size) flush();
    }
  }
  flush();
  return out;
}

function concat<T extends Int16Array | Float32Array>(parts: T[]): T {
  const out = new (parts[0].constructor as { new (n: number): T })(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
