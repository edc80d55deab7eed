// The strongest line-noise peak (50 or 60 Hz) in a channel's Welch PSD, as the spectrum panel marks it.

const LINE_PEAK_MIN_DB = 6;

/**
 * The peak's frequency between bins: a parabola through the log PSD of bin k and its neighbours
 * (bins are 1.8 Hz apart at 30 kHz; 50 Hz mains read 49.4 Hz, the nearest bin).
 */
function peakHz(psd: Float32Array | Float64Array, k: number, df: number): number {
  const [a, b, c] = [psd[k - 1], psd[k], psd[k + 1]].map((v) => Math.log(Math.max(v, 1e-30)));
  const d = a - 2 * b + c;
  const offset = d < 0 ? (0.5 * (a - c)) / d : 0;
  return (k + Math.max(-0.5, Math.min(0.5, offset))) * df;
}

/**
 * The biggest peak near 50/60 Hz of `psd` (bins `df` Hz apart), in dB over its neighbourhood's
 * median, when one stands out: at least 6 dB, more than a Welch estimate's scatter (a filtered
 * channel has none, a flat one no dB).
 */
export function linePeak(psd: Float32Array | Float64Array, df: number): { hz: number; db: number } | null {
  let best: { hz: number; db: number } | null = null;
  for (const hz of [50, 60]) {
    // The highest of the two bins either side of the nominal one: the range is fixed, or each
    // higher bin moved it on and it climbed any rising slope to a tone far from the mains.
    const k0 = Math.round(hz / df);
    let k = k0;
    for (let j = k0 - 2; j <= k0 + 2; j++) if (psd[j] > psd[k]) k = j;
    const around = [...psd.subarray(Math.round((hz - 15) / df), Math.round((hz - 5) / df)), ...psd.subarray(Math.round((hz + 5) / df), Math.round((hz + 15) / df))].sort((a, b) => a - b);
    const db = 10 * Math.log10(psd[k] / around[Math.floor(around.length / 2)]);
    if (!best || db > best.db) best = { hz: peakHz(psd, k, df), db };
  }
  return best && Number.isFinite(best.db) && best.db >= LINE_PEAK_MIN_DB ? best : null;
}
