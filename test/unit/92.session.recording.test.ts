// A finished recording opened for scrubbing: windows processed on demand with SpikeInterface's
// margins, equal to the batch executor's output for the same window; a 1 h file opens at once.
import { closeSync, openSync, readFileSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoMarginSamples, engineStats, processFile, type PipelineSpec, type ProcessFileOptions } from '../../main/engine/index.ts';
import { adcSampleShifts } from '../../main/sources/adc-shifts.ts';
import { openSource } from '../../main/sources/open-source.ts';
import type { FileSession } from '../../main/sessions/file-session.ts';
import { SessionManager } from '../../main/sessions/manager.ts';
import { filterSpecOf } from '../../main/sessions/view-pipeline.ts';
import { Simulator } from '../../main/sources/simulator.ts';
import { simulatorMeta } from '../../main/sources/spikeglx-writer.ts';
import { cli } from './cli.ts';
import { tempDir } from './helpers.ts';

/** A finished SpikeGLX recording from `probedeck simulate`, and a session manager to open it with. */
function simulatedRecording(seconds: number) {
  const dir = tempDir();
  const bin = join(dir, 'rec_g0_t0.imec0.ap.bin');
  expect(cli(['simulate', '--out', bin, '--seconds', String(seconds), '--pace', '0']).code).toBe(0);
  return { dir, bin, m: new SessionManager(64 * 2 ** 20, () => {}) };
}

/** The executor's float64 output on a simulated recording in µV, for the same window and margins. */
async function executorOutput(dir: string, bin: string, pipeline: PipelineSpec, range: Pick<ProcessFileOptions, 'chunkSamples' | 'startSample' | 'endSample'>): Promise<Float32Array> {
  const out = join(dir, 'ref.f32');
  await processFile({
    input: bin,
    output: out,
    channels: 384,
    fs: 30000,
    dtype: 'int16',
    outDtype: 'float32',
    frame: { frameChannels: 385, columns: Array.from({ length: 384 }, (_, c) => c) }, // the sync column last
    scale: { gainUv: new Float32Array(384).fill(new Simulator({ seed: 1 }).describe(0).channels[0].gainUv), offsetUv: new Float32Array(384) },
    pipeline,
    nJobs: 1,
    nWorkers: 1,
    ...range
  });
  return new Float32Array(new Uint8Array(readFileSync(out)).buffer);
}

