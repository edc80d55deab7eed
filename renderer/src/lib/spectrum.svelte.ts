// The spectrum panel's state: Welch PSDs of the selected channels from the session, and the
// strongest line-noise peak (50 or 60 Hz) found in them (line-peak.ts).
import type { SpectrumReply } from '../../../main/api/domains/session.ts';
import { api } from './api.ts';
import { oneInFlight } from './one-in-flight.ts';
import { linePeak } from './line-peak.ts';
import { historyMoved, panelNote, type PanelNote } from './panel-note.ts';

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
  /** The biggest line-noise peak near 50/60 Hz, when one stands out (see line-peak.ts). */
  linePeak = $derived(this.reply && linePeak(this.reply.psd.subarray(0, this.reply.bins), this.reply.freqs[1] - this.reply.freqs[0]));

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

  /** What the next request asks for: the latest asked, when one waits for the request in flight. */
  #wanted: { channels: number[]; endSample?: number } = { channels: [0] };
  #ask = oneInFlight(() => this.#refresh());

  /** The spectrum of `channels` over the seconds ending at `endSample` (undefined: the newest), asked once the request in flight is answered. */
  refresh(channels: number[], endSample?: number): Promise<void> {
    this.#wanted = { channels, endSample };
    return this.#ask();
  }

  async #refresh(): Promise<void> {
    const { channels, endSample } = this.#wanted;
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
