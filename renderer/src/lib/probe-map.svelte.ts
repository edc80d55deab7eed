// The probe map's state: per-channel activity over the last N seconds, polled from the session.
import type { ChannelActivityReply } from '../../../main/api/domains/session.ts';
import { api } from './api.ts';

export type ProbeMetric = 'rms' | 'ptp' | 'rate';

export class ProbeMapState {
  metric = $state<ProbeMetric>('rms');
  seconds = $state(1);
  activity = $state.raw<ChannelActivityReply | null>(null);
  error = $state<string | null>(null);
  values = $derived.by(() => {
    const a = this.activity;
    if (!a) return null;
    return this.metric === 'rms' ? a.rms : this.metric === 'ptp' ? a.ptp : a.ratePerS;
  });

  async refresh(): Promise<void> {
    try {
      this.activity = await api.call('session.activity', { seconds: this.seconds });
      this.error = null;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** Polls while mounted; returns the stop function for an $effect. */
  poll(everyMs = 1000): () => void {
    void this.refresh();
    const t = setInterval(() => void this.refresh(), everyMs);
    return () => clearInterval(t);
  }
}

export const probeMap = new ProbeMapState();
