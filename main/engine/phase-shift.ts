// Neuropixels ADC phase shift (SpikeInterface's phase_shift): every channel is delayed by its
// fractional sample shift so all channels line up with ADC slot 0. "fft" is SI's method (40 ms
// zero-padded, tapered margin; exact parity on files); "fir" is SI PR #4563's windowed sinc
// (K/2-sample margin), the one fast enough for live data.
import { ProbeDeckError, invalidParameterError, isInteger, isNumber } from '../util/is.ts';
import { withCallerStack } from './errors.ts';
import { native } from './native.ts';
import type { ReferencePlan } from './reference.ts';
import { checkChannels, checkFrames, checkInput, checkWorkers, overlaps } from './validate.ts';

export type PhaseShiftMethod = 'fir' | 'fft';
export const PHASE_SHIFT_TAPS = [16, 32, 64] as const;
export type PhaseShiftTaps = (typeof PHASE_SHIFT_TAPS)[number];
/** Kaiser β of PR #4563's kernels. */
const KAISER_BETA = 8.6;

export interface PhaseShiftSpec {
  method: PhaseShiftMethod;
  /** Per channel, in samples; positive = delay (y[t] = x(t − shift)). */
  shifts: Float64Array;
  /** FIR only: 16 (default), 32 or 64. */
  taps?: PhaseShiftTaps;
  /** FFT only: margin in samples (default SI's 40 ms). */
  marginSamples?: number;
}

function checkShifts(shifts: unknown, channels: number): Float64Array {
  if (!(shifts instanceof Float64Array) || shifts.length !== channels) throw invalidParameterError('shifts', `a Float64Array of ${channels} shifts in samples`, shifts);
  for (const s of shifts) if (!isNumber(s) || Math.abs(s) > 64) throw invalidParameterError('shifts', 'finite shifts of at most 64 samples', s);
  return shifts;
}

function checkTaps(taps: unknown): PhaseShiftTaps {
  if (taps === undefined) return 16;
  if (!PHASE_SHIFT_TAPS.includes(taps as PhaseShiftTaps)) throw invalidParameterError('taps', '16, 32 or 64', taps);
  return taps as PhaseShiftTaps;
}

/** Samples of real neighbours each side a window needs: K/2 for FIR, int(40 ms · fs) for FFT. */
export function phaseShiftMargin(spec: Pick<PhaseShiftSpec, 'method' | 'taps' | 'marginSamples'>, fs: number): number {
  if (spec.method === 'fir') return checkTaps(spec.taps) / 2;
  if (spec.marginSamples !== undefined) return spec.marginSamples;
  return Math.trunc((40.0 * fs) / 1000);
}

/** The FIR kernels (taps × channels float32, unit DC gain), made once per layout. */
export function firKernels(shifts: Float64Array, taps: PhaseShiftTaps = 16): Float32Array {
  checkShifts(shifts, shifts.length);
  const K = checkTaps(taps);
  // The kernel is a windowed sinc centred on its middle tap: a shift of K/2 samples or more has no
  // tap left near its peak (a whole-sample shift that far sums to 0, and its kernel to NaN).
  for (const s of shifts) if (Math.abs(s) > K / 4) throw invalidParameterError('shifts', `shifts of at most ${K / 4} samples for the ${K}-tap FIR (an ADC phase shift is under one sample; the fft method takes larger ones)`, s);
  return native().phaseShiftKernels(shifts, K, KAISER_BETA);
}

export interface PhaseShiftWindowOptions {
  input: Int16Array | Float32Array;
  channels: number;
  spec: PhaseShiftSpec;
  /** Real neighbour rows fetched before/after the window (fewer than the margin only at the recording's ends). */
  left: number;
  right: number;
  /** FIR kernels from firKernels(), to skip remaking them for every window. */
  kernels?: Float32Array;
  nWorkers?: number;
  out?: Float32Array;
}

