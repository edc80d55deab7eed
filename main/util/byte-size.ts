// How a size is written for people, in the app and on the command line alike.
const MiB = 2 ** 20;
const GiB = 2 ** 30;

export function formatBytes(n: number): string {
  // Below a MiB (a budget typed as '1k' or in bytes) in KiB or bytes: '0 MiB' said nothing of it.
  if (n < 1024) return `${n} bytes`;
  if (n < MiB) return `${(n / 1024).toFixed(0)} KiB`;
  return n >= GiB ? `${(n / GiB).toFixed(2)} GiB` : `${(n / MiB).toFixed(0)} MiB`;
}
