/**
 * A speed in × real time, as a number to print before "× real time": whole numbers from 10×, one
 * decimal from 1×, two significant digits below (a slow detection at 0.36× read as "0×").
 */
export function formatSpeed(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x >= 10) return x.toFixed(0);
  if (x >= 1) return x.toFixed(1);
  return x.toPrecision(2);
}
