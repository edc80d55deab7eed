import { describe, expect, it } from 'vitest';
import { HistoryRing } from '../../main/sessions/history-ring.ts';
import { DEFAULT_PIPELINE, SessionManager } from '../../main/sessions/manager.ts';
import { LiveSession } from '../../main/sessions/live-session.ts';
import { simulatorInput, type LiveInput } from '../../main/sessions/live-input.ts';
import type { SessionPipeline } from '../../main/api/domains/session.ts';
import { commonReference, designSos, StreamFilter, StreamPhaseShift } from '../../main/engine/index.ts';
import { filterSpecOf, viewReference } from '../../main/sessions/view-pipeline.ts';
import { probeSampleShifts } from '../../main/sources/adc-shifts.ts';

describe('history ring', () => {
  it('keeps the newest rows and gives zero-copy views, two when wrapping', () => {
    const r = new HistoryRing(2, 5);
    r.push(Float32Array.from([0, 0, 1, 1, 2, 2]));
    r.push(Float32Array.from([3, 3, 4, 4, 5, 5, 6, 6]));
    expect([r.start, r.end]).toEqual([2, 7]);
    const v = r.views(3, 7);
    expect(v).toHaveLength(2);
    expect(v.flatMap((x) => Array.from(x))).toEqual([3, 3, 4, 4, 5, 5, 6, 6]);
    expect(r.views(0, 3)).toEqual([]); // already overwritten
  });
});

describe('a live session on the simulator (real engine)', () => {
  it('processes in real time and serves min/max columns on an absolute grid', async () => {
    const statuses: number[] = [];
    const m = new SessionManager(64 * 2 ** 20, (s) => statuses.push(s.newestSample));
    const info = await m.open({ kind: 'simulator', seed: 5 });
    expect(info.channels).toHaveLength(384);
    const s = m.require() as LiveSession;
    // Waits on the data, not on the clock: a loaded machine delays the first rows, not the result.
    await expect.poll(() => s.status().newestSample, { timeout: 20_000 }).toBeGreaterThan(0.5 * 30000);
    const a = await s.columns(0, 30, 100, true);
    expect(a.count).toBe(100);
    expect(a.fromColumn + a.count).toBe(Math.ceil(a.newestSample / 30)); // the newest column may be partial
    expect(a.minmax).toHaveLength(100 * 384 * 2);
    // Only what is new since the last column travels.
    await expect.poll(() => s.status().newestSample, { timeout: 20_000 }).toBeGreaterThan((a.fromColumn + a.count + 51) * 30);
    const b = await s.columns(a.fromColumn + a.count, 30, 100000, true);
    expect(b.fromColumn).toBe(a.fromColumn + a.count);
    expect(b.count).toBeGreaterThan(50);
    const st = s.status();
    expect(st.dropped).toBe(0);
    expect(st.newestSample).toBeGreaterThan(0.5 * 30000);
    // Raw and processed are both kept: the dead channel is flat in the raw data (CMR then subtracts
    // the reference from it too, as SpikeInterface does).
    const raw = await s.columns(a.fromColumn, 30, 100, false, a.fromColumn + a.count);
    const dead = s.input.simulator!.deadChannel;
    for (let k = 0; k < raw.count; k++) expect(raw.minmax[(k * 384 + dead) * 2 + 1] - raw.minmax[(k * 384 + dead) * 2]).toBe(0);
    await m.close();
    expect(statuses.length).toBeGreaterThan(0);
  });
});

