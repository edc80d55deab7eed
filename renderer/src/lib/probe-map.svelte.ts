// The probe map's state: per-channel activity over the last N seconds, polled from the session.
import type { ChannelActivityReply } from '../../../main/api/domains/session.ts';
import { api } from './api.ts';
import { oneInFlight } from './one-in-flight.ts';
import { historyMoved, panelNote, type PanelNote } from './panel-note.ts';

export type ProbeMetric = 'rms' | 'ptp' | 'rate';

export class ProbeMapState {
  metric = $state<ProbeMetric>('rms');
  seconds = $state(1);
  /** The last reply, the source it is about (traces.opened when it was asked for) and what was asked (where it ends, over how long). */
  #reply = $state.raw<{ opened: number; asked: string; seconds: number; activity: ChannelActivityReply } | null>(null);
  /** Said under the map when the last request failed: a state of the source, or an error. */
  note = $state<PanelNote | null>(null);
  /** The source polled (traces.opened): a reply about an earlier one is dropped, its failure not said. */
  #opened = -1;

  /**
   * The metric's values for the source opened `opened`-th, or null until it has replied. Another
   * source's values never stand for it: they label other channels, and a failure for the new
   * source (a file with no data yet) left them standing for good.
   */
  valuesFor(opened: number): Float64Array | null {
    const r = this.#reply;
    if (r?.opened !== opened) return null;
    return this.metric === 'rms' ? r.activity.rms : this.metric === 'ptp' ? r.activity.ptp : r.activity.ratePerS;
  }

  /** Seconds asked and seconds described, for the source opened `opened`-th, or null until it has replied. */
  spanFor(opened: number): { askedS: number; usedS: number } | null {
    const r = this.#reply;
    return r?.opened === opened ? { askedS: r.seconds, usedS: r.activity.seconds } : null;
  }

  /** Where the activity is asked to end (see poll). */
  #endSample: () => number | undefined = () => undefined;

  /** Asks for the activity now, or once the request in flight has been answered (see one-in-flight.ts). */
  refresh = oneInFlight(() => this.#refresh());

  async #refresh(): Promise<void> {
    const opened = this.#opened;
    const [seconds, endSample] = [this.seconds, this.#endSample()];
    const asked = `${endSample}:${seconds}`;
    try {
      const activity = await api.call('session.activity', { seconds, endSample });
      if (opened !== this.#opened) return;
      this.#reply = { opened, asked, seconds, activity };
      this.note = null;
    } catch (err) {
      if (opened !== this.#opened) return;
      // A paused moment the history has left: the answer given about it while held stays; one about
      // another moment (or another span of it) would be taken for it.
      const kept = this.#reply?.opened === opened && this.#reply.asked === asked;
      if (historyMoved(err) && !kept) this.#reply = null;
      this.note = panelNote(err, kept);
    }
  }

  /**
   * Polls the source opened `opened`-th while mounted, at once and then every `everyMs`, over the
   * seconds ending at `endSample()` (undefined: the newest); returns the stop function for an $effect.
   */
  poll(opened: number, everyMs = 1000, endSample: () => number | undefined = () => undefined): () => void {
    this.#endSample = endSample;
    if (opened !== this.#opened) {
      this.#opened = opened;
      this.note = null;
    }
    void this.refresh();
    const t = setInterval(() => void this.refresh(), everyMs);
    return () => clearInterval(t);
  }
}

export const probeMap = new ProbeMapState();
