/** A size as people read one: MiB below a GiB, GiB with a tenth above. */
export const formatBytes = (n: number): string => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${Math.max(1, Math.round(n / 2 ** 20))} MiB`);
