// Export end to end: the real command line and host on real files, read back with numpy.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createHost } from '../../main/api/host.ts';
import { openDatabase } from '../../main/db/database.ts';
import { MIGRATIONS } from '../../main/db/migrations.ts';
import { exportHistory } from '../../main/export/history-repo.ts';
import { DATABASE_FILE } from '../../main/util/paths.ts';
import type { ExportProgress } from '../../main/api/domains/export.ts';
import { BUILTIN_PRESETS } from '../../main/presets/builtins.ts';
import { EXPORT_FILES } from '../../main/export/formats.ts';
import { cli } from './cli.ts';
import { refPath } from './engine-refs.ts';
import { repoRoot, tempDir } from './helpers.ts';

const AP = BUILTIN_PRESETS.find((p) => p.name === 'Neuropixels AP')!.body;
const withPipeline = (pipeline: Partial<typeof AP.pipeline>) => ({ format: 'probedeck-preset', version: 1, name: 'test', body: { ...AP, pipeline: { ...AP.pipeline, ...pipeline } } });
const FILTER_ONLY = withPipeline({ reference: { ...AP.pipeline.reference, mode: 'none' } });

function presetFile(dir: string, preset: object) {
  const f = join(dir, 'preset.json');
  writeFileSync(f, JSON.stringify(preset));
  return f;
}

function simulated(dir: string, seconds: number, name = 'sim') {
  const bin = join(dir, `${name}_g0_t0.imec0.ap.bin`);
  const r = cli(['simulate', '--out', bin, '--seconds', String(seconds), '--pace', '0', '--seed', '3']);
  expect(r.code, r.stderr).toBe(0);
  return bin;
}

