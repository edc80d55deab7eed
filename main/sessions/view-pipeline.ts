// The pieces both kinds of session build from a SessionPipeline, in one place.
import type { SessionBadChannel, SessionFilter, SessionPipeline } from '../api/domains/session.ts';
import type { FilterSpec } from '../engine/filters.ts';
import { planReference, type ReferencePlan } from '../engine/reference.ts';

/** The engine's description of a view filter (a band-pass when no kind is given). */
export function filterSpecOf(f: SessionFilter): FilterSpec {
  return { ...f, kind: f.kind ?? 'bandpass' } as FilterSpec;
}

/** The view's global reference, without the user's and the detected bad channels (SpikeInterface's order: detect, then reference). */
export function viewReference(p: SessionPipeline, bad: SessionBadChannel[], channels: number): ReferencePlan | null {
  if (p.reference === 'none') return null;
  const exclude = [...new Set([...p.exclude, ...bad.map((b) => b.index)])];
  return planReference({ mode: 'global', operator: p.reference === 'global-median' ? 'median' : 'mean', exclude }, channels);
}
