// SpikeInterface's preprocessing pipeline dict ({"bandpass_filter": {...}, "common_reference": {...},
// ...}, steps in order) to and from a preset's pipeline. Steps and arguments we cannot run are
// refused by name, and so is anything a dict cannot say the way SpikeInterface would run it.
// Defaults are SpikeInterface's own (spikeinterface/preprocessing/filter.py, common_reference.py).
import type { PresetBody } from '../api/domains/presets.ts';
import { CAUSAL_MARGIN_MS } from '../engine/executor.ts';
import { autoMarginMs } from '../engine/filters.ts';
import { ProbeDeckError, isNumber, isPlainObject } from '../util/is.ts';
import { validateBody } from './schema.ts';

type Pipeline = PresetBody['pipeline'];
type Dict = Record<string, Record<string, unknown>>;
type Kw = Record<string, unknown>;

const SUPPORTED = ['bandpass_filter', 'highpass_filter', 'causal_filter', 'filter', 'common_reference', 'phase_shift', 'detect_bad_channels', 'detect_and_remove_bad_channels'];
/** SpikeInterface's band for filter() and causal_filter() when none is given. */
const SI_BAND = [300, 6000];
/** Below this freq_min SpikeInterface's bandpass_filter/highpass_filter refuse unless told ignore_low_freq_error (HIGHPASS_ERROR_THRESHOLD_HZ). */
const SI_LOW_FREQ_CHECK_HZ = 100;

const FILTER_KW = ['filter_order', 'ftype', 'filter_mode', 'margin_ms', 'dtype', 'direction'];
/** The keyword arguments each step may carry (dtype is the output's, which the export format sets); any other name is refused, never dropped. */
const ARGUMENTS: Record<string, string[]> = {
  bandpass_filter: ['freq_min', 'freq_max', 'ignore_low_freq_error', ...FILTER_KW],
  highpass_filter: ['freq_min', 'ignore_low_freq_error', ...FILTER_KW],
  filter: ['band', 'btype', ...FILTER_KW],
  causal_filter: ['band', 'btype', ...FILTER_KW],
  common_reference: ['reference', 'operator', 'groups', 'ref_channel_ids', 'local_radius', 'dtype'],
  // method and n_taps are not SpikeInterface's: older ProbeDeck exports wrote its FIR that way.
  phase_shift: ['inter_sample_shift', 'margin_ms', 'dtype', 'method', 'n_taps'],
  detect_bad_channels: ['method'],
  detect_and_remove_bad_channels: ['method']
};

const unsupported = (message: string) => new ProbeDeckError('UNSUPPORTED_STEP', message);

function checkArguments(step: string, kw: Kw): void {
  for (const key of Object.keys(kw)) {
    if (ARGUMENTS[step].includes(key)) continue;
    if (step.startsWith('detect')) throw unsupported(`${step}: "${key}" is not supported: ProbeDeck detects with SpikeInterface's default thresholds and windows (remove "${key}"; "method" may stay)`);
    throw unsupported(`${step}: no argument "${key}" (${step} takes ${ARGUMENTS[step].join(', ')})`);
  }
  // SI's phase_shift takes 40 ms of neighbours, as ProbeDeck's FFT method does.
  if (step === 'phase_shift' && kw.margin_ms !== undefined && kw.margin_ms !== 40) throw unsupported(`phase_shift: margin_ms ${JSON.stringify(kw.margin_ms)} is not supported (ProbeDeck's FFT shift takes SpikeInterface's 40 ms)`);
}
const noSiForm = (message: string) => new ProbeDeckError('NO_SI_FORM', message);

function phaseOf(direction: unknown, step: string): 'zero' | 'causal' {
  if (direction === undefined || direction === 'forward-backward') return 'zero';
  if (direction === 'forward') return 'causal';
  throw unsupported(`${step}: direction ${JSON.stringify(direction)} is not supported (use "forward-backward" or "forward")`);
}

/** A number argument, or SpikeInterface's default when absent. */
function num(step: string, kw: Kw, key: string, fallback: number): number {
  const v = kw[key] ?? fallback;
  if (!isNumber(v)) throw unsupported(`${step}: "${key}" must be a number, got ${JSON.stringify(v)}`);
  return v;
}

function checkButter(step: string, kw: Kw) {
  if (kw.ftype !== undefined && kw.ftype !== 'butter') throw unsupported(`${step}: ftype "${String(kw.ftype)}" is not supported (only "butter")`);
  if (kw.filter_mode !== undefined && kw.filter_mode !== 'sos') throw unsupported(`${step}: filter_mode "${String(kw.filter_mode)}" is not supported (only "sos")`);
}

