// Presets drive the view: a source opens with its kind's default preset, and another can be applied
// to it; the real host, a real SQLite file and the real engine.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHost } from '../../main/api/host.ts';
import type { Preset } from '../../main/api/domains/presets.ts';
import type { ExportProgress } from '../../main/api/domains/export.ts';
import type { ColumnsReply, SessionInfo, SessionStatus, SpectrumReply } from '../../main/api/domains/session.ts';
import { openSource } from '../../main/sources/open-source.ts';
import { Simulator } from '../../main/sources/simulator.ts';
import { simulatorMeta } from '../../main/sources/spikeglx-writer.ts';
import { cli } from './cli.ts';
import { repoRoot, tempDir } from './helpers.ts';

// Mean processed PSD in a band, relative to the raw PSD there: what the view's filter let through.
const passed = (processed: SpectrumReply, raw: SpectrumReply, lo: number, hi: number) => {
  const df = processed.freqs[1] - processed.freqs[0];
  let p = 0, r = 0;
  for (let k = Math.ceil(lo / df); k <= Math.floor(hi / df); k++) (p += processed.psd[k]), (r += raw.psd[k]);
  return p / r;
};

/** A SpikeGLX recording from the simulator (its dead AP191 and noisy AP77), and a host with its own settings. */
function simulatedRecordingHost(seconds: number) {
  const dir = tempDir();
  const bin = join(dir, 'rec_g0_t0.imec0.ap.bin');
  expect(cli(['simulate', '--out', bin, '--seconds', String(seconds), '--pace', '0']).code).toBe(0);
  return { dir, bin, host: createHost({ dataDir: join(dir, 'data'), transport: 'websocket' }) };
}

