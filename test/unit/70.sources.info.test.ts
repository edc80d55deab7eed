import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { encodeNpy } from '../../main/sources/npy.ts';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeSampleShifts } from '../../main/sources/adc-shifts.ts';
import { findOpenEphysProbe } from '../../main/sources/openephys-settings.ts';
import { openSource } from '../../main/sources/open-source.ts';
import { Simulator } from '../../main/sources/simulator.ts';
import { spikeInterfaceChannelIds } from '../../main/sources/si-channel-ids.ts';
import type { SourceInfo } from '../../main/sources/source.ts';
import { simulatorMeta, withSyncColumn } from '../../main/sources/spikeglx-writer.ts';
import { cli } from './cli.ts';
import { pipelineFromPreset } from '../../main/presets/to-pipeline.ts';
import { SessionManager } from '../../main/sessions/manager.ts';
import { createHost } from '../../main/api/host.ts';
import { BUILTIN_PRESETS } from '../../main/presets/builtins.ts';
import { repoRoot, tempDir } from './helpers.ts';

const fixtures = join(repoRoot, 'test/fixtures');

/** A SpikeGLX pair: the real .meta, and a sparse .bin of exactly the size it declares. */
function spikeglx(dir: string, meta: string): string {
  const bin = join(dir, meta.replace(/\.meta$/, '.bin'));
  copyFileSync(join(fixtures, 'spikeglx', meta), bin.replace(/\.bin$/, '.meta'));
  const size = Number(/fileSizeBytes=(\d+)/.exec(readFileSync(join(fixtures, 'spikeglx', meta), 'utf8'))![1]);
  writeFileSync(bin, '');
  truncateSync(bin, size);
  return bin;
}

