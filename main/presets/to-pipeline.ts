// A preset's pipeline, made concrete for one recording: margins in samples, reference sets from the
// probe's shanks and positions, and the preset's bad channels kept out of every reference.
import type { PresetBody, ReferenceChoice } from '../api/domains/presets.ts';
import { defaultMargin, type PipelineSpec } from '../engine/executor.ts';
import type { FilterSpec } from '../engine/filters.ts';
import type { ReferenceSpec } from '../engine/reference.ts';
import { adcSampleShifts } from '../sources/adc-shifts.ts';
import type { ChannelInfo, SourceInfo } from '../sources/source.ts';
import { ProbeDeckError } from '../util/is.ts';

/** `channels` are the ones processed, in output order; manual bad channels are source indices. */
export function pipelineFromPreset(p: PresetBody['pipeline'], channels: ChannelInfo[], fs: number, probe: SourceInfo['probe']): PipelineSpec {
  const spec: PipelineSpec = {};
  const f = p.filter;
  if (f.kind !== 'none') {
    const shape: FilterSpec =
      f.kind === 'bandpass' ? { kind: 'bandpass', order: f.order, lowHz: f.lowHz!, highHz: f.highHz! } : f.kind === 'highpass' ? { kind: 'highpass', order: f.order, lowHz: f.lowHz! } : { kind: 'lowpass', order: f.order, highHz: f.highHz! };
    const filter = { ...shape, phase: f.phase };
    spec.filter = { ...filter, marginSamples: f.marginMs === null ? defaultMargin(filter, fs) : Math.trunc((f.marginMs * fs) / 1000), precision: f.precision };
  }
  if (p.phaseShift.method !== 'none') {
    if (probe.kind === 'other') throw new ProbeDeckError('NO_ADC_LAYOUT', `the preset's ${p.phaseShift.method.toUpperCase()} phase shift needs a Neuropixels 1.0 or 2.0 recording (its ADC order); this one does not say which probe it is`);
    // Shifts belong to readout channels, so a saved or exported subset keeps each channel's own.
    spec.phaseShift = { method: p.phaseShift.method, taps: p.phaseShift.taps, shifts: adcSampleShifts(probe.kind, channels.map((c) => c.readout), probe.muxTable) };
  }
  const position = new Map(channels.map((c, k) => [c.index, k]));
  // Sites the acquisition marks unused (a reference site) are bad channels the preset need not name.
  const named = new Set(p.badChannels.manual);
  const manual = [...p.badChannels.manual, ...channels.flatMap((c) => (c.unused && !named.has(c.index) ? [c.index] : []))].flatMap((i) => (position.has(i) ? [position.get(i)!] : []));
  if (p.badChannels.detect !== 'none' || manual.length) {
    spec.badChannels = {
      detect: p.badChannels.detect,
      manual,
      positions: channels.map((c) => ({ x: c.x, y: c.y })),
      gainUv: Float32Array.from(channels, (c) => c.gainUv)
    };
  }
  // The executor adds detected and manual bad channels to every reference's exclusions.
  const ref = referenceSpecOf(p.reference, channels, manual, (i) => position.get(i), 'exported');
  if (ref) spec.reference = ref;
  return spec;
}

/**
 * The engine's reference for a reference choice over `channels` (in processing order): shanks as
 * groups, contact positions for annuli. `at` finds a source channel's processing position (a single
 * reference names a source channel); `which` says which channels those are, for its message.
 */
export function referenceSpecOf(r: ReferenceChoice, channels: Pick<ChannelInfo, 'x' | 'y' | 'shank'>[], exclude: number[], at: (sourceIndex: number) => number | undefined, which: string): ReferenceSpec | null {
  const common = { operator: r.operator, exclude };
  switch (r.mode) {
    case 'none':
      return null;
    case 'global':
      return { ...common, mode: 'global' };
    case 'group':
      return { ...common, mode: 'group', groups: Int32Array.from(channels, (c) => c.shank) };
    case 'local':
      return { ...common, mode: 'local', positions: Float64Array.from(channels.flatMap((c) => [c.x, c.y])), innerUm: r.innerUm, outerUm: r.outerUm };
    case 'single': {
      const k = at(r.channel!);
      if (k === undefined) throw new ProbeDeckError('EMPTY_REFERENCE', `the reference channel ${r.channel} is not among the ${which} channels`);
      return { ...common, mode: 'single', channel: k };
    }
  }
}