describe('the newest column of a live run', () => {
  it('is served partial, over the samples it has, and served again as it fills', async () => {
    // 4 channels at gain 1, every channel's sample t worth t: a column's min and max are its first and last sample.
    let push: (rows: Int16Array, first: number) => void = () => {};
    const channels = Array.from({ length: 4 }, (_, i) => ({ id: `CH${i}`, index: i, readout: i, x: 0, y: 20 * i, shank: 0, gainUv: 1, offsetUv: 0 }));
    const input: LiveInput = { kind: 'file', label: 'pushed', channels, fs: 30000, start: async (onRows) => void (push = onRows), stop: async () => {} };
    const plain: SessionPipeline = { filter: null, reference: { ...DEFAULT_PIPELINE.reference, mode: 'none' }, exclude: [], detectBadChannels: false };
    const s = new LiveSession({ input, pipeline: plain, ramBudgetBytes: 64 * 2 ** 20, nWorkers: 1 });
    await s.start();
    const rows = (a: number, b: number) => Int16Array.from({ length: (b - a) * 4 }, (_, i) => a + Math.floor(i / 4));
    const column = (r: { fromColumn: number; minmax: Float32Array }, col: number) => Array.from(r.minmax.subarray((col - r.fromColumn) * 8, (col - r.fromColumn) * 8 + 2));
    try {
      push(rows(0, 250), 0);
      await expect.poll(() => s.status().newestSample).toBe(250);
      const a = await s.columns(0, 100, 100, false);
      expect([a.fromColumn, a.count, a.newestSample]).toEqual([0, 3, 250]);
      expect(column(a, 2)).toEqual([200, 249]); // samples 200–249 of the column's 100
      push(rows(250, 350), 250);
      await expect.poll(() => s.status().newestSample).toBe(350);
      // Asked again from that column, it comes with what it gained, and the next one begun.
      const b = await s.columns(2, 100, 100, false);
      expect([b.fromColumn, b.count]).toEqual([2, 2]);
      expect([column(b, 2), column(b, 3)]).toEqual([[200, 299], [300, 349]]);
      // A paused window's right edge inside the newest column stops there.
      expect((await s.columns(0, 100, 100, false, 3)).count).toBe(3);
    } finally {
      await s.stop();
    }
  });
});

describe('reading the history while it moves on', () => {
  it('a window at the history’s oldest edge comes back as it was asked for, though newer rows overwrite it while the engine reads it', async () => {
    const C = 384;
    const channels = Array.from({ length: C }, (_, i) => ({ id: `AP${i}`, index: i, readout: i, x: 0, y: 20 * i, shank: 0, gainUv: 1, offsetUv: 0 }));
    const input: LiveInput = { kind: 'file', label: 'pushed', channels, fs: 30000, start: async () => {}, stop: async () => {} };
    const plain: SessionPipeline = { filter: null, reference: { ...DEFAULT_PIPELINE.reference, mode: 'none' }, exclude: [], detectBadChannels: false };
    const s = new LiveSession({ input, pipeline: plain, ramBudgetBytes: 256 * 2 ** 20, nWorkers: 1 });
    await s.start();
    try {
      // The ring full of rows worth their sample number, then a view paused on its oldest second.
      const ring = s.raw;
      const rowsOf = (a: number, b: number, v?: number) => Float32Array.from({ length: (b - a) * C }, (_, i) => v ?? a + Math.floor(i / C));
      ring.push(rowsOf(0, ring.capacity));
      const newer = rowsOf(ring.capacity, ring.capacity + 30000, -1e6);
      const asked = s.columns(0, 300, 100, false, 100);
      // What the drain does as a chunk arrives: the oldest second overwritten, while the engine reads it.
      ring.push(newer);
      const got = await asked;
      expect(got.fromColumn).toBe(0);
      expect(Math.min(...got.minmax)).toBe(0);
      expect(Array.from(got.minmax.subarray(2 * C * 99, 2 * C * 99 + 2))).toEqual([29700, 29999]);
    } finally {
      await s.stop();
    }
  });
});

describe('a live session with the Neuropixels extras', () => {
  it('runs causal band-pass → FIR phase shift → median CMR without the bad channels, in real time', async () => {
    const m = new SessionManager(64 * 2 ** 20, () => {});
    await m.open({ kind: 'simulator', seed: 6 }, { filter: { lowHz: 300, highHz: 6000, order: 3 }, reference: { mode: 'global', operator: 'median', innerUm: 30, outerUm: 55, channel: null }, exclude: [77, 191], phaseShift: { taps: 16 } });
    const s = m.require();
    await expect.poll(() => s.status().newestSample, { timeout: 20_000 }).toBeGreaterThan(0.5 * 30000);
    const st = s.status();
    expect(st.dropped).toBe(0);
    expect(st.newestSample).toBeGreaterThan(0.5 * 30000);
    const a = await s.columns(0, 30, 50, true);
    expect(a.count).toBe(50);
    // Processed data are not the raw data: the shift and the reference changed them.
    const raw = await s.columns(a.fromColumn, 30, 50, false, a.fromColumn + a.count);
    expect(a.minmax).not.toEqual(raw.minmax);
    await m.close();
  });
});