function filterOf(step: string, kw: Kw): Omit<Pipeline['filter'], 'precision'> {
  checkButter(step, kw);
  const order = num(step, kw, 'filter_order', 5);
  const marginMs = kw.margin_ms === undefined || kw.margin_ms === null || kw.margin_ms === 'auto' ? null : num(step, kw, 'margin_ms', 0);
  if (step === 'bandpass_filter' || step === 'highpass_filter') {
    const lowHz = num(step, kw, 'freq_min', 300);
    const phase = phaseOf(kw.direction, step);
    // Their "auto" margin is 5 periods of freq_min in either direction; ProbeDeck's causal default
    // (no margin given) is causal_filter's 5 ms, so a forward one takes SpikeInterface's explicitly.
    const margin = marginMs === null && phase === 'causal' ? autoMarginMs({ kind: 'highpass', order, lowHz }) : marginMs;
    if (step === 'bandpass_filter') return { kind: 'bandpass', order, lowHz, highHz: num(step, kw, 'freq_max', 6000), phase, marginMs: margin };
    return { kind: 'highpass', order, lowHz, highHz: null, phase, marginMs: margin };
  }
  // filter() and causal_filter(): a band, [low, high] for a band-pass or one corner for a high-pass.
  if (step === 'causal_filter' && kw.direction !== undefined && kw.direction !== 'forward') {
    throw unsupported(`causal_filter: direction ${JSON.stringify(kw.direction)} is not supported: ProbeDeck filters causally forward in time only (use "forward", or leave direction out)`);
  }
  const phase = step === 'causal_filter' ? 'causal' : phaseOf(kw.direction, step);
  const btype = kw.btype ?? 'bandpass';
  const band = kw.band ?? SI_BAND;
  if (btype === 'bandpass') {
    if (!Array.isArray(band) || band.length !== 2 || !band.every(isNumber)) throw unsupported(`${step}: btype "bandpass" needs band as [low, high] in Hz, got ${JSON.stringify(band)}`);
    return { kind: 'bandpass', order, lowHz: band[0], highHz: band[1], phase, marginMs };
  }
  if (btype === 'highpass' || btype === 'lowpass') {
    if (!isNumber(band)) throw unsupported(`${step}: btype "${btype}" needs band as one corner in Hz, got ${JSON.stringify(band)}`);
    return btype === 'highpass' ? { kind: 'highpass', order, lowHz: band, highHz: null, phase, marginMs } : { kind: 'lowpass', order, lowHz: null, highHz: band, phase, marginMs };
  }
  throw unsupported(`${step}: btype ${JSON.stringify(btype)} is not supported (use "bandpass" or "highpass")`);
}

function referenceOf(kw: Kw): Pipeline['reference'] {
  // SpikeInterface's groups are lists of channel ids, which ProbeDeck cannot match to a probe's
  // shanks; taken as "per shank" they would be quietly replaced by the probe's own grouping.
  if (kw.groups !== undefined && kw.groups !== null) {
    throw unsupported('common_reference: "groups" is not supported: ProbeDeck references each shank from the probe’s own layout, not from lists of channel ids. Remove "groups" to import a global reference, or import without it and choose the "per shank" reference in the preset');
  }
  const reference = kw.reference ?? 'global';
  const operator = kw.operator === 'average' ? 'mean' : (kw.operator ?? 'median');
  if (operator !== 'median' && operator !== 'mean') throw unsupported(`common_reference: operator ${JSON.stringify(operator)} is not supported`);
  if (reference !== 'global' && reference !== 'group' && reference !== 'local' && reference !== 'single') throw unsupported(`common_reference: reference ${JSON.stringify(reference)} is not supported`);
  const refIds = kw.ref_channel_ids;
  if (reference === 'global' && refIds !== undefined && refIds !== null) {
    throw unsupported('common_reference: a global reference over chosen channels (ref_channel_ids) is not supported: ProbeDeck’s global reference takes every channel but the bad ones. Remove ref_channel_ids, or list the channels to leave out as known bad channels in the preset');
  }
  const radius = kw.local_radius ?? [30, 55];
  if (!Array.isArray(radius) || radius.length !== 2 || !radius.every(isNumber)) throw unsupported(`common_reference: local_radius must be [inner, outer] in µm, got ${JSON.stringify(radius)}`);
  const channel = reference === 'single' ? Number(Array.isArray(refIds) ? refIds[0] : refIds) : null;
  if (reference === 'single' && !Number.isInteger(channel)) throw unsupported('common_reference: "single" needs ref_channel_ids as a channel index');
  return { mode: reference, operator, innerUm: radius[0], outerUm: radius[1], channel };
}

