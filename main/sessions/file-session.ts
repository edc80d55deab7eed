// A recorded file opened for scrubbing: every window the view asks for is read with its real
// neighbours ±margin and processed on demand (SpikeInterface's window semantics: zero-phase
// filter, then CMR), then decimated to the view's columns. Nothing is precomputed, so a 1 h
// recording opens at once and any second of it is a read and a filter away.
import type { ChannelActivityReply, ColumnsReply, SessionBadChannel, SessionInfo, SessionPipeline, SessionStatus, SpectrumReply } from '../api/domains/session.ts';
import { detectBadChannels, detectionChunks } from '../engine/bad-channels.ts';
import { autoMarginMs, autoMarginSamples, commonReference, decimateColumns, designSos, filterWindow, firKernels, phaseShiftWindow, scaleToFloat, type FilterSpec } from '../engine/index.ts';
import { probeSampleShifts } from '../sources/adc-shifts.ts';
import type { ReferencePlan } from '../engine/reference.ts';
import { channelActivity, welchChannels } from '../engine/view-stats.ts';
import type { Source } from '../sources/source.ts';
import { ProbeDeckError } from '../util/is.ts';
import { MAX_MARGIN_MS } from '../presets/schema.ts';
import { freeBuffer } from '../util/free-buffer.ts';
import { DetectionRuns } from './detection-runs.ts';
import { checkSpectrumChannels, filterSpecOf, shownBadChannels, viewReference, windowTooShort } from './view-pipeline.ts';

/** A window's file bytes, its output rows, the filtered rows around the phase shift, and µV rows when channels' gains differ. */
interface WindowBuffers {
  scratch: ArrayBuffer;
  out: Float32Array;
  ext: Float32Array;
  uv: Float32Array;
}

interface FirShift {
  spec: { method: 'fir'; shifts: Float64Array; taps: 16 | 32 | 64 };
  kernels: Float32Array;
}

/** Most samples one request may cover (the view asks for at most a screen of columns). */
const MAX_WINDOW_SAMPLES = 30_000 * 40;
/**
 * Most values (samples × channels) one window is processed in: what 40 s of a 384-channel probe
 * are. A window is held raw and in float32, twice or three times, and its buffers are kept: counted
 * in samples alone, 1 s of an 8192-channel file took the host from 160 MB to 1.7 GB, and its 40 s
 * would have been 40 GB.
 */
const MAX_WINDOW_VALUES = MAX_WINDOW_SAMPLES * 384;
/** Longest span of columns processed as one window; longer ones go in pieces of ~1 s. */
const WHOLE_WINDOW_S = 2;
/** Most values of a piece: 1 s of 384 channels at 30 kHz. A wider file's pieces are shorter. */
const PIECE_VALUES = 30_000 * 384;

function checkSpan(samples: number, fs: number): void {
  if (samples > MAX_WINDOW_SAMPLES) throw new ProbeDeckError('WINDOW_TOO_LONG', `a window of ${(samples / fs).toFixed(1)} s is longer than the view shows`);
}

function checkValues(samples: number, channels: number, fs: number): void {
  if (samples * channels > MAX_WINDOW_VALUES) {
    throw new ProbeDeckError('WINDOW_TOO_LONG', `a window of ${(samples / fs).toFixed(1)} s of ${channels} channels is more than the view processes at once (${(MAX_WINDOW_VALUES / channels / fs).toFixed(1)} s at this channel count)`);
  }
}

/**
 * What a processed window runs. setPipeline replaces it whole and each request takes it once, before
 * its first await: a pipeline changed while a window is processed (a preset, CMR off, detection
 * done) does not reference what its predecessor filtered, nor run a long window's later pieces.
 */
interface WindowSteps {
  sos: Float64Array | null;
  margin: number;
  /** The FIR ADC phase shift (Neuropixels): its spec and kernels, made once per pipeline. */
  shift: FirShift | null;
  reference: ReferencePlan | null;
}