describe('a recording opened for scrubbing', () => {
  it('finds bad channels over the whole recording on request, reports them, and keeps them out of the CMR', async () => {
    const { bin } = simulatedRecording(4);
    const statuses: string[] = [];
    const m = new SessionManager(64 * 2 ** 20, (st) => st.badChannels.length && statuses.push(st.badChannels.map((b) => `${b.index} ${b.label}`).join(', ')));
    const info = await m.open({ kind: 'recording', path: bin });
    expect(info.badChannels).toEqual([]);
    const s = m.require();
    const before = await s.columns(45000, 1, 300, true, 45300);
    s.setPipeline({ ...info.pipeline, detectBadChannels: true });
    await expect.poll(() => s.describe().badChannels, { timeout: 20_000 }).toEqual([{ index: 77, label: 'noise' }, { index: 191, label: 'dead' }]);
    expect(statuses.at(-1)).toBe('77 noise, 191 dead');
    // The noisy channel no longer pulls the median: the processed window changed.
    expect((await s.columns(45000, 1, 300, true, 45300)).minmax).not.toEqual(before.minmax);
    s.setPipeline({ ...info.pipeline, detectBadChannels: false });
    expect(s.describe().badChannels).toEqual([]);
    // A corner near 0 Hz would read minutes around every window: refused, and the pipeline kept.
    const kept = s.describe().pipeline;
    expect(() => s.setPipeline({ ...info.pipeline, filter: { kind: 'bandpass', lowHz: 0.01, highHz: 6000, order: 5 } })).toThrow(/needs 500 s of neighbours each side of every window .*: use a corner of 0\.0834 Hz or more/);
    expect(s.describe().pipeline).toEqual(kept);
    await m.close();
  }, 30_000);

  it('runs the detection method the preset names: std finds the noisy channel only (the dead one is quiet, not deviant)', async () => {
    const { bin } = simulatedRecording(4);
    const m = new SessionManager(64 * 2 ** 20, () => {});
    const info = await m.open({ kind: 'recording', path: bin });
    const s = m.require();
    s.setPipeline({ ...info.pipeline, detectBadChannels: true, detectMethod: 'std' });
    await expect.poll(() => s.describe().badChannels, { timeout: 20_000 }).toEqual([{ index: 77, label: 'noise' }]);
    // Another preset, another method: it runs, rather than keeping what std found.
    s.setPipeline({ ...info.pipeline, detectBadChannels: true, detectMethod: 'coherence+psd' });
    expect(s.status().detection).toBe('running');
    await expect.poll(() => s.describe().badChannels, { timeout: 20_000 }).toEqual([{ index: 77, label: 'noise' }, { index: 191, label: 'dead' }]);
    // Changed again while it runs: the run asked for last is the one that reports.
    s.setPipeline({ ...info.pipeline, detectBadChannels: true, detectMethod: 'std' });
    s.setPipeline({ ...info.pipeline, detectBadChannels: true, detectMethod: 'coherence+psd' });
    await expect.poll(() => s.status().detection, { timeout: 20_000 }).toBe('done');
    expect(s.describe().badChannels).toEqual([{ index: 77, label: 'noise' }, { index: 191, label: 'dead' }]);
    s.setPipeline({ ...info.pipeline, detectBadChannels: true, detectMethod: 'coherence+psd' });
    s.setPipeline({ ...info.pipeline, detectBadChannels: true, detectMethod: 'std' });
    await expect.poll(() => s.status().detection, { timeout: 20_000 }).toBe('done');
    expect(s.describe().badChannels).toEqual([{ index: 77, label: 'noise' }]);
    await m.close();
  }, 60_000);

  it('a detection still running when another recording opens never reports into the new one', async () => {
    const a = simulatedRecording(4);
    const b = simulatedRecording(1);
    const sources: string[] = [];
    const m = new SessionManager(64 * 2 ** 20, (st) => sources.push(st.source));
    const info = await m.open({ kind: 'recording', path: a.bin });
    m.require().setPipeline({ ...info.pipeline, detectBadChannels: true });
    await m.open({ kind: 'recording', path: b.bin });
    const opened = sources.length;
    await new Promise((r) => setTimeout(r, 3000));
    expect(sources.slice(opened).filter((src) => src !== b.bin)).toEqual([]);
    expect(m.require().status().badChannels).toEqual([]);
    await m.close();
  }, 30_000);

  it.each([
    ['zero-phase + CMR', false],
    ['zero-phase + FIR ADC phase shift + CMR', true]
  ])('serves any window processed as the executor would (%s, real neighbours ±margin)', async (_name, shifted) => {
    const { dir, bin, m } = simulatedRecording(3);
    const source = await openSource(bin);
    const shifts = adcSampleShifts(source.info.probe!.kind, source.info.channels.map((c) => c.readout));
    await source.close();
    const info = await m.open({ kind: 'recording', path: bin });
    expect(info).toMatchObject({ kind: 'recording', fs: 30000, historySeconds: 3 });
    const s = m.require();
    if (shifted) s.setPipeline({ ...info.pipeline, phaseShift: { taps: 16 } });
    // One column per sample: min = max = the processed value.
    const r = await s.columns(30000, 1, 6000, true, 36000);
    expect([r.fromColumn, r.count, r.newestSample, r.oldestSample]).toEqual([30000, 6000, 90000, 0]);
    // The executor on the same file, µV, same window and margins, float64.
    const pipeline = {
      filter: { kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000, phase: 'zero' },
      ...(shifted ? { phaseShift: { method: 'fir' as const, shifts, taps: 16 as const } } : {}),
      reference: { mode: 'global', operator: 'median', exclude: [] as number[] }
    } as const;
    const ref = await executorOutput(dir, bin, pipeline, { chunkSamples: 6000, startSample: 30000, endSample: 36000 });
    let ss = 0;
    let worst = 0;
    for (let i = 0; i < ref.length; i++) {
      ss += ref[i] * ref[i];
      worst = Math.max(worst, Math.abs(r.minmax[2 * i] - ref[i]));
    }
    // The view filters in float32 for speed: on this data (large LFP under a small AP band) that
    // is ~1.5e-4 of the output's RMS, far below a pixel; exports stay float64.
    expect(worst / Math.sqrt(ss / ref.length)).toBeLessThan(1e-3);
    if (shifted) {
      // The shift really ran: the same window unshifted differs by far more than that.
      s.setPipeline({ ...info.pipeline, phaseShift: null });
      const plain = await s.columns(30000, 1, 6000, true, 36000);
      let d = 0;
      for (let i = 0; i < ref.length; i++) d = Math.max(d, Math.abs(plain.minmax[2 * i] - ref[i]));
      expect(d / Math.sqrt(ss / ref.length)).toBeGreaterThan(1e-2);
    }
    await m.close();
  });

  it('a long window goes in 1 s pieces on the file’s grid: overlapping windows agree column for column, as the executor’s 1 s chunks', async () => {
    const { dir, bin, m } = simulatedRecording(4);
    await m.open({ kind: 'recording', path: bin });
    const s = m.require();
    // 30 samples a column, windows of 2.5 s from 0.15 s and from 0.55 s: their overlap is the same
    // columns, bit for bit (each processed whole, the two windows' edges and margins differed).
    const spc = 30, n = 2500;
    const a = await s.columns(150, spc, n, true, 150 + n);
    const b = await s.columns(550, spc, n, true, 550 + n);
    const overlap = (r: { fromColumn: number; minmax: Float32Array }, from: number, to: number) => r.minmax.subarray((from - r.fromColumn) * 384 * 2, (to - r.fromColumn) * 384 * 2);
    const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    expect(bytes(overlap(a, 550, 2650)).equals(bytes(overlap(b, 550, 2650)))).toBe(true);
    // And they are what an export in SpikeInterface's 1 s chunks writes (float64 there, float32 here).
    const pipeline = { filter: { kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000, phase: 'zero' }, reference: { mode: 'global', operator: 'median', exclude: [] as number[] } } as const;
    const ref = await executorOutput(dir, bin, pipeline, { chunkSamples: 30000 });
    let ss = 0;
    let worst = 0;
    for (let col = a.fromColumn; col < a.fromColumn + a.count; col++)
      for (let c = 0; c < 384; c++) {
        let lo = Infinity, hi = -Infinity;
        for (let t = col * spc; t < (col + 1) * spc; t++) (lo = Math.min(lo, ref[t * 384 + c])), (hi = Math.max(hi, ref[t * 384 + c])), (ss += ref[t * 384 + c] ** 2);
        const k = ((col - a.fromColumn) * 384 + c) * 2;
        worst = Math.max(worst, Math.abs(a.minmax[k] - lo), Math.abs(a.minmax[k + 1] - hi));
      }
    expect(worst / Math.sqrt(ss / (a.count * spc * 384))).toBeLessThan(1e-3);
    await m.close();
  }, 60_000);

  it('a pipeline changed while a long window is processed: all its pieces come out of the pipeline it began with', async () => {
    const dir = tempDir();
    const bin = join(dir, 'rec_g0_t0.imec0.ap.bin');
    expect(cli(['simulate', '--out', bin, '--seconds', '3', '--pace', '0']).code).toBe(0);
    let hook: (() => void) | null = null;
    const m = new SessionManager(64 * 2 ** 20, () => hook?.());
    const info = await m.open({ kind: 'recording', path: bin });
    const s = m.require() as FileSession;
    const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
    // 2.5 s: three pieces of 1 s, each saying its speed when done.
    const want = await s.columns(150, 30, 2500, true, 2650);
    // CMR off once the first piece is done (as a click on "CMR" while the window is being processed).
    hook = () => {
      hook = null;
      s.setPipeline({ ...info.pipeline, reference: { ...info.pipeline.reference, mode: 'none' } });
    };
    const got = await s.columns(150, 30, 2500, true, 2650);
    expect(hook).toBeNull();
    expect(bytes(got.minmax).equals(bytes(want.minmax))).toBe(true);
    // The next window runs the new pipeline.
    expect(bytes((await s.columns(150, 30, 2500, true, 2650)).minmax).equals(bytes(want.minmax))).toBe(false);
    await m.close();
  });

  it('a 1 h recording opens at once and a window deep inside it comes back', async () => {
    const dir = tempDir();
    const bin = join(dir, 'hour_g0_t0.imec0.ap.bin');
    const samples = 3600 * 30000;
    const sim = new Simulator({ seed: 1 });
    writeFileSync(bin.replace(/\.bin$/, '.meta'), simulatorMeta(sim, samples, 'hour_g0_t0.imec0.ap.bin', false));
    // Sparse: 83 GB of holes (the simulator writes 384 channels, no sync), with 2 s of real data at 30 min.
    const fd = openSync(bin, 'w');
    ftruncateSync(fd, samples * 384 * 2);
    const at = 1800 * 30000;
    const rows = sim.generate(at, 60000);
    writeSync(fd, rows, 0, rows.byteLength, at * 384 * 2);
    closeSync(fd);
    const m = new SessionManager(64 * 2 ** 20, () => {});
    const t0 = performance.now();
    const info = await m.open({ kind: 'recording', path: bin });
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(info.historySeconds).toBe(3600);
    const spc = 32; // 1 s over ~940 columns
    const from = Math.floor((at + 15000) / spc);
    const r = await m.require().columns(from, spc, 937, true, from + 937);
    expect(r.count).toBe(937);
    let peak = 0;
    for (const v of r.minmax) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeGreaterThan(20); // real, filtered data, not the zeros around it
    await m.close();
  });
  it('serves the last samples of a recording: a partial last column over what the file holds', async () => {
    const { dir, m } = simulatedRecording(0.1);
    // 1000 samples of 2 channels, sample t worth t: 300-sample columns end with one of 100.
    const f = join(dir, 'ramp.f32');
    writeFileSync(f, Float32Array.from({ length: 2 * 1000 }, (_, i) => Math.floor(i / 2)));
    await m.open({ kind: 'recording', path: f, channels: 2, fs: 30000, dtype: 'float32' });
    const r = await m.require().columns(0, 300, 100, false);
    expect([r.fromColumn, r.count, r.newestSample]).toEqual([0, 4, 1000]);
    expect(Array.from(r.minmax.subarray(3 * 4))).toEqual([900, 999, 900, 999]);
    // A window asked for to its end (a scrub to the end) gets it too; the processed view as well.
    expect((await m.require().columns(0, 300, 100, false, 4)).count).toBe(4);
    expect((await m.require().columns(2, 300, 2, true)).count).toBe(2);
    await m.close();
  });

  it('a detection that fails says so in its state, and runs again when switched off and on', async () => {
    const dir = tempDir();
    const tiny = join(dir, 'tiny.dat'); // 10 ms of data: every channel looks bad, and nothing is left to reference
    writeFileSync(tiny, Int16Array.from({ length: 384 * 300 }, (_, i) => ((i * 7919) % 200) - 100));
    const m = new SessionManager(64 * 2 ** 20, () => {});
    const info = await m.open({ kind: 'recording', path: tiny, channels: 384, fs: 30000 });
    m.setPipeline({ ...info.pipeline, detectBadChannels: true });
    await expect.poll(() => m.status()!.detection, { timeout: 20_000 }).toBe('failed');
    expect(m.status()!.message).toMatch(/^bad-channel detection failed: /);
    m.setPipeline({ ...info.pipeline, detectBadChannels: false });
    expect(m.status()!.detection).toBe('off');
    m.setPipeline({ ...info.pipeline, detectBadChannels: true });
    expect(m.status()!.detection).not.toBe('failed');
    await expect.poll(() => m.status()!.detection, { timeout: 20_000 }).toBe('failed');
    await m.close();
  });

  it('a .meta beats the channel count typed in the dialog; that count opens a file without metadata', async () => {
    const { dir, bin, m } = simulatedRecording(1);
    // The dialog always sends its fields; a wrong count must not override the .meta.
    expect(await m.open({ kind: 'recording', path: bin, channels: 386, fs: 25000 })).toMatchObject({ fs: 30000, historySeconds: 1, uncalibrated: false, tStart: 0 });
    // Where SpikeGLX's .meta says the file started on the acquisition's clock, the view is told (SpikeInterface's t_start).
    const later = join(dir, 'later_g0_t0.imec0.ap.bin');
    writeFileSync(later, readFileSync(bin));
    writeFileSync(later.replace(/\.bin$/, '.meta'), readFileSync(bin.replace(/\.bin$/, '.meta'), 'utf8') + 'firstSample=300000\n');
    expect(await m.open({ kind: 'recording', path: later })).toMatchObject({ tStart: 10 });
    const plain = join(dir, 'plain.dat');
    writeFileSync(plain, readFileSync(bin));
    // A raw file has no gain: its values are said in its own units, not µV.
    expect(await m.open({ kind: 'recording', path: plain, channels: 385, fs: 30000 })).toMatchObject({ fs: 30000, historySeconds: 1, uncalibrated: true });
    // With its gain given, µV.
    expect(await m.open({ kind: 'recording', path: plain, channels: 385, fs: 30000, gainUv: 2.34375 })).toMatchObject({ uncalibrated: false });
    expect((m.require() as FileSession).source.info.channels[0].gainUv).toBe(2.34375);
    await expect(m.open({ kind: 'recording', path: plain })).rejects.toThrow(/give its channel count and sampling rate to read it as a raw file/);
    // A float32 file read as the float32 it is (read as int16, every value was two halves of a float).
    const f32 = join(dir, 'plain.f32');
    writeFileSync(f32, Float32Array.from({ length: 4 * 3000 }, (_, i) => (i % 4) * 10.5 + Math.floor(i / 4) * 1e-3));
    await m.open({ kind: 'recording', path: f32, channels: 4, fs: 3000, dtype: 'float32' });
    const rows = await (m.require() as FileSession).source.read(0, 2);
    expect(Array.from(rows)).toEqual([0, 10.5, 21, 31.5].flatMap((v) => [v]).concat([0.001, 10.501, 21.001, 31.501].map((v) => Math.fround(v))));
    // Its gain makes µV of its own units, as an int16 file's does.
    await m.open({ kind: 'recording', path: f32, channels: 4, fs: 3000, dtype: 'float32', gainUv: 0.5 });
    const raw = await m.require().columns(0, 1, 2, false, 2);
    expect(Array.from(raw.minmax.subarray(0, 8))).toEqual([0, 0, 5.25, 5.25, 10.5, 10.5, 15.75, 15.75]);
    await m.close();
  });

  it('a float32 file holding NaN: the processed view says where, the raw view still shows the file', async () => {
    const { dir, m } = simulatedRecording(0.1);
    const f = join(dir, 'nan.f32');
    const x = Float32Array.from({ length: 4 * 30000 }, (_, i) => Math.sin(i / 50));
    x[4 * 20000 + 1] = NaN;
    writeFileSync(f, x);
    await m.open({ kind: 'recording', path: f, channels: 4, fs: 30000, dtype: 'float32' });
    await expect(m.require().columns(19500, 1, 1000, true, 20500)).rejects.toThrow(/nan\.f32 holds NaN or infinite samples between 0\.633 s and 0\.700 s \(this window and the margins its filter reads\): the processed view cannot filter across them; the raw view shows the file as it is/);
    expect((await m.require().columns(0, 1, 1000, true, 1000)).minmax.every(Number.isFinite)).toBe(true);
    expect((await m.require().columns(19500, 1, 1000, false, 20500)).minmax.some(Number.isNaN)).toBe(true);
    await m.close();
  });

  it('says the speed of each processed window as it is measured, with no pipeline change; a raw window is no processing', async () => {
    const { bin } = simulatedRecording(2);
    const said: { speedX: number; lagMs: number }[] = [];
    const m = new SessionManager(64 * 2 ** 20, (st) => said.push({ speedX: st.speedX, lagMs: st.lagMs }));
    const info = await m.open({ kind: 'recording', path: bin });
    const s = m.require();
    const opened = said.length;
    // A scrub: one second, then the next. Each is a status with its own measurement (it said the
    // speed of the open, 0, until the pipeline next changed).
    for (const from of [0, 1000]) {
      await s.columns(from, 30, 1000, true, from + 1000);
      expect(said.length).toBe(opened + 1 + from / 1000);
      expect(said.at(-1)).toEqual({ speedX: s.status().speedX, lagMs: s.status().lagMs });
      expect(said.at(-1)!.speedX).toBeGreaterThan(0);
    }
    const processing = s.status().speedX;
    await s.columns(0, 30, 1000, false, 1000);
    expect(said.length).toBe(opened + 2);
    expect(s.status().speedX).toBe(processing);
    // The readout under the pointer, one column of 30 samples: counted over the rows the engine ran
    // (the filter's margins, the phase shift's neighbours), not as 30 samples' worth (0.3–0.6x).
    await s.columns(1500, 30, 1, true, 1501);
    const side = autoMarginSamples(filterSpecOf(info.pipeline.filter!), 30000) + (info.pipeline.phaseShift ? info.pipeline.phaseShift.taps / 2 : 0);
    const { speedX, lagMs } = said.at(-1)!;
    expect(Math.round((speedX * 30000 * lagMs) / 1000)).toBe(30 + 2 * side);
    await m.close();
  });

  it('a spectrum asked again of the same window is answered without computing it again: the panel polls a paused recording every 2 s', async () => {
    const { bin } = simulatedRecording(3);
    const m = new SessionManager(64 * 2 ** 20, () => {});
    const info = await m.open({ kind: 'recording', path: bin });
    const s = m.require();
    /** Whether the engine allocated work buffers (the filter's tiles) during `ask`. */
    const computes = async (ask: () => Promise<unknown>) => {
      engineStats(true);
      await ask();
      return engineStats().workBytesPeak > engineStats().workBytesLive;
    };
    const first = await s.spectrum([5], 2, true, 16384, 60000);
    expect(await computes(() => s.spectrum([5], 2, true, 16384, 60000))).toBe(false);
    expect((await s.spectrum([5], 2, true, 16384, 60000)).psd).toEqual(first.psd);
    // Anything else asked is another answer: another channel, place or pipeline.
    expect(await computes(() => s.spectrum([6], 2, true, 16384, 60000))).toBe(true);
    expect(await computes(() => s.spectrum([6], 2, true, 16384, 60030))).toBe(true);
    s.setPipeline({ ...info.pipeline, filter: { lowHz: 400, highHz: 6000, order: 5 } });
    expect(await computes(() => s.spectrum([6], 2, true, 16384, 60030))).toBe(true);
    await m.close();
  });

  it('opens asked for together apply in order: the last one is current and each reply describes its own source', async () => {
    const { bin, m } = simulatedRecording(1);
    // The first-run simulator and a click on "Open recording", both in flight.
    const [sim, rec] = await Promise.all([m.open({ kind: 'simulator' }), m.open({ kind: 'recording', path: bin })]);
    expect(sim.kind).toBe('simulator');
    expect(rec.kind).toBe('recording');
    expect(m.info()?.kind).toBe('recording');
    await m.close();
  });
});