function npy(path: string, values: BigInt64Array) {
  const header = `{'descr': '<i8', 'fortran_order': False, 'shape': (${values.length},), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  const h = Buffer.from(header + ' '.repeat(pad) + '\n', 'latin1');
  const pre = Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, h.length & 0xff, h.length >> 8]);
  writeFileSync(path, Buffer.concat([pre, h, Buffer.from(values.buffer)]));
}

/** An Open Ephys Record Node with the real oebin and a small continuous.dat per stream. */
function openephys(dir: string, oebin: string, frames: number, firstSample: bigint, settings?: string): string {
  const rec = join(dir, 'Record Node 101', 'experiment1', 'recording1');
  mkdirSync(rec, { recursive: true });
  copyFileSync(join(fixtures, 'openephys', oebin), join(rec, 'structure.oebin'));
  if (settings) copyFileSync(join(fixtures, 'openephys', settings), join(dir, 'Record Node 101', 'settings.xml'));
  const doc = JSON.parse(readFileSync(join(rec, 'structure.oebin'), 'utf8'));
  for (const s of doc.continuous) {
    const d = join(rec, 'continuous', s.folder_name);
    mkdirSync(d, { recursive: true });
    const data = new Int16Array(frames * s.num_channels).map((_, i) => (i % s.num_channels) * 10 + Math.floor(i / s.num_channels));
    writeFileSync(join(d, 'continuous.dat'), data);
    npy(join(d, 'sample_numbers.npy'), BigInt64Array.from({ length: frames }, (_, i) => firstSample + BigInt(i)));
  }
  return join(dir, 'Record Node 101');
}

describe('SpikeGLX (real .meta files)', () => {
  it('a .meta that disagrees with its data (384 channels said, 385 with sync written) opens with a warning that says so, also in an export README', async () => {
    const dir = tempDir();
    const bin = join(dir, 'other_g0_t0.imec0.ap.bin');
    const sim = new Simulator();
    // 3840 frames of 385 are 3850 whole frames of 384: the sizes agree, only the data can tell.
    writeFileSync(bin, withSyncColumn(sim.generate(0, 3840), 0, 384, 30000));
    writeFileSync(bin.replace(/\.bin$/, '.meta'), simulatorMeta(sim, 3850, 'other_g0_t0.imec0.ap.bin', false));
    const src = await openSource(bin);
    expect(src.info.warnings).toEqual(["its data look like 385 channels per frame, but its .meta says nSavedChans=384: read as the .meta says, every trace mixes channels; check that the .meta belongs to this file"]);
    await src.close();
    const e = cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'raw-f32', '--out', join(dir, 'out'), '--data-dir', join(dir, 'data')]);
    expect(e.stderr).toContain(`probedeck: warning: ${bin}: its data look like 385 channels per frame`);
    expect(readFileSync(join(dir, 'out', 'README.txt'), 'utf8')).toContain('WARNING: the source: its data look like 385 channels per frame, but its .meta says nSavedChans=384');
    // The simulator's own file, as SpikeGLX writes it: nothing to say.
    const good = join(dir, 'good_g0_t0.imec0.ap.bin');
    writeFileSync(good, withSyncColumn(sim.generate(0, 3000), 0, 384, 30000));
    writeFileSync(good.replace(/\.bin$/, '.meta'), simulatorMeta(sim, 3000, 'good_g0_t0.imec0.ap.bin'));
    const ok = await openSource(good);
    expect(ok.info.warnings).toBeUndefined();
    await ok.close();
  });
  it('NP1.0: 384 neural channels, sync split off, 2.34375 µV/bit, staggered geometry', async () => {
    const bin = spikeglx(tempDir(), 'Noise_g0_t0.imec0.ap.meta');
    const src = await openSource(bin);
    const i = src.info;
    expect(i).toMatchObject({ format: 'spikeglx', fs: 30000, frameChannels: 385, samples: 121625350 / 2 / 385, syncChannel: { column: 384, gain: 1 }, probe: { kind: 'np1', partNumber: 'PRB_1_4_0480_1' } });
    // Where the file starts in its run, as neo gives SpikeInterface's t_start.
    expect(i.tStart).toBe(177385 / 30000);
    expect(i.channels).toHaveLength(384);
    expect(i.channels[0].gainUv).toBe(2.34375);
    expect(i.channels.slice(0, 4).map((c) => [c.x, c.y])).toEqual([[27, 0], [59, 0], [11, 20], [43, 20]]);
    expect(i.channels[383]).toMatchObject({ id: 'AP383', readout: 383, y: 191 * 20 });
    // Its shank map marks channel 191, NP1.0's reference site, unused: it never enters a reference.
    expect(i.channels.filter((c) => c.unused).map((c) => c.id)).toEqual(['AP191']);
    const spec = pipelineFromPreset(BUILTIN_PRESETS.find((p) => p.name === 'Neuropixels AP')!.body.pipeline, i.channels, i.fs, i.probe);
    expect(spec.reference?.exclude).toEqual([191]);
    expect(spec.badChannels?.manual).toEqual([191]);
    await src.close();
    // The view lists it with the bad channels, as unused.
    const m = new SessionManager(64 * 2 ** 20, () => {});
    await m.open({ kind: 'recording', path: bin });
    expect(m.require().status().badChannels).toEqual([{ index: 191, label: 'unused' }]);
    expect(m.info()!.channels[191].unused).toBe(true);
    await m.close();
  });

  it('NP1.0 saved subset: 151 channels keep their readout numbers; a 98 GB file opens at once', async () => {
    const t0 = performance.now();
    const src = await openSource(spikeglx(tempDir(), 'NP1_subset_g0_t0.imec0.ap.meta'));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(src.info.channels).toHaveLength(151);
    expect(src.info.channels[150]).toMatchObject({ readout: 150, gainUv: 2.34375 });
    expect(src.info.syncChannel).toEqual({ column: 151, gain: 1 });
    expect(src.info.samples).toBe(98746460736 / 2 / 152);
    const rows = await src.read(src.info.samples - 10, src.info.samples);
    expect(rows).toHaveLength(10 * 151);
    await src.close();
  });

  it('NP2.0 (2013, 4 shanks): imMaxInt 2048, gain 100 → 3.02734375 µV/bit, positions from snsGeomMap', async () => {
    const src = await openSource(spikeglx(tempDir(), 'NP2_2013_g0_t0.imec0.ap.meta'));
    expect(src.info.probe).toMatchObject({ kind: 'np2', partNumber: 'NP2013' });
    // The ADC order for the phase shift: 16 slots of 24 readout channels, neighbours paired.
    expect(src.info.probe.muxTable?.header).toBe('24,16');
    expect(src.info.probe.muxTable?.entries).toHaveLength(16);
    expect(src.info.probe.muxTable?.entries[1].split(' ').slice(0, 4)).toEqual(['2', '3', '34', '35']);
    expect(src.info.channels[0].gainUv).toBeCloseTo(3.02734375, 12);
    expect(src.info.channels.slice(0, 3).map((c) => [c.x, c.y, c.shank])).toEqual([[27, 0, 0], [59, 0, 0], [27, 15, 0]]);
    expect(new Set(src.info.channels.map((c) => c.shank))).toEqual(new Set([0, 1, 2, 3]));
    const c = src.info.channels.find((ch) => ch.shank === 2)!;
    expect(c.x).toBeGreaterThanOrEqual(500);
    await src.close();
  });

  it('NP1.0 LFP stream (.lf.bin): its channels 384–767 are readout channels 0–383 at the LF gain, as SpikeGLX numbers them', async () => {
    // The LF .meta SpikeGLX writes beside the Noise run's AP one: same probe and imroTbl (LF gain 125),
    // 2500 Hz, channels saved as LF0…LF383 (acquisition channels 384–767) and the sync channel 768.
    const dir = tempDir();
    const frames = 2500;
    const lf = readFileSync(join(fixtures, 'spikeglx', 'Noise_g0_t0.imec0.ap.meta'), 'utf8')
      .replace(/^imSampRate=.*$/m, 'imSampRate=2500')
      .replace(/^snsApLfSy=.*$/m, 'snsApLfSy=0,384,1')
      .replace(/^snsSaveChanSubset=.*$/m, 'snsSaveChanSubset=384:768')
      .replace(/^fileSizeBytes=.*$/m, `fileSizeBytes=${frames * 385 * 2}`)
      .replace(/^~snsChanMap=.*$/m, `~snsChanMap=(384,384,1)${Array.from({ length: 384 }, (_, c) => `(LF${c};${384 + c}:${384 + c})`).join('')}(SY0;768:768)`);
    const bin = join(dir, 'Noise_g0_t0.imec0.lf.bin');
    writeFileSync(bin.replace(/\.bin$/, '.meta'), lf);
    writeFileSync(bin, '');
    truncateSync(bin, frames * 385 * 2);
    const src = await openSource(bin);
    const i = src.info;
    expect(i).toMatchObject({ fs: 2500, samples: frames, frameChannels: 385, syncChannel: { column: 384, gain: 1 }, probe: { kind: 'np1' } });
    expect(i.channels).toHaveLength(384);
    expect(i.channels[0]).toMatchObject({ id: 'LF0', readout: 0, gainUv: 9.375 }); // 0.6 V / 512 / 125
    expect(i.channels[383]).toMatchObject({ id: 'LF383', readout: 383, gainUv: 9.375 });
    // Readout channels, so the ADC order and the sites are those of the AP stream's same channels.
    expect(probeSampleShifts(i.probe, i.channels.map((c) => c.readout)).slice(0, 4)).toEqual(Float64Array.from([0, 0, 1 / 13, 1 / 13]));
    expect(i.channels.filter((c) => c.unused).map((c) => c.id)).toEqual(['LF191']);
    await src.close();
  });

  it("SpikeInterface's channel ids for the same file: neo's stream (from the .meta's fileName) + '#' + the channel's name; an Open Ephys channel's own name; probeinterface's contact ids", async () => {
    const dir = tempDir();
    const ids = (info: SourceInfo) => spikeInterfaceChannelIds(info, info.channels);
    const noise = await openSource(spikeglx(dir, 'Noise_g0_t0.imec0.ap.meta'));
    expect(noise.info.stream).toBe('imec0.ap');
    expect(ids(noise.info).slice(0, 2)).toEqual(['imec0.ap#AP0', 'imec0.ap#AP1']);
    expect(noise.info.channels[0].id).toBe('AP0'); // the app keeps the short name
    // The probe contacts as probeinterface names them (SpikeInterface's probe for this file): NP1.0 bank 0, electrode = channel.
    expect(noise.info.channels.slice(0, 2).map((c) => c.contactId)).toEqual(['e0', 'e1']);
    await noise.close();
    // NP2.0 4-shank: "s{shank}e{electrode}" from the imroTbl's "chan shank bank refid electrode".
    const np2 = await openSource(spikeglx(dir, 'NP2_2013_g0_t0.imec0.ap.meta'));
    expect([0, 100, 383].map((k) => np2.info.channels[k].contactId)).toEqual(['s0e0', 's3e244', 's0e287']);
    await np2.close();
    // Written by SpikeGLX as Day_3_g0_t0.imec1.ap.bin (its fileName), copied under another name: neo names it imec1.ap.
    const subset = await openSource(spikeglx(dir, 'NP1_subset_g0_t0.imec0.ap.meta'));
    expect(ids(subset.info).at(-1)).toBe('imec1.ap#AP150');
    await subset.close();
    // An LF stream, a CatGT output (tcat) and a OneBox stream; a .meta without fileName names by the file's own name.
    const text = readFileSync(join(fixtures, 'spikeglx', 'Noise_g0_t0.imec0.ap.meta'), 'utf8');
    const cases: [string, (t: string) => string, string][] = [
      ['run_g0_t0.imec2.lf.bin', (t) => t.replace(/^fileName=.*$/m, 'fileName=D:\\data\\run_g0\\run_g0_imec2\\run_g0_t0.imec2.lf.bin'), 'imec2.lf'],
      ['run_g0_tcat.imec0.ap.bin', (t) => t.replace(/^fileName=.*$/m, 'fileName=D:/catgt_run_g0/run_g0_tcat.imec0.ap.bin'), 'imec0.ap'],
      ['renamed.imec3.ap.bin', (t) => t.replace(/^fileName=.*\r?\n/m, ''), 'imec3.ap']
    ];
    for (const [name, edit, stream] of cases) {
      const bin = join(dir, name);
      writeFileSync(bin.replace(/\.bin$/, '.meta'), edit(text));
      writeFileSync(bin, '');
      truncateSync(bin, 121625350);
      const src = await openSource(bin);
      expect(src.info.stream, name).toBe(stream);
      expect(ids(src.info)[0], name).toBe(`${stream}#${src.info.channels[0].id}`);
      await src.close();
    }
    const oe = await openSource(openephys(dir, 'np1.structure.oebin', 100, 0n));
    expect(ids(oe.info).slice(0, 2)).toEqual(['CH0', 'CH1']);
    expect(ids(oe.info)).toEqual(oe.info.channels.map((c) => c.id));
    await oe.close();
  });

  it('a .meta without imChan0apGain (SpikeGLX before 2023): each probe family\'s fixed gain and range, as neo and SpikeGLX\'s tools give them', async () => {
    const dir = tempDir();
    const text = readFileSync(join(fixtures, 'spikeglx', 'NP2_2013_g0_t0.imec0.ap.meta'), 'utf8').replace(/^imChan0apGain=.*\r?\n/m, '');
    const gainOf = async (name: string, edit: (t: string) => string) => {
      const bin = join(dir, `${name}_g0_t0.imec0.ap.bin`);
      writeFileSync(bin.replace(/\.bin$/, '.meta'), edit(text));
      writeFileSync(bin, '');
      truncateSync(bin, 186155200);
      const src = await openSource(bin);
      const gains = new Set(src.info.channels.map((c) => c.gainUv));
      await src.close();
      expect(gains.size, name).toBe(1);
      return [...gains][0];
    };
    const pn = (p: string) => (t: string) => t.replace(/^imDatPrb_pn=.*$/m, `imDatPrb_pn=${p}`);
    // 12-bit NP2.0 probes (NP2013/2014, NP2003–2006, the NP2020 Quad Base): 100, ±0.62 V in 2048 steps.
    for (const p of ['NP2013', 'NP2003', 'NP2020', 'NP2021']) expect(await gainOf(p, pn(p)), p).toBeCloseTo((0.62 / 2048 / 100) * 1e6, 12);
    // 14-bit NP2.0 (NP2000, NP2010, PRB2_*): 80, ±0.5 V in 8192 steps: 0.762939453125 µV, also when the .meta gives no range or imMaxInt.
    const np2000 = (t: string) => pn('NP2000')(t).replace(/^imMaxInt=.*\r?\n/m, '').replace(/^imAiRangeMax=.*\r?\n/m, '');
    expect(await gainOf('np2000', np2000)).toBe(0.762939453125);
    expect(await gainOf('prb2', (t) => np2000(t).replace(/^imDatPrb_pn=.*\r?\n/m, '').replace(/^~imroTbl=\(2013,/m, '~imroTbl=(24,'))).toBe(0.762939453125);
    // A probe whose gain is not known: refused, saying what is missing, rather than scaled by a guess.
    await expect(gainOf('unknown', pn('NP9999'))).rejects.toThrow(/the \.meta \(no imChan0apGain, and no fixed AP gain known for NP9999\) gives no usable AP gain, so its µV cannot be known/);
    // NP1110 (NP1.0-class, one gain for all channels): its imroTbl header's, over 512 steps, as SpikeGLX's tools read it.
    const np1110 = readFileSync(join(fixtures, 'spikeglx', 'Noise_g0_t0.imec0.ap.meta'), 'utf8')
      .replace(/^imDatPrb_pn=.*$/m, 'imDatPrb_pn=NP1110')
      .replace(/^~imroTbl=.*$/m, `~imroTbl=(1110,2,0,500,250,1)${Array.from({ length: 24 }, (_, g) => `(${g} 0 0)`).join('')}`);
    const bin = join(dir, 'np1110_g0_t0.imec0.ap.bin');
    writeFileSync(bin.replace(/\.bin$/, '.meta'), np1110);
    writeFileSync(bin, '');
    truncateSync(bin, 121625350);
    const src = await openSource(bin);
    expect(new Set(src.info.channels.map((c) => c.gainUv))).toEqual(new Set([2.34375]));
    expect(src.info.probe.kind).toBe('np1'); // without a ~muxTbl too: NP1.0's 13-cycle phase shifts
    await src.close();
  });

  it('NP1110 (NP1.0-class, one gain for all channels in its .meta): the ~muxTbl’s 32 ADCs × 12 slots give NP1.0’s 13-cycle phase shifts', async () => {
    // The Noise run's .meta made an NP1110's as SpikeGLX writes it: imroTbl of channel groups (no
    // per-channel gains), imChan0apGain, imMaxInt and the NP1.0 ~muxTbl.
    const mux = Array.from({ length: 12 }, (_, k) => `(${Array.from({ length: 16 }, (_, j) => `${24 * j + 2 * k} ${24 * j + 2 * k + 1}`).join(' ')})`).join('');
    const meta = readFileSync(join(fixtures, 'spikeglx', 'Noise_g0_t0.imec0.ap.meta'), 'utf8')
      .replace(/^imDatPrb_pn=.*$/m, 'imDatPrb_pn=NP1110\nimChan0apGain=500\nimChan0lfGain=250\nimMaxInt=512')
      .replace(/^imDatPrb_type=.*$/m, 'imDatPrb_type=1110')
      .replace(/^~imroTbl=.*$/m, `~imroTbl=(1110,2,0,500,250,1)${Array.from({ length: 24 }, (_, g) => `(${g} 0 0)`).join('')}\n~muxTbl=(32,12)${mux}`);
    const dir = tempDir();
    const bin = join(dir, 'np1110_g0_t0.imec0.ap.bin');
    writeFileSync(bin.replace(/\.bin$/, '.meta'), meta);
    writeFileSync(bin, '');
    truncateSync(bin, 121625350);
    const src = await openSource(bin);
    expect(src.info.probe.kind).toBe('np1');
    expect(new Set(src.info.channels.map((c) => c.gainUv))).toEqual(new Set([2.34375]));
    // Slot / 13 as SpikeInterface gives (12 channels per ADC, × (1 + 2500/30000)); slot / 16 before.
    const shifts = probeSampleShifts(src.info.probe, src.info.channels.map((c) => c.readout));
    expect(Array.from(shifts.slice(0, 4))).toEqual([0, 0, 1 / 13, 1 / 13]);
    expect(shifts[23]).toBe(11 / 13);
    await src.close();
  });

  it('NP2.0 4-shank with a ~snsShankMap only (SpikeGLX before 2023): each shank 250 µm on, the same sites as its ~snsGeomMap gives', async () => {
    const dir = tempDir();
    const text = readFileSync(join(fixtures, 'spikeglx', 'NP2_2013_g0_t0.imec0.ap.meta'), 'utf8');
    const geom = /^~snsGeomMap=\((.*)\)$/m.exec(text)![1].split(')(').slice(1);
    // The same probe said as older SpikeGLX says it: shank, column (x 27 or 59 within the shank), row (15 µm).
    const shankMap = geom.map((e) => e.split(':').map(Number)).map(([shank, x, z, use]) => `(${shank}:${x === 27 ? 0 : 1}:${z / 15}:${use})`).join('');
    const old = join(dir, 'old_g0_t0.imec0.ap.bin');
    writeFileSync(old.replace(/\.bin$/, '.meta'), text.replace(/^~snsGeomMap=.*$/m, `~snsShankMap=(4,2,1280)${shankMap}`));
    writeFileSync(old, '');
    truncateSync(old, Number(/fileSizeBytes=(\d+)/.exec(text)![1]));
    const fromShankMap = await openSource(old);
    const fromGeomMap = await openSource(spikeglx(dir, 'NP2_2013_g0_t0.imec0.ap.meta'));
    const sites = (s: typeof fromShankMap) => s.info.channels.map((c) => [c.x, c.y, c.shank]);
    expect(new Set(fromShankMap.info.channels.map((c) => c.shank))).toEqual(new Set([0, 1, 2, 3]));
    expect(sites(fromShankMap)).toEqual(sites(fromGeomMap));
    // No two channels on one site (shanks laid one on another were, for a sorter, one shank).
    expect(new Set(sites(fromShankMap).map((s) => `${s[0]},${s[1]}`)).size).toBe(384);
    await fromShankMap.close();
    await fromGeomMap.close();
  });

  it('Phase 3A (imProbeOpt, no part number; imroTbl entries without apfilt): per-channel NP1.0 gains, 2.34375 µV/bit, 13-cycle shifts', async () => {
    // The Noise run's .meta as SpikeGLX wrote it for a Phase 3A probe (probeinterface's NeuropixelPhase3A_file meta has these keys).
    const meta = readFileSync(join(fixtures, 'spikeglx', 'Noise_g0_t0.imec0.ap.meta'), 'utf8')
      .replace(/^imDatPrb_.*\r?\n/gm, '')
      .replace(/^imAiRangeMax=/m, 'imProbeOpt=3\nimAiRangeMax=')
      .replace(/^~imroTbl=.*$/m, `~imroTbl=(262720641,3,384)${Array.from({ length: 384 }, (_, c) => `(${c} 0 0 500 250)`).join('')}`);
    const dir = tempDir();
    const bin = join(dir, 'phase3a_g0_t0.imec.ap.bin');
    writeFileSync(bin.replace(/\.bin$/, '.meta'), meta);
    writeFileSync(bin, '');
    truncateSync(bin, 121625350);
    const src = await openSource(bin);
    expect(src.info.probe).toMatchObject({ kind: 'np1', partNumber: null });
    expect(new Set(src.info.channels.map((c) => c.gainUv))).toEqual(new Set([2.34375])); // 0.6 V / 512 / 500; NP2.0's 0.6 / 8192 / 80 before
    expect(Array.from(probeSampleShifts(src.info.probe, [0, 2, 23]))).toEqual([0, 1 / 13, 11 / 13]);
    await src.close();
  });

  it('NP2020 Quad Base: 1536 channels on 4 shanks, its four sync channels (SY0–SY3) split off; 96 ADCs × 16 slots are NP2.0’s', async () => {
    // The keys of probeinterface's NP2020_sample .meta: 1536 AP channels, then one sync channel per shank.
    const C = 1536;
    const frames = 100;
    const mux = Array.from({ length: 16 }, (_, k) => `(${Array.from({ length: 48 }, (_, j) => `${32 * j + 2 * k} ${32 * j + 2 * k + 1}`).join(' ')})`).join('');
    const meta = [
      'acqApLfSy=1536,0,4',
      `fileSizeBytes=${frames * 1540 * 2}`,
      'imAiRangeMax=0.62',
      'imChan0apGain=100',
      'imDatPrb_pn=NP2020',
      'imDatPrb_type=2020',
      'imMaxInt=2048',
      'imSampRate=30000',
      'nSavedChans=1540',
      'snsApLfSy=1536,0,4',
      'snsSaveChanSubset=0:1539',
      'typeThis=imec',
      `~imroTbl=(NP2020,${C})${Array.from({ length: C }, (_, c) => `(${c} ${Math.floor(c / 384)} 0 0 ${c % 384})`).join('')}`,
      `~muxTbl=(96,16)${mux}`,
      `~snsChanMap=(1536,0,4)${Array.from({ length: C }, (_, c) => `(AP${c};${c}:${c})`).join('')}(SY0;1536:1536)(SY1;1537:1537)(SY2;1538:1538)(SY3;1539:1539)`,
      `~snsGeomMap=(NP2020,4,250,70)${Array.from({ length: C }, (_, c) => `(${Math.floor(c / 384)}:${27 + 32 * (c % 2)}:${15 * Math.floor((c % 384) / 2)}:1)`).join('')}`,
      ''
    ].join('\n');
    const bin = join(tempDir(), 'quad_g0_t0.imec0.ap.bin');
    writeFileSync(bin.replace(/\.bin$/, '.meta'), meta);
    // Each column holds its own number: what is read shows which columns are.
    writeFileSync(bin, new Int16Array(frames * 1540).map((_, i) => i % 1540));
    const src = await openSource(bin);
    const i = src.info;
    expect(i.warnings).toBeUndefined();
    expect(i.channels).toHaveLength(C);
    expect(i.syncChannel).toEqual({ column: 1536, gain: 1 });
    expect(i.probe.kind).toBe('np2');
    expect(new Set(i.channels.map((c) => c.shank))).toEqual(new Set([0, 1, 2, 3]));
    expect(new Set(i.channels.map((c) => `${c.x},${c.y}`)).size).toBe(C);
    expect(i.channels[1535]).toMatchObject({ id: 'AP1535', x: 750 + 59, gainUv: (0.62 / 2048 / 100) * 1e6 });
    expect(Array.from(probeSampleShifts(i.probe, [0, 2, 30, 1535]))).toEqual([0, 1 / 16, 15 / 16, 15 / 16]);
    const row = (await src.read(3, 4)) as Int16Array;
    expect(row).toHaveLength(C);
    expect(row[C - 1]).toBe(1535);
    await src.close();
  });

  it('NHP probes with a ~snsShankMap only: their own sites (linear NP1015, 87 µm NP1030, 103 µm NP1032), not NP1.0’s', async () => {
    const dir = tempDir();
    const text = readFileSync(join(fixtures, 'spikeglx', 'Noise_g0_t0.imec0.ap.meta'), 'utf8');
    const firstSites = async (pn: string) => {
      const bin = join(dir, `${pn}_g0_t0.imec0.ap.bin`);
      writeFileSync(bin.replace(/\.bin$/, '.meta'), text.replace(/^imDatPrb_pn=.*$/m, `imDatPrb_pn=${pn}`));
      writeFileSync(bin, '');
      truncateSync(bin, 121625350);
      const src = await openSource(bin);
      await src.close();
      return src.info.channels.slice(0, 4).map((c) => [c.x, c.y]);
    };
    // As probeinterface places them (its ProbeTable: row offsets, horizontal pitch), and as Open Ephys does for an NP1032 (11 and 114 µm).
    expect(await firstSites('NP1015')).toEqual([[27, 0], [59, 0], [27, 20], [59, 20]]);
    expect(await firstSites('NP1030')).toEqual([[27, 0], [114, 0], [11, 20], [98, 20]]);
    expect(await firstSites('NP1032')).toEqual([[11, 0], [114, 0], [11, 20], [114, 20]]);
    expect(await firstSites('PRB_1_4_0480_1')).toEqual([[27, 0], [59, 0], [11, 20], [43, 20]]);
  });

  it('probedeck info prints one JSON object', () => {
    const bin = spikeglx(tempDir(), 'Noise_g0_t0.imec0.ap.meta');
    const r = cli(['info', bin]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'spikeglx', fs: 30000, dtype: 'int16', live: false });
  });
});

