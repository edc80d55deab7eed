// The preset list and the one being edited. Every edit is sent to the host at once (and so saved
// in SQLite); the host's answer replaces the local copy.
import type { Preset, PresetBody } from '../../../main/api/domains/presets.ts';
import { api } from './api.ts';

export class PresetsState {
  list = $state.raw<Preset[]>([]);
  selectedId = $state<number | null>(null);
  error = $state<string | null>(null);
  /** What the open view made of the last saved edit, when it did not simply apply it. */
  viewNote = $state<string | null>(null);
  /** The last deleted preset, for Undo. */
  deleted = $state<Preset | null>(null);
  selected = $derived(this.list.find((p) => p.id === this.selectedId) ?? null);

  async #run<T>(op: () => Promise<T>): Promise<T | undefined> {
    try {
      this.error = null;
      return await op();
    } catch (err) {
      this.error = (err as Error).message;
      return undefined;
    }
  }

  async load(): Promise<void> {
    await this.#run(async () => {
      this.list = await api.call('presets.list');
      this.defaults = await api.call('presets.defaults');
      if (this.selectedId === null || !this.list.some((p) => p.id === this.selectedId)) this.selectedId = this.list[0]?.id ?? null;
    });
  }

  #replace(p: Preset) {
    this.list = this.list.some((x) => x.id === p.id) ? this.list.map((x) => (x.id === p.id ? p : x)) : [...this.list, p];
  }

  /** Saves the selected preset's body; false when the host refused it (this.error says why). */
  async update(body: PresetBody): Promise<boolean> {
    const id = this.selectedId;
    if (id === null) return false;
    const r = await this.#run(() => api.call('presets.update', { id, body }));
    if (r) {
      const { viewNote, ...p } = r;
      this.#replace(p);
      this.viewNote = viewNote ?? null;
    }
    return r !== undefined;
  }

  /** Renames the selected preset; false when the host refused the name (this.error says why). */
  async rename(name: string): Promise<boolean> {
    const id = this.selectedId;
    if (id === null) return false;
    const p = await this.#run(() => api.call('presets.rename', { id, name }));
    if (p) this.#replace(p);
    return p !== undefined;
  }

  async duplicate(): Promise<void> {
    const id = this.selectedId;
    if (id === null) return;
    const p = await this.#run(() => api.call('presets.duplicate', { id }));
    if (p) {
      this.#replace(p);
      this.selectedId = p.id;
    }
  }

  async remove(): Promise<void> {
    const id = this.selectedId;
    if (id === null) return;
    const p = await this.#run(() => api.call('presets.delete', { id }));
    if (p) {
      this.deleted = p;
      this.list = this.list.filter((x) => x.id !== id);
      this.selectedId = this.list[0]?.id ?? null;
    }
    // A deleted default hands its kinds to the built-in for them (and gets them back on undo).
    await this.loadDefaults();
  }

  async undo(): Promise<void> {
    const d = this.deleted;
    if (!d) return;
    const p = await this.#run(() => api.call('presets.restore', { id: d.id }));
    if (p) {
      this.deleted = null;
      this.#replace(p);
      this.selectedId = p.id;
      await this.loadDefaults();
    }
  }

  defaults = $state<Record<string, number>>({});

  async loadDefaults(): Promise<void> {
    const d = await this.#run(() => api.call('presets.defaults'));
    if (d) this.defaults = d;
  }

  async makeDefault(sourceKind: string): Promise<void> {
    const id = this.selectedId;
    if (id === null) return;
    await this.#run(() => api.call('presets.setDefault', { sourceKind, id }));
    await this.loadDefaults();
  }

  async exportSelected(format: 'probedeck' | 'spikeinterface'): Promise<string | undefined> {
    const id = this.selectedId;
    if (id === null) return;
    return this.#run(() => api.call('presets.export', { id, format }));
  }

  async importText(text: string): Promise<void> {
    const p = await this.#run(() => api.call('presets.import', { text }));
    if (p) {
      this.#replace(p);
      this.selectedId = p.id;
    }
  }
}

export const presets = new PresetsState();
