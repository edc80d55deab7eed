// What the panels beside the traces (probe map, spectrum) say beside what they show: how much of
// what was asked they describe, and when a request fails, a state of the source said plainly, as
// the traces say it; only a failure is an error.
import { formatSpan } from './time-format.ts';

export interface PanelNote {
  text: string;
  /** A failure, shown as one; not a state of the source. */
  error: boolean;
}

/**
 * The note for a request that failed with `err`. `kept`: the panel still shows its answer about
 * the very moment asked for, given while the live history held it.
 */
export function panelNote(err: unknown, kept: boolean): PanelNote {
  const e = err as { code?: string; message?: string };
  // A run just begun, or a followed file still empty: no data yet is a state, not a failure.
  if (e.code === 'NO_DATA') return { text: e.message ?? 'no data yet', error: false };
  // A paused live moment the history has moved past: said as the traces say it, not as a failure.
  if (e.code === 'HISTORY_MOVED') return { text: `this moment has left the history: ${kept ? 'shown as it was when paused' : 'what it held is gone'}`, error: false };
  return { text: e.message ?? String(err), error: true };
}

/** The history has moved past the moment asked about: another moment's answer must not stand for it. */
export const historyMoved = (err: unknown) => (err as { code?: string }).code === 'HISTORY_MOVED';

/**
 * Said when a panel describes fewer seconds than asked (`usedS` of `askedS`): the host takes only
 * the seconds there are before the moment, a recording's first or a live history's oldest.
 */
export function shortSpanNote(askedS: number, usedS: number, recording: boolean): string | null {
  if (usedS >= askedS * 0.999) return null;
  return `only ${formatSpan(usedS)} used: ${recording ? 'the recording starts there' : 'the history holds nothing earlier'}`;
}