describe('probe-map activity and spectra from a live session', () => {
  it('the noisy channel stands out, the dead one is flat in raw data, and the line noise peaks in the raw spectrum', async () => {
    const m = new SessionManager(64 * 2 ** 20, () => {});
    await m.open({ kind: 'simulator', seed: 2 });
    try {
      const s = m.require();
      await expect.poll(() => s.status().newestSample, { timeout: 20_000 }).toBeGreaterThan(1.5 * 30000);
      const a = await s.activity(1, 5);
      expect(a.seconds).toBeGreaterThan(0.5);
      const order = Array.from(a.rms.keys()).sort((x, y) => a.rms[y] - a.rms[x]);
      expect(order[0]).toBe(77);
      expect(a.ratePerS.every((r) => r >= 0)).toBe(true);
      const sp = await s.spectrum([0, 191], 1, false, 16384);
      const bin = (hz: number) => Math.round(hz / (sp.freqs[1] - sp.freqs[0]));
      const ch0 = sp.psd.subarray(0, sp.bins);
      // 50 Hz line noise: the peak near 50 Hz towers over its neighbourhood (35–45 and 55–65 Hz).
      const around = [...ch0.subarray(bin(35), bin(45)), ...ch0.subarray(bin(55), bin(65))].sort((x, y) => x - y);
      expect(Math.max(...ch0.subarray(bin(48), bin(52) + 1))).toBeGreaterThan(5 * around[Math.floor(around.length / 2)]);
      // The dead channel carries nothing.
      expect(Math.max(...sp.psd.subarray(sp.bins))).toBeLessThan(1e-6);
      expect(s.status().dropped).toBe(0);
    } finally {
      await m.close();
    }
  });
});

describe('a paused moment the live history has moved past', () => {
  it('the probe map and the spectrum asked about it say so (HISTORY_MOVED), not "no data yet"; a moment half held is described over what is held', async () => {
    // 64 MiB for 384 channels: well under a second of history, so the first second is gone soon.
    const m = new SessionManager(64 * 2 ** 20, () => {});
    await m.open({ kind: 'simulator', seed: 2 });
    try {
      const s = m.require();
      const fs = 30000;
      await expect.poll(() => s.status().newestSample, { timeout: 20_000 }).toBeGreaterThan(3 * fs);
      const history = s.status().historySeconds;
      expect(history).toBeLessThan(1);
      // The first half second, long gone: the panels asked about it were told "no processed data yet".
      await expect(s.activity(1, 5, fs / 2)).rejects.toMatchObject({ code: 'HISTORY_MOVED', message: expect.stringMatching(/has left the history/) });
      await expect(s.spectrum([0], 2, false, 16384, fs / 2)).rejects.toMatchObject({ code: 'HISTORY_MOVED' });
      // Two seconds ending at a moment still held: only the seconds held are described, and said.
      const end = s.status().newestSample - fs / 10;
      const a = await s.activity(2, 5, end);
      expect(a.endSample).toBe(end);
      expect(a.seconds).toBeLessThan(history);
      const sp = await s.spectrum([0], 2, false, 16384, end);
      expect(sp.seconds).toBeLessThan(history);
    } finally {
      await m.close();
    }
  });
});