function readBack(kind: string, folder: string) {
  const r = spawnSync('python3', [join(repoRoot, 'test/python/read_export.py'), kind, folder], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

const f32 = (p: string) => new Float32Array(new Uint8Array(readFileSync(p)).buffer);

// A real full disk or read-only folder: a tmpfs in a private mount namespace (unshare -rm needs no
// root where user namespaces are allowed, as on CI's Debian).
const canMountTmpfs = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=1m tmpfs /mnt'], { encoding: 'utf8' }).status === 0;

/** A host on the test's own data folder, and the id of its built-in "Neuropixels AP" preset. */
async function hostWithAp(dir: string) {
  const host = createHost({ dataDir: join(dir, 'data'), transport: 'websocket' });
  const presets = (await host.call('presets.list', undefined)) as { id: number; name: string }[];
  return { host, id: presets.find((p) => p.name === 'Neuropixels AP')!.id };
}

describe('probedeck export', () => {
  it('a raw file says its units: the file’s own without a gain, µV with --raw-gain-uv', () => {
    const dir = tempDir();
    const input = refPath('engine_input.i16');
    const x = new Int16Array(new Uint8Array(readFileSync(input)).buffer);
    const none = presetFile(dir, withPipeline({ filter: { ...AP.pipeline.filter, kind: 'none' }, reference: { ...AP.pipeline.reference, mode: 'none' } }));
    const run = (out: string, ...more: string[]) => cli(['export', input, '--raw-channels', '8', '--raw-fs', '30000', '--preset-file', none, '--format', 'raw-f32', '--out', join(dir, out), '--data-dir', join(dir, 'data'), ...more]);
    for (const r of [run('plain'), run('uv', '--raw-gain-uv', '0.5')]) expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'plain/recording.json'), 'utf8')).units).toBe('file units (no gain given)');
    expect(readFileSync(join(dir, 'plain/README.txt'), 'utf8')).toMatch(/float32 in the file's own units: no µV gain was given/);
    expect(JSON.parse(readFileSync(join(dir, 'uv/recording.json'), 'utf8')).units).toBe('uV');
    const uv = f32(join(dir, 'uv/recording.f32'));
    expect([uv[0], uv[9]]).toEqual([x[0] * 0.5, x[9] * 0.5]);
    expect(run('bad', '--raw-gain-uv', '0').stderr).toMatch(/--raw-gain-uv must be µV per unit, above 0, got "0"/);
    // A SpikeInterface folder without a gain is unscaled, as SpikeInterface saves a recording that has none: a
    // gain_to_uV of 1 made it take file units for µV (return_in_uV, noise levels, thresholds) without a word.
    for (const [out, gain] of [['si-plain', null], ['si-uv', 0.5]] as const) {
      const si = cli(['export', input, '--raw-channels', '8', '--raw-fs', '30000', '--preset-file', none, '--format', 'si-binary', '--out', join(dir, out), '--data-dir', join(dir, 'data'), ...(gain ? ['--raw-gain-uv', String(gain)] : [])]);
      expect(si.code, si.stderr).toBe(0);
      const kw = JSON.parse(readFileSync(join(dir, out, 'binary.json'), 'utf8')).kwargs;
      expect([kw.gain_to_uV, kw.offset_to_uV]).toEqual(gain ? [Array(8).fill(gain), Array(8).fill(0)] : [null, null]);
      expect(['gain_to_uV.npy', 'offset_to_uV.npy'].map((f) => existsSync(join(dir, out, 'properties', f)))).toEqual([!!gain, !!gain]);
    }
    expect(readFileSync(join(dir, 'si-plain/README.txt'), 'utf8')).toMatch(/binary\.json gives no gain_to_uV: SpikeInterface reads the traces as unscaled/);
    // A float32 file is in its own units as well: its gain is applied, not only written down.
    const f32in = join(dir, 'in.f32');
    writeFileSync(f32in, Float32Array.from(x.subarray(0, 8 * 3000), (v) => v / 4));
    const r = cli(['export', f32in, '--raw-channels', '8', '--raw-fs', '30000', '--raw-dtype', 'float32', '--raw-gain-uv', '0.5', '--preset-file', none, '--format', 'raw-f32', '--out', join(dir, 'f32uv'), '--data-dir', join(dir, 'data')]);
    expect(r.code, r.stderr).toBe(0);
    expect(Array.from(f32(join(dir, 'f32uv/recording.f32')).subarray(0, 16))).toEqual(Array.from(x.subarray(0, 16), (v) => Math.fround(v / 4) * 0.5));
  });

  it('a float32 file goes to Kilosort in µV, not rounded to whole file units (a file in volts was all zeros); without a gain it is refused', () => {
    const dir = tempDir();
    const none = presetFile(dir, withPipeline({ filter: { ...AP.pipeline.filter, kind: 'none' }, reference: { ...AP.pipeline.reference, mode: 'none' } }));
    // 50 µV-scale noise in volts, as a float32 file written by another tool holds it.
    const volts = Float32Array.from({ length: 8 * 3000 }, (_, i) => Math.sin(i * 0.37) * 50e-6);
    const input = join(dir, 'volts.f32');
    writeFileSync(input, volts);
    const run = (out: string, ...more: string[]) => cli(['export', input, '--raw-channels', '8', '--raw-fs', '30000', '--raw-dtype', 'float32', '--preset-file', none, '--format', 'kilosort', '--out', join(dir, out), '--data-dir', join(dir, 'data'), ...more]);
    const r = run('ks', '--raw-gain-uv', '1e6');
    expect(r.code, r.stderr).toBe(0);
    const bin = new Int16Array(new Uint8Array(readFileSync(join(dir, 'ks/recording.bin'))).buffer);
    // µV, rounded half-to-even (none of these values sits on a half).
    expect(Array.from(bin.subarray(0, 16))).toEqual(Array.from(volts.subarray(0, 16), (v) => Math.round(Math.fround(v) * Math.fround(1e6))));
    expect(bin.some((v) => v !== 0)).toBe(true);
    const channels = JSON.parse(readFileSync(join(dir, 'ks/channels.json'), 'utf8'));
    expect(channels.map((c: { gainUv: number }) => c.gainUv)).toEqual(Array(8).fill(1));
    expect(readFileSync(join(dir, 'ks/README.txt'), 'utf8')).toMatch(/int16 in µV: the float32 file scaled by its gain/);
    // No gain: its units are unknown, so no int16 scale can be chosen; refused before anything is written.
    const plain = run('plain');
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/is float32 with no µV gain given: Kilosort's int16 would round it to whole units of the file/);
    expect(existsSync(join(dir, 'plain'))).toBe(false);
  });

  it('says when the probe layout written was made up (a raw file) and when an LFP preset ran on an AP stream', () => {
    const dir = tempDir();
    const input = refPath('engine_input.i16');
    const raw = cli(['export', input, '--raw-channels', '8', '--raw-fs', '30000', '--preset', 'Neuropixels AP', '--format', 'kilosort', '--out', join(dir, 'raw'), '--data-dir', join(dir, 'data')]);
    expect(raw.code, raw.stderr).toBe(0);
    const layout = /a raw file says nothing of its probe: its channels are placed in a made-up column, 20 µm apart/;
    expect(raw.stderr).toMatch(layout);
    expect(readFileSync(join(dir, 'raw/README.txt'), 'utf8')).toMatch(new RegExp(`WARNING: the source: ${layout.source}`));
    expect(readBack('kilosort', join(dir, 'raw')).hp_filtered).toBe(true);
    // A rig preset naming a channel this 8-channel file lacks: said, not silently dropped.
    const file = JSON.parse(cli(['presets', 'export', 'Neuropixels AP', '--data-dir', join(dir, 'data')]).stdout);
    file.body.pipeline.badChannels.manual = [5, 300, 301];
    writeFileSync(join(dir, 'rig.json'), JSON.stringify(file));
    const rig = cli(['export', input, '--raw-channels', '8', '--raw-fs', '30000', '--preset-file', join(dir, 'rig.json'), '--format', 'raw-f32', '--out', join(dir, 'rig'), '--data-dir', join(dir, 'data')]);
    expect(rig.code, rig.stderr).toBe(0);
    expect(rig.stderr).toMatch(/warning: .*the preset "Neuropixels AP" names bad channels 300, 301, which .* does not have \(channels 0–7\): left aside/);
    // A SpikeGLX recording's layout comes from its .meta; an LFP band is not high-passed data.
    const bin = simulated(dir, 0.5);
    const lfp = cli(['export', bin, '--preset', 'Neuropixels LFP', '--format', 'kilosort', '--out', join(dir, 'lfp'), '--data-dir', join(dir, 'data')]);
    expect(lfp.code, lfp.stderr).toBe(0);
    expect(lfp.stderr).not.toMatch(/made-up column/);
    const readme = readFileSync(join(dir, 'lfp/README.txt'), 'utf8');
    expect(readme).not.toMatch(/made-up column/);
    expect(readme).toMatch(/WARNING: the preset "Neuropixels LFP" keeps an LFP band but imec0\.ap is sampled at 30000 Hz \(an AP-rate stream\)/);
    expect(lfp.stderr).toMatch(/warning: the preset "Neuropixels LFP" keeps an LFP band/);
    expect(readBack('kilosort', join(dir, 'lfp')).hp_filtered).toBe(false);
  });

  it('the Kilosort int16 file equals probedeck process --out-dtype int16 on the same file, in either precision the preset asks for', () => {
    const dir = tempDir();
    const input = refPath('engine_input.i16');
    const exportIn = (precision: 'float64' | 'float32') => {
      const preset = withPipeline({ filter: { ...AP.pipeline.filter, precision } });
      const out = join(dir, `ks-${precision}`);
      const e = cli(['export', input, '--raw-channels', '8', '--raw-fs', '30000', '--preset-file', presetFile(dir, preset), '--format', 'kilosort', '--out', out, '--data-dir', join(dir, 'data')]);
      expect(e.code, e.stderr).toBe(0);
      expect(e.stdout.trim()).toBe(out);
      expect(readFileSync(join(out, 'README.txt'), 'utf8')).toContain(precision === 'float32' ? 'computed in float32 (within 1e-4 of float64' : 'computed in float64 as scipy');
      const chunk = Number(/chunks of (\d+) samples/.exec(e.stderr)![1]);
      const p = cli(['process', input, '--channels', '8', '--fs', '30000', '--bandpass', '300,6000', '--cmr', 'global-median', '--chunk-ms', String((chunk * 1000) / 30000), '--precision', precision, '--out-dtype', 'int16', '--out', join(dir, `p-${precision}.i16`)]);
      expect(p.code, p.stderr).toBe(0);
      const exported = readFileSync(join(out, 'recording.bin'));
      expect(exported.length).toBe(readFileSync(input).length);
      expect(exported.equals(readFileSync(join(dir, `p-${precision}.i16`)))).toBe(true);
      return new Int16Array(exported.buffer, exported.byteOffset, exported.length / 2);
    };
    // float32 reached the engine: a unit apart here and there, never more.
    const [f64, f32] = [exportIn('float64'), exportIn('float32')];
    const apart = f64.filter((v, i) => v !== f32[i]).length;
    expect(apart).toBeGreaterThan(0);
    expect(f64.every((v, i) => Math.abs(v - f32[i]) <= 1)).toBe(true);
    rmSync(join(dir, 'ks-float32'), { recursive: true });
    renameSync(join(dir, 'ks-float64'), join(dir, 'ks'));
    expect(readdirSync(join(dir, 'ks')).sort()).toEqual(['README.txt', 'channels.json', 'params.py', 'probe.json', 'probe_kilosort.json', 'recording.bin']);
    const ks = readBack('kilosort', join(dir, 'ks'));
    expect(ks).toMatchObject({ fs: 30000, n_chan: 8, chanMap: [0, 1, 2, 3, 4, 5, 6, 7], shape: [6000, 8], hp_filtered: true, bad_channels: [], bad: {} });
  });

  it("the chunks are SpikeInterface's 1 s whatever the budget: a causal export equals process at its default chunk, and the README says so", () => {
    // Causal filtering from zero state at each chunk's margin makes the chunk part of the result.
    // A plan that traded it for memory (0.25 s: same modelled speed, less RAM) moved samples at every
    // chunk edge by up to 158 units, and from one budget to another.
    const dir = tempDir();
    const one = readFileSync(refPath('engine_input.i16'));
    const input = join(dir, 'long.i16');
    writeFileSync(input, Buffer.concat(Array.from({ length: 12 }, () => one))); // 2.4 s × 8 channels
    const preset = presetFile(dir, withPipeline({ filter: { ...AP.pipeline.filter, phase: 'causal' }, reference: { ...AP.pipeline.reference, mode: 'none' } }));
    const p = cli(['process', input, '--channels', '8', '--fs', '30000', '--bandpass', '300,6000', '--phase', 'causal', '--out-dtype', 'int16', '--out', join(dir, 'p.i16')]);
    expect(p.code, p.stderr).toBe(0);
    for (const budget of ['300MiB', '4GiB']) {
      const out = join(dir, `ks-${budget}`);
      const e = cli(['export', input, '--raw-channels', '8', '--raw-fs', '30000', '--preset-file', preset, '--format', 'kilosort', '--ram-budget', budget, '--out', out, '--data-dir', join(dir, 'data')]);
      expect(e.code, e.stderr).toBe(0);
      expect(readFileSync(join(out, 'recording.bin')).equals(readFileSync(join(dir, 'p.i16'))), budget).toBe(true);
      expect(readFileSync(join(out, 'README.txt'), 'utf8')).toMatch(/Chunks: 30000 samples \(1\.000 s\), windows \[i·30000, \(i\+1\)·30000\), each filtered with \d+ samples .* as SpikeInterface's save\(\)/);
    }
    // process keeps its --chunk-ms and --n-jobs when a budget is given; the budget plans the rest.
    const b = cli(['process', input, '--channels', '8', '--fs', '30000', '--bandpass', '300,6000', '--phase', 'causal', '--out-dtype', 'int16', '--ram-budget', '300MiB', '--n-jobs', '1', '--out', join(dir, 'b.i16')]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/plan: 1 job × \d+ workers?, 1\.00 s chunks/);
    expect(readFileSync(join(dir, 'b.i16')).equals(readFileSync(join(dir, 'p.i16')))).toBe(true);
  });

  it('a SpikeInterface binary folder reads back with the source’s fs, ids, gains and positions', () => {
    const dir = tempDir();
    const bin = simulated(dir, 1);
    const info = JSON.parse(cli(['info', bin]).stdout);
    const e = cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'si-binary', '--out', join(dir, 'si'), '--data-dir', join(dir, 'data')]);
    expect(e.code, e.stderr).toBe(0);
    const si = readBack('si-binary', join(dir, 'si'));
    const chans = info.channels as { id: string; x: number; y: number; shank: number; gainUv: number }[];
    expect(si.fs).toBe(30000);
    expect(si.num_channels).toBe(384); // the sync column is not exported
    expect(si.shape).toEqual([30000, 384]);
    expect(si.dtype).toBe('float32');
    // SpikeInterface's ids for the same file (read_spikeglx(stream_id="imec0.ap")), its channel_name SpikeGLX's.
    expect(si.channel_ids).toEqual(chans.map((c) => `imec0.ap#${c.id}`));
    expect(si.prop_ids).toEqual(chans.map((c) => c.id));
    expect(readFileSync(join(dir, 'si/README.txt'), 'utf8')).toContain(`Channel ids are SpikeInterface's for this source (imec0.ap#AP0 …), as read_spikeglx(stream_id="imec0.ap") names them`);
    expect(si.gains).toEqual(chans.map((c) => c.gainUv));
    expect(si.prop_gains).toEqual(si.gains);
    expect(si.gains[0]).toBeCloseTo(2.34375, 6);
    expect(si.locations).toEqual(chans.map((c) => [c.x, c.y]));
    expect(si.probe_positions).toEqual(si.locations);
    expect(si.groups).toEqual(chans.map((c) => c.shank));
    expect(si.device_channel_indices).toEqual(chans.map((_, k) => k));
    // Contact ids as probeinterface's read_spikeglx gives them: the electrode (bank 0 of an NP1.0: the readout channel).
    expect(si.probe_ids).toEqual(chans.map((_, k) => `e${k}`));
    expect(si.rms).toBeGreaterThan(1); // filtered traces, not zeros
    // Both names SpikeInterface has read the probe from, the same probeinterface file.
    expect(si.probe_json_same).toBe(true);
    expect(si.probe_json_spec).toEqual(['probeinterface', 1]);
    expect(si.channel_labels).toEqual(chans.map(() => 'good'));
    expect(readFileSync(join(dir, 'si/README.txt'), 'utf8')).toMatch(/probegroup\.json \(SpikeInterface 0\.105 on\) and probe\.json \(up to 0\.104\)/);

    const raw = cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'raw-f32', '--start', '0.25', '--end', '0.75', '--out', join(dir, 'f32'), '--data-dir', join(dir, 'data')]);
    expect(raw.code, raw.stderr).toBe(0);
    expect(readBack('raw-f32', join(dir, 'f32'))).toEqual({ fs: 30000, units: 'uV', shape: [15000, 384], num_samples: 15000 });
    // In µV already: each channel says 1 µV per unit, not the probe's 2.34 (applied again, it would scale twice).
    const rawChannels = JSON.parse(readFileSync(join(dir, 'f32/recording.json'), 'utf8')).channels as { gainUv: number; offsetUv: number }[];
    expect(rawChannels.every((c) => c.gainUv === 1 && c.offsetUv === 0)).toBe(true);
    // A range's chunks count from its start, as SpikeInterface's save() of a time slice does.
    expect(readFileSync(join(dir, 'f32/README.txt'), 'utf8')).toMatch(/windows \[i·30000, \(i\+1\)·30000\) counted from the range's start \(sample 7500\)/);
  });

  it('a SpikeInterface folder of a Neuropixels recording keeps each channel\'s ADC delay (inter_sample_shift), 0 once the export shifted it', () => {
    const dir = tempDir();
    const bin = simulated(dir, 0.5);
    const run = (out: string, preset: string[]) => cli(['export', bin, ...preset, '--format', 'si-binary', '--channels', '0-3,30', '--out', join(dir, out), '--data-dir', join(dir, 'data')]);
    expect(run('plain', ['--preset', 'Neuropixels AP']).code).toBe(0);
    // NP1.0: readout pairs share one of 12 ADC slots, 13 cycles a sample (SpikeInterface's SpikeGLX reader sets these), so phase_shift() can run on the folder.
    expect(readBack('si-binary', join(dir, 'plain')).inter_sample_shift).toEqual([0, 0, 1 / 13, 1 / 13, 3 / 13]);
    // Already shifted: a second phase_shift() must find nothing left to shift.
    expect(run('shifted', ['--preset-file', presetFile(dir, withPipeline({ phaseShift: { method: 'fft', taps: 16 } }))]).code).toBe(0);
    expect(readBack('si-binary', join(dir, 'shifted')).inter_sample_shift).toEqual([0, 0, 0, 0, 0]);
    // A raw file says no ADC order: none written.
    const raw = cli(['export', refPath('engine_input.i16'), '--raw-channels', '8', '--raw-fs', '30000', '--preset', 'Neuropixels AP', '--format', 'si-binary', '--out', join(dir, 'raw'), '--data-dir', join(dir, 'data')]);
    expect(raw.code, raw.stderr).toBe(0);
    expect(readBack('si-binary', join(dir, 'raw')).inter_sample_shift).toBe(null);
  });

  it('--raw-* flags on a recording with its own metadata are said to be left aside', () => {
    const dir = tempDir();
    const bin = simulated(dir, 0.1);
    const r = cli(['export', bin, '--raw-channels', '386', '--raw-fs', '25000', '--preset-file', presetFile(dir, FILTER_ONLY), '--format', 'raw-f32', '--out', join(dir, 'x'), '--data-dir', join(dir, 'data')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: --raw-\* left aside: .*\.ap\.bin is a spikeglx recording, read as its metadata says \(384 channels at 30000 Hz\)/);
    // Without --raw-channels they were dropped without a word.
    const alone = cli(['export', bin, '--raw-fs', '25000', '--raw-gain-uv', '2', '--preset-file', presetFile(dir, FILTER_ONLY), '--format', 'raw-f32', '--out', join(dir, 'y'), '--data-dir', join(dir, 'data')]);
    expect([alone.code, alone.stderr]).toEqual([2, 'probedeck: --raw-fs, --raw-gain-uv describe a raw binary file: give --raw-channels too\n']);
  });

  it('a channel subset takes the right columns of a SpikeGLX file', () => {
    const dir = tempDir();
    const bin = simulated(dir, 0.5);
    const preset = presetFile(dir, FILTER_ONLY);
    const all = cli(['export', bin, '--preset-file', preset, '--format', 'raw-f32', '--out', join(dir, 'all'), '--data-dir', join(dir, 'data')]);
    const some = cli(['export', bin, '--preset-file', preset, '--format', 'raw-f32', '--channels', '5,100-102,383', '--out', join(dir, 'some'), '--data-dir', join(dir, 'data')]);
    expect(all.code, all.stderr).toBe(0);
    expect(some.code, some.stderr).toBe(0);
    const a = f32(join(dir, 'all/recording.f32'));
    const s = f32(join(dir, 'some/recording.f32'));
    const cols = [5, 100, 101, 102, 383];
    expect(s.length).toBe((a.length / 384) * cols.length);
    let worst = 0;
    for (let t = 0; t < a.length / 384; t++) cols.forEach((c, k) => (worst = Math.max(worst, Math.abs(s[t * cols.length + k] - a[t * 384 + c]))));
    expect(worst).toBe(0);
    const side = JSON.parse(readFileSync(join(dir, 'some/recording.json'), 'utf8'));
    expect(side.channels.map((c: { id: string }) => c.id)).toEqual(['AP5', 'AP100', 'AP101', 'AP102', 'AP383']);
    // SpikeInterface's id beside each short name, as the SpikeInterface folder's channel ids: lists keyed by them apply.
    expect(side.channels.map((c: { siChannelId: string }) => c.siChannelId)).toEqual(['imec0.ap#AP5', 'imec0.ap#AP100', 'imec0.ap#AP101', 'imec0.ap#AP102', 'imec0.ap#AP383']);
    const ks = cli(['export', bin, '--preset-file', preset, '--format', 'kilosort', '--channels', '5,383', '--out', join(dir, 'ks'), '--data-dir', join(dir, 'data')]);
    expect(ks.code, ks.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'ks/channels.json'), 'utf8'))).toEqual([expect.objectContaining({ row: 0, id: 'AP5', siChannelId: 'imec0.ap#AP5' }), expect.objectContaining({ row: 1, id: 'AP383', siChannelId: 'imec0.ap#AP383' })]);
    // Not a range of neighbours: the README lists them, as "AP5 … AP383" would read as 379 channels.
    expect(readFileSync(join(dir, 'some/README.txt'), 'utf8')).toMatch(/Channels: 5 of the recording's 384 \(in this order: AP5, AP100, AP101, AP102, AP383\)/);
    expect(readFileSync(join(dir, 'all/README.txt'), 'utf8')).toMatch(/Channels: 384 \(AP0 … AP383\)/);
  });

  it('a site the .meta marks unused (NP1.0’s reference site) is a bad channel: out of the reference and of Kilosort’s channel map', () => {
    const dir = tempDir();
    const bin = simulated(dir, 0.3);
    const meta = bin.replace(/\.bin$/, '.meta');
    // As SpikeGLX writes an NP1.0's map: channel 191's entry ends in 0.
    writeFileSync(meta, readFileSync(meta, 'utf8').replace(/\(0:1:95:1\)/, '(0:1:95:0)'));
    const r = cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'kilosort', '--out', join(dir, 'ks'), '--data-dir', join(dir, 'data')]);
    expect(r.code, r.stderr).toBe(0);
    const ks = readBack('kilosort', join(dir, 'ks'));
    expect(ks.chanMap).not.toContain(191);
    expect(ks.bad).toEqual({ 191: 'marked unused in the .meta' });
    const readme = readFileSync(join(dir, 'ks/README.txt'), 'utf8');
    expect(readme).toContain('AP191 (marked unused in the .meta)');
    expect(readme).toContain("common median reference over all the recording's channels, excluding the bad channels");
  });

  it('a channel subset holds the same values as the whole export: the reference is over the whole probe, then the subset is written', () => {
    const dir = tempDir();
    const bin = simulated(dir, 0.5);
    const run = (out: string, extra: string[]) => cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'raw-f32', ...extra, '--out', join(dir, out), '--data-dir', join(dir, 'data')]);
    for (const r of [run('all', []), run('one', ['--channels', '5']), run('some', ['--channels', '300,5,6'])]) expect(r.code, r.stderr).toBe(0);
    const a = f32(join(dir, 'all/recording.f32'));
    const T = a.length / 384;
    for (const [out, cols] of [['one', [5]], ['some', [300, 5, 6]]] as const) {
      const s = f32(join(dir, out, 'recording.f32'));
      expect(s.length).toBe(T * cols.length);
      let worst = 0;
      let rms = 0;
      for (let t = 0; t < T; t++) cols.forEach((c, k) => ((worst = Math.max(worst, Math.abs(s[t * cols.length + k] - a[t * 384 + c]))), (rms += s[t * cols.length + k] ** 2)));
      expect(worst).toBe(0);
      expect(Math.sqrt(rms / s.length)).toBeGreaterThan(1); // one channel is not referenced to itself (all zeros)
    }
    expect(readFileSync(join(dir, 'some/README.txt'), 'utf8')).toMatch(/Channels: 3 of the recording's 384 .*processed with all of them and written alone/);
  });

  it('a preset with the FIR phase shift and bad-channel detection: ADC shifts per readout channel, the simulator’s bad channels found', () => {
    const dir = tempDir();
    const bin = simulated(dir, 2);
    const shifted = withPipeline({ reference: { ...AP.pipeline.reference, mode: 'none' }, phaseShift: { method: 'fir', taps: 16 } });
    const detect = withPipeline({ badChannels: { detect: 'coherence+psd', manual: [] } });
    const plain = cli(['export', bin, '--preset-file', presetFile(dir, FILTER_ONLY), '--format', 'raw-f32', '--out', join(dir, 'plain'), '--data-dir', join(dir, 'data')]);
    const ps = cli(['export', bin, '--preset-file', presetFile(dir, shifted), '--format', 'raw-f32', '--out', join(dir, 'ps'), '--data-dir', join(dir, 'data')]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(ps.code, ps.stderr).toBe(0);
    const a = f32(join(dir, 'plain/recording.f32'));
    const b = f32(join(dir, 'ps/recording.f32'));
    const diff = (c: number) => {
      let d = 0;
      for (let t = 0; t < a.length / 384; t++) d = Math.max(d, Math.abs(a[t * 384 + c] - b[t * 384 + c]));
      return d;
    };
    // NP1.0: readout channels 0 and 1 share ADC slot 0 (no shift: differences come only from the filter
    // window moving out by the FIR's K/2 margin, as SI chains margins); channel 2 is sampled 1/13 sample later.
    expect(diff(0)).toBeLessThan(0.01);
    expect(diff(1)).toBeLessThan(0.01);
    expect(diff(2)).toBeGreaterThan(0.5);
    expect(diff(23)).toBeGreaterThan(5 * diff(2)); // slot 11: 11/13 of a sample
    const det = cli(['export', bin, '--preset-file', presetFile(dir, detect), '--format', 'kilosort', '--out', join(dir, 'det'), '--data-dir', join(dir, 'data')]);
    expect(det.code, det.stderr).toBe(0);
    expect(det.stderr).toMatch(/bad channels, kept out of the reference: AP77 \(noise\), AP191 \(dead\)\n/);
    const readme = readFileSync(join(dir, 'det/README.txt'), 'utf8');
    expect(readme).toMatch(/Bad channels written \(kept out of the reference\): AP77 \(noise\), AP191 \(dead\)/);
    // Kilosort 4 is not to sort them: out of its channel map, listed for a script, said in the README.
    const ks = readBack('kilosort', join(dir, 'det'));
    expect(ks.chanMap).toHaveLength(382);
    expect(ks.chanMap).not.toContain(77);
    expect(ks.chanMap).not.toContain(191);
    expect(ks.n_chan).toBe(382);
    expect(ks.xc).toHaveLength(382);
    expect(ks.shape).toEqual([60000, 384]);
    expect(ks.bad_channels).toEqual([77, 191]);
    expect(ks.bad).toEqual({ 77: 'noise', 191: 'dead' });
    expect(readme).toMatch(/rows 77, 191 of recording\.bin are left out of probe_kilosort\.json's chanMap/);
    // The SpikeInterface folder labels them in a channel property, as detect_bad_channels does.
    const si = cli(['export', bin, '--preset-file', presetFile(dir, detect), '--format', 'si-binary', '--channels', '70-80,191', '--out', join(dir, 'det-si'), '--data-dir', join(dir, 'data')]);
    expect(si.code, si.stderr).toBe(0);
    const labels = readBack('si-binary', join(dir, 'det-si')).channel_labels;
    expect(labels).toEqual([...Array.from({ length: 11 }, (_, k) => (k === 7 ? 'noise' : 'good')), 'dead']);
    expect(readFileSync(join(dir, 'det-si/README.txt'), 'utf8')).toMatch(/labelled in the channel property "channel_labels"/);
  });

  it('refuses what it cannot do with one clear line, and writes nothing', () => {
    const dir = tempDir();
    const input = refPath('engine_input.i16');
    const args = (out: string, ...more: string[]) => ['export', input, '--raw-channels', '8', '--raw-fs', '30000', '--preset', 'Neuropixels AP', '--format', 'kilosort', '--out', join(dir, out), '--data-dir', join(dir, 'data'), ...more];
    expect(cli(args('a')).code).toBe(0);
    const again = cli(args('a'));
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/a already exists: choose another folder, or confirm replacing it \(--overwrite\)\n$/);
    expect(cli(args('a', '--overwrite')).code).toBe(0);
    expect(cli(args('b', '--start', '5')).stderr).toMatch(/the range starts at 5\.000 s \(sample 150000\), past the recording's end: the recording has 6000 samples \(0\.200 s\)\n$/);
    // A start that rounds to the last sample's end says which sample it became.
    expect(cli(args('b', '--start', '0.19999')).stderr).toMatch(/the range starts at 0\.200 s \(sample 6000\), at the recording's end/);
    expect(cli(args('b', '--raw-fs', 'abc')).stderr).toMatch(/^probedeck: --raw-fs must be the sampling rate in Hz, above 0, got "abc"\n$/);
    const int8 = cli(args('b', '--raw-dtype', 'int8'));
    expect([int8.code, int8.stderr]).toEqual([2, 'probedeck: --raw-dtype must be int16, uint16 or float32, got "int8"\n']);
    expect(cli(args('b').filter((a, i, all) => a !== '--raw-fs' && all[i - 1] !== '--raw-fs')).stderr).toMatch(/^probedeck: --raw-fs is needed with --raw-channels \(the sampling rate in Hz, above 0\)\n$/);
    expect(cli(args('b', '--start', '-1')).stderr).toMatch(/^probedeck: --start must be seconds from 0, got "-1"\n$/); // a value, not an unknown option "-1"
    expect(cli(args('b', '--end', '10')).stderr).toMatch(/the range ends at 10\.000 s, past the recording's end: the recording has 6000 samples \(0\.200 s\)\n$/);
    expect(cli(args('c', '--channels', '3,9')).stderr).toMatch(/channel 9 is not one of the recording's channels 0–7\n$/);
    expect(cli(args('c', '--channels', '0,1,1')).stderr).toMatch(/channel 1 is listed twice\n$/);
    expect(cli(args('c', '--channels', '0-999999999')).stderr).toMatch(/channel 999999999 is beyond any recording/);
    expect(cli(args('d', '--preset', 'nope')).stderr).toMatch(/no preset named "nope"/);
    expect(cli([...args('e'), '--out', join(dir, 'a/recording.bin/e')]).stderr).toMatch(/a\/recording\.bin is a file: an export folder cannot be made under it\n$/);
    // An AP preset on an LFP-rate stream names the preset, the stream and its rate.
    const lfp = args('f').map((a) => (a === '30000' ? '2500' : a));
    expect(cli(lfp).stderr).toMatch(/the preset "Neuropixels AP" cannot run on engine_input\.i16 \(2500 Hz\): Expected "highHz" between 0 and Nyquist \(1250 Hz\)/);
    // A recording shorter than the filter can take is said as such, not as the filter's inner window.
    const tiny = join(dir, 'tiny.i16');
    writeFileSync(tiny, new Int16Array(20 * 8));
    expect(cli(args('g').map((a) => (a === input ? tiny : a))).stderr).toMatch(/tiny\.i16 has 20 samples \(0\.667 ms\): its zero-phase filter needs more than 33 \(scipy's padlen for that filter\)\n$/);
    expect(readdirSync(dir).sort()).toEqual(['a', 'data', 'tiny.i16']);
  });

  it('a recording cut mid-frame (a crashed acquisition) exports to its last whole frame, as the view shows it', () => {
    const dir = tempDir();
    const bin = simulated(dir, 1);
    truncateSync(bin, statSync(bin).size - 1000); // one whole frame and part of another gone
    // Into folders that do not exist yet: they are made, as SpikeInterface's save() makes them.
    const r = cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'kilosort', '--out', join(dir, 'sorting/day 3/ks'), '--data-dir', join(dir, 'data')]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'sorting/day 3/ks/recording.bin')).length).toBe((30000 - 2) * 384 * 2);
    // Under a file, no folder can be made.
    writeFileSync(join(dir, 'notes.txt'), 'x');
    const under = cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'kilosort', '--out', join(dir, 'notes.txt/a/ks'), '--data-dir', join(dir, 'data')]);
    expect(under.code).toBe(1);
    expect(under.stderr).toBe(`probedeck: ${join(dir, 'notes.txt')} is a file: an export folder cannot be made under it\n`);
  });

  it('never replaces the recording it reads, even with --overwrite', () => {
    const dir = tempDir();
    const rec = join(dir, 'rec');
    mkdirSync(rec);
    const bin = simulated(rec, 1);
    const before = readFileSync(bin);
    for (const out of [rec, bin, dir]) {
      const e = cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'raw-f32', '--out', out, '--overwrite', '--end', '0.1', '--data-dir', join(dir, 'data')]);
      expect(e.code).not.toBe(0);
      expect(e.stderr).toMatch(/(is|holds) the recording being read.*: writing there would replace it; choose another folder\n$/);
    }
    expect(readdirSync(rec).sort()).toEqual(['sim_g0_t0.imec0.ap.bin', 'sim_g0_t0.imec0.ap.meta']);
    expect(readFileSync(bin).equals(before)).toBe(true);
    // Nor a folder or file that is not an earlier export.
    mkdirSync(join(dir, 'notes'));
    writeFileSync(join(dir, 'notes/lab-book.txt'), 'day 1');
    writeFileSync(join(dir, 'plain.txt'), 'x');
    for (const [out, why] of [['notes', 'holds files that are not a ProbeDeck export'], ['plain.txt', 'is a file, not an export folder']]) {
      const e = cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'raw-f32', '--out', join(dir, out), '--overwrite', '--end', '0.1', '--data-dir', join(dir, 'data')]);
      expect(e.stderr).toMatch(new RegExp(`${why}: replacing it would delete it; choose another folder\\n$`));
    }
    expect(readFileSync(join(dir, 'notes/lab-book.txt'), 'utf8')).toBe('day 1');
    // Nor an earlier export that a sorter has written its results into.
    const ks = join(dir, 'ks');
    expect(cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'kilosort', '--out', ks, '--end', '0.1', '--data-dir', join(dir, 'data')]).code).toBe(0);
    mkdirSync(join(ks, 'kilosort4'));
    const again = cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'kilosort', '--out', ks, '--overwrite', '--end', '0.1', '--data-dir', join(dir, 'data')]);
    expect(again.stderr).toMatch(/holds files an export did not write \(kilosort4\): replacing it would delete it/);
    // Every format's folder holds only names the replace check knows.
    for (const format of ['kilosort', 'si-binary', 'raw-f32']) {
      const out = join(dir, `all-${format}`);
      expect(cli(['export', bin, '--preset', 'Neuropixels AP', '--format', format, '--out', out, '--end', '0.1', '--data-dir', join(dir, 'data')]).code).toBe(0);
      for (const f of readdirSync(out)) expect(EXPORT_FILES.has(f), `${format}: ${f}`).toBe(true);
    }
    // A folder inside the recording's is fine.
    expect(cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'raw-f32', '--out', join(rec, 'export'), '--end', '0.1', '--data-dir', join(dir, 'data')]).code).toBe(0);
  });

  it('the history keeps each export’s range and channel selection; an older database keeps its rows', () => {
    const dir = tempDir();
    const bin = simulated(dir, 1);
    // A database from before ranges were kept, with one export in it.
    mkdirSync(join(dir, 'data'));
    const old = new Database(join(dir, 'data', DATABASE_FILE));
    for (const m of MIGRATIONS.slice(0, 5)) old.exec(m);
    old.pragma('user_version = 5');
    old.prepare(`INSERT INTO export_history (started_at, finished_at, source, format, preset_name, out_dir, channels, samples, seconds, state, message, pid) VALUES ('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:09.000Z', ?, 'kilosort', 'Neuropixels AP', '/x/old', 384, 30000, 9, 'done', NULL, 1)`).run(bin);
    old.close();
    const run = (out: string, ...more: string[]) => cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'raw-f32', '--out', join(dir, out), '--data-dir', join(dir, 'data'), ...more]);
    for (const r of [run('part', '--start', '0.25', '--end', '0.5', '--channels', '0-63,70'), run('whole')]) expect(r.code, r.stderr).toBe(0);
    const { db } = openDatabase(join(dir, 'data', DATABASE_FILE));
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      const rows = exportHistory(db).list();
      expect(rows.map((r) => [r.outDir, r.startS, r.endS, r.channelList, r.channels])).toEqual([
        [join(dir, 'whole'), 0, 1, null, 384],
        [join(dir, 'part'), 0.25, 0.5, '0-63,70', 65],
        ['/x/old', null, null, null, 384]
      ]);
      expect(rows[2]).toMatchObject({ state: 'done', seconds: 9, samples: 30000, presetName: 'Neuropixels AP' });
    } finally {
      db.close();
    }
  });

  it('a RAM budget mistyped or too small is refused before the export has a history row, naming --ram-budget', () => {
    const dir = tempDir();
    const bin = simulated(dir, 0.5);
    const run = (budget: string) => cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'kilosort', '--out', join(dir, 'ks'), '--ram-budget', budget, '--data-dir', join(dir, 'data')]);
    const zero = run('0');
    expect([zero.code, zero.stderr]).toEqual([2, 'probedeck: --ram-budget must be a size above 0 such as 512MiB, 2GiB or 4G, got "0"\n']);
    expect(run('abc').stderr).toBe('probedeck: --ram-budget must be a size above 0 such as 512MiB, 2GiB or 4G, got "abc"\n');
    expect(run('1MiB').stderr).toMatch(/a RAM budget of 1 MiB is too small: the smallest plan needs \d+ MiB/);
    expect(existsSync(join(dir, 'ks'))).toBe(false);
    const { db } = openDatabase(join(dir, 'data', DATABASE_FILE));
    try {
      expect(exportHistory(db).list()).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('a last chunk too short for the zero-phase filter (no margin) is refused up front, saying which and what to change', () => {
    const dir = tempDir();
    const bin = simulated(dir, 1.5);
    // margin_ms=0, as SpikeInterface takes it: a chunk has no neighbours, so 9 samples cannot be filtered.
    const preset = presetFile(dir, withPipeline({ filter: { ...AP.pipeline.filter, marginMs: 0 } }));
    const run = (out: string, end: string) => cli(['export', bin, '--preset-file', preset, '--format', 'kilosort', '--out', join(dir, out), '--end', end, '--channels', '0-3', '--data-dir', join(dir, 'data')]);
    const r = run('short', '1.0003');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'probedeck: the last chunk of the range, samples 30000–30009, is 9 samples with its neighbours: too short for the zero-phase filter, which needs more than 33 (scipy\'s padlen; SpikeInterface\'s save() fails there too). Move the range\'s end at least 25 samples later or 9 earlier, or give the filter a margin\n'
    );
    expect(existsSync(join(dir, 'short'))).toBe(false);
    const { db } = openDatabase(join(dir, 'data', DATABASE_FILE));
    try {
      expect(exportHistory(db).list()).toEqual([]);
    } finally {
      db.close();
    }
    expect(run('ok', '1.0012').code).toBe(0);
  });

  it('a killed export leaves no destination; the next export clears its leftovers', async () => {
    const dir = tempDir();
    const bin = simulated(dir, 20);
    const out = join(dir, 'ks');
    const args = [join(repoRoot, 'bin/probedeck.js'), 'export', bin, '--preset', 'Neuropixels AP', '--format', 'kilosort', '--out', out, '--data-dir', join(dir, 'data'), '--ram-budget', '256MiB'];
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    // Kill it once its temporary folder holds part of the traces.
    for (let i = 0; i < 600 && !readdirSync(dir).some((f) => f.startsWith('.ks.partial-')); i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(out)).toBe(false);
    const retry = cli(args.slice(1));
    expect(retry.code, retry.stderr).toBe(0);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(readFileSync(join(out, 'recording.bin')).length).toBe(20 * 30000 * 384 * 2);
  });

  it('SIGINT cancels: exit 130 (as a shell expects of Ctrl-C), one clear line, nothing left', async () => {
    const dir = tempDir();
    const bin = simulated(dir, 20);
    const child = spawn(process.execPath, [join(repoRoot, 'bin/probedeck.js'), 'export', bin, '--preset', 'Neuropixels AP', '--format', 'raw-f32', '--out', join(dir, 'x'), '--data-dir', join(dir, 'data')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    for (let i = 0; i < 600 && !readdirSync(dir).some((f) => f.startsWith('.x.partial-')); i++) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGINT');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(130);
    expect(stderr).toMatch(/the export was cancelled; nothing was written to/);
    expect(readdirSync(dir).sort()).toEqual(['data', 'sim_g0_t0.imec0.ap.bin', 'sim_g0_t0.imec0.ap.meta']);
  });

  // A real full disk: a small tmpfs in a private mount namespace. Skipped only where no such mount can
  // be made (user namespaces not allowed, so unshare -rm fails); it runs here and on CI.
  it.skipIf(!canMountTmpfs)('a full disk fails cleanly: before starting when it can tell, mid-way otherwise', () => {
    const dir = tempDir();
    const bin = simulated(dir, 1);
    const node = process.execPath;
    const cmd = (mountOptions: string) =>
      `mount -t tmpfs -o ${mountOptions} tmpfs /mnt && "${node}" "${join(repoRoot, 'bin/probedeck.js')}" export "${bin}" --preset "Neuropixels AP" --format kilosort --out /mnt/ks --data-dir "${join(dir, 'data')}"; echo "exit=$?"; ls -A /mnt`;
    // Too small for the traces: refused up front.
    const small = spawnSync('unshare', ['-rm', 'sh', '-c', cmd('size=4m')], { encoding: 'utf8' });
    expect(small.stderr).toMatch(/^probedeck: the export needs \d+ MiB but \/mnt has 4 MiB free\n$/);
    expect(small.stdout).toBe('exit=1\n');
    // Room for the traces but for few files: the disk fills (ENOSPC) after the traces are written.
    const inodes = spawnSync('unshare', ['-rm', 'sh', '-c', cmd('size=64m,nr_inodes=5')], { encoding: 'utf8' });
    expect(inodes.stderr).toMatch(/^probedeck: the disk holding \/mnt filled up during the export; nothing was left at \/mnt\/ks\n$/);
    expect(inodes.stdout).toBe('exit=1\n');
    // `process` onto a disk that fills mid-way: a full disk, said, and no short file left as if done.
    const proc = spawnSync('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=8m tmpfs /mnt && "${node}" "${join(repoRoot, 'bin/probedeck.js')}" process "${bin}" --channels 385 --fs 30000 --bandpass 300,6000 --out /mnt/o.f32; echo "exit=$?"; ls -A /mnt`], { encoding: 'utf8' });
    expect(proc.stderr).toMatch(/probedeck: the disk holding \/mnt is full: \/mnt\/o\.f32 was not written\n$/);
    expect(proc.stdout).toBe('exit=1\n');
    // The settings disk full (the database made first, then the disk filled): the command line cannot
    // open its settings and says where and why (a running app, whose database is open, exports on).
    const cli = `"${node}" "${join(repoRoot, 'bin/probedeck.js')}"`;
    const full = spawnSync('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o size=2m tmpfs /mnt && ${cli} presets list --data-dir /mnt/data > /dev/null && dd if=/dev/zero of=/mnt/fill bs=64k 2>/dev/null; ${cli} export "${bin}" --preset "Neuropixels AP" --format kilosort --out "${join(dir, 'ks')}" --data-dir /mnt/data; echo "exit=$?"`], { encoding: 'utf8' });
    expect(full.stderr).toMatch(/^probedeck: the settings database \/mnt\/data\/probedeck\.db cannot be opened \(.*\): is its disk full or read-only\? Free some space there, or give another --data-dir\n$/);
    expect(full.stdout).toBe('exit=1\n');
  });

  // Skipped only where user namespaces are not allowed: the folder held busy is a tmpfs mount point (see canMountTmpfs).
  it.skipIf(!canMountTmpfs)('a replace that cannot delete all of the earlier export keeps the new one, done, and says where the rest is', async () => {
    const dir = tempDir();
    const bin = simulated(dir, 0.5);
    const out = join(dir, 'si');
    const args = ['export', bin, '--preset', 'Neuropixels AP', '--format', 'si-binary', '--out', out, '--data-dir', join(dir, 'data')];
    expect(cli(args).code).toBe(0);
    // Its properties/ a mount point, as a folder another program holds (a viewer on Windows): deleting it fails (EBUSY).
    const command = [process.execPath, join(repoRoot, 'bin/probedeck.js'), ...args, '--overwrite'].map((a) => `"${a}"`).join(' ');
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs tmpfs "${out}/properties" && ${command}; echo "exit=$?"`], { encoding: 'utf8' });
    expect(r.stdout, r.stderr).toBe(`${out}\nexit=0\n`);
    expect(r.stderr).toMatch(/probedeck: warning: the export it replaced could not be deleted entirely \(EBUSY\): what is left of it is at .*\/\.si\.replaced-\d+-\d+\n$/);
    expect(readBack('si-binary', out)).toMatchObject({ fs: 30000, num_channels: 384 });
    const { host } = await hostWithAp(dir);
    try {
      const [row] = (await host.call('export.history', undefined)) as { state: string }[];
      expect(row.state).toBe('done');
    } finally {
      host.close();
    }
  });

  it('export.check refuses up front what would fail (range, channels, read-only or full destination), and a refused start leaves no history row', async () => {
    const dir = tempDir();
    const bin = simulated(dir, 1);
    const { host, id } = await hostWithAp(dir);
    try {
      const req = { source: bin, preset: { id }, format: 'kilosort', outDir: join(dir, 'ks') };
      const refused: [object, RegExp][] = [
        [{ startS: 5 }, /the range starts at 5\.000 s \(sample 150000\), past the recording's end: the recording has 30000 samples \(1\.000 s\)/],
        [{ endS: 2 }, /the range ends at 2\.000 s, past the recording's end/],
        [{ startS: 0.5, endS: 0.5 }, /the range starts at 0\.500 s, not before its end at 0\.500 s/],
        [{ channels: [0, 384] }, /channel 384 is not one of the recording's channels 0–383/]
      ];
      for (const [more, why] of refused) {
        await expect(host.call('export.check', { ...req, ...more })).rejects.toThrow(why);
        await expect(host.call('export.start', { ...req, ...more })).rejects.toThrow(why);
      }
      // A recording shorter than the preset's zero-phase filter takes (20 samples, padlen 33).
      const tiny = simulated(dir, 20 / 30000, 'tiny');
      for (const call of ['export.check', 'export.start']) {
        await expect(host.call(call, { ...req, source: tiny })).rejects.toThrow(/tiny_g0_t0\.imec0\.ap\.bin has 20 samples \(0\.667 ms\): its zero-phase filter needs more than 33/);
      }
      expect(await host.call('export.history', undefined)).toEqual([]);
      expect(readdirSync(dir).sort()).toEqual(['data', 'sim_g0_t0.imec0.ap.bin', 'sim_g0_t0.imec0.ap.meta', 'tiny_g0_t0.imec0.ap.bin', 'tiny_g0_t0.imec0.ap.meta']);
    } finally {
      await host.close();
    }
    // A read-only file system and one too small, each in a private mount namespace: the same check, in a host of its own.
    if (!canMountTmpfs) return;
    const script = join(dir, 'check.mjs');
    writeFileSync(
      script,
      `const { createHost } = await import(${JSON.stringify(join(repoRoot, 'main/api/host.ts'))});
const host = createHost({ dataDir: process.argv[2], transport: 'websocket' });
const id = (await host.call('presets.list', undefined)).find((p) => p.name === 'Neuropixels AP').id;
for (const outDir of process.argv.slice(4))
  console.log(await host.call('export.check', { source: process.argv[3], preset: { id }, format: 'kilosort', outDir }).then((c) => 'ok ' + c.exists, (err) => err.message));
await host.close();`
    );
    mkdirSync(join(dir, 'small'));
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', `mount -t tmpfs -o ro tmpfs /mnt && mount -t tmpfs -o size=4m tmpfs "${join(dir, 'small')}" && "${process.execPath}" "${script}" "${join(dir, 'data')}" "${bin}" /mnt/ks "${join(dir, 'small/ks')}" "${join(dir, 'fine')}"`], { encoding: 'utf8' });
    expect(r.stdout.split('\n'), r.stderr).toEqual(['cannot write in /mnt (a read-only file system)', `the export needs 26 MiB but ${join(dir, 'small')} has 4 MiB free`, 'ok false', '']);
  });

  it("--start/--end and the app's range take the samples SpikeInterface's time_slice takes: the nearest, a time half-way between two the even one (np.round)", async () => {
    const dir = tempDir();
    const bin = simulated(dir, 0.2);
    // 1.2 and 4.8 samples in: between samples, the nearest (1, 5). 2.5 and 3000.5: half-way, the even one (2, 3000), where Math.round took 3 and 3001.
    const range = (start: number, end: number, out: string) => {
      const r = cli(['export', bin, '--preset-file', presetFile(dir, FILTER_ONLY), '--format', 'raw-f32', '--channels', '0-1', '--start', String(start), '--end', String(end), '--out', join(dir, out), '--data-dir', join(dir, 'data')]);
      expect(r.code, r.stderr).toBe(0);
      const side = JSON.parse(readFileSync(join(dir, out, 'recording.json'), 'utf8'));
      return [side.source.startSample, side.source.endSample];
    };
    expect(range(1.2 / 30000, 4.8 / 30000 + 0.1, 'between')).toEqual([1, 3005]);
    expect(range(2.5 / 30000, 3000.5 / 30000, 'halfway')).toEqual([2, 3000]);
    expect(range(3.5 / 30000, 3001.5 / 30000, 'halfway-odd')).toEqual([4, 3002]);
    // The app's export form sends seconds to the host: the same samples.
    const { host, id } = await hostWithAp(dir);
    try {
      const done = new Promise<ExportProgress>((resolve) => host.events.on('export.progress', (p) => p.state !== 'running' && resolve(p)));
      await host.call('export.start', { source: bin, preset: { id }, format: 'raw-f32', channels: [0, 1], startS: 2.5 / 30000, endS: 3000.5 / 30000, outDir: join(dir, 'app') });
      expect(await done).toMatchObject({ state: 'done', totalSamples: 2998 });
      expect(JSON.parse(readFileSync(join(dir, 'app/recording.json'), 'utf8')).source).toMatchObject({ startSample: 2, endSample: 3000 });
    } finally {
      await host.close();
    }
  });

  it("a source that starts later in its run (SpikeGLX's firstSample): the README gives the range in SpikeInterface's times too, where time_slice takes it", () => {
    const dir = tempDir();
    const bin = join(dir, 'Noise_g0_t0.imec0.ap.bin');
    copyFileSync(join(repoRoot, 'test/fixtures/spikeglx/Noise_g0_t0.imec0.ap.meta'), bin.replace(/\.bin$/, '.meta'));
    writeFileSync(bin, '');
    truncateSync(bin, 121625350);
    const e = cli(['export', bin, '--preset-file', presetFile(dir, FILTER_ONLY), '--format', 'si-binary', '--channels', '0-1', '--start', '1', '--end', '1.1', '--out', join(dir, 'si'), '--data-dir', join(dir, 'data')]);
    expect(e.code, e.stderr).toBe(0);
    // firstSample=177385 at 30000 Hz: t_start 5.912833 s, as neo gives it; ProbeDeck's seconds count from the file's first sample.
    expect(readFileSync(join(dir, 'si/README.txt'), 'utf8')).toContain(
      "Range: samples 30000–33000 (1.000–1.100 s) at 30000 Hz, counted from the file's first sample; in the source's own times, which start at t_start = 5.912833 s as SpikeInterface reads it, 6.912833–7.012833 s (recording.time_slice(6.912833, 7.012833), or frame_slice(30000, 33000))"
    );
    expect(JSON.parse(readFileSync(join(dir, 'si/binary.json'), 'utf8')).kwargs.t_starts).toEqual([177385 / 30000 + 1]);
    // Which is what SpikeInterface's time_slice takes for those times: round((t − t_start) × fs).
    const frames = [6.912833, 7.012833].map((t) => Math.round((t - 177385 / 30000) * 30000));
    expect(frames).toEqual([30000, 33000]);
    // A source that starts at 0 says nothing more.
    const sim = simulated(dir, 0.2);
    expect(cli(['export', sim, '--preset-file', presetFile(dir, FILTER_ONLY), '--format', 'raw-f32', '--channels', '0', '--out', join(dir, 'f32'), '--data-dir', join(dir, 'data')]).code).toBe(0);
    expect(readFileSync(join(dir, 'f32/README.txt'), 'utf8')).toMatch(/^Range: samples 0–6000 \(0\.000–0\.200 s\) at 30000 Hz$/m);
  });

  it('through the host API: progress events, then a complete folder and a history row', async () => {
    const dir = tempDir();
    const bin = simulated(dir, 2);
    const { host, id } = await hostWithAp(dir);
    try {
      const req = { source: bin, preset: { id }, format: 'kilosort', outDir: join(dir, 'ks') };
      expect(await host.call('export.check', req)).toMatchObject({ exists: false, neededBytes: expect.any(Number) });
      const events: ExportProgress[] = [];
      const finished = new Promise<ExportProgress>((resolve) =>
        host.events.on('export.progress', (p) => {
          events.push(p);
          if (p.state !== 'running') resolve(p);
        })
      );
      await host.call('export.start', req);
      const last = await finished;
      expect(last).toMatchObject({ state: 'done', doneSamples: 60000, totalSamples: 60000 });
      expect(events[0]).toMatchObject({ state: 'running', doneSamples: 0 });
      expect(readFileSync(join(dir, 'ks/recording.bin')).length).toBe(60000 * 384 * 2);
      const [row] = (await host.call('export.history', undefined)) as { state: string; presetName: string; samples: number; seconds: number }[];
      expect(row).toMatchObject({ state: 'done', presetName: 'Neuropixels AP', samples: 60000, startS: 0, endS: 2, channelList: null });
      expect(row.seconds).toBeGreaterThan(0);
      expect(await host.call('export.check', req)).toMatchObject({ exists: true });
      await expect(host.call('export.start', { ...req, preset: { id: 9999 } })).rejects.toThrow(/no preset with id 9999/);
      // A relative destination would land wherever the host was started: refused, nothing written.
      await expect(host.call('export.check', { ...req, outDir: 'ks-relative' })).rejects.toThrow(/The destination must be a full path .*"ks-relative"/);
      await expect(host.call('export.start', { ...req, outDir: 'ks-relative' })).rejects.toThrow(/The destination must be a full path/);
      expect(existsSync('ks-relative')).toBe(false);
      // A folder an export could not replace is refused by the check, before anyone is asked to confirm.
      mkdirSync(join(dir, 'notes'));
      writeFileSync(join(dir, 'notes/notes.txt'), 'lab notes');
      await expect(host.call('export.check', { ...req, outDir: join(dir, 'notes') })).rejects.toThrow(/holds files that are not a ProbeDeck export: replacing it would delete it/);
      // Nor the folder of the recording being read.
      await expect(host.call('export.check', { ...req, outDir: dir })).rejects.toThrow(/holds the recording being read/);
      // Cancelled part-way, the bar stays where the export was (it went back to 0 %).
      const long = simulated(dir, 20, 'long');
      const seen: ExportProgress[] = [];
      const ended = new Promise<ExportProgress>((resolve) =>
        host.events.on('export.progress', (p) => {
          if (p.outDir !== join(dir, 'long_ks')) return;
          seen.push(p);
          if (p.state === 'running' && p.doneSamples > 0) void host.call('export.cancel', { id: p.id }).catch(() => {});
          if (p.state !== 'running') resolve(p);
        })
      );
      await host.call('export.start', { ...req, source: long, outDir: join(dir, 'long_ks') });
      const cancelled = await ended;
      expect(cancelled.state).toBe('cancelled');
      expect(cancelled.doneSamples).toBeGreaterThan(0);
      expect(cancelled.doneSamples).toBeGreaterThanOrEqual(seen.filter((p) => p.state === 'running').at(-1)!.doneSamples);
    } finally {
      host.close();
    }
  });

  it('a replace looks at the earlier export again before deleting it: what a sorter wrote there meanwhile stays, with that export', async () => {
    const dir = tempDir();
    const bin = simulated(dir, 3);
    const { host, id } = await hostWithAp(dir);
    try {
      const out = join(dir, 'ks');
      const req = { source: bin, preset: { id }, format: 'kilosort', outDir: out };
      const ended = () => new Promise<ExportProgress>((resolve) => host.events.on('export.progress', (p) => p.state !== 'running' && resolve(p)));
      let end = ended();
      await host.call('export.start', req);
      expect((await end).state).toBe('done');
      const earlier = readFileSync(join(out, 'recording.bin'));
      // The destination is released just after the last event (the job's settling): a timer's turn later.
      await new Promise((resolve) => setTimeout(resolve, 10));
      // Kilosort run on it while its replacement is being computed.
      end = ended();
      let sorted = false;
      host.events.on('export.progress', (p) => {
        if (p.state === 'running' && p.doneSamples > 0 && !sorted) mkdirSync(join(out, 'kilosort4')), writeFileSync(join(out, 'kilosort4/spike_times.npy'), 'sorted'), (sorted = true);
      });
      await host.call('export.start', { ...req, overwrite: true });
      const last = await end;
      expect(last.state).toBe('failed');
      expect(last.message).toMatch(/holds files an export did not write \(kilosort4\): replacing it would delete it; choose another folder/);
      expect(readFileSync(join(out, 'kilosort4/spike_times.npy'), 'utf8')).toBe('sorted');
      expect(readFileSync(join(out, 'recording.bin')).equals(earlier)).toBe(true);
      expect(readdirSync(dir).filter((e) => e.startsWith('.ks.'))).toEqual([]);
    } finally {
      host.close();
    }
  });

  it('values clamped to int16 are said where the export is read later and in the app, not only on the command line', async () => {
    const dir = tempDir();
    // 40 mV and 0.5 µV, in µV: the first does not fit int16 µV.
    const input = join(dir, 'big.f32');
    writeFileSync(input, Float32Array.from({ length: 8 * 3000 }, (_, i) => (i % 8 === 0 ? 40000 : 0.5)));
    const none = withPipeline({ filter: { ...AP.pipeline.filter, kind: 'none' }, reference: { ...AP.pipeline.reference, mode: 'none' } });
    const { host } = await hostWithAp(dir);
    try {
      const out = join(dir, 'ks');
      const done = new Promise<ExportProgress>((resolve) => host.events.on('export.progress', (p) => p.state !== 'running' && resolve(p)));
      await host.call('export.start', { source: input, raw: { channels: 8, fs: 30000, dtype: 'float32', gainUv: 1 }, preset: { name: none.name, body: none.body }, format: 'kilosort', outDir: out });
      const end = await done;
      expect(end.state, end.message ?? '').toBe('done');
      expect(end.message).toMatch(/3000 values were clamped to the int16 range/);
      expect(readFileSync(join(out, 'README.txt'), 'utf8')).toMatch(/WARNING: 3000 values were clamped to the int16 range/);
    } finally {
      host.close();
    }
  });

  it('one export to a folder at a time: a second (another browser tab) is refused, and two to different folders keep their own files', async () => {
    const dir = tempDir();
    const bin = simulated(dir, 4);
    const { host, id } = await hostWithAp(dir);
    try {
      const ends = new Map<string, Promise<ExportProgress>>();
      const ended = (outDir: string) => new Promise<ExportProgress>((resolve) => host.events.on('export.progress', (p) => p.outDir === outDir && p.state !== 'running' && resolve(p)));
      const req = { source: bin, preset: { id }, format: 'kilosort', outDir: join(dir, 'ks') };
      ends.set('ks', ended(req.outDir));
      ends.set('ks2', ended(join(dir, 'ks2')));
      // Both started before either has resolved: the second must not slip past the first's reservation.
      const first = host.call('export.start', { ...req, channels: [0, 1, 2, 3] });
      const second = host.call('export.start', req).then(() => null, (err: Error) => err);
      const other = host.call('export.start', { ...req, outDir: join(dir, 'ks2') });
      await first;
      expect((await second)?.message).toMatch(/an export to .*ks is already running: wait for it to finish, or cancel it/);
      await expect(host.call('export.check', req)).rejects.toThrow(/already running/);
      await other;
      expect(await ends.get('ks')).toMatchObject({ state: 'done' });
      expect(await ends.get('ks2')).toMatchObject({ state: 'done' });
      // Each folder holds its own export: 4 channels in one, 384 in the other.
      expect(readFileSync(join(dir, 'ks/recording.bin')).length).toBe(120000 * 4 * 2);
      expect(readFileSync(join(dir, 'ks/params.py'), 'utf8')).toMatch(/n_channels_dat = 4\b/);
      expect(readFileSync(join(dir, 'ks2/recording.bin')).length).toBe(120000 * 384 * 2);
      // Finished, the folder takes an export again (asking first, as any existing export).
      expect(await host.call('export.check', req)).toMatchObject({ exists: true });
    } finally {
      host.close();
    }
  });

  it('a host closed mid-export (the server stopped) leaves no partial folder behind', async () => {
    const dir = tempDir();
    const bin = simulated(dir, 20);
    const out = join(dir, 'exports');
    mkdirSync(out);
    const { host, id } = await hostWithAp(dir);
    const started = new Promise<void>((resolve) => host.events.on('export.progress', (p) => p.doneSamples > 0 && resolve()));
    await host.call('export.start', { source: bin, preset: { id }, format: 'si-binary', outDir: join(out, 'si') });
    await started;
    expect(readdirSync(out)).toEqual([expect.stringMatching(/^\.si\.partial-\d+-\d+$/)]);
    await host.close();
    expect(readdirSync(out)).toEqual([]);
  });
});
