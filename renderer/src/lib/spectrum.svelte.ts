// The spectrum panel's state: Welch PSDs of the selected channels from the session, and the
// strongest line-noise peak (50 or 60 Hz and harmonics) found in them.
import type { SpectrumReply } from '../../../main/api/domains/session.ts';
import { api } from './api.ts';

export class SpectrumState {
  processed = $state(false);
  seconds = $state(2);
  reply = $state.raw<SpectrumReply | null>(null);
  error = $state<string | null>(null);
  /** Frequency and height (dB over the neighbourhood's median) of the biggest peak near 50/60 Hz. */
  linePeak = $derived.by(() => {
    const r = this.reply;
    if (!r) return null;
    const df = r.freqs[1] - r.freqs[0];
    const psd = r.psd.subarray(0, r.bins);
    let best: { hz: number; db: number } | null = null;
    for (const hz of [50, 60]) {
      let k = Math.round(hz / df);
      for (let j = k - 2; j <= k + 2; j++) if (psd[j] > psd[k]) k = j;
      const around = [...psd.subarray(Math.round((hz - 15) / df), Math.round((hz - 5) / df)), ...psd.subarray(Math.round((hz + 5) / df), Math.round((hz + 15) / df))].sort((a, b) => a - b);
      const db = 10 * Math.log10(psd[k] / around[Math.floor(around.length / 2)]);
      if (!best || db > best.db) best = { hz: k * df, db };
    }
    return best;
  });

  async refresh(channels: number[]): Promise<void> {
    try {
      this.reply = await api.call('session.spectrum', { channels, seconds: this.seconds, processed: this.processed, nperseg: 16384 });
      this.error = null;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }
}

export const spectrum = new SpectrumState();
