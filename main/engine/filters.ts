// Filter design and filtering: SpikeInterface's FilterRecording semantics on fetched windows, and an
// exact streaming form for live data.
import { ProbeDeckError, invalidParameterError, isInteger, isNumber } from '../util/is.ts';
import { withCallerStack } from './errors.ts';
import { native } from './native.ts';
import type { ReferencePlan } from './reference.ts';
import { checkChannels, checkFrames, checkInput, checkPrecision, checkWorkers, overlaps, type Precision } from './validate.ts';

export type FilterSpec =
  | { kind: 'bandpass' | 'bandstop'; order: number; lowHz: number; highHz: number }
  | { kind: 'highpass'; order: number; lowHz: number }
  | { kind: 'lowpass'; order: number; highHz: number }
  | { kind: 'notch'; freqHz: number; q: number };

const KIND = { lowpass: 0, highpass: 1, bandpass: 2, bandstop: 3, notch: 4 } as const;

function checkFs(fs: unknown): number {
  if (!isNumber(fs) || fs <= 0) throw invalidParameterError('fs', 'a sampling rate above 0 Hz', fs);
  return fs;
}

function checkCorner(name: string, f: unknown, fs: number): number {
  if (!isNumber(f) || f <= 0 || f >= fs / 2) {
    throw new ProbeDeckError('FREQUENCY_OUT_OF_RANGE', `Expected "${name}" between 0 and Nyquist (${fs / 2} Hz) but received ${String(f)}`);
  }
  return f;
}

function checkOrder(order: unknown): number {
  if (!isInteger(order) || order < 1 || order > 10) throw new ProbeDeckError('ORDER_OUT_OF_RANGE', `Expected "order" from 1 to 10 but received ${String(order)}`);
  return order;
}

/** n_sections × 6 coefficients equal to scipy.signal.iirfilter(..., ftype="butter", output="sos") / iirnotch. */
export function designSos(spec: FilterSpec, fs: number): Float64Array {
  checkFs(fs);
  switch (spec.kind) {
    case 'lowpass':
      return native().designSos(KIND.lowpass, checkOrder(spec.order), checkCorner('highHz', spec.highHz, fs), 0, fs, 0);
    case 'highpass':
      return native().designSos(KIND.highpass, checkOrder(spec.order), checkCorner('lowHz', spec.lowHz, fs), 0, fs, 0);
    case 'bandpass':
    case 'bandstop': {
      const lo = checkCorner('lowHz', spec.lowHz, fs);
      const hi = checkCorner('highHz', spec.highHz, fs);
      if (lo >= hi) throw new ProbeDeckError('FREQUENCY_OUT_OF_RANGE', `Expected "lowHz" (${lo}) below "highHz" (${hi})`);
      return native().designSos(KIND[spec.kind], checkOrder(spec.order), lo, hi, fs, 0);
    }
    case 'notch':
      if (!isNumber(spec.q) || spec.q <= 0) throw invalidParameterError('q', 'a quality factor above 0', spec.q);
      return native().designSos(KIND.notch, 2, checkCorner('freqHz', spec.freqHz, fs), 0, fs, spec.q);
    default:
      throw invalidParameterError('kind', 'bandpass, highpass, lowpass, bandstop or notch', (spec as { kind: unknown }).kind);
  }
}

/** SpikeInterface's "auto" margin: 5 periods of the lowest corner (notch: (5/π)·(q/f0)), in ms. */
export function autoMarginMs(spec: FilterSpec): number {
  if (spec.kind === 'notch') return (5 / Math.PI) * (spec.q / spec.freqHz) * 1000;
  if (spec.kind === 'lowpass') return 5 * (1000 / spec.highHz);
  return 5 * (1000.0 / spec.lowHz);
}

/** autoMarginMs in samples, truncated as SpikeInterface's int(margin_ms * fs / 1000). */
export function autoMarginSamples(spec: FilterSpec, fs: number): number {
  return Math.trunc((autoMarginMs(spec) * fs) / 1000.0);
}

/** scipy's sosfiltfilt padlen for these coefficients. */
export function padlen(sos: Float64Array): number {
  const n = sos.length / 6;
  let zb = 0;
  let za = 0;
  for (let s = 0; s < n; s++) {
    if (sos[s * 6 + 2] === 0) zb++;
    if (sos[s * 6 + 5] === 0) za++;
  }
  return 3 * (2 * n + 1 - Math.min(zb, za));
}

function checkSos(sos: unknown): Float64Array {
  if (!(sos instanceof Float64Array) || sos.length === 0 || sos.length % 6 !== 0) throw invalidParameterError('sos', 'a Float64Array of n×6 coefficients', sos);
  if (sos.length / 6 > 10) throw invalidParameterError('sos', 'at most 10 sections (an order-10 band-pass)', `${sos.length / 6} sections`);
  for (let s = 0; s < sos.length; s += 6) if (sos[s + 3] !== 1) throw invalidParameterError('sos', 'sections with a0 = 1', sos[s + 3]);
  return sos;
}