/** Reads a SpikeInterface pipeline dict into a preset pipeline (validated). */
export function fromSpikeInterface(dict: unknown, base: PresetBody): PresetBody {
  if (!isPlainObject(dict)) throw new ProbeDeckError('BAD_IMPORT', 'a SpikeInterface pipeline must be an object of {step: kwargs}');
  if (Object.keys(dict).length === 0) {
    throw new ProbeDeckError('BAD_IMPORT', 'the SpikeInterface pipeline dict is empty: it names no steps, such as {"bandpass_filter": {}, "common_reference": {}}');
  }
  const p: Pipeline = structuredClone({ ...base.pipeline, filter: { ...base.pipeline.filter, kind: 'none' }, reference: { ...base.pipeline.reference, mode: 'none' } });
  p.phaseShift = { method: 'none', taps: 16 };
  p.badChannels = { detect: 'none', manual: [] };
  // ProbeDeck runs its steps in one order (filter → phase shift → reference, bad channels found on
  // the raw traces and kept out of the reference): a dict SpikeInterface would run otherwise is refused.
  let filterStepSeen: string | null = null;
  let referenced = false;
  for (const [step, raw] of Object.entries(dict)) {
    if (!SUPPORTED.includes(step)) throw unsupported(`the SpikeInterface step "${step}" is not supported (ProbeDeck runs: ${SUPPORTED.join(', ')})`);
    if (referenced) {
      throw unsupported(`${step} after common_reference: ProbeDeck re-references last, after filtering, shifting and finding bad channels, where SpikeInterface would run ${step} on the re-referenced traces (and a median reference does not commute with them). Put common_reference last`);
    }
    if (step.endsWith('filter') && filterStepSeen) {
      throw unsupported(`${step} after ${filterStepSeen}: ProbeDeck runs one filter, where SpikeInterface would run both, one after the other. Keep one (a band-pass holds a high-pass and a low-pass)`);
    }
    if (step.endsWith('filter')) filterStepSeen = step;
    if (step === 'common_reference') referenced = true;
    if (raw !== null && !isPlainObject(raw)) throw unsupported(`${step}: its arguments must be an object of keyword arguments, got ${JSON.stringify(raw)}`);
    const kw: Kw = raw ?? {};
    checkArguments(step, kw);
    // SpikeInterface's filters compute in float64 (scipy's), whatever dtype they write.
    if (step.endsWith('filter')) p.filter = { ...filterOf(step, kw), precision: 'float64' };
    else if (step === 'common_reference') p.reference = referenceOf(kw);
    else if (step === 'phase_shift') {
      // ProbeDeck takes each channel's shift from the probe's ADC layout.
      if (kw.inter_sample_shift !== undefined && kw.inter_sample_shift !== null) throw unsupported('phase_shift: inter_sample_shift is not supported: ProbeDeck takes each channel’s shift from the probe’s ADC layout (remove it)');
      // "method" and "n_taps" are not SpikeInterface's: older ProbeDeck exports wrote its FIR that way.
      const method = kw.method ?? 'fft';
      if (method !== 'fft' && method !== 'fir') throw unsupported(`phase_shift: method ${JSON.stringify(method)} is not supported`);
      p.phaseShift = { method, taps: (kw.n_taps ?? 16) as 16 | 32 | 64 };
    } else {
      const method = kw.method ?? 'coherence+psd';
      if (method !== 'coherence+psd' && method !== 'std' && method !== 'mad') throw unsupported(`${step}: method ${JSON.stringify(method)} is not supported`);
      p.badChannels = { detect: method, manual: [] };
    }
  }
  return validateBody({ ...base, pipeline: p });
}

// ProbeDeck keeps float32 from one step to the next. SpikeInterface's steps default to their parent's
// dtype: on an int16 recording each would round to int16, and a band-pass then CMR differs by ±1 on
// about a quarter of the samples. The dict says float32 so that it runs what ProbeDeck ran.
const FLOAT32 = { dtype: 'float32' } as const;

