// A preset's pipeline as the viewer runs it. The view filters causally on live data and zero-phase
// on recordings whatever the preset's phase says (the preset's phase is for exports), shifts with
// the FIR (the FFT method needs whole files), and references globally: per-shank, local and
// single-channel references apply in exports, and the view says which reference it shows.
import type { PresetBody } from '../api/domains/presets.ts';
import type { SessionPipeline } from '../api/domains/session.ts';

export function sessionPipelineFromPreset(p: PresetBody['pipeline']): SessionPipeline {
  const f = p.filter;
  const filter: SessionPipeline['filter'] =
    f.kind === 'none'
      ? null
      : f.kind === 'bandpass'
        ? { kind: 'bandpass', order: f.order, lowHz: f.lowHz!, highHz: f.highHz! }
        : f.kind === 'highpass'
          ? { kind: 'highpass', order: f.order, lowHz: f.lowHz! }
          : { kind: 'lowpass', order: f.order, highHz: f.highHz! };
  return {
    filter,
    reference: p.reference.mode === 'none' ? 'none' : p.reference.operator === 'mean' ? 'global-mean' : 'global-median',
    exclude: [...p.badChannels.manual],
    phaseShift: p.phaseShift.method === 'none' ? null : { taps: p.phaseShift.taps },
    detectBadChannels: p.badChannels.detect !== 'none'
  };
}
