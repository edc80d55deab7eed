// The pieces both kinds of session build from a SessionPipeline, in one place.
import type { SessionBadChannel, SessionChannel, SessionFilter, SessionPipeline } from '../api/domains/session.ts';
import type { FilterSpec } from '../engine/filters.ts';
import { planReference, type ReferencePlan } from '../engine/reference.ts';
import { referenceSpecOf } from '../presets/to-pipeline.ts';
import { ProbeDeckError, invalidParameterError, isInteger } from '../util/is.ts';

/** The engine's description of a view filter (a band-pass when no kind is given). */
export function filterSpecOf(f: SessionFilter): FilterSpec {
  return { ...f, kind: f.kind ?? 'bandpass' } as FilterSpec;
}

/** The reference the view runs, and why it is not the one asked for when it cannot be. */
export interface ViewReference {
  plan: ReferencePlan | null;
  note: string | null;
}

/**
 * The view's reference over all the source's channels, without the user's and the detected bad
 * channels (SpikeInterface's order: detect, then reference). A reference this source cannot hold — a
 * preset's reference channel it lacks or found bad, an annulus or a shank with no good channel left —
 * becomes the global one, saying why: the view keeps showing the probe rather than refusing it.
 */
export function viewReference(p: SessionPipeline, bad: SessionBadChannel[], channels: SessionChannel[]): ViewReference {
  const exclude = [...new Set([...p.exclude, ...bad.map((b) => b.index), ...unusedOf(channels)])];
  try {
    const spec = referenceSpecOf(p.reference, channels, exclude, (i) => (i < channels.length ? i : undefined), "source's");
    return { plan: spec && planReference(spec, channels.length), note: null };
  } catch (err) {
    if (!(err instanceof ProbeDeckError) || err.code !== 'EMPTY_REFERENCE' || p.reference.mode === 'global') throw err;
    return { plan: planReference({ mode: 'global', operator: p.reference.operator, exclude }, channels.length), note: `${err.message}: the view references all channels instead` };
  }
}

/** The bad channels a view shows: those detection found, those the preset names as known bad, then the sites the acquisition marks unused. */
export function shownBadChannels(found: SessionBadChannel[], p: SessionPipeline, channels: Pick<SessionChannel, 'unused'>[]): SessionBadChannel[] {
  const seen = new Set(found.map((b) => b.index));
  const known = p.exclude.filter((i) => !seen.has(i));
  for (const i of known) seen.add(i);
  const unused = unusedOf(channels).filter((i) => !seen.has(i));
  return [...found, ...known.map((index) => ({ index, label: 'known' as const })), ...unused.map((index) => ({ index, label: 'unused' as const }))];
}

function unusedOf(channels: Pick<SessionChannel, 'unused'>[]): number[] {
  return channels.flatMap((c, i) => (c.unused ? [i] : []));
}

/**
 * A window for the probe map or the spectrum with too few samples (ending at sample 0, a span under
 * one sample): said in the request's terms, not in the engine's ('a segment of 8 to 0 samples for
 * "nperseg"', a parameter the request never sent). NO_DATA: a view at a run's or a recording's very
 * first samples is a state the panels say, not a failure.
 */
export function windowTooShort(what: 'activity' | 'spectrum', seconds: number, end: number, samples: number, fs: number): ProbeDeckError {
  const need = what === 'spectrum' ? 'a spectrum needs at least 8' : 'the probe map needs at least 1';
  return new ProbeDeckError('NO_DATA', `the ${seconds} s ending at sample ${end} holds ${samples} samples at ${fs} Hz: ${need}`);
}

/** The channels a spectrum is asked for, each one the source has: the wrong one named by its place, in the request's terms. */
export function checkSpectrumChannels(list: number[], channels: number): void {
  const wrong = list.findIndex((c) => !(isInteger(c) && c >= 0 && c < channels));
  if (wrong >= 0) throw invalidParameterError(`channels[${wrong}]`, `a channel index from 0 to ${channels - 1}`, list[wrong]);
}