export class FileSession {
  readonly source: Source;
  #pipeline: SessionPipeline;
  #steps: WindowSteps = { sos: null, margin: 0, shift: null, reference: null };
  #referenceNote: string | null = null;
  #gain: Float32Array;
  #offset: Float32Array;
  #nWorkers: number;
  #lastMs = 0;
  #lastSpeed = 0;
  #lastEnd: number;
  /** The one µV/bit every channel shares with no offsets, else null (then rows are scaled first). */
  #commonGain: number | null;
  /** Window buffers kept between requests, for windows up to WHOLE_WINDOW_S (see #buffers). */
  #kept: WindowBuffers = { scratch: new ArrayBuffer(0), out: new Float32Array(0), ext: new Float32Array(0), uv: new Float32Array(0) };
  /** Buffers of a longer window, given back when its request ends. */
  #transient: WindowBuffers[] = [];
  #queue: Promise<unknown> = Promise.resolve();
  /** The last answer of each panel (probe map, spectrum), with what it was asked (see #answer). */
  #answers = new Map<'activity' | 'spectrum', { key: string; reply: ChannelActivityReply | SpectrumReply }>();
  #bad: SessionBadChannel[] = [];
  #detection: 'idle' | 'running' | 'done' | 'failed' = 'idle';
  #detectionRuns = new DetectionRuns();
  #message: string | null = null;
  #onStatus: (s: SessionStatus) => void;
  #detecting: Promise<void> = Promise.resolve();
  #closed = false;
  #pipelineGeneration = 0;

  constructor(source: Source, pipeline: SessionPipeline, nWorkers: number, onStatus: (s: SessionStatus) => void = () => {}) {
    this.#onStatus = onStatus;
    this.source = source;
    this.#gain = Float32Array.from(source.info.channels, (c) => c.gainUv);
    this.#offset = Float32Array.from(source.info.channels, (c) => c.offsetUv);
    const g0 = this.#gain[0];
    this.#commonGain = this.#gain.every((g) => g === g0) && this.#offset.every((o) => o === 0) && g0 > 0 ? g0 : null;
    this.#nWorkers = nWorkers;
    this.#pipeline = pipeline;
    this.#lastEnd = source.info.samples;
    this.setPipeline(pipeline);
  }

  get pipeline(): SessionPipeline {
    return this.#pipeline;
  }

