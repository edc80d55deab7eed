// The pieces both kinds of session build from a SessionPipeline, in one place.
import type { SessionBadChannel, SessionChannel, SessionFilter, SessionPipeline } from '../api/domains/session.ts';
import type { FilterSpec } from '../engine/filters.ts';
import { planReference, type ReferencePlan } from '../engine/reference.ts';
import { referenceSpecOf } from '../presets/to-pipeline.ts';

/** The engine's description of a view filter (a band-pass when no kind is given). */
export function filterSpecOf(f: SessionFilter): FilterSpec {
  return { ...f, kind: f.kind ?? 'bandpass' } as FilterSpec;
}

/** The view's reference over all the source's channels, without the user's and the detected bad channels (SpikeInterface's order: detect, then reference). */
export function viewReference(p: SessionPipeline, bad: SessionBadChannel[], channels: SessionChannel[]): ReferencePlan | null {
  const exclude = [...new Set([...p.exclude, ...bad.map((b) => b.index)])];
  const spec = referenceSpecOf(p.reference, channels, exclude, (i) => (i < channels.length ? i : undefined), "source's");
  return spec && planReference(spec, channels.length);
}