describe('Open Ephys binary (real structure.oebin files)', () => {
  it('NP1 from the Record Node folder: 384 channels at 0.195 µV/bit, t_start from sample_numbers.npy', async () => {
    const src = await openSource(openephys(tempDir(), 'np1.structure.oebin', 100, 300000n));
    expect(src.info).toMatchObject({ format: 'openephys', stream: 'ProbeA', fs: 30000, samples: 100, tStart: 10, syncChannel: null });
    expect(src.info.channels).toHaveLength(384);
    expect(src.info.channels[0].gainUv).toBeCloseTo(0.195, 7);
    const rows = (await src.read(5, 7)) as Int16Array;
    expect(Array.from(rows.subarray(0, 3))).toEqual([5, 15, 25]);
    await src.close();
  });

  it("t_start as neo gives it to SpikeInterface (sample_numbers.npy where it is, else timestamps.npy, over the rate), and a SpikeInterface folder's t_starts from it", async () => {
    const dir = tempDir();
    const node = openephys(dir, 'np1.structure.oebin', 100, 300000n);
    const folder = (JSON.parse(readFileSync(join(node, 'experiment1/recording1/structure.oebin'), 'utf8')) as { continuous: { folder_name: string }[] }).continuous[0].folder_name;
    const stream = join(node, 'experiment1/recording1/continuous', folder);
    const tStart = async () => {
      const src = await openSource(node);
      await src.close();
      return src.info.tStart;
    };
    expect(await tStart()).toBe(10);
    // Exported from 30 samples in: SpikeInterface's time of that sample (sample / fs + t_start).
    const e = cli(['export', node, '--preset', 'Neuropixels AP', '--format', 'si-binary', '--start', '0.001', '--out', join(dir, 'si'), '--data-dir', join(dir, 'data')]);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'si/binary.json'), 'utf8')).kwargs.t_starts).toEqual([30 / 30000 + 10]);
    // GUI 0.6 on: timestamps.npy holds seconds; an empty sample_numbers.npy (a crash) gives 0, as neo takes it, not seconds over the rate.
    writeFileSync(join(stream, 'sample_numbers.npy'), encodeNpy({ dtype: '<i8', shape: [0], data: [] }));
    writeFileSync(join(stream, 'timestamps.npy'), encodeNpy({ dtype: '<f8', shape: [100], data: Array.from({ length: 100 }, (_, i) => 12.5 + i / 30000) }));
    expect(await tStart()).toBe(0);
    // Before 0.6: timestamps.npy alone, sample numbers.
    rmSync(join(stream, 'sample_numbers.npy'));
    writeFileSync(join(stream, 'timestamps.npy'), encodeNpy({ dtype: '<i8', shape: [100], data: Array.from({ length: 100 }, (_, i) => 60000 + i) }));
    expect(await tStart()).toBe(2);
  });

  it('a sample_numbers.npy in a dtype it cannot read right (big-endian, 1-byte, 16-byte) is refused, not read as garbage', async () => {
    const dir = tempDir();
    const node = openephys(dir, 'np1.structure.oebin', 100, 300000n);
    const folder = (JSON.parse(readFileSync(join(node, 'experiment1/recording1/structure.oebin'), 'utf8')) as { continuous: { folder_name: string }[] }).continuous[0].folder_name;
    const numbers = join(node, 'experiment1/recording1/continuous', folder, 'sample_numbers.npy');
    const good = encodeNpy({ dtype: '<i8', shape: [100], data: Array.from({ length: 100 }, (_, i) => 300000 + i) });
    for (const descr of ["'>i8'", "'<i1'", "'<c16'"]) {
      // The dtype text swapped in place (padded with spaces; '<c16' is a byte longer, refused before any data are read).
      writeFileSync(numbers, Buffer.from(good.toString('latin1').replace("'<i8'", descr.padEnd(5, ' ')), 'latin1'));
      await expect(openSource(node), descr).rejects.toMatchObject({ code: 'BAD_NPY', message: expect.stringMatching(/has an unsupported dtype .descr.: '.{3,4}'/) });
    }
  });

  it('NP2 with AP, LFP and NI-DAQ streams: picks the AP stream, splits off AP_SYNC, or takes the named one', async () => {
    const node = openephys(tempDir(), 'np2-4shank.structure.oebin', 50, 0n);
    const ap = await openSource(node);
    expect(ap.info).toMatchObject({ stream: 'ProbeA-AP', frameChannels: 385, syncChannel: { column: 384, gain: 1 } });
    expect(ap.info.channels).toHaveLength(384);
    const rows = (await ap.read(0, 1)) as Int16Array;
    expect(rows[383]).toBe(3830);
    await ap.close();
    const lfp = await openSource(node, { stream: 'ProbeA-LFP' });
    expect(lfp.info.fs).toBe(2500);
    await lfp.close();
    await expect(openSource(node, { stream: 'ProbeB' })).rejects.toThrow(/has no stream "ProbeB" \(it has ProbeA-AP, ProbeA-LFP, PXIe-6341\)/);
    // A stream's own continuous.dat opens that stream (it used to open the AP stream whatever was picked).
    const doc = JSON.parse(readFileSync(join(node, 'experiment1/recording1/structure.oebin'), 'utf8')) as { continuous: { folder_name: string; stream_name?: string }[] };
    const lfpFolder = doc.continuous.find((c) => /LFP/.test(c.folder_name))!.folder_name.replace(/\/$/, '');
    const byPath = await openSource(join(node, 'experiment1/recording1/continuous', lfpFolder, 'continuous.dat'));
    expect(byPath.info).toMatchObject({ stream: 'ProbeA-LFP', fs: 2500 });
    await byPath.close();
    // So does its folder (it said "no structure.oebin found", two levels below the oebin).
    const byFolder = await openSource(join(node, 'experiment1/recording1/continuous', lfpFolder));
    expect(byFolder.info).toMatchObject({ stream: 'ProbeA-LFP', fs: 2500 });
    await byFolder.close();
    // probedeck export takes --stream as probedeck info does (it was an unknown option).
    const out = tempDir();
    const exported = (stream: string) => cli(['export', node, '--stream', stream, '--preset', 'Neuropixels AP', '--format', 'kilosort', '--out', join(out, stream), '--data-dir', out]);
    expect(exported('ProbeB').stderr).toMatch(/has no stream "ProbeB" \(it has ProbeA-AP, ProbeA-LFP, PXIe-6341\)/);
    expect(exported('ProbeA-AP').code).toBe(0);
    expect(readFileSync(join(out, 'ProbeA-AP', 'README.txt'), 'utf8')).toMatch(/ProbeA-AP/);
    // A stream's source path opens that stream again (an export of what the view shows).
    const lfpAgain = await openSource(lfp.info.path);
    expect(lfpAgain.info).toMatchObject({ stream: 'ProbeA-LFP', fs: 2500 });
    await lfpAgain.close();
  });
});

