// The time windows the traces view offers.

/** The time windows offered (s). */
export const SPANS = [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30];

/** The offered window nearest `seconds` (a preset's window may be any length). */
export const nearestSpan = (seconds: number): number =>
  SPANS.reduce((best, s) => (Math.abs(Math.log(s / seconds)) < Math.abs(Math.log(best / seconds)) ? s : best));
