// Presets drive the view: a source opens with its kind's default preset, and another can be applied
// to it; the real host, a real SQLite file and the real engine.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHost } from '../../main/api/host.ts';
import type { Preset } from '../../main/api/domains/presets.ts';
import type { SessionInfo, SpectrumReply } from '../../main/api/domains/session.ts';
import { tempDir } from './helpers.ts';

// Mean processed PSD in a band, relative to the raw PSD there: what the view's filter let through.
const passed = (processed: SpectrumReply, raw: SpectrumReply, lo: number, hi: number) => {
  const df = processed.freqs[1] - processed.freqs[0];
  let p = 0, r = 0;
  for (let k = Math.ceil(lo / df); k <= Math.floor(hi / df); k++) (p += processed.psd[k]), (r += raw.psd[k]);
  return p / r;
};

describe('the view runs the presets', () => {
  it('opens with the source kind’s default preset, switches on request, and the filter really changes', async () => {
    const host = createHost({ dataDir: join(tempDir(), 'data'), transport: 'websocket' });
    try {
      const list = (await host.call('presets.list', undefined)) as Preset[];
      const live = list.find((p) => p.name === 'Neuropixels AP live')!;
      let info = (await host.call('session.open', { source: { kind: 'simulator' } })) as SessionInfo;
      expect(info.preset).toEqual({ id: live.id, name: 'Neuropixels AP live' });
      expect(info.pipeline).toMatchObject({ filter: { kind: 'bandpass', lowHz: 300, highHz: 6000, order: 5 }, reference: 'global-median' });

      // A rig's own preset, made the simulator's default: the next open takes it.
      const body = structuredClone(live.body);
      body.pipeline.filter = { ...body.pipeline.filter, kind: 'lowpass', lowHz: null, highHz: 1000, order: 4 };
      body.pipeline.reference.mode = 'none';
      const mine = (await host.call('presets.create', { name: 'Rig 3 slow', body })) as Preset;
      await host.call('presets.setDefault', { sourceKind: 'simulator', id: mine.id });
      info = (await host.call('session.open', { source: { kind: 'simulator' } })) as SessionInfo;
      expect(info.preset).toEqual({ id: mine.id, name: 'Rig 3 slow' });
      expect(info.pipeline).toMatchObject({ filter: { kind: 'lowpass', highHz: 1000, order: 4 }, reference: 'none' });
      await new Promise((r) => setTimeout(r, 1500));
      const spectrum = (processed: boolean) => host.call('session.spectrum', { channels: [10], seconds: 1, processed, nperseg: 4096 }) as Promise<SpectrumReply>;
      // A 1 kHz low-pass: the band above 3 kHz is gone, the band below 500 Hz stays.
      expect(passed(await spectrum(true), await spectrum(false), 3000, 6000)).toBeLessThan(0.01);
      expect(passed(await spectrum(true), await spectrum(false), 100, 500)).toBeGreaterThan(0.5);

      // Switching back to the built-in on the open source: its band-pass removes the low band instead.
      info = (await host.call('session.setPreset', { id: live.id })) as SessionInfo;
      expect(info.preset?.name).toBe('Neuropixels AP live');
      await new Promise((r) => setTimeout(r, 1500));
      expect(passed(await spectrum(true), await spectrum(false), 20, 100)).toBeLessThan(0.01);
      await expect(host.call('session.setPreset', { id: 9999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      // A pipeline set or given directly is not a preset.
      info = (await host.call('session.setPipeline', { ...info.pipeline, reference: 'none' })) as SessionInfo;
      expect(info.preset).toBeNull();
      info = (await host.call('session.open', { source: { kind: 'simulator' }, pipeline: info.pipeline })) as SessionInfo;
      expect(info.preset).toBeNull();

      // A rig preset naming channels a smaller source lacks still opens it (those channels are not there to exclude).
      const raw = join(tempDir(), 'small.bin');
      writeFileSync(raw, new Int16Array(32 * 30000).map((_, i) => (i * 7919) % 200 - 100));
      const withBad = structuredClone(list.find((p) => p.name === 'Open Ephys 32-ch headstage')!.body);
      withBad.pipeline.badChannels.manual = [3, 300];
      const rig = (await host.call('presets.create', { name: 'Rig 3 headstage', body: withBad })) as Preset;
      await host.call('presets.setDefault', { sourceKind: 'raw', id: rig.id });
      info = (await host.call('session.open', { source: { kind: 'recording', path: raw, channels: 32, fs: 30000 } })) as SessionInfo;
      expect(info.preset?.name).toBe('Rig 3 headstage');
      expect(info.pipeline.exclude).toEqual([3]);
    } finally {
      await host.call('session.close', undefined);
      host.close();
    }
  });
});