describe('Open Ephys: a recording of two probes', () => {
  it('opened without a stream: the first probe’s AP stream (not an NI-DAQ board’s listed before it), with a warning naming the others; a named stream says nothing', async () => {
    const node = openephys(tempDir(), 'np2-4shank.structure.oebin', 20, 0n);
    // A second probe as Open Ephys records it: its own AP (and LFP) stream beside the first's.
    const oebin = join(node, 'experiment1/recording1/structure.oebin');
    const doc = JSON.parse(readFileSync(oebin, 'utf8')) as { continuous: { folder_name: string; stream_name: string }[] };
    const b = doc.continuous.filter((s) => /ProbeA/.test(s.stream_name)).map((s) => ({ ...s, folder_name: s.folder_name.replace('ProbeA', 'ProbeB'), stream_name: s.stream_name.replace('ProbeA', 'ProbeB') }));
    doc.continuous.push(...b);
    // The NI-DAQ board's stream listed first (its stream name, "PXIe-6341", does not say what it is): not taken for a probe.
    doc.continuous.sort((x, y) => Number(/NI-DAQ/.test(y.folder_name)) - Number(/NI-DAQ/.test(x.folder_name)));
    writeFileSync(oebin, JSON.stringify(doc));
    for (const s of b) {
      const d = join(node, 'experiment1/recording1/continuous', s.folder_name);
      mkdirSync(d, { recursive: true });
      copyFileSync(join(node, 'experiment1/recording1/continuous', s.folder_name.replace('ProbeB', 'ProbeA'), 'continuous.dat'), join(d, 'continuous.dat'));
    }
    const first = await openSource(node);
    expect(first.info.stream).toBe('ProbeA-AP');
    expect(first.info.warnings).toContain('the recording holds 2 probe streams (ProbeA-AP, ProbeB-AP): this is ProbeA-AP; open another by its stream name or its own continuous/ folder');
    await first.close();
    const second = await openSource(node, { stream: 'ProbeB-AP' });
    expect(second.info.stream).toBe('ProbeB-AP');
    expect(second.info.warnings ?? []).not.toContainEqual(expect.stringMatching(/probe streams/));
    await second.close();
    const byFolder = await openSource(join(node, 'experiment1/recording1/continuous', b[0].folder_name));
    expect(byFolder.info.warnings ?? []).not.toContainEqual(expect.stringMatching(/probe streams/));
    await byFolder.close();
  });
});