// A float32 preset goes as SpikeInterface's own filter, which computes in float64: the reference its
// float32 is within 1e-4 of, so nothing is refused for it.
function filterStep(f: Pipeline['filter']): Dict {
  // No margin given: "auto" zero-phase, as SpikeInterface's; causal, causal_filter's 5 ms, which
  // bandpass_filter's "auto" (5 periods of freq_min) is not, so it is written out.
  const marginMs = f.marginMs ?? (f.phase === 'zero' ? null : CAUSAL_MARGIN_MS);
  const common = { filter_order: f.order, ftype: 'butter', direction: f.phase === 'zero' ? 'forward-backward' : 'forward', ...(marginMs === null ? {} : { margin_ms: marginMs }), ...FLOAT32 };
  // SpikeInterface refuses an LFP-range freq_min unless told it was meant (its error names this argument).
  const low = f.lowHz !== null && f.lowHz < SI_LOW_FREQ_CHECK_HZ ? { ignore_low_freq_error: true } : {};
  if (f.kind === 'bandpass') return { bandpass_filter: { freq_min: f.lowHz, freq_max: f.highHz, ...common, ...low } };
  if (f.kind === 'highpass') return { highpass_filter: { freq_min: f.lowHz, ...common, ...low } };
  if (f.kind === 'lowpass') {
    throw noSiForm(
      `a low-pass filter (${String(f.highHz)} Hz) has no SpikeInterface pipeline-dict form: SpikeInterface's filter() takes btype "bandpass" or "highpass" only. Export a copy of this preset with a band-pass instead, or low-pass in SpikeInterface with your own coefficients (filter(recording, coeff=scipy.signal.butter(${f.order}, ${String(f.highHz)}, "lowpass", fs=recording.sampling_frequency, output="sos")))`
    );
  }
  return {};
}

/** Writes a preset pipeline as SpikeInterface's dict, in the order that runs what ProbeDeck runs. */
export function toSpikeInterface(body: PresetBody): Dict {
  const { filter: f, phaseShift, badChannels, reference: r } = body.pipeline;
  const out: Dict = {};
  if (badChannels.manual.length) {
    // SpikeInterface's steps name channels by the recording's ids, which a preset does not know;
    // left out, the dict's reference would take in the dead and noisy channels.
    const list = badChannels.manual.join(', ');
    throw noSiForm(
      `known bad channels (${list}) have no SpikeInterface pipeline-dict form without the recording's channel ids: in SpikeInterface, remove them first (recording.remove_channels(recording.channel_ids[[${list}]])), then apply the dict of a copy of this preset without them`
    );
  }
  // SpikeInterface's pipeline step for detection (detect_bad_channels itself is a function, not a
  // step): it removes what it finds, where ProbeDeck keeps those channels out of the reference.
  // The reference over the rest is the same. First, as ProbeDeck detects: on the raw traces, which
  // SpikeInterface high-passes at 300 Hz itself; after the band-pass it would look at filtered
  // traces, whose power above 6 kHz (what tells a noisy channel) the filter has taken away.
  if (badChannels.detect !== 'none') out.detect_and_remove_bad_channels = { method: badChannels.detect };
  Object.assign(out, filterStep(f));
  if (phaseShift.method === 'fir') {
    // SpikeInterface's phase_shift is the FFT method only (margin_ms, inter_sample_shift, dtype), and
    // the export cannot carry a note: written as phase_shift it would silently change the method.
    throw noSiForm(
      `the FIR phase shift (${phaseShift.taps} taps) has no SpikeInterface form: SpikeInterface's phase_shift is the FFT method. Export a copy of this preset with the phase shift set to FFT (the same correction, exact on files; ProbeDeck's view keeps using its FIR either way)`
    );
  }
  if (phaseShift.method === 'fft') out.phase_shift = { margin_ms: 40.0, ...FLOAT32 };
  if (r.mode === 'group') {
    // SpikeInterface's per-group reference takes the groups as lists of channel ids, which belong to
    // a recording, not to a preset; written as "global" it would silently reference across shanks.
    throw noSiForm(
      'a per-shank reference has no SpikeInterface pipeline-dict form without the probe’s channel ids: in SpikeInterface, split the recording by group (recording.split_by("group")) and apply a global common_reference to each'
    );
  }
  if (r.mode === 'single') {
    // ref_channel_ids are the recording's channel ids ("imec0.ap#AP5"…); the preset knows an index.
    throw noSiForm(
      `a single-channel reference (channel index ${String(r.channel)}) has no SpikeInterface pipeline-dict form without the recording's channel ids: in SpikeInterface, apply common_reference(recording, reference="single", ref_channel_ids=[recording.channel_ids[${String(r.channel)}]]) after the dict of a copy of this preset without the reference`
    );
  }
  if (r.mode !== 'none') {
    const kw: Record<string, unknown> = { reference: r.mode, operator: r.operator === 'mean' ? 'average' : r.operator, ...FLOAT32 }; // SpikeInterface's name for the mean
    if (r.mode === 'local') kw.local_radius = [r.innerUm, r.outerUm];
    out.common_reference = kw;
  }
  return out;
}