describe('the view runs the presets', () => {
  it('opens with the source kind’s default preset, switches on request, and the filter really changes', async () => {
    const host = createHost({ dataDir: join(tempDir(), 'data'), transport: 'websocket' });
    try {
      const list = (await host.call('presets.list', undefined)) as Preset[];
      const live = list.find((p) => p.name === 'Neuropixels AP live')!;
      let info = (await host.call('session.open', { source: { kind: 'simulator' } })) as SessionInfo;
      expect(info.preset).toMatchObject({ id: live.id, name: 'Neuropixels AP live', display: { view: 'traces', windowS: 1 } });
      expect(info.pipeline).toMatchObject({ filter: { kind: 'bandpass', lowHz: 300, highHz: 6000, order: 5 }, reference: { mode: 'global', operator: 'median' } });

      // A rig's own preset, made the simulator's default: the next open takes it.
      const body = structuredClone(live.body);
      body.pipeline.filter = { ...body.pipeline.filter, kind: 'lowpass', lowHz: null, highHz: 1000, order: 4 };
      body.pipeline.reference.mode = 'none';
      const mine = (await host.call('presets.create', { name: 'Rig 3 slow', body })) as Preset;
      await host.call('presets.setDefault', { sourceKind: 'simulator', id: mine.id });
      info = (await host.call('session.open', { source: { kind: 'simulator' } })) as SessionInfo;
      expect(info.preset).toMatchObject({ id: mine.id, name: 'Rig 3 slow' });
      expect(info.pipeline).toMatchObject({ filter: { kind: 'lowpass', highHz: 1000, order: 4 }, reference: { mode: 'none' } });
      const spectrum = (processed: boolean) => host.call('session.spectrum', { channels: [10], seconds: 1, processed, nperseg: 4096 }) as Promise<SpectrumReply>;
      // Polled, not slept on: on a loaded machine the first second, or the history reprocessed after a
      // switch, comes later; a filter that never changes still fails at the timeout.
      const settles = (lo: number, hi: number) => expect.poll(async () => passed(await spectrum(true), await spectrum(false), lo, hi), { timeout: 20_000, interval: 250 });
      // A 1 kHz low-pass: the band above 3 kHz is gone, the band below 500 Hz stays.
      await settles(3000, 6000).toBeLessThan(0.01);
      expect(passed(await spectrum(true), await spectrum(false), 100, 500)).toBeGreaterThan(0.5);

      // Switching back to the built-in on the open source: its band-pass removes the low band instead.
      // Every other tab hears of it at once (a new infoRevision makes it refetch the session), not
      // when the reprocessed history is ready: a tab still on the old pipeline sent it back.
      const statuses: SessionStatus[] = [];
      host.events.on('session.status', (st) => statuses.push(st as SessionStatus));
      const before = ((await host.call('session.status', undefined)) as SessionStatus).infoRevision!;
      info = (await host.call('session.setPreset', { id: live.id })) as SessionInfo;
      expect(info.preset?.name).toBe('Neuropixels AP live');
      expect(statuses.some((st) => st.infoRevision! > before)).toBe(true);
      const afterPreset = ((await host.call('session.status', undefined)) as SessionStatus).infoRevision!;
      await host.call('session.setPipeline', { ...info.pipeline, reference: { mode: 'none' } });
      expect(((await host.call('session.status', undefined)) as SessionStatus).infoRevision).toBeGreaterThan(afterPreset);
      info = (await host.call('session.setPreset', { id: live.id })) as SessionInfo;
      await settles(20, 100).toBeLessThan(0.01);
      await expect(host.call('session.setPreset', { id: 9999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      // A step changed by hand: still that preset, changed; a pipeline given on open is no preset at all.
      const asSaved = info.pipeline;
      info = (await host.call('session.setPipeline', { ...info.pipeline, reference: { ...info.pipeline.reference, mode: 'none' } })) as SessionInfo;
      expect(info.preset).toMatchObject({ name: 'Neuropixels AP live', modified: true });
      // Changed back by hand (CMR off, then on): the preset as it is again.
      expect(((await host.call('session.setPipeline', asSaved)) as SessionInfo).preset).toMatchObject({ modified: false });
      info = (await host.call('session.setPipeline', { ...info.pipeline, reference: { ...info.pipeline.reference, mode: 'none' } })) as SessionInfo;
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

describe('an edit to the preset the view runs', () => {
  it('applies to the open source at once, and says so with a new revision; not once the view was changed by hand', async () => {
    const host = createHost({ dataDir: join(tempDir(), 'data'), transport: 'websocket' });
    try {
      const list = (await host.call('presets.list', undefined)) as Preset[];
      const body = structuredClone(list.find((p) => p.name === 'Neuropixels AP')!.body);
      const mine = (await host.call('presets.create', { name: 'Rig 4 AP', body })) as Preset;
      await host.call('presets.setDefault', { sourceKind: 'raw', id: mine.id });
      const raw = join(tempDir(), 'rig4.bin');
      writeFileSync(raw, new Int16Array(32 * 30000).map((_, i) => (i * 7919) % 200 - 100));
      let info = (await host.call('session.open', { source: { kind: 'recording', path: raw, channels: 32, fs: 30000 } })) as SessionInfo;
      expect(info.preset?.name).toBe('Rig 4 AP');
      const revision = ((await host.call('session.status', undefined)) as SessionStatus).revision;
      const edit = (highHz: number) => {
        const b = structuredClone(body);
        b.pipeline.filter.highHz = highHz;
        b.pipeline.badChannels.detect = 'mad';
        return host.call('presets.update', { id: mine.id, body: b });
      };
      expect(await edit(3000)).toMatchObject({ viewNote: null });
      info = (await host.call('session.info', undefined)) as SessionInfo;
      expect(info.pipeline.filter).toMatchObject({ highHz: 3000 });
      expect(info.pipeline).toMatchObject({ detectBadChannels: true, detectMethod: 'mad' });
      expect(info.preset).toMatchObject({ name: 'Rig 4 AP' });
      expect(info.preset?.modified).toBeFalsy();
      expect(((await host.call('session.status', undefined)) as SessionStatus).revision).toBeGreaterThan(revision);
      // An edit this source cannot run (a corner above its Nyquist): the view keeps its pipeline and
      // says why, to the editor and in the view.
      const before = ((await host.call('session.status', undefined)) as SessionStatus).infoRevision ?? 0;
      expect(await edit(20000)).toMatchObject({ viewNote: expect.stringMatching(/^"Rig 4 AP" as saved cannot run on this source \(.*Nyquist.*\); the view keeps the pipeline it had$/) });
      info = (await host.call('session.info', undefined)) as SessionInfo;
      expect(info.pipeline.filter).toMatchObject({ highHz: 3000 });
      expect(info.presetNote).toMatch(/cannot run on this source/);
      expect(((await host.call('session.status', undefined)) as SessionStatus).infoRevision).toBeGreaterThan(before);
      // Valid again: it applies (the failed save did not count as a change by hand).
      expect(await edit(3500)).toMatchObject({ viewNote: null });
      info = (await host.call('session.info', undefined)) as SessionInfo;
      expect(info.pipeline.filter).toMatchObject({ highHz: 3500 });
      expect(info.preset?.modified).toBeFalsy();
      expect(info.presetNote).toBeNull();
      // Changed by hand in the view: the view keeps what the user made of it, and says so.
      await host.call('session.setPipeline', { ...info.pipeline, reference: { ...info.pipeline.reference, mode: 'none' } });
      expect(await edit(4000)).toMatchObject({ viewNote: '"Rig 4 AP" was saved; this view runs a copy changed by hand and keeps it: press reset beside the preset menu to run it as saved' });
      info = (await host.call('session.info', undefined)) as SessionInfo;
      expect(info.pipeline.filter).toMatchObject({ highHz: 3500 });
      expect(info.preset).toMatchObject({ name: 'Rig 4 AP', modified: true });
      expect(info.presetNote).toMatch(/runs a copy changed by hand/);
    } finally {
      await host.call('session.close', undefined);
      host.close();
    }
  });
});

describe('a rename of the preset the view runs', () => {
  it('shows in the view at once, and in what it says of the preset', async () => {
    const host = createHost({ dataDir: join(tempDir(), 'data'), transport: 'websocket' });
    try {
      await host.call('session.open', { source: { kind: 'simulator', seed: 2 } });
      const ap = ((await host.call('presets.list', undefined)) as Preset[]).find((p) => p.name === 'Neuropixels AP live')!;
      const rig = (await host.call('presets.create', { name: 'Rig 2', body: ap.body })) as Preset;
      await host.call('session.setPreset', { id: rig.id });
      await host.call('presets.rename', { id: rig.id, name: 'Rig 2 (mouse 7)' });
      // The view kept saying "Rig 2" (the Export form's and the editor's notes too).
      expect(((await host.call('session.info', undefined)) as SessionInfo).preset).toMatchObject({ id: rig.id, name: 'Rig 2 (mouse 7)' });
      const info = (await host.call('session.setPipeline', { ...((await host.call('session.info', undefined)) as SessionInfo).pipeline, filter: null })) as SessionInfo;
      expect(info.preset).toMatchObject({ name: 'Rig 2 (mouse 7)', modified: true });
      const saved = (await host.call('presets.update', { id: rig.id, body: ap.body })) as Preset & { viewNote: string | null };
      expect(saved.viewNote).toBe('"Rig 2 (mouse 7)" was saved; this view runs a copy changed by hand and keeps it: press reset beside the preset menu to run it as saved');
    } finally {
      await host.call('session.close', undefined);
      host.close();
    }
  });
});

describe('the ADC phase shift on a followed file', () => {
  it('runs when the .meta says the probe (as on the recording); without a .meta it is left out, and said', async () => {
    const dir = tempDir();
    const sim = new Simulator();
    const host = createHost({ dataDir: join(dir, 'data'), transport: 'websocket' });
    try {
      const list = (await host.call('presets.list', undefined)) as Preset[];
      const live = list.find((p) => p.name === 'Neuropixels AP live')!;
      const body = structuredClone(live.body);
      body.pipeline.phaseShift = { method: 'fir', taps: 16 };
      const shifted = (await host.call('presets.create', { name: 'Live + ADC shift', body })) as Preset;
      // A run still being written, before SpikeGLX writes its .meta: the probe is not known yet.
      const bin = join(dir, 'run_g0_t0.imec0.ap.bin');
      writeFileSync(bin, new Uint8Array(sim.generate(0, 3000).buffer));
      await host.call('session.open', { source: { kind: 'file', path: bin, channels: 384, fs: 30000 } });
      let info = (await host.call('session.setPreset', { id: shifted.id })) as SessionInfo;
      expect(info.pipeline.phaseShift).toBeNull();
      expect(info.presetNote).toBe('"Live + ADC shift" runs here without its ADC phase shift: that needs a Neuropixels 1.0 or 2.0 probe, and this source does not say it is one (a SpikeGLX recording says so in its .meta)');
      // With its .meta (an NP1.0 probe), the followed file is shifted as the recording would be.
      writeFileSync(bin.replace(/\.bin$/, '.meta'), simulatorMeta(sim, 3000, 'run_g0_t0.imec0.ap.bin', false));
      await host.call('session.open', { source: { kind: 'file', path: bin } });
      info = (await host.call('session.setPreset', { id: shifted.id })) as SessionInfo;
      expect(info.pipeline.phaseShift).toEqual({ taps: 16 });
      expect(info.presetNote).toBeNull();
    } finally {
      host.close();
    }
  });
});

describe('a default preset that cannot run on the source', () => {
  it('opens it unprocessed, naming the preset and why; a deleted default gives way to the built-in one', async () => {
    const host = createHost({ dataDir: join(tempDir(), 'data'), transport: 'websocket' });
    try {
      const list = (await host.call('presets.list', undefined)) as Preset[];
      const body = structuredClone(list.find((p) => p.name === 'Neuropixels AP live')!.body);
      body.pipeline.filter.highHz = 20000; // a preset knows no sampling rate: fine for a 50 kHz rig, not for the simulator
      const fast = (await host.call('presets.create', { name: 'Rig 6 fast', body })) as Preset;
      await host.call('presets.setDefault', { sourceKind: 'simulator', id: fast.id });
      let info = (await host.call('session.open', { source: { kind: 'simulator' } })) as SessionInfo;
      expect(info.preset).toBeNull();
      expect(info.pipeline.filter).toBeNull();
      expect(info.presetNote).toMatch(/^the default preset "Rig 6 fast" cannot run on this source \(.*Nyquist \(15000 Hz\).*\): shown unprocessed/);
      // A preset chosen afterwards clears the note.
      info = (await host.call('session.setPreset', { id: list.find((p) => p.name === 'Neuropixels AP live')!.id })) as SessionInfo;
      expect(info.presetNote).toBeNull();
      await host.call('presets.delete', { id: fast.id });
      info = (await host.call('session.open', { source: { kind: 'simulator' } })) as SessionInfo;
      expect(info.preset?.name).toBe('Neuropixels AP live');
      expect(info.presetNote).toBeNull();
    } finally {
      await host.call('session.close', undefined);
      host.close();
    }
  });
});

describe('an LFP stream, and a settings file that takes no writes', () => {
  it('an LFP recording opens on the LFP preset; on a read-only database a change says it was not saved, and sources still open', async () => {
    const dataDir = join(tempDir(), 'data');
    const host = createHost({ dataDir, transport: 'websocket' });
    try {
      const sim = new Simulator({ fs: 2500 });
      const bin = join(tempDir(), 'run_g0_t0.imec0.lf.bin');
      writeFileSync(bin, sim.generate(0, 5000));
      writeFileSync(bin.replace(/\.bin$/, '.meta'), simulatorMeta(sim, 5000, 'run_g0_t0.imec0.lf.bin', false));
      const info = (await host.call('session.open', { source: { kind: 'recording', path: bin } })) as SessionInfo;
      expect(info.preset?.name).toBe('Neuropixels LFP'); // the AP default's 6 kHz corner cannot run at 2.5 kHz
      expect(info.presetNote).toBeNull();
      // What was opened, for a page that finds the session open to reopen it after a host restart.
      expect(info.openedFrom).toEqual({ kind: 'recording', path: bin });
      // The AP preset chosen on it: refused, saying which preset met which rate.
      const apLive = ((await host.call('presets.list', undefined)) as Preset[]).find((p) => p.name === 'Neuropixels AP')!;
      await expect(host.call('session.setPreset', { id: apLive.id })).rejects.toThrow(/^the preset "Neuropixels AP" cannot run on this 2500 Hz source: Expected "highHz" between 0 and Nyquist \(1250 Hz\) but received 6000; the view keeps what it ran$/);

      host.db.pragma('query_only = ON'); // as a file made read-only under a running ProbeDeck
      const ap = ((await host.call('presets.list', undefined)) as Preset[]).find((p) => p.name === 'Neuropixels AP')!;
      await expect(host.call('presets.duplicate', { id: ap.id })).rejects.toMatchObject({
        code: 'SETTINGS_READ_ONLY',
        message: expect.stringMatching(new RegExp(`^the settings database ${join(dataDir, 'probedeck.db')} is read-only, so this change was not saved \\(attempt to write a readonly database\\): make the file writable`))
      });
      // The recent list is bookkeeping: the recording still opens.
      expect(((await host.call('session.open', { source: { kind: 'recording', path: bin } })) as SessionInfo).historySeconds).toBe(2);
    } finally {
      await host.call('session.close', undefined);
      await host.close();
    }
  });
});

describe('the view references as the preset says', () => {
  it('a per-shank preset removes each shank’s own common signal, which a global median leaves', async () => {
    // A 4-shank Neuropixels 2.0 recording, 1 s: each shank carries its own 1 kHz common signal, a
    // quarter period apart from the next shank's, over small independent noise. Across all 384
    // channels the median of the four is ~0 at every sample, so only a per-shank median removes them.
    const dir = tempDir();
    const bin = join(dir, 'np2_g0_t0.imec0.ap.bin');
    const meta = readFileSync(join(repoRoot, 'test/fixtures/spikeglx/NP2_2013_g0_t0.imec0.ap.meta'), 'utf8');
    const T = 30000, F = 385;
    writeFileSync(bin.replace(/\.bin$/, '.meta'), meta.replace(/fileSizeBytes=\d+/, `fileSizeBytes=${T * F * 2}`));
    writeFileSync(bin, new Int16Array(T * F));
    const src = await openSource(bin);
    const shank = src.info.channels.map((c) => c.shank);
    await src.close();
    expect(new Set(shank).size).toBe(4);
    const x = new Int16Array(T * F);
    let v = 1;
    for (let t = 0; t < T; t++)
      for (let c = 0; c < 384; c++) {
        v = (v * 1103515245 + 12345) & 0x7fffffff;
        x[t * F + c] = Math.round(400 * Math.sin((2 * Math.PI * 1000 * t) / 30000 + (shank[c] * Math.PI) / 2)) + ((v >> 16) % 11) - 5;
      }
    writeFileSync(bin, x);

    const host = createHost({ dataDir: join(dir, 'data'), transport: 'websocket' });
    try {
      const list = (await host.call('presets.list', undefined)) as Preset[];
      const ap = list.find((p) => p.name === 'Neuropixels AP')!;
      // A multi-shank probe opens with the multi-shank default: the built-in per-shank preset.
      let info = (await host.call('session.open', { source: { kind: 'recording', path: bin } })) as SessionInfo;
      expect(info.preset?.name).toBe('Neuropixels AP per shank');
      expect(info.pipeline.reference).toMatchObject({ mode: 'group', operator: 'median' });
      // The largest processed excursion over the middle 0.5 s, all channels (µV).
      const peak = async () => {
        const r = (await host.call('session.columns', { fromColumn: 3750, toColumn: 11250, samplesPerColumn: 2, maxColumns: 7500, processed: true })) as ColumnsReply;
        return r.minmax.reduce((m, y) => Math.max(m, Math.abs(y)), 0);
      };
      const grouped = await peak();
      info = (await host.call('session.setPreset', { id: ap.id })) as SessionInfo;
      expect(info.pipeline.reference.mode).toBe('global');
      const global = await peak();
      const body = structuredClone(ap.body);
      console.log(`largest processed excursion: global median ${global.toFixed(1)} µV, per-shank median ${grouped.toFixed(1)} µV`);
      expect(global).toBeGreaterThan(50);
      expect(grouped).toBeLessThan(0.1 * global);
      expect(info.referenceNote).toBeNull();
      // A reference channel this source lacks: the view references globally and says why.
      body.pipeline.reference = { ...body.pipeline.reference, mode: 'single', channel: 400 };
      const wrong = (await host.call('presets.create', { name: 'Channel 400', body })) as Preset;
      info = (await host.call('session.setPreset', { id: wrong.id })) as SessionInfo;
      expect(info.referenceNote).toBe("the reference channel 400 is not among the source's channels: the view references all channels instead");
      expect(Math.abs((await peak()) - global)).toBeLessThan(1e-3 * global);
    } finally {
      await host.call('session.close', undefined);
      host.close();
    }
  }, 30_000);
});

describe('a view reference the source cannot hold', () => {
  it('a reference channel detection finds dead falls back to the global median, saying why', async () => {
    const { bin, host } = simulatedRecordingHost(4);
    try {
      let info = (await host.call('session.open', { source: { kind: 'recording', path: bin } })) as SessionInfo;
      // Channel 191 is the simulator's dead one: a reference to it is a reference to nothing.
      info = (await host.call('session.setPipeline', { ...info.pipeline, reference: { ...info.pipeline.reference, mode: 'single', channel: 191 }, detectBadChannels: true })) as SessionInfo;
      expect(info.referenceNote).toBeNull();
      await expect.poll(async () => ((await host.call('session.info', undefined)) as SessionInfo).badChannels.length, { timeout: 20_000 }).toBe(2);
      info = (await host.call('session.info', undefined)) as SessionInfo;
      expect(info.referenceNote).toBe('the reference channel 191 is excluded as bad: the view references all channels instead');
      // The CMR key's round trip keeps the channel: off, then single on 191 again.
      info = (await host.call('session.setPipeline', { ...info.pipeline, reference: { ...info.pipeline.reference, mode: 'none' } })) as SessionInfo;
      expect(info.pipeline.reference).toMatchObject({ mode: 'none', channel: 191 });
      expect(info.referenceNote).toBeNull();
    } finally {
      await host.call('session.close', undefined);
      host.close();
    }
  }, 30_000);

  it('a live open whose pipeline cannot run leaves the source that was open', async () => {
    const host = createHost({ dataDir: join(tempDir(), 'data'), transport: 'websocket' });
    try {
      const before = (await host.call('session.open', { source: { kind: 'simulator', seed: 2 } })) as SessionInfo;
      const above = { ...before.pipeline, filter: { lowHz: 300, highHz: 20000, order: 5 } };
      await expect(host.call('session.open', { source: { kind: 'simulator', seed: 3 }, pipeline: above })).rejects.toThrow(/Nyquist/);
      expect(((await host.call('session.info', undefined)) as SessionInfo | null)?.source).toBe(before.source);
    } finally {
      await host.call('session.close', undefined);
      host.close();
    }
  });
});

describe('bad channels found in the view, kept in its preset', () => {
  it('become the preset’s known bad channels, which an export through it leaves out of the channel map', async () => {
    const { dir, bin, host } = simulatedRecordingHost(4);
    try {
      let info = (await host.call('session.open', { source: { kind: 'recording', path: bin } })) as SessionInfo;
      const preset = info.preset!;
      await expect(host.call('session.keepBadChannels', undefined)).rejects.toMatchObject({ code: 'NO_BAD_CHANNELS' });
      // Detection switched on by hand: the view runs its preset changed, and finds the simulator's noisy and dead channels.
      info = (await host.call('session.setPipeline', { ...info.pipeline, detectBadChannels: true })) as SessionInfo;
      await expect.poll(async () => ((await host.call('session.info', undefined)) as SessionInfo).badChannels.map((b) => b.label).sort(), { timeout: 20_000 }).toEqual(['dead', 'noise']);
      const found = ((await host.call('session.info', undefined)) as SessionInfo).badChannels.map((b) => b.index).sort((a, b) => a - b);

      // The default is built in: a copy of it takes them, and the view runs the copy.
      const kept = (await host.call('session.keepBadChannels', undefined)) as { info: SessionInfo; kept: string[]; copiedFrom: string | null };
      expect(kept.kept.sort()).toEqual(found.map((i) => `AP${i}`).sort());
      expect(kept.copiedFrom).toBe(preset.name);
      const copy = kept.info.preset!;
      expect(copy.name).toBe(`${preset.name} (copy)`);
      // The view goes on as it was (still changed by hand: detection on), now excluding them by name too.
      expect(kept.info.pipeline.exclude).toEqual(found);
      expect(copy.modified).toBe(true);
      const list = (await host.call('presets.list', undefined)) as Preset[];
      expect(list.find((p) => p.id === copy.id)!.body.pipeline.badChannels.manual).toEqual(found);
      expect(list.find((p) => p.id === preset.id)!.body.pipeline.badChannels.manual).toEqual([]);
      await expect(host.call('session.keepBadChannels', undefined)).rejects.toMatchObject({ code: 'NO_BAD_CHANNELS' });

      // A rig's own preset is edited in place: a channel it names goes on being named.
      await host.call('presets.rename', { id: copy.id, name: 'Rig 2 probe 7' });
      const body = structuredClone(list.find((p) => p.id === copy.id)!.body);
      body.pipeline.badChannels.manual = [5];
      await host.call('presets.update', { id: copy.id, body });
      info = (await host.call('session.setPreset', { id: copy.id })) as SessionInfo;
      info = (await host.call('session.setPipeline', { ...info.pipeline, detectBadChannels: true })) as SessionInfo;
      await expect.poll(async () => ((await host.call('session.info', undefined)) as SessionInfo).badChannels.filter((b) => b.label !== 'known').length, { timeout: 20_000 }).toBe(2);
      const again = (await host.call('session.keepBadChannels', undefined)) as { info: SessionInfo; copiedFrom: string | null };
      expect(again).toMatchObject({ copiedFrom: null, info: { preset: { id: copy.id, name: 'Rig 2 probe 7' } } });
      const rig = ((await host.call('presets.list', undefined)) as Preset[]).find((p) => p.id === copy.id)!;
      expect(rig.body.pipeline.badChannels.manual).toEqual([5, ...found]);

      // The next session on the rig's preset starts with them, named by the preset.
      await host.call('presets.setDefault', { sourceKind: 'spikeglx', id: copy.id });
      info = (await host.call('session.open', { source: { kind: 'recording', path: bin } })) as SessionInfo;
      expect(info.preset).toMatchObject({ id: copy.id });
      expect(info.badChannels.filter((b) => b.label === 'known').map((b) => b.index)).toEqual([5, ...found]);

      // An export through it leaves them out of Kilosort's channel map.
      const finished = new Promise<ExportProgress>((resolve) => host.events.on('export.progress', (p) => p.state !== 'running' && resolve(p)));
      await host.call('export.start', { source: bin, preset: { id: copy.id }, format: 'kilosort', outDir: join(dir, 'ks') });
      expect(await finished).toMatchObject({ state: 'done' });
      const params = readFileSync(join(dir, 'ks/params.py'), 'utf8');
      expect(params).toContain(`bad_channels = [${[5, ...found].join(', ')}]`);
    } finally {
      await host.call('session.close', undefined);
      host.close();
    }
  }, 60_000);
});