export interface FilterWindowOptions {
  input: Int16Array | Float32Array;
  channels: number;
  sos: Float64Array;
  mode: 'zero-phase' | 'causal';
  left: number;
  right: number;
  nWorkers?: number;
  /**
   * Compute precision: 'float64' (default) equals scipy bit for bit; 'float32' is faster, within 1e-4 of it relative to the output RMS.
   * A corner too low for float32 to hold that (below ~150 Hz at 30 kHz for order 5) runs in float64 anyway.
   */
  precision?: Precision;
  /** Reuse this buffer (rows − left − right) × channels for the output instead of allocating one. */
  out?: Float32Array;
  /**
   * Then re-reference the output (planReference's plan): commonReference's result bit for bit. A
   * float32 zero-phase filter does it block by block while the rows are in cache, saving a pass over memory.
   */
  reference?: ReferencePlan;
}

/**
 * Filters rows [start-left, end+right) and returns rows [start, end) as float32 — SpikeInterface's
 * FilterRecording.get_traces on that window (zero-phase: sosfiltfilt; causal: sosfilt from zero state).
 */
export async function filterWindow(o: FilterWindowOptions): Promise<Float32Array> {
  const input = checkInput(o.input);
  const channels = checkChannels(o.channels);
  const rows = checkFrames(input, channels);
  const sos = checkSos(o.sos);
  const workers = checkWorkers(o.nWorkers);
  const precision = checkPrecision(o.precision);
  for (const k of ['left', 'right'] as const) if (!isInteger(o[k]) || o[k] < 0) throw invalidParameterError(k, 'a margin of 0 or more samples', o[k]);
  if (o.left + o.right > rows) throw new ProbeDeckError('BAD_WINDOW', `the margins (${o.left} + ${o.right}) are longer than the ${rows}-sample window`);
  if (o.mode !== 'zero-phase' && o.mode !== 'causal') throw invalidParameterError('mode', '"zero-phase" or "causal"', o.mode);
  const pad = padlen(sos);
  if (o.mode === 'zero-phase' && rows <= pad) {
    throw new ProbeDeckError('WINDOW_TOO_SHORT', `a zero-phase window (with margins) must be longer than scipy's padlen of ${pad} samples, got ${rows}`);
  }
  const n = (rows - o.left - o.right) * channels;
  if (o.out !== undefined && (!(o.out instanceof Float32Array) || o.out.length !== n)) throw invalidParameterError('out', `a Float32Array of ${n} values`, o.out);
  // The forward pass writes the output before it has read the window's last rows.
  if (o.out !== undefined && overlaps(o.out, input)) throw invalidParameterError('out', 'a buffer apart from the input', 'shared memory');
  const r = o.reference;
  if (r !== undefined && r.setOfChannel?.length !== channels) throw invalidParameterError('reference', `a plan for ${channels} channels (planReference)`, r);
  const out = o.out ?? new Float32Array(n);
  const mode = o.mode === 'zero-phase' ? 0 : 1;
  await withCallerStack(() =>
    r ? native().filterWindow(input, channels, sos, mode, o.left, o.right, out, workers, precision, r.operator, r.members, r.offsets, r.setOfChannel) : native().filterWindow(input, channels, sos, mode, o.left, o.right, out, workers, precision)
  );
  return out;
}

/** Exact causal sosfilt over a stream delivered in chunks of any size: state carries across calls. */
export class StreamFilter {
  readonly channels: number;
  readonly sos: Float64Array;
  #precision: 0 | 1;
  #state: Float64Array;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(o: { sos: Float64Array; channels: number; precision?: Precision }) {
    this.sos = checkSos(o.sos);
    this.channels = checkChannels(o.channels);
    this.#precision = checkPrecision(o.precision);
    // Per channel, (sections + 1) × 2 values: float32 keeps the input's last value and a carry
    // besides each section's (native/core/sosfilt.hpp, stream_state_rows); float64 uses the first 2 per section.
    this.#state = new Float64Array((this.sos.length / 6 + 1) * 2 * this.channels);
  }

  /** Filters the next chunk. Calls are serialised, so chunks are always applied in call order. */
  process(input: Int16Array | Float32Array, nWorkers?: number, into?: Float32Array): Promise<Float32Array> {
    checkInput(input);
    checkFrames(input, this.channels);
    const workers = checkWorkers(nWorkers);
    if (into !== undefined && (!(into instanceof Float32Array) || into.length !== input.length)) throw invalidParameterError('into', `a Float32Array of ${input.length} values`, into);
    // In place is fine (a row is read before it is written); shifted by some rows, or int16 under
    // float32, rows would be overwritten before they are read, by another worker too.
    const inPlace = into !== undefined && input instanceof Float32Array && into.buffer === input.buffer && into.byteOffset === input.byteOffset;
    if (into !== undefined && !inPlace && overlaps(into, input)) throw invalidParameterError('into', 'the input itself or a buffer apart from it', 'memory partly shared with the input');
    const out = into ?? new Float32Array(input.length);
    const site = new Error();
    const run = this.#queue.then(() => withCallerStack(() => native().filterStream(input, this.channels, this.sos, this.#state, out, workers, this.#precision), site));
    this.#queue = run.catch(() => {});
    return run.then(() => out);
  }

  /** Starts over from zero state; applied after the chunks already given to process(). */
  reset(): void {
    this.#queue = this.#queue.then(() => this.#state.fill(0));
  }

  /** For StreamChain, which filters inside its own engine call: the state carried from chunk to chunk, and its precision. */
  get carried(): { state: Float64Array; precision: 0 | 1 } {
    return { state: this.#state, precision: this.#precision };
  }
}