describe('bad channels found live', () => {
  it('after the first seconds, the simulator’s dead and noisy channels leave the reference', async () => {
    const m = new SessionManager(64 * 2 ** 20, () => {});
    const info = await m.open({ kind: 'simulator', seed: 3 }, { ...DEFAULT_PIPELINE, detectBadChannels: true });
    expect(info.pipeline.detectBadChannels).toBe(true);
    try {
      // Detection waits for 4 s of data, then runs beside the live path on one worker (a few seconds).
      await expect.poll(() => m.require().status().badChannels.map((b) => b.index), { timeout: 25_000, interval: 250 }).toEqual([77, 191]);
      expect(m.require().status().badChannels.map((b) => b.label)).toEqual(['noise', 'dead']);
      expect(m.info()!.badChannels).toHaveLength(2);
      expect(m.require().status().dropped).toBe(0);
      expect(m.require().status().message).toMatch(/^bad channels kept out of the reference: AP77 \(noise\), AP191 \(dead\)$/);
      // Another method (another preset's) runs on the newest seconds, rather than keeping what coherence+psd found.
      m.setPipeline({ ...DEFAULT_PIPELINE, detectBadChannels: true, detectMethod: 'std' });
      expect(m.require().status().detection).not.toBe('done');
      await expect.poll(() => m.require().status().detection, { timeout: 25_000, interval: 250 }).toBe('done');
      expect(m.require().status().badChannels.map((b) => `${b.index} ${b.label}`)).toEqual(['77 noise']);
      // A pipeline without detection: what detection said no longer holds and goes; the channels a
      // preset names bad are shown as bad (known) all the same.
      m.setPipeline({ ...DEFAULT_PIPELINE, exclude: [10, 11], detectBadChannels: false });
      expect(m.require().status().message).toBe('reprocessing the history with the new pipeline…');
      await expect.poll(() => m.require().status().message, { timeout: 10_000 }).toBeNull();
      expect(m.require().status().badChannels).toEqual([{ index: 10, label: 'known' }, { index: 11, label: 'known' }]);
    } finally {
      await m.close();
    }
  });
});

describe('switching the pipeline during a live run', () => {
  it('reprocesses the newest seconds first, then the whole history, so it equals one pass of the new pipeline over the whole run', async () => {
    // A budget of 768 MiB keeps ~8.7 s of both rings: nothing of this run falls off while it is compared.
    const plain: SessionPipeline = { filter: null, reference: { ...DEFAULT_PIPELINE.reference, mode: 'none' }, exclude: [], detectBadChannels: false };
    const seen: { revision: number; message: string | null }[] = [];
    // The newest 0.3 s (+ the filter's warm-up) first: a following view's window.
    const s = new LiveSession({ input: simulatorInput(9), pipeline: plain, ramBudgetBytes: 768 * 2 ** 20, nWorkers: 2, recentSeconds: 0.3, onStatus: (st) => seen.push({ revision: st.revision, message: st.message }) });
    await s.start();
    try {
      await new Promise((r) => setTimeout(r, 1200));
      const C = s.input.channels.length;
      const before = concat(s.processed.views(s.processed.start, s.processed.end));
      const revision = s.status().revision;
      const next: SessionPipeline = { filter: { lowHz: 300, highHz: 6000, order: 3 }, reference: { ...DEFAULT_PIPELINE.reference, mode: 'global', operator: 'median' }, exclude: [5], phaseShift: { taps: 16 }, detectBadChannels: false };
      s.setPipeline(next);
      expect(s.status().message).toBe('reprocessing the history with the new pipeline…');
      await expect.poll(() => s.status().message, { timeout: 20_000, interval: 50 }).toBeNull();
      // Views were told twice: the newest seconds while the rest was still being reprocessed, then all.
      expect(seen.find((x) => x.revision === revision + 1)?.message).toBe('reprocessing the history with the new pipeline…');
      expect(s.status().revision).toBe(revision + 2);
      await new Promise((r) => setTimeout(r, 300)); // and go on live with the same steps
      // One consistent copy, up to the newest processed row (a chunk may be in the raw ring and
      // still on its way through the engine).
      const [start, end] = [s.processed.start, s.processed.end];
      const [raw, processed] = [concat(s.raw.views(start, end)), concat(s.processed.views(start, end))];
      expect(processed.length).toBeGreaterThan(before.length);
      expect(differing(processed.subarray(0, before.length), before)).toBeGreaterThan(before.length / 2);
      // The new pipeline in one pass from the first raw row, as the engine runs it.
      const filtered = await new StreamFilter({ sos: designSos(filterSpecOf(next.filter!), s.input.fs), channels: C, precision: 'float32' }).process(raw);
      const shifted = await new StreamPhaseShift({ shifts: probeSampleShifts(s.input.probe, s.input.channels.map((c) => c.readout)), channels: C, taps: 16 }).process(filtered);
      await commonReference(shifted, C, viewReference(next, [], s.input.channels).plan!, 2);
      expect(processed.length).toBe(shifted.length);
      expect(differing(processed, shifted)).toBe(0);
      expect(s.status().dropped).toBe(0);
    } finally {
      await s.stop();
    }
  });
});

/** How many elements differ (toEqual walks 10⁷ elements too slowly). */
function differing(a: Float32Array, b: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) n++;
  return n;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}
