import type { SessionFilter } from '../api/domains/session.ts';
import type { FilterSpec } from '../engine/filters.ts';

/** The engine's description of a view filter (a band-pass when no kind is given). */
export function filterSpecOf(f: SessionFilter): FilterSpec {
  return { ...f, kind: f.kind ?? 'bandpass' } as FilterSpec;
}
