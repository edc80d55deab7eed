// SpikeInterface's preprocessing pipeline dict ({"bandpass_filter": {...}, "common_reference": {...},
// ...}, steps in order) to and from a preset's pipeline. Steps we cannot run are refused by name.
import type { PresetBody } from '../api/domains/presets.ts';
import { ProbeDeckError, isPlainObject } from '../util/is.ts';
import { validateBody } from './schema.ts';

type Pipeline = PresetBody['pipeline'];
type Dict = Record<string, Record<string, unknown>>;

const SUPPORTED = ['bandpass_filter', 'highpass_filter', 'causal_filter', 'filter', 'common_reference', 'phase_shift', 'detect_bad_channels', 'detect_and_remove_bad_channels'];

function phaseOf(direction: unknown, step: string): 'zero' | 'causal' {
  if (direction === undefined || direction === 'forward-backward') return 'zero';
  if (direction === 'forward') return 'causal';
  throw new ProbeDeckError('UNSUPPORTED_STEP', `${step}: direction "${String(direction)}" is not supported (use "forward-backward" or "forward")`);
}

function checkButter(step: string, kw: Record<string, unknown>) {
  if (kw.ftype !== undefined && kw.ftype !== 'butter') throw new ProbeDeckError('UNSUPPORTED_STEP', `${step}: ftype "${String(kw.ftype)}" is not supported (only "butter")`);
  if (kw.filter_mode !== undefined && kw.filter_mode !== 'sos') throw new ProbeDeckError('UNSUPPORTED_STEP', `${step}: filter_mode "${String(kw.filter_mode)}" is not supported (only "sos")`);
}

/** Reads a SpikeInterface pipeline dict into a preset pipeline (validated). */
export function fromSpikeInterface(dict: unknown, base: PresetBody): PresetBody {
  if (!isPlainObject(dict)) throw new ProbeDeckError('BAD_IMPORT', 'a SpikeInterface pipeline must be an object of {step: kwargs}');
  const p: Pipeline = structuredClone({ ...base.pipeline, filter: { ...base.pipeline.filter, kind: 'none' }, reference: { ...base.pipeline.reference, mode: 'none' } });
  p.phaseShift = { method: 'none', taps: 16 };
  p.badChannels = { detect: 'none', manual: [] };
  for (const [step, raw] of Object.entries(dict)) {
    if (!SUPPORTED.includes(step)) throw new ProbeDeckError('UNSUPPORTED_STEP', `the SpikeInterface step "${step}" is not supported (ProbeDeck runs: ${SUPPORTED.join(', ')})`);
    const kw = (isPlainObject(raw) ? raw : {}) as Record<string, unknown>;
    const margin = kw.margin_ms === undefined || kw.margin_ms === 'auto' ? null : (kw.margin_ms as number);
    if (step === 'bandpass_filter') {
      checkButter(step, kw);
      p.filter = { kind: 'bandpass', order: (kw.filter_order as number) ?? 5, lowHz: (kw.freq_min as number) ?? 300, highHz: (kw.freq_max as number) ?? 6000, phase: phaseOf(kw.direction, step), marginMs: margin };
    } else if (step === 'highpass_filter') {
      checkButter(step, kw);
      p.filter = { kind: 'highpass', order: (kw.filter_order as number) ?? 5, lowHz: (kw.freq_min as number) ?? 300, highHz: null, phase: phaseOf(kw.direction, step), marginMs: margin };
    } else if (step === 'filter' || step === 'causal_filter') {
      checkButter(step, kw);
      const btype = (kw.btype as string) ?? 'bandpass';
      const band = kw.band as number | number[];
      const phase = step === 'causal_filter' ? 'causal' : phaseOf(kw.direction, step);
      const order = (kw.filter_order as number) ?? 5;
      if (btype === 'bandpass' && Array.isArray(band)) p.filter = { kind: 'bandpass', order, lowHz: band[0], highHz: band[1], phase, marginMs: margin };
      else if (btype === 'highpass') p.filter = { kind: 'highpass', order, lowHz: band as number, highHz: null, phase, marginMs: margin };
      else if (btype === 'lowpass') p.filter = { kind: 'lowpass', order, lowHz: null, highHz: band as number, phase, marginMs: margin };
      else throw new ProbeDeckError('UNSUPPORTED_STEP', `${step}: btype "${btype}" with band ${JSON.stringify(band)} is not supported`);
    } else if (step === 'common_reference') {
      const reference = (kw.reference as string) ?? 'global';
      const operator = kw.operator === 'average' ? 'mean' : ((kw.operator as string) ?? 'median');
      if (operator !== 'median' && operator !== 'mean') throw new ProbeDeckError('UNSUPPORTED_STEP', `common_reference: operator "${operator}" is not supported`);
      const radius = (kw.local_radius as number[]) ?? [30, 55];
      const mode: Pipeline['reference']['mode'] = reference === 'global' && kw.groups ? 'group' : (reference as Pipeline['reference']['mode']);
      if (!['global', 'group', 'local', 'single'].includes(mode)) throw new ProbeDeckError('UNSUPPORTED_STEP', `common_reference: reference "${reference}" is not supported`);
      const refIds = kw.ref_channel_ids as unknown[] | undefined;
      const channel = mode === 'single' ? Number(Array.isArray(refIds) ? refIds[0] : refIds) : null;
      if (mode === 'single' && !Number.isInteger(channel)) throw new ProbeDeckError('UNSUPPORTED_STEP', 'common_reference: "single" needs ref_channel_ids as a channel index');
      p.reference = { mode, operator, innerUm: radius[0], outerUm: radius[1], channel };
    } else if (step === 'phase_shift') {
      const method = (kw.method as string) ?? 'fft';
      if (method !== 'fft' && method !== 'fir') throw new ProbeDeckError('UNSUPPORTED_STEP', `phase_shift: method "${method}" is not supported`);
      p.phaseShift = { method, taps: ((kw.n_taps as number) ?? 16) as 16 | 32 | 64 };
    } else {
      const method = (kw.method as string) ?? 'coherence+psd';
      if (!['coherence+psd', 'std', 'mad'].includes(method)) throw new ProbeDeckError('UNSUPPORTED_STEP', `${step}: method "${method}" is not supported`);
      p.badChannels = { detect: method as Pipeline['badChannels']['detect'], manual: [] };
    }
  }
  return validateBody({ ...base, pipeline: p });
}

