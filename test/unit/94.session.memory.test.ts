// What an open view holds in memory, and that it gives it back when the view closes or is replaced:
// not later, when V8's garbage collector gets round to it (with few allocations besides, it can
// leave a gigabyte of a closed view's history resident for minutes).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LiveInput } from '../../main/sessions/live-input.ts';
import { LiveSession } from '../../main/sessions/live-session.ts';
import { DEFAULT_PIPELINE, SessionManager } from '../../main/sessions/manager.ts';
import { cli } from './cli.ts';
import { tempDir } from './helpers.ts';

const MiB = 2 ** 20;
/** Bytes of ArrayBuffers alive in this process now (the view's rings and window buffers are ArrayBuffers). */
const arrays = () => process.memoryUsage().arrayBuffers;

describe('a live view', () => {
  it('replaced or closed, gives its history back at once: one view never holds two histories', async () => {
    const before = arrays();
    const m = new SessionManager(256 * MiB, () => {});
    await m.open({ kind: 'simulator', seed: 1 });
    const s = m.require() as LiveSession;
    await expect.poll(() => s.status().newestSample, { timeout: 20_000 }).toBeGreaterThan(30000);
    const held = arrays() - before;
    expect(held).toBeGreaterThan(200 * MiB); // raw + processed rings: most of the 256 MiB budget
    await m.open({ kind: 'simulator', seed: 2 });
    expect(arrays() - before).toBeLessThan(held + 32 * MiB);
    await m.close();
    expect(arrays() - before).toBeLessThan(32 * MiB);
  }, 30_000);

  it('a request reading the history while the view closes still gets its answer', async () => {
    const m = new SessionManager(128 * MiB, () => {});
    await m.open({ kind: 'simulator', seed: 3 });
    const s = m.require() as LiveSession;
    await expect.poll(() => s.status().newestSample, { timeout: 20_000 }).toBeGreaterThan(30000);
    const reading = s.columns(0, 30, 8192, true);
    const closing = m.close();
    const reply = await reading;
    await closing;
    expect(reply.count).toBeGreaterThan(900);
    expect(reply.minmax.some((v) => v !== 0)).toBe(true);
    await expect(s.columns(0, 30, 100, true)).rejects.toThrow(/closed/);
  }, 30_000);
});

describe('a live view that falls behind', () => {
  it('catches up on a second of samples at once without holding more than its budget afterwards', async () => {
    // 384 channels pushed as a busy moment delivers them: a whole second in one batch.
    let push: (rows: Int16Array, first: number) => void = () => {};
    const channels = Array.from({ length: 384 }, (_, i) => ({ id: `CH${i}`, index: i, readout: i, x: 0, y: 20 * i, shank: 0, gainUv: 1, offsetUv: 0 }));
    const input: LiveInput = { kind: 'file', label: 'pushed', channels, fs: 30000, start: async (onRows) => void (push = onRows), stop: async () => {} };
    const before = arrays();
    const s = new LiveSession({ input, pipeline: DEFAULT_PIPELINE, ramBudgetBytes: 256 * MiB, nWorkers: 1 });
    await s.start();
    push(new Int16Array(30000 * 384).fill(7), 0);
    await expect.poll(() => s.status().newestSample, { timeout: 20_000 }).toBe(30000);
    // Its rings take the budget; what processing keeps besides is a small part of it (it kept three
    // float32 copies of the whole second, 132 MiB, for the rest of the run). The pushed second
    // itself (22 MiB) may still await the garbage collector.
    expect(arrays() - before).toBeLessThan(256 * MiB + 48 * MiB);
    await s.stop();
  }, 30_000);
});

describe('a recording view', () => {
  it('keeps no window buffers bigger than a traces piece: the probe map over 10 s leaves nothing held, and closing gives back the rest', async () => {
    const dir = tempDir();
    const bin = join(dir, 'rec_g0_t0.imec0.ap.bin');
    expect(cli(['simulate', '--out', bin, '--seconds', '12', '--pace', '0']).code).toBe(0);
    const before = arrays();
    const m = new SessionManager(128 * MiB, () => {});
    await m.open({ kind: 'recording', path: bin });
    const s = m.require();
    await s.columns(0, 600, 600, true, 600); // 12 s of traces, in ~1 s pieces
    const a = await s.activity(10, 5, 330000);
    expect(a.seconds).toBe(10);
    // 10 s × 384 channels processed whole is 0.7 GB of buffers (1.1 GB with the phase shift): used, then given back.
    expect(arrays() - before).toBeLessThan(64 * MiB);
    await m.close();
    expect(arrays() - before).toBeLessThan(8 * MiB);
  }, 60_000);
});
