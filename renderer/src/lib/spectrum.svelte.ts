// The spectrum panel's state: Welch PSDs of the selected channels from the session, and the
// strongest line-noise peak (50 or 60 Hz and harmonics) found in them.
import type { SpectrumReply } from '../../../main/api/domains/session.ts';
import { api } from './api.ts';
import { historyMoved, panelNote, type PanelNote } from './panel-note.ts';

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

export class SpectrumState {
  processed = $state(false);
  seconds = $state(2);
  reply = $state.raw<SpectrumReply | null>(null);
  /** What the reply was asked about: where its seconds end, and how many. */
  #replyAsked = '';
  /** Seconds the reply was asked for (it describes reply.seconds of them). */
  replyAskedS = $state(0);
  /** Said under the plot when the last request failed: a state of the source, or an error. */
  note = $state<PanelNote | null>(null);
  /** True when the channel's spectrum is zero throughout (a dead or disconnected channel). */
  flat = $derived(this.reply !== null && this.reply.psd.subarray(0, this.reply.bins).every((v) => v === 0));
  /**
   * The biggest peak near 50/60 Hz, in dB over its neighbourhood's median, when one stands out: at
   * least 6 dB, more than a Welch estimate's scatter (a filtered channel has none, a flat one no dB).
   */
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
      if (!best || db > best.db) best = { hz: peakHz(psd, k, df), db };
    }
    return best && Number.isFinite(best.db) && best.db >= LINE_PEAK_MIN_DB ? best : null;
  });

  /** What is asked for now (the source's open count, the channel, raw or processed): a reply about anything else is not shown. */
  #asking = '';
  /** Bumped when #asking changes: replies to earlier requests are dropped. */
  #generation = 0;

  /**
   * Polls `channel` of the source opened `opened`-th while the panel shows it, over the seconds
   * ending at `endSample()` (undefined: the newest); returns the stop
   * function for an $effect. Another source, channel or raw/processed starts blank: the last
   * spectrum described something else (a failure for the new one left it standing for good).
   */
  watch(opened: number, channel: number, endSample: () => number | undefined = () => undefined, everyMs = 2000): () => void {
    const asking = `${opened}:${channel}:${this.processed}`;
    if (asking !== this.#asking) {
      this.#asking = asking;
      this.#generation++;
      this.reply = null;
      this.note = null;
    }
    void this.refresh([channel], endSample());
    const t = setInterval(() => void this.refresh([channel], endSample()), everyMs);
    return () => clearInterval(t);
  }

  /** The spectrum of `channels` over the seconds ending at `endSample` (undefined: the newest). */
  async refresh(channels: number[], endSample?: number): Promise<void> {
    const generation = this.#generation;
    const seconds = this.seconds;
    const asked = `${endSample}:${seconds}`;
    try {
      const reply = await api.call('session.spectrum', { channels, seconds, processed: this.processed, nperseg: 16384, endSample });
      if (generation !== this.#generation) return;
      [this.reply, this.#replyAsked, this.replyAskedS] = [reply, asked, seconds];
      this.note = null;
    } catch (err) {
      if (generation !== this.#generation) return;
      // A paused moment the history has left: the spectrum of it given while held stays (see ProbeMapState.refresh).
      const kept = this.reply !== null && this.#replyAsked === asked;
      if (historyMoved(err) && !kept) this.reply = null;
      this.note = panelNote(err, kept);
    }
  }
}

export const spectrum = new SpectrumState();