  /**
   * Display-only: the next windows are processed with it; the file is never modified. `found`: bad
   * channels detection found, taken only if the pipeline holds with them.
   */
  setPipeline(p: SessionPipeline, found: SessionBadChannel[] = this.#bad): void {
    const { fs, channels } = this.source.info;
    // Built before anything is swapped in: a pipeline that cannot run here changes nothing.
    const spec: FilterSpec | null = p.filter ? filterSpecOf(p.filter) : null;
    const sos = spec ? designSos(spec, fs) : null;
    // SpikeInterface's auto margin, 5 periods of the lowest corner, is read and filtered around every
    // window the view draws: at 0.01 Hz 500 s each side, gigabytes a scroll. Held to a preset's bound.
    if (spec && autoMarginMs(spec) > MAX_MARGIN_MS) {
      throw new ProbeDeckError(
        'MARGIN_TOO_LONG',
        `this filter's corner needs ${+(autoMarginMs(spec) / 1000).toPrecision(3)} s of neighbours each side of every window (5 periods, SpikeInterface's auto margin); the view reads at most ${MAX_MARGIN_MS / 1000} s: use a corner of ${Math.ceil((5000 / MAX_MARGIN_MS) * 1e4) / 1e4} Hz or more`
      );
    }
    // Another method asked for: what the last one found, or is finding, is not its answer.
    const otherMethod = this.#detectionRuns.otherMethod(p);
    const bad = p.detectBadChannels && !otherMethod ? found : [];
    const reference = viewReference(p, bad, channels);
    let shift: FirShift | null = null;
    if (p.phaseShift) {
      const shifts = probeSampleShifts(this.source.info.probe, channels.map((c) => c.readout));
      const spec = { method: 'fir' as const, shifts, taps: p.phaseShift.taps };
      shift = { spec, kernels: firKernels(shifts, spec.taps) };
    }
    this.#steps = { sos, margin: spec ? autoMarginSamples(spec, fs) : 0, shift, reference: reference.plan };
    [this.#referenceNote, this.#bad, this.#pipeline] = [reference.note, bad, p];
    if (!p.detectBadChannels || otherMethod) (this.#detection = 'idle'), (this.#message = null);
    this.#answers.clear();
    this.#pipelineGeneration++;
    this.#onStatus(this.status()); // its revision: a view refetches what it drew
    if (p.detectBadChannels && this.#detection === 'idle') this.#detecting = this.#detect();
  }

  /**
   * SI's detect_bad_channels (coherence+psd) on 10 windows of 0.5 s spread over the whole recording,
   * as an export does; the windows the view asks for afterwards leave the bad channels out of the CMR.
   */
  async #detect(): Promise<void> {
    const { run, method } = this.#detectionRuns.start(this.#pipeline);
    this.#detection = 'running';
    this.#message = 'looking for bad channels…';
    this.#onStatus(this.status());
    const { channels, fs, samples } = this.source.info;
    try {
      const chunks = await detectionChunks({ read: (a, b) => this.source.read(a, b), samples, channels: channels.length, fs, gainUv: this.#gain, offsetUv: this.#offset, nWorkers: this.#nWorkers });
      const r = await detectBadChannels({ chunks, channels: channels.length, fs, method, positions: channels.map((c) => ({ x: c.x, y: c.y })), nWorkers: this.#nWorkers });
      // Turned off, replaced by another run (off and on, another method) or closed meanwhile.
      if (!this.#detectionRuns.current(run) || !this.#pipeline.detectBadChannels || this.#closed) return;
      this.setPipeline(this.#pipeline, r.bad.map((index) => ({ index, label: r.labels[index] as SessionBadChannel['label'] })));
      this.#detection = 'done';
      this.#message = this.#bad.length ? `bad channels kept out of the reference: ${this.#bad.map((b) => `${channels[b.index].id} (${b.label})`).join(', ')}` : 'no bad channels found';
    } catch (err) {
      if (!this.#detectionRuns.current(run)) return;
      this.#detection = 'failed';
      this.#message = `bad-channel detection failed: ${(err as Error).message}`;
    }
    this.#onStatus(this.status());
  }

  describe(): Omit<SessionInfo, 'preset' | 'presetNote'> {
    const i = this.source.info;
    return {
      source: i.path,
      kind: 'recording',
      fs: i.fs,
      channels: i.channels.map((c) => ({ id: c.id, x: c.x, y: c.y, shank: c.shank, ...(c.unused ? { unused: true as const } : {}) })),
      pipeline: this.#pipeline,
      referenceNote: this.#referenceNote,
      historySeconds: i.durationS,
      wallClockStart: i.wallClockStart,
      tStart: i.tStart,
      badChannels: shownBadChannels(this.#bad, this.#pipeline, this.source.info.channels),
      uncalibrated: i.uncalibrated ?? false,
      sourceWarnings: i.warnings ?? []
    };
  }

  /**
   * Rows [s0, s1), processed or raw, and the µV per unit they are in. With one gain for every
   * channel and no offsets (SpikeGLX, Open Ephys) the work stays in the file's units — filtering
   * and the reference commute with a common gain — and only the small results are scaled.
   */
  async #window(s0: number, s1: number, steps: WindowSteps | null): Promise<{ data: Float32Array; gainUv: number | null }> {
    const N = this.source.info.samples;
    const C = this.source.info.channels.length;
    checkSpan(s1 - s0, this.source.info.fs);
    checkValues(s1 - s0, C, this.source.info.fs);
    const t0 = performance.now();
    const processed = steps !== null;
    const { sos, shift, reference, margin } = steps ?? { sos: null, shift: null, reference: null, margin: 0 };
    // The shift (after the filter, before the reference, as SpikeInterface orders them) needs K/2
    // filtered neighbours each side: the filter then runs over the window widened by those.
    const half = shift ? shift.spec.taps / 2 : 0;
    const [hl, hr] = [Math.min(half, s0), Math.min(half, N - s1)];
    const [e0, e1] = [s0 - hl, s1 + hr];
    const left = sos ? Math.min(margin, e0) : 0;
    const right = sos ? Math.min(margin, N - e1) : 0;
    const rows = e1 - e0 + left + right;
    const bytes = rows * this.source.layout.frameChannels * (this.source.layout.dtype === 'float32' ? 4 : 2);
    // A float32 file is in its own units too (gain 1 when they are µV already).
    const common = this.#commonGain;
    const b = this.#buffers(s1 - s0, { scratch: bytes, out: (s1 - s0) * C, ext: shift && sos ? (e1 - e0) * C : 0, uv: common === null ? rows * C : 0 });
    const raw = await this.source.read(e0 - left, e1 + right, b.scratch);
    const input = common === null ? await scaleToFloat(raw, C, this.#gain, this.#offset, this.#nWorkers, b.uv.subarray(0, raw.length)) : raw;
    const window = b.out.subarray(0, (s1 - s0) * C);
    let out: Float32Array;
    try {
      if (shift) {
        const filtered = sos ? await filterWindow({ input, channels: C, sos, mode: 'zero-phase', left, right, nWorkers: this.#nWorkers, precision: 'float32', out: b.ext.subarray(0, (e1 - e0) * C) }) : input;
        out = await phaseShiftWindow({ input: filtered, channels: C, spec: shift.spec, kernels: shift.kernels, left: hl, right: hr, nWorkers: this.#nWorkers, out: window });
        if (reference) await commonReference(out, C, reference, this.#nWorkers);
      } else if (sos) {
        // The filter references what it made while still in cache.
        out = await filterWindow({ input, channels: C, sos, mode: 'zero-phase', left, right, nWorkers: this.#nWorkers, precision: 'float32', out: window, reference: reference ?? undefined });
      } else {
        out = input instanceof Float32Array ? input : await scaleToFloat(input, C, 1, 0, this.#nWorkers, window);
        if (reference) await commonReference(out, C, reference, this.#nWorkers);
      }
    } catch (err) {
      // The engine knows only that a window held one; the view says where, and what still shows it.
      if ((err as ProbeDeckError).code !== 'NON_FINITE_INPUT') throw err;
      const fs = this.source.info.fs;
      const at = (x: number) => `${(x / fs).toFixed(3)} s`;
      throw new ProbeDeckError('NON_FINITE_INPUT', `${this.source.info.path} holds NaN or infinite samples between ${at(e0 - left)} and ${at(e1 + right)} (this window and the margins its filter reads): the processed view cannot filter across them; the raw view shows the file as it is`);
    }
    this.#lastMs = performance.now() - t0;
    this.#lastEnd = s1;
    if (processed) {
      // Over the rows the engine ran, margins included: a one-column readout under the pointer is
      // ~1000 rows of filter for 30 samples shown, and counted by those it read 0.3–0.6x real time.
      this.#lastSpeed = rows / this.source.info.fs / (this.#lastMs / 1000);
      // A recording says its status only when something changes: each processed window is a new
      // measurement, or the health panel shows the one taken when the pipeline last changed.
      this.#onStatus(this.status());
    }
    return { data: out, gainUv: common };
  }

  /**
   * Buffers of at least the sizes asked for a window of `samples`. Up to WHOLE_WINDOW_S (the traces'
   * pieces, the spectrum) they are kept between requests: a fresh 50 MB array per window costs more
   * in page faults than the filter. A longer window's (the probe map over 10 s: 0.7 GB, 1.1 GB with
   * the phase shift) are its request's only, given back when it ends (#exclusive); kept, they stayed
   * resident for as long as the recording was open, outside any budget.
   */
  #buffers(samples: number, size: { scratch: number; out: number; ext: number; uv: number }): WindowBuffers {
    if (samples > WHOLE_WINDOW_S * this.source.info.fs) {
      const b = { scratch: new ArrayBuffer(size.scratch), out: new Float32Array(size.out), ext: new Float32Array(size.ext), uv: new Float32Array(size.uv) };
      this.#transient.push(b);
      return b;
    }
    const k = this.#kept;
    if (k.scratch.byteLength < size.scratch) k.scratch = new ArrayBuffer(size.scratch);
    if (k.out.length < size.out) k.out = new Float32Array(size.out);
    if (k.ext.length < size.ext) k.ext = new Float32Array(size.ext);
    if (k.uv.length < size.uv) k.uv = new Float32Array(size.uv);
    return k;
  }

  /** One request at a time: windows share the session's buffers, and results are used before the next. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work).finally(() => {
      // The request is done with them, and so is the engine (each call was awaited).
      for (const b of this.#transient.splice(0)) freeWindowBuffers(b);
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  columns(fromColumn: number, samplesPerColumn: number, maxColumns: number, processed: boolean, toColumn?: number): Promise<ColumnsReply> {
    return this.#exclusive(() => this.#columns(fromColumn, samplesPerColumn, maxColumns, processed, toColumn));
  }

  activity(seconds: number, k: number, endSample?: number): Promise<ChannelActivityReply> {
    return this.#exclusive(() => this.#activity(seconds, k, endSample));
  }

  spectrum(list: number[], seconds: number, processed: boolean, nperseg: number, endSample?: number): Promise<SpectrumReply> {
    checkSpectrumChannels(list, this.source.info.channels.length);
    return this.#exclusive(() => this.#spectrum(list, seconds, processed, nperseg, endSample));
  }

  async #columns(fromColumn: number, samplesPerColumn: number, maxColumns: number, processed: boolean, toColumn?: number): Promise<ColumnsReply> {
    const { samples: N, fs, channels } = this.source.info;
    const steps = processed ? this.#steps : null;
    // The file does not grow: its last column, partial when N is no multiple of the column, is as
    // complete as it will ever be, and "to the end" has to show it.
    const last = Math.min(toColumn ?? Infinity, Math.ceil(N / samplesPerColumn));
    const first = Math.max(fromColumn, 0, last - maxColumns);
    const n = Math.max(0, last - first);
    const base = { fromColumn: first, samplesPerColumn, newestSample: N, oldestSample: 0, fs, channels: channels.length };
    if (n === 0) return { ...base, count: 0, minmax: new Float32Array(0) };
    const C = channels.length;
    const end = Math.min(N, last * samplesPerColumn);
    let minmax: Float32Array;
    let gainUv: number | null;
    checkSpan(end - first * samplesPerColumn, fs);
    const span = end - first * samplesPerColumn;
    if (span <= WHOLE_WINDOW_S * fs && span * C <= WHOLE_WINDOW_S * PIECE_VALUES) {
      const w = await this.#window(first * samplesPerColumn, end, steps);
      minmax = await decimateColumns(w.data, C, samplesPerColumn, this.#nWorkers);
      gainUv = w.gainUv;
    } else {
      // A long window goes in pieces of about a second (shorter past 384 channels), as an export's chunks: processed whole, a
      // 30 s window held 3.5 GB (raw, scaled and processed copies) and took seconds to page in.
      // The pieces sit on a grid of columns fixed from the file's start and are processed whole, so
      // a column comes out the same wherever the view begins and scrolling never shifts a trace.
      const k = Math.max(1, Math.round(Math.min(fs, PIECE_VALUES / C) / samplesPerColumn));
      const fileColumns = Math.ceil(N / samplesPerColumn);
      minmax = new Float32Array(n * C * 2);
      gainUv = null;
      for (let g0 = Math.floor(first / k) * k; g0 < last; g0 += k) {
        const g1 = Math.min(g0 + k, fileColumns);
        const w = await this.#window(g0 * samplesPerColumn, Math.min(N, g1 * samplesPerColumn), steps);
        const piece = await decimateColumns(w.data, C, samplesPerColumn, this.#nWorkers);
        const [from, to] = [Math.max(first, g0), Math.min(last, g1)];
        minmax.set(piece.subarray((from - g0) * C * 2, (to - g0) * C * 2), (from - first) * C * 2);
        gainUv = w.gainUv;
      }
      this.#lastEnd = end;
    }
    if (gainUv !== null && gainUv !== 1) for (let i = 0; i < minmax.length; i++) minmax[i] *= gainUv;
    return { ...base, count: n, minmax };
  }

  async #activity(seconds: number, k: number, endSample?: number): Promise<ChannelActivityReply> {
    const { fs, channels } = this.source.info;
    const end = Math.min(this.source.info.samples, endSample ?? this.#lastEnd);
    const start = Math.max(0, end - Math.round(seconds * fs));
    if (end - start < 1) throw windowTooShort('activity', seconds, end, end - start, fs);
    const steps = this.#steps;
    return this.#answer('activity', `${start}:${end}:${k}`, async () => {
      const w = await this.#window(start, end, steps);
      const a = await channelActivity(w.data, channels.length, k, this.#nWorkers);
      const g = w.gainUv ?? 1;
      const spanS = (end - start) / fs;
      return { startSample: start, endSample: end, seconds: spanS, rms: a.rms.map((x) => x * g), ptp: a.ptp.map((x) => x * g), noiseUv: a.sigma.map((x) => x * g), ratePerS: a.crossings.map((x) => x / spanS) };
    });
  }

  /**
   * The panels poll (every 2 s); while the view stays on one window a recording's answer cannot
   * change, and recomputing it would hold the queue a scrub request waits in (and a paused
   * recording with the spectrum open cost ~5 % of a core for the same answer). The pipeline is part
   * of the key: a reply computed while it changed must not be reused after.
   */
  async #answer<T extends ChannelActivityReply | SpectrumReply>(panel: 'activity' | 'spectrum', asked: string, compute: () => Promise<T>): Promise<T> {
    const key = `${asked}:${this.#pipelineGeneration}`;
    const kept = this.#answers.get(panel);
    if (kept?.key === key) return kept.reply as T;
    const reply = await compute();
    this.#answers.set(panel, { key, reply });
    return reply;
  }

  async #spectrum(list: number[], seconds: number, processed: boolean, nperseg: number, endSample?: number): Promise<SpectrumReply> {
    const { fs, channels } = this.source.info;
    const end = Math.min(this.source.info.samples, endSample ?? this.#lastEnd);
    const start = Math.max(0, end - Math.round(seconds * fs));
    if (end - start < 8) throw windowTooShort('spectrum', seconds, end, end - start, fs);
    const steps = processed ? this.#steps : null;
    return this.#answer('spectrum', `${list.join(',')}:${start}:${end}:${processed}:${nperseg}`, async () => {
      const w = await this.#window(start, end, steps);
      const r = await welchChannels(w.data, channels.length, list, fs, Math.min(nperseg, end - start), this.#nWorkers);
      const g2 = (w.gainUv ?? 1) ** 2;
      return { channels: list, freqs: r.freqs, psd: r.psd.map((x) => x * g2), bins: r.bins, seconds: (end - start) / fs };
    });
  }

  status(): SessionStatus {
    const i = this.source.info;
    return {
      state: 'running',
      message: this.#message,
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
      sinceLastDataMs: 0,
      badChannels: shownBadChannels(this.#bad, this.#pipeline, this.source.info.channels),
      detection: !this.#pipeline.detectBadChannels ? 'off' : this.#detection === 'idle' ? 'waiting' : this.#detection,
      revision: this.#pipelineGeneration
    };
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    await this.#detecting;
    await this.source.close();
    // Given back now, not when the garbage collector next runs (a closed view's buffers stayed resident).
    freeWindowBuffers(this.#kept);
  }
}

function freeWindowBuffers(b: WindowBuffers): void {
  for (const x of [b.scratch, b.out.buffer, b.ext.buffer, b.uv.buffer]) freeBuffer(x);
}