describe('Open Ephys probe layout from the Record Node’s settings.xml (real files)', () => {
  const layout = (info: { channels: { x: number; y: number; shank: number }[] }, cols: number[]) => cols.map((k) => [info.channels[k].x, info.channels[k].y, info.channels[k].shank]);

  it('NP2.0 (plugin 1.0): positions per readout channel, the ADC family from num_adcs', async () => {
    const src = await openSource(openephys(tempDir(), 'np1.structure.oebin', 10, 0n, 'np1.settings.xml'));
    expect(src.info.probe).toEqual({ kind: 'np2', partNumber: 'NP2014' });
    expect(layout(src.info, [0, 1, 2, 191, 383])).toEqual([[27, 0, 0], [59, 0, 0], [27, 15, 0], [59, 2865, 0], [59, 2145, 0]]);
    await src.close();
  });

  it('NP1.0-class NHP probe (plugin 0.6): positions agree with the oebin’s electrode indices; the NI-DAQ stream keeps none', async () => {
    const node = openephys(tempDir(), 'np2-4shank.structure.oebin', 10, 0n, 'np2-4shank.settings.xml');
    const ap = await openSource(node);
    expect(ap.info.probe).toEqual({ kind: 'np1', partNumber: 'NP1032' });
    // AP1 is electrode 768 (row 384 at 20 µm), AP2 electrode 1 (row 0, right column).
    expect(layout(ap.info, [0, 1, 2])).toEqual([[11, 7680, 0], [114, 0, 0], [11, 20, 0]]);
    await ap.close();
    const ni = await openSource(node, { stream: 'PXIe-6341' });
    expect(ni.info.probe.kind).toBe('other');
    expect(layout(ni.info, [0, 1])).toEqual([[0, 0, 0], [0, 20, 0]]);
    // Its "units" are empty, as the probe's: the analog inputs' bit_volts are volts (±10 V in 16 bits), the probe's µV.
    expect(ni.info.channels[0].gainUv).toBeCloseTo(305.185, 3);
    expect(ap.info.channels[0].gainUv).toBeCloseTo(0.195, 6);
    await ni.close();
  });

  it('a 4-shank NP2.0 (OneBox): each channel on its shank, so a per-shank reference has its groups', async () => {
    const src = await openSource(openephys(tempDir(), 'np1.structure.oebin', 10, 0n, 'onebox-np2014.settings.xml'));
    expect(layout(src.info, [0, 1, 191, 383])).toEqual([[8, 0, 0], [540, 720, 2], [290, 705, 1], [290, 1425, 1]]);
    expect(new Set(src.info.channels.map((c) => c.shank))).toEqual(new Set([0, 1, 2, 3]));
    await src.close();
  });

  it('a folder of several recordings names them, rather than opening the first', async () => {
    const node = openephys(tempDir(), 'np1.structure.oebin', 10, 0n);
    const second = join(node, 'experiment1', 'recording2');
    mkdirSync(join(second, 'continuous'), { recursive: true });
    copyFileSync(join(node, 'experiment1', 'recording1', 'structure.oebin'), join(second, 'structure.oebin'));
    await expect(openSource(node)).rejects.toThrow(/holds 2 Open Ephys recordings \(experiment1\/recording1, experiment1\/recording2\): open the folder of one$/);
    const one = await openSource(join(node, 'experiment1', 'recording1'));
    expect(one.info.samples).toBe(10);
    await one.close();
  });

  it('without settings.xml, with a damaged one, or with one whose only probe was not enabled, a plain column, said as a warning', async () => {
    const node = openephys(tempDir(), 'np1.structure.oebin', 10, 0n);
    const plain = await openSource(node);
    expect(plain.info.probe).toEqual({ kind: 'other', partNumber: null });
    expect(plain.info.warnings).toEqual([`the probe's layout is unknown (no settings.xml beside ${node}): its channels are placed in a made-up column, so a per-shank or local reference and a sorter's channel map would be wrong`]);
    await plain.close();
    writeFileSync(join(node, 'settings.xml'), '<SETTINGS><INFO>truncated');
    const damaged = await openSource(node);
    expect(damaged.info.warnings?.[0]).toMatch(/^the probe's layout is unknown \(.*settings\.xml holds no Neuropixels probe entry \(damaged, or not the Record Node's settings\)\)/);
    await damaged.close();
    const xml = readFileSync(join(fixtures, 'openephys', 'np1.settings.xml'), 'utf8');
    expect(xml).toContain('isEnabled="1"');
    writeFileSync(join(node, 'settings.xml'), xml.replace('isEnabled="1"', 'isEnabled="0"'));
    const disabled = await openSource(node);
    expect(disabled.info.probe.kind).toBe('other');
    expect(layout(disabled.info, [1])).toEqual([[0, 20, 0]]);
    expect(disabled.info.warnings?.[0]).toMatch(/settings\.xml describes no probe for stream ProbeA\)/);
    await disabled.close();
    // With its layout, nothing to say.
    const laid = await openSource(openephys(tempDir(), 'np1.structure.oebin', 10, 0n, 'np1.settings.xml'));
    expect(laid.info.warnings).toBeUndefined();
    await laid.close();
  });
});

