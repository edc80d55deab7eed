// Host facts the whole UI shows: engine info, the database round trip, notices.
import type { EngineInfo } from '../../../main/api/domains/engine.ts';
import type { Notice } from '../../../main/api/domains/host.ts';
import { api } from './api.ts';

export class HostState {
  engine = $state<EngineInfo | null>(null);
  notices = $state<Notice[]>([]);
  /** Written to SQLite at start-up and read back: proof the whole path works. */
  lastOpened = $state<string | null>(null);
  error = $state<string | null>(null);

  async load(): Promise<void> {
    try {
      this.engine = await api.call('engine.info');
      const status = await api.call('host.status');
      this.notices = status.notices;
      const written = await api.call('settings.set', { key: 'app.lastOpened', value: new Date().toISOString() });
      this.lastOpened = (await api.call('settings.get', { key: 'app.lastOpened' })) ?? null;
      if (this.lastOpened !== written.value) this.error = 'settings round trip returned a different value';
      api.on('host.notice', (n) => (this.notices = [...this.notices, n]));
    } catch (err) {
      this.error = (err as Error).message;
    }
  }
}

export const hostState = new HostState();