/** Writes a preset pipeline as SpikeInterface's dict, in SpikeInterface's usual order. */
export function toSpikeInterface(body: PresetBody): Dict {
  const { filter: f, phaseShift, badChannels, reference: r } = body.pipeline;
  const out: Dict = {};
  const margin = f.marginMs === null ? {} : { margin_ms: f.marginMs };
  const direction = f.phase === 'zero' ? 'forward-backward' : 'forward';
  if (f.kind === 'bandpass') out.bandpass_filter = { freq_min: f.lowHz, freq_max: f.highHz, filter_order: f.order, ftype: 'butter', direction, ...margin };
  else if (f.kind === 'highpass') out.highpass_filter = { freq_min: f.lowHz, filter_order: f.order, ftype: 'butter', direction, ...margin };
  else if (f.kind === 'lowpass') out.filter = { band: f.highHz, btype: 'lowpass', filter_order: f.order, ftype: 'butter', direction, margin_ms: f.marginMs ?? 5.0 };
  if (badChannels.manual.length) {
    // SpikeInterface's steps name channels by the recording's ids, which a preset does not know;
    // left out, the dict's reference would take in the dead and noisy channels.
    const list = badChannels.manual.join(', ');
    throw new ProbeDeckError(
      'NO_SI_FORM',
      `known bad channels (${list}) have no SpikeInterface pipeline-dict form without the recording's channel ids: in SpikeInterface, remove them first (recording.remove_channels(recording.channel_ids[[${list}]])), then apply the dict of a copy of this preset without them`
    );
  }
  // SpikeInterface's pipeline step for detection (detect_bad_channels itself is a function, not a
  // step): it removes what it finds, where ProbeDeck keeps those channels out of the reference.
  // The reference over the rest is the same.
  if (badChannels.detect !== 'none') out.detect_and_remove_bad_channels = { method: badChannels.detect };
  if (phaseShift.method === 'fft') out.phase_shift = { margin_ms: 40.0 };
  else if (phaseShift.method === 'fir') out.phase_shift = { method: 'fir', n_taps: phaseShift.taps };
  if (r.mode === 'group') {
    // SpikeInterface's per-group reference takes the groups as lists of channel ids, which belong to
    // a recording, not to a preset; written as "global" it would silently reference across shanks.
    throw new ProbeDeckError(
      'NO_SI_FORM',
      'a per-shank reference has no SpikeInterface pipeline-dict form without the probe’s channel ids: in SpikeInterface, split the recording by group (recording.split_by("group")) and apply a global common_reference to each'
    );
  }
  if (r.mode !== 'none') {
    const kw: Record<string, unknown> = { reference: r.mode, operator: r.operator === 'mean' ? 'average' : r.operator }; // SpikeInterface's name for the mean
    if (r.mode === 'local') kw.local_radius = [r.innerUm, r.outerUm];
    if (r.mode === 'single') kw.ref_channel_ids = [r.channel];
    out.common_reference = kw;
  }
  return out;
}