describe('which settings.xml probe a stream was recorded from', () => {
  it('by custom name, by letter, a Quad Base shank by its number; settings_N.xml for experiment N', async () => {
    const node = join(tempDir(), 'Record Node 101');
    const oebin = (e: number) => join(node, `experiment${e}`, 'recording1', 'structure.oebin');
    const probe = (serial: string, name: string, x: number) =>
      `<NP_PROBE probe_serial_number="${serial}" custom_probe_name="${name}" probe_part_number="NP2020" num_adcs="24" isEnabled="1">\n  <ELECTRODE_XPOS CH0="${x}"/>\n  <ELECTRODE_YPOS CH0="0"/>\n</NP_PROBE>`;
    mkdirSync(node, { recursive: true });
    writeFileSync(join(node, 'settings.xml'), `<SETTINGS>${probe('1', '50210', 27)}${probe('2', '50213', 258)}${probe('2', '50213', 508)}</SETTINGS>`);
    writeFileSync(join(node, 'settings_2.xml'), `<SETTINGS>${probe('9', 'left', 11)}</SETTINGS>`);
    const x = async (stream: string, e = 1) => (await findOpenEphysProbe(oebin(e), stream)).probe?.contacts.get(0) ?? null;
    expect(await x('50210')).toEqual({ x: 27, y: 0, shank: 0 });
    expect(await x('Neuropix-PXI-100.ProbeA-AP')).toEqual({ x: 27, y: 0, shank: 0 });
    expect(await x('ProbeB-2')).toEqual({ x: 508, y: 0, shank: 2 });
    expect(await x('ProbeB')).toBeNull(); // two shanks: which one is not said
    expect(await x('ProbeC')).toBeNull();
    expect(await x('PXIe-6341')).toBeNull();
    expect(await x('ProbeA', 2)).toEqual({ x: 11, y: 0, shank: 0 });
  });
});

