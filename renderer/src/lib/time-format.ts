// How the traces view writes times: a time on the axis, a window's span, a time's wall clock.

/** To the ms below 100 s, to 0.1 s above; a short window (`shownS`) keeps the digits that tell its ends apart. */
export const formatSeconds = (s: number, shownS: number) =>
  s.toFixed(Math.min(4, Math.max(Math.abs(s) < 100 ? 3 : 1, Math.ceil(-Math.log10(Math.max(shownS, 1e-4) / 10)))));

export const formatSpan = (s: number) => (s < 1 ? `${Number((s * 1000).toPrecision(3))} ms` : `${Number(s.toPrecision(3))} s`);

/** ' · 10:35:11.015' for `s` into a source whose sample 0 was taken at `start`; '' when that is not known. */
export function wallClock(s: number, start: string | null | undefined): string {
  const t0 = start ? Date.parse(start) : NaN;
  if (!Number.isFinite(t0)) return '';
  // To the ms, rounded as the seconds beside it are: a Date drops the fraction, so 1.0159 s read
  // '1.016 s · …11.015'.
  const d = new Date(t0 + Math.round(s * 1000));
  return ` · ${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** A duration as a clock reads it, h:mm:ss (hours past 24 counted on: 25:00:00). */
export function formatClock(s: number): string {
  const t = Math.floor(s);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(t / 3600)}:${two(Math.floor(t / 60) % 60)}:${two(t % 60)}`;
}
