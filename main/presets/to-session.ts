// A preset's pipeline as the viewer runs it. The view filters causally on live data and zero-phase
// on recordings whatever the preset's phase says (the preset's phase is for exports), shifts
// Neuropixels data with the FIR, live and on recordings (the FFT method needs whole files: exports
// run it), and references as the preset says (all channels, each shank, an annulus, one channel).
import type { PresetBody } from '../api/domains/presets.ts';
import type { SessionPipeline } from '../api/domains/session.ts';

/** What the view of one source can run: its channel count, and whether it can shift (a Neuropixels probe). */
export interface ViewCapabilities {
  channels: number;
  phaseShift: boolean;
}

export function sessionPipelineFromPreset(p: PresetBody['pipeline'], can: ViewCapabilities): SessionPipeline {
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
    reference: { ...p.reference },
    // A rig's list of bad channels may name channels this source does not have (a smaller probe).
    exclude: p.badChannels.manual.filter((c) => c < can.channels),
    phaseShift: p.phaseShift.method === 'none' || !can.phaseShift ? null : { taps: p.phaseShift.taps },
    detectBadChannels: p.badChannels.detect !== 'none',
    detectMethod: p.badChannels.detect === 'none' ? 'coherence+psd' : p.badChannels.detect
  };
}