describe('bad input: a clear error naming the file and the problem', () => {
  it('a SpikeGLX file cut short opens what it holds, and says so; one longer than its .meta says is refused', async () => {
    const dir = tempDir();
    const bin = spikeglx(dir, 'Noise_g0_t0.imec0.ap.meta');
    // A crashed run or a copy cut short: the whole frames there are shown, with why the end is missing.
    truncateSync(bin, 121625350 - 3);
    let src = await openSource(bin);
    expect(src.info.samples).toBe(Math.floor((121625350 - 3) / 770));
    expect(src.info.warnings).toEqual([
      `the file is 121625347 bytes but its .meta says 121625350: the recording is incomplete, ${(src.info.samples / 30000).toFixed(3)} s of the 5.265 s recorded (a crashed run, or a copy cut short: copy the .bin again from the acquisition machine if it holds it whole); the ${(src.info.samples / 30000).toFixed(3)} s it holds are shown`
    ]);
    await src.close();
    truncateSync(bin, 770 * 10 + 5);
    src = await openSource(bin);
    expect(src.info.samples).toBe(10);
    await src.close();
    truncateSync(bin, 121625350 + 770);
    await expect(openSource(bin)).rejects.toThrow(/is 121626120 bytes but its \.meta says 121625350 \(nSavedChans=385\): the \.meta belongs to another file \(an earlier run's, if this is a new run still being written under its name: move that \.meta aside and follow the file live\)$/);
  });
  it('an empty .bin beside its .meta says what is wrong and what to do, opened, on the command line and through the app', async () => {
    const dir = tempDir();
    const bin = spikeglx(dir, 'Noise_g0_t0.imec0.ap.meta');
    truncateSync(bin, 0);
    const said =
      'is empty, but its .meta says SpikeGLX wrote 121625350 bytes (157955 samples, 5.265 s): the data did not reach this file. If it is a copy, copy the .bin again from the acquisition machine; if SpikeGLX is recording into it now (a new run under an earlier run\'s name), follow it live instead';
    await expect(openSource(bin)).rejects.toMatchObject({ code: 'FILE_TOO_SMALL', message: `${bin}: ${said}` });
    expect(cli(['info', bin]).stderr).toBe(`probedeck: ${bin}: ${said}\n`);
    const host = createHost({ dataDir: join(dir, 'data'), transport: 'websocket' });
    try {
      await expect(host.call('session.open', { source: { kind: 'recording', path: bin } })).rejects.toThrow(`${bin}: ${said}`);
    } finally {
      await host.close();
    }
    // A run that saved nothing says so; a .meta without fileSizeBytes says nothing of what was written.
    const meta = bin.replace(/\.bin$/, '.meta');
    const text = readFileSync(meta, 'utf8');
    writeFileSync(meta, text.replace(/^fileSizeBytes=.*$/m, 'fileSizeBytes=0'));
    await expect(openSource(bin)).rejects.toThrow(/ap\.bin: is empty, as its \.meta says \(fileSizeBytes=0\): SpikeGLX saved no sample in that run \(it stopped before the first\), so there is nothing to open$/);
    writeFileSync(meta, text.replace(/^fileSizeBytes=.*\r?\n/m, ''));
    await expect(openSource(bin)).rejects.toThrow(/ap\.bin: is empty, and its \.meta gives no fileSizeBytes: there is nothing to open \(if SpikeGLX is recording into it now, follow it live instead\)$/);
  });
  it('a damaged .meta: a channel subset, a channel count or a rate no acquisition writes is refused at once, naming the key', async () => {
    const dir = tempDir();
    const bin = spikeglx(dir, 'Noise_g0_t0.imec0.ap.meta');
    const meta = bin.replace(/\.bin$/, '.meta');
    const good = readFileSync(meta, 'utf8');
    const cases: [RegExp, string, RegExp][] = [
      // Counted only to one past nSavedChans ("more than"), not to 10^11 in a frozen host.
      [/^snsSaveChanSubset=.*$/m, 'snsSaveChanSubset=0:99999999999', /snsSaveChanSubset lists more than 385 channels but nSavedChans is 385/],
      [/^snsSaveChanSubset=.*$/m, 'snsSaveChanSubset=0:10,x', /snsSaveChanSubset must be "all" or channel numbers and a:b ranges in ascending order, separated by commas, got "0:10,x"/],
      // SpikeGLX saves columns in ascending order: a list out of order gave each column another channel's gain and site.
      [/^snsSaveChanSubset=.*$/m, 'snsSaveChanSubset=768,0:383', /in ascending order, separated by commas, got "768,0:383"/],
      [/^snsSaveChanSubset=.*$/m, 'snsSaveChanSubset=0:383,383', /got "0:383,383"/],
      [/^snsApLfSy=.*$/m, 'snsApLfSy=x,y,z', /snsApLfSy must be channel counts per kind separated by commas \(AP,LF,SY\), got "x,y,z"/],
      [/^nSavedChans=.*$/m, 'nSavedChans=0', /nSavedChans must be a whole number of channels from 1 to 65536, got 0/],
      [/^imSampRate=.*$/m, 'imSampRate=1e300', /the sampling rate must be above 0 and at most 10 MHz, got 1e\+300 Hz/],
      // Counts that do not add up: the sync column would be filtered as a channel (or a channel split off as sync).
      [/^snsApLfSy=.*$/m, 'snsApLfSy=384,0,0', /snsApLfSy=384,0,0 adds up to 384 channels but nSavedChans is 385/],
      // SpikeGLX writes whole frames: a size that is not some number of them means another channel count.
      [/^fileSizeBytes=.*$/m, 'fileSizeBytes=121625351', /fileSizeBytes=121625351 is not a whole number of frames of nSavedChans=385 int16 channels \(770 bytes each\): one of the two is wrong/],
      // Cut short before its last keys: its samples would have been taken for µV (gain 1).
      [/^~imroTbl=.*\r?\n/m, '', /has no ~imroTbl, which every probe's \.meta holds after its other keys: it was cut short/]
    ];
    for (const [key, value, why] of cases) {
      writeFileSync(meta, good.replace(key, value));
      await expect(openSource(bin)).rejects.toThrow(why);
    }
  });

  it('a damaged site map is said, and the probe laid out as one made-up column rather than half on the probe', async () => {
    const dir = tempDir();
    const bin = spikeglx(dir, 'Noise_g0_t0.imec0.ap.meta');
    const meta = bin.replace(/\.bin$/, '.meta');
    const good = readFileSync(meta, 'utf8');
    writeFileSync(meta, good.replace(/(~snsShankMap=\([^)]*\)\([^)]*\)\([^)]*\)\()[^)]*\)/, '$1x:y:z)'));
    const src = await openSource(bin);
    expect(src.info.warnings).toContain("its ~snsShankMap is damaged (entry 2 is not shank:col:row:used numbers): the channels are placed in a made-up column, 20 µm apart, so a local reference and a sorter's channel map would be wrong");
    expect(src.info.channels.slice(0, 3).map((c) => [c.x, c.y])).toEqual([[0, 0], [0, 20], [0, 40]]);
    await src.close();
  });

  it('smaller than one frame; a missing .meta', async () => {
    const dir = tempDir();
    const bin = spikeglx(dir, 'Noise_g0_t0.imec0.ap.meta');
    truncateSync(bin, 100);
    await expect(openSource(bin)).rejects.toThrow(/Noise_g0_t0\.imec0\.ap\.bin: holds 100 bytes, less than one frame \(770 bytes: nSavedChans=385 int16 values\), but its \.meta says SpikeGLX wrote 121625350 bytes/);
    const lonely = join(dir, 'lonely.imec0.ap.bin');
    writeFileSync(lonely, Buffer.alloc(770));
    await expect(openSource(lonely)).rejects.toThrow(/lonely\.imec0\.ap\.bin: has no \.meta beside it/);
    // The run's folder, not one of its streams: said as such (it was "holds no Open Ephys recording").
    await expect(openSource(dir)).rejects.toThrow(/is a folder of SpikeGLX streams \(.*lonely\.imec0\.ap\.bin.*\): open one of the \.bin files$/);
  });
  it('a SpikeGLX .meta chosen in place of its .bin opens the recording, never its text as raw data; without its .bin, says so', async () => {
    const dir = tempDir();
    const bin = spikeglx(dir, 'Noise_g0_t0.imec0.ap.meta');
    const meta = bin.replace(/\.bin$/, '.meta');
    for (const o of [{}, { raw: { channels: 385, fs: 30000 } }]) {
      const src = await openSource(meta, o);
      expect(src.info).toMatchObject({ format: 'spikeglx', path: bin, frameChannels: 385 });
      await src.close();
    }
    const alone = join(dir, 'alone_g0_t0.imec0.ap.meta');
    copyFileSync(meta, alone);
    await expect(openSource(alone, { raw: { channels: 385, fs: 30000 } })).rejects.toThrow(/alone_g0_t0\.imec0\.ap\.meta: is a SpikeGLX \.meta; the recording it describes, alone_g0_t0\.imec0\.ap\.bin, is not beside it$/);
  });
  it('an imec .bin without its .meta read as 385 channels: the sync column is split off, the sites are a Neuropixels 1.0 probe’s', async () => {
    const lonely = join(tempDir(), 'lonely_g0_t0.imec0.ap.bin');
    const x = new Int16Array(385 * 10).map((_, i) => (i % 385 === 384 ? 64 : i % 385));
    writeFileSync(lonely, x);
    const src = await openSource(lonely, { raw: { channels: 385, fs: 30000 } });
    expect(src.info.channels).toHaveLength(384);
    expect(src.info.syncChannel).toEqual({ column: 384, gain: 1 });
    expect(src.info.channels[3]).toMatchObject({ id: 'AP3', x: 43, y: 20 });
    expect(src.info.uncalibrated).toBe(true); // no gain given: file units, not an assumed µV
    expect(src.info.warnings).toEqual([expect.stringMatching(/^no \.meta: the sites are taken to be a Neuropixels 1\.0 probe's/)]);
    expect(Array.from((await src.read(2, 3)) as Int16Array)).toEqual(Array.from({ length: 384 }, (_, c) => c));
    await src.close();
    // A plain raw file's column is made up, and said to be.
    const plain = join(tempDir(), 'rig.dat');
    writeFileSync(plain, new Int16Array(32 * 10));
    const raw = await openSource(plain, { raw: { channels: 32, fs: 30000 } });
    expect(raw.info.warnings).toEqual([expect.stringMatching(/^a raw file says nothing of its probe: its channels are placed in a made-up column/)]);
    await raw.close();
  });
  it('raw files: wrong channel count, wrong dtype, fs ≤ 0', async () => {
    const dir = tempDir();
    const f = join(dir, 'x.dat');
    writeFileSync(f, Buffer.alloc(2 * 7 * 100));
    await expect(openSource(f, { raw: { channels: 8, fs: 30000 } })).rejects.toThrow(/x\.dat: 1400 data bytes is not a whole number of 8-channel int16 frames/);
    // Refused files are closed again: a viewer retrying one must not run out of descriptors.
    if (existsSync('/proc/self/fd')) {
      const open = () => readdirSync('/proc/self/fd').length;
      const before = open();
      for (let i = 0; i < 50; i++) await openSource(f, { raw: { channels: 8, fs: 30000 } }).catch(() => {});
      expect(open()).toBeLessThan(before + 5);
    }
    await expect(openSource(f, { raw: { channels: 7, fs: 30000, dtype: 'int8' as never } })).rejects.toThrow(/"dtype"/);
    await expect(openSource(f, { raw: { channels: 7, fs: 0 } })).rejects.toThrow(/"fs"/);
    await expect(openSource(f, { raw: { channels: 7, fs: 30000, headerBytes: -10 } })).rejects.toThrow(/a header length of 0 or more bytes for "headerBytes" but received -10/);
    const ok = await openSource(f, { raw: { channels: 7, fs: 30000, dtype: 'uint16' } });
    expect(Array.from((await ok.read(0, 1)) as Int16Array)).toEqual(Array(7).fill(-32768));
    await ok.close();
  });
  it('raw files: half or twice the channel count (192 or 768 for 384), whose frames fit the file, opens with a warning that says so', async () => {
    const dir = tempDir();
    const f = join(dir, 'probe.dat'); // 384 channels, each with its own offset, as a wideband probe has
    const sim = new Simulator();
    const x = sim.generate(0, 12000).map((v, i) => v + (((i % 384) * 7919) % 601) - 300);
    writeFileSync(f, x);
    const warned = async (channels: number) => {
      const src = await openSource(f, { raw: { channels, fs: 30000, gainUv: 2.34375 } });
      await src.close();
      return src.info.warnings![0];
    };
    expect(await warned(192)).toBe('the data look like 384 channels per frame, not the 192 given (twice as many): if so, each trace alternates between two channels; reopen it with 384');
    expect(await warned(768)).toBe('the data look like 384 channels per frame, not the 768 given (half as many): if so, each channel is shown twice, at half its rate, and times run twice as slow; reopen it with 384');
    expect(await warned(384)).toMatch(/^a raw file says nothing of its probe/);
  });

  it('an oebin with no continuous stream; num_channels disagreeing with the data', async () => {
    const dir = tempDir();
    const node = openephys(dir, 'np1.structure.oebin', 10, 0n);
    const oebin = join(node, 'experiment1/recording1/structure.oebin');
    const doc = JSON.parse(readFileSync(oebin, 'utf8'));
    // 383 channels of data where the oebin says 384: the partial frame left over is said, and the data's own width.
    const dat = join(node, 'experiment1/recording1/continuous/Neuropix-PXI-100.ProbeA/continuous.dat');
    writeFileSync(dat, Int16Array.from({ length: 383 * 1000 }, (_, i) => (i % 383) * 50 + Math.round(10 * Math.sin(i / 383 / 7))));
    const odd = await openSource(node);
    expect(odd.info.samples).toBe(Math.floor((383 * 1000) / 384));
    expect(odd.info.warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/^continuous\.dat ends in \d+ bytes of a partial frame, left out: it was cut short, or num_channels \(384\) is not the data's$/),
      'its data look like 383 channels per frame, but the oebin says num_channels=384: read as the oebin says, every trace mixes channels'
    ]));
    await odd.close();
    writeFileSync(oebin, JSON.stringify({ ...doc, continuous: [] }));
    await expect(openSource(oebin)).rejects.toThrow(/structure\.oebin: describes no continuous stream/);
  });
  it('an oebin with missing or mistyped fields names the field, never a JavaScript error', async () => {
    const dir = tempDir();
    const node = openephys(dir, 'np1.structure.oebin', 10, 0n);
    const oebin = join(node, 'experiment1/recording1/structure.oebin');
    const doc = JSON.parse(readFileSync(oebin, 'utf8'));
    const s0 = doc.continuous[0];
    const cases: [unknown, RegExp][] = [
      [null, /describes no continuous stream/],
      [{ ...doc, continuous: { a: 1 } }, /"continuous" is not a list of streams/],
      [{ ...doc, continuous: [null] }, /continuous stream 0: is not an object/],
      [{ ...doc, continuous: [{ ...s0, folder_name: undefined }] }, /continuous stream 0: "folder_name" is missing/],
      [{ ...doc, continuous: [{ ...s0, folder_name: '../../../../../etc/' }] }, /continuous stream 0: "folder_name" "\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/" leaves the recording's continuous folder/],
      [{ ...doc, continuous: [{ ...s0, sample_rate: '30000' }] }, /continuous stream 0: "sample_rate" must be a rate above 0 and at most 10 MHz \("30000"\)/],
      // JSON's 1e999 is Infinity; 0 channels made a source of none and infinitely many samples.
      [JSON.stringify({ ...doc, continuous: [{ ...s0, sample_rate: 12345 }] }).replace('12345', '1e999'), /continuous stream 0: "sample_rate" must be a rate above 0 and at most 10 MHz \(Infinity\)/],
      [{ ...doc, continuous: [{ ...s0, num_channels: 0, channels: [] }] }, /continuous stream 0: "num_channels" must be a whole number from 1 to 65536 \(0\)/],
      [{ ...doc, continuous: [{ ...s0, channels: s0.channels.map((c: { channel_name: string }, i: number) => (i === s0.channels.length - 1 ? { ...c, channel_name: 'AP_SYNC', bit_volts: 'x' } : c)) }] }, /has no "bit_volts" number/],
      [{ ...doc, continuous: [{ ...s0, channels: undefined }] }, /continuous stream 0: "channels" is missing or not a list/],
      [{ ...doc, continuous: [{ ...s0, channels: [null, ...s0.channels.slice(1)] }] }, /continuous stream 0: channel 0 has no "channel_name"/],
      [{ ...doc, continuous: [{ ...s0, channels: s0.channels.map((c: object, i: number) => (i === 5 ? { ...c, bit_volts: undefined } : c)) }] }, /channel 5 \("CH5"\) has no usable "bit_volts", so its µV cannot be known/]
    ];
    for (const [content, message] of cases) {
      writeFileSync(oebin, typeof content === 'string' ? content : JSON.stringify(content));
      await expect(openSource(oebin)).rejects.toMatchObject({ code: expect.stringMatching(/BAD_OEBIN|NO_CONTINUOUS/), message: expect.stringMatching(message) });
    }
    // A stream_name that is no text is passed over for its folder's name (it was a TypeError beside a settings.xml).
    const beside = join(openephys(tempDir(), 'np1.structure.oebin', 10, 0n, 'np1.settings.xml'), 'experiment1/recording1/structure.oebin');
    writeFileSync(beside, JSON.stringify({ ...doc, continuous: [{ ...s0, stream_name: 101 }] }));
    const src = await openSource(beside);
    await src.close();
    expect(src.info.stream).toBe(s0.folder_name.replace(/\/$/, ''));
  });
  it('a SpikeGLX .meta without a usable gain for a channel: refused, naming where', async () => {
    const dir = tempDir();
    const bin = spikeglx(dir, 'Noise_g0_t0.imec0.ap.meta');
    const meta = bin.replace(/\.bin$/, '.meta');
    const text = readFileSync(meta, 'utf8');
    writeFileSync(meta, text.replace(/\(383 0 0 500 125 1\)/, ''));
    await expect(openSource(bin)).rejects.toThrow(/imroTbl \(383 entries\) for readout channel 383 gives no usable AP gain/);
    writeFileSync(meta, text.replace(/\(0 0 0 500 125 1\)/, '(0 0 0 0 125 1)'));
    await expect(openSource(bin)).rejects.toThrow(/for readout channel 0 gives no usable AP gain, so its µV cannot be known/);
  });
  it('a folder with no recording, a missing path, a symlink loop', async () => {
    const { symlinkSync } = await import('node:fs');
    const dir = tempDir();
    mkdirSync(join(dir, 'empty'));
    await expect(openSource(join(dir, 'empty'))).rejects.toThrow(/empty: holds no Open Ephys recording/);
    await expect(openSource(join(dir, 'nope.bin'))).rejects.toThrow(/nope\.bin: no such file or folder/);
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    await expect(openSource(join(dir, 'a'))).rejects.toThrow(/a: too many symbolic links/);
  });
  it('permission denied names the file', async () => {
    const dir = tempDir();
    const f = join(dir, 'secret.imec0.ap.bin');
    writeFileSync(f, Buffer.alloc(770));
    copyFileSync(join(fixtures, 'spikeglx', 'Noise_g0_t0.imec0.ap.meta'), f.replace(/\.bin$/, '.meta'));
    chmodSync(f.replace(/\.bin$/, '.meta'), 0);
    if (process.getuid?.() !== 0) {
      await expect(openSource(f)).rejects.toThrow(/secret\.imec0\.ap\.meta: permission denied/);
    } else {
      // Root reads files whatever their mode (as in CI), so the mapping of the error is checked directly.
      const { fsError } = await import('../../main/sources/source.ts');
      expect(fsError(f, Object.assign(new Error('EACCES'), { code: 'EACCES' })).message).toMatch(/secret\.imec0\.ap\.bin: permission denied/);
    }
  });
});

describe('a read that fails names the file', () => {
  it('an I/O error while reading rows (here EISDIR: a folder opened as a file) says which file, not only "EISDIR: illegal operation on a directory, read"', async () => {
    const { openFrames } = await import('../../main/sources/frame-reader.ts');
    const dir = join(tempDir(), 'not-a-file.bin');
    mkdirSync(dir);
    for (let i = 0; i < 8; i++) writeFileSync(join(dir, `entry-${i}`), '');
    // A folder opens for reading on Linux and stats as a size; only its read fails.
    const frames = await openFrames({ path: dir, headerBytes: 0, frameChannels: 1, dtype: 'int16', columns: [0], partialLastFrame: true });
    try {
      await expect(frames.read(0, 1)).rejects.toMatchObject({ code: 'EISDIR', message: expect.stringMatching(/not-a-file\.bin/) });
    } finally {
      await frames.close();
    }
  });
});

describe('SpikeGLX NIDQ and OneBox', () => {
  it('a OneBox stream: its XA inputs scaled by obAiRangeMax / obMaxInt as neo scales them, its sync channel split off, SpikeInterface ids obx0#XA0', async () => {
    const dir = tempDir();
    const bin = join(dir, 'run_g0_t0.obx0.obx.bin');
    const meta = ['typeThis=obx', 'fileName=D:/run_g0/run_g0_t0.obx0.obx.bin', 'nSavedChans=4', 'obSampRate=30303.03', 'obAiRangeMax=5', 'obMaxInt=32768', 'snsXaDwSy=2,1,1', 'acqXaDwSy=2,1,1', 'snsSaveChanSubset=all', '~snsChanMap=(2,1,1)(XA0;0:0)(XA1;1:1)(XD0;2:2)(SY0;3:3)', ''];
    writeFileSync(bin.replace(/\.bin$/, '.meta'), meta.join('\n'));
    writeFileSync(bin, new Int16Array(4 * 200).map((_, i) => [1000, -1000, 4, 0][i % 4]));
    const src = await openSource(bin);
    expect(src.info).toMatchObject({ stream: 'obx0', fs: 30303.03, syncChannel: { column: 3, gain: 1 } });
    expect(src.info.channels.map((c) => c.id)).toEqual(['XA0', 'XA1', 'XD0']);
    expect(src.info.channels.map((c) => c.gainUv)).toEqual([(5 / 32768) * 1e6, (5 / 32768) * 1e6, 1]);
    expect(spikeInterfaceChannelIds(src.info, src.info.channels)).toEqual(['obx0#XA0', 'obx0#XA1', 'obx0#XD0']);
    await src.close();
    writeFileSync(bin.replace(/\.bin$/, '.meta'), meta.filter((l) => !l.startsWith('obMaxInt')).join('\n'));
    await expect(openSource(bin)).rejects.toThrow(/the \.meta for channel 0 gives no usable range \(obAiRangeMax, obMaxInt\), so its µV cannot be known/);
  });

  it('scales MN and MA channels by their gains, in µV', async () => {
    const dir = tempDir();
    const bin = join(dir, 'run_g0_t0.nidq.bin');
    writeFileSync(bin.replace(/\.bin$/, '.meta'), ['typeThis=nidq', 'niSampRate=25000', 'nSavedChans=4', 'snsMnMaXaDw=2,1,0,1', 'niAiRangeMax=5', 'niMNGain=200', 'niMAGain=2', 'snsSaveChanSubset=all', ''].join('\n'));
    writeFileSync(bin, Buffer.alloc(4 * 2 * 10));
    const src = await openSource(bin);
    expect(src.info.fs).toBe(25000);
    expect(src.info.channels.map((c) => c.gainUv)).toEqual([(5 / 32768 / 200) * 1e6, (5 / 32768 / 200) * 1e6, (5 / 32768 / 2) * 1e6, 1]);
    await src.close();
  });
});