/** Rows [start−left, end+right) in → rows [start, end) out, float32. */
export async function phaseShiftWindow(o: PhaseShiftWindowOptions): Promise<Float32Array> {
  const input = checkInput(o.input);
  const channels = checkChannels(o.channels);
  const rows = checkFrames(input, channels);
  const workers = checkWorkers(o.nWorkers);
  const shifts = checkShifts(o.spec.shifts, channels);
  if (o.spec.method !== 'fir' && o.spec.method !== 'fft') throw invalidParameterError('method', '"fir" or "fft"', o.spec.method);
  for (const k of ['left', 'right'] as const) if (!isInteger(o[k]) || o[k] < 0) throw invalidParameterError(k, 'a margin of 0 or more samples', o[k]);
  if (o.left + o.right > rows) throw new ProbeDeckError('BAD_WINDOW', `the margins (${o.left} + ${o.right}) are longer than the ${rows}-sample window`);
  const n = (rows - o.left - o.right) * channels;
  if (o.out !== undefined && (!(o.out instanceof Float32Array) || o.out.length !== n)) throw invalidParameterError('out', `a Float32Array of ${n} values`, o.out);
  const out = o.out ?? new Float32Array(n);
  if (o.spec.method === 'fir') {
    const taps = checkTaps(o.spec.taps);
    const kernels = o.kernels ?? firKernels(shifts, taps);
    if (!(kernels instanceof Float32Array) || kernels.length !== taps * channels) throw invalidParameterError('kernels', `a Float32Array of ${taps}×${channels} values`, kernels);
    const margin = taps / 2;
    if (o.left > margin || o.right > margin) throw new ProbeDeckError('BAD_WINDOW', `the FIR phase shift takes at most ${margin} neighbour rows each side, got ${o.left} and ${o.right}`);
    // Workers split the rows: one would overwrite rows that another has still to read.
    if (overlaps(out, input)) throw invalidParameterError('out', 'a buffer apart from the input (the FIR reads each row up to K/2 rows after writing its output)', 'the input’s memory');
    await withCallerStack(() => native().phaseShiftFir(input, channels, kernels, taps, o.left, o.right, out, workers));
  } else {
    const m = o.spec.marginSamples;
    if (!isInteger(m) || m < 1) throw invalidParameterError('marginSamples', 'the FFT margin in samples (phaseShiftMargin(spec, fs))', m);
    if (o.left > m || o.right > m) throw new ProbeDeckError('BAD_WINDOW', `the FFT phase shift takes at most ${m} neighbour rows each side, got ${o.left} and ${o.right}`);
    await withCallerStack(() => native().phaseShiftFft(input, channels, shifts, o.left, o.right, m, out, workers));
  }
  return out;
}

/**
 * The FIR phase shift over a stream in chunks of any size: each call returns as many rows as it was
 * given, `delaySamples` (K/2 − 1) behind the input; the stream starts from zeros, as a recording's start.
 */
export class StreamPhaseShift {
  readonly channels: number;
  readonly taps: PhaseShiftTaps;
  readonly delaySamples: number;
  #kernels: Float32Array;
  #history: Float32Array;
  /** The next chunk's history, filled while this one runs; the two swap, so no chunk allocates one. */
  #nextHistory: Float32Array;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(o: { shifts: Float64Array; channels: number; taps?: PhaseShiftTaps }) {
    this.channels = checkChannels(o.channels);
    this.taps = checkTaps(o.taps);
    this.#kernels = firKernels(checkShifts(o.shifts, this.channels), this.taps);
    this.delaySamples = this.taps / 2 - 1;
    this.#history = new Float32Array((this.taps - 1) * this.channels);
    this.#nextHistory = new Float32Array(this.#history.length);
  }

  /**
   * Shifts the next chunk (delayed by `delaySamples`); calls are serialised, applied in call order.
   * The engine reads `input` while the promise is pending, so leave it unchanged until then; `into`
   * may not share memory with it. With a `reference`, the shifted rows are also re-referenced, as
   * commonReference would do after (bit for bit), while they are still in cache: one pass over
   * memory fewer.
   */
  process(input: Float32Array, nWorkers?: number, into?: Float32Array, reference?: ReferencePlan): Promise<Float32Array> {
    if (!(input instanceof Float32Array)) throw invalidParameterError('input', 'a Float32Array', input);
    checkFrames(input, this.channels);
    const workers = checkWorkers(nWorkers);
    if (into !== undefined && (!(into instanceof Float32Array) || into.length !== input.length)) throw invalidParameterError('into', `a Float32Array of ${input.length} values`, into);
    if (into !== undefined && overlaps(into, input)) throw invalidParameterError('into', 'a buffer apart from the input (the shift reads rows it has already written past)', 'the input’s memory');
    if (reference !== undefined && reference.setOfChannel?.length !== this.channels) {
      throw invalidParameterError('reference', `a plan for ${this.channels} channels (planReference)`, reference);
    }
    const K = this.taps;
    const site = new Error();
    const run = this.#queue.then(async () => {
      // The window is the carried rows, then this chunk: the engine reads both where they are.
      const out = into ?? new Float32Array(input.length);
      const r = reference;
      await withCallerStack(
        () => native().phaseShiftFir(input, this.channels, this.#kernels, K, K / 2, K / 2 - 1, out, workers, this.#history, r?.operator, r?.members, r?.offsets, r?.setOfChannel),
        site
      );
      this.advance(input);
      return out;
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Forgets the carried rows; applied after the chunks already given to process(). */
  reset(): void {
    this.#queue = this.#queue.then(() => this.#history.fill(0));
  }

  /** For StreamChain, which shifts inside its own engine call: the FIR and the carried rows the next chunk's window starts with. */
  get window(): { kernels: Float32Array; history: Float32Array } {
    return { kernels: this.#kernels, history: this.#history };
  }

  /**
   * Carries the window's last K − 1 rows (the history's tail, then the chunk just shifted) to the
   * next chunk. Only after a chunk was shifted: this.process() does it, StreamChain too.
   */
  advance(input: Float32Array): void {
    const H = this.#history.length;
    const next = this.#nextHistory;
    if (input.length >= H) {
      next.set(input.subarray(input.length - H));
    } else {
      next.set(this.#history.subarray(input.length));
      next.set(input, H - input.length);
    }
    [this.#history, this.#nextHistory] = [this.#nextHistory, this.#history];
  }
}
