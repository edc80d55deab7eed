import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { native } from '../../main/engine/native.ts';
import { commonReference, designSos, engineStats, filterWindow } from '../../main/engine/index.ts';

const sos = () => designSos({ kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000 }, 30000);
function input(rows: number, C: number): Int16Array {
  const x = new Int16Array(rows * C);
  let v = 12345;
  for (let i = 0; i < x.length; i++) {
    v = (v * 1103515245 + 12345) & 0x7fffffff;
    x[i] = (v >> 16) % 1000;
  }
  return x;
}

describe('inner pools: one per calling thread (SpikeInterface PR #4564 contract)', () => {
  it('a caller reuses its pool; concurrent callers get distinct pools', async () => {
    const x = input(60000, 64);
    const call = () => native().filterWindow(x, 64, sos(), 0, 0, 0, new Float32Array(x.length), 2, 0);
    // Calls in flight together run on different libuv threads, each with its own pool.
    const concurrent = await Promise.all([call(), call(), call()]);
    expect(new Set(concurrent.map((r) => r.poolId)).size).toBeGreaterThanOrEqual(2);
    for (let round = 0; round < 3; round++) await Promise.all([call(), call(), call(), call()]);
    for (let i = 0; i < 8; i++) await call();
    const before = engineStats().poolsCreated;
    for (let i = 0; i < 12; i++) await call();
    // Sequential calls land on threads that already own a pool: nothing new is created.
    expect(engineStats().poolsCreated).toBe(before);
  });

  it('a thread’s pool is freed when the thread exits', () => {
    const probe = native().poolLifecycleProbe();
    expect(probe.aliveDuring - probe.aliveAfter).toBe(1);
  });

  it('counts the work buffers it allocates', async () => {
    engineStats(true);
    const x = input(30000, 384);
    await filterWindow({ input: x, channels: 384, sos: sos(), mode: 'zero-phase', left: 500, right: 500, nWorkers: 2 });
    const peak = engineStats().workBytesPeak;
    // Two workers, each a float64 tile of 64 channels for the forward pass over the kept rows, the
    // right margin and both extensions of padlen (rows − left + 2·padlen), plus its state.
    const expected = 2 * ((30000 - 500 + 66) * 64 * 8 + 5 * 2 * 64 * 8);
    expect(peak).toBeGreaterThanOrEqual(expected);
    expect(peak).toBeLessThan(expected * 1.5);
    expect(engineStats().workBytesLive).toBe(0);

    // float32 runs its forward pass in the output: only the margin and extensions, and the states
    // (both workers' at most: one may be done before the other starts).
    engineStats(true);
    await filterWindow({ input: x, channels: 384, sos: sos(), mode: 'zero-phase', left: 500, right: 500, nWorkers: 2, precision: 'float32' });
    const small = 2 * (500 + 66) * 64 * 4 + 6 * (5 + 1) * 2 * 64 * 4;
    expect(engineStats().workBytesPeak).toBeGreaterThan(0);
    expect(engineStats().workBytesPeak).toBeLessThanOrEqual(small);
    expect(engineStats().workBytesLive).toBe(0);
  });
});

describe('the event loop stays free', () => {
  // The delay also counts the OS scheduling the main thread late: on CI's 2 cores, other test files
  // run beside the engine's 2 workers, and once in a while that alone passes 20 ms (21 ms seen).
  // A real block (a synchronous step of tens of ms) fails every try; a scheduling hiccup does not.
  it('max event-loop delay < 20 ms while 10 s × 384 channels are filtered and re-referenced', { retry: 2 }, async () => {
    const C = 384;
    const rows = 300_000;
    const x = input(rows, C);
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const y = await filterWindow({ input: x, channels: C, sos: sos(), mode: 'zero-phase', left: 0, right: 0, nWorkers: 2 });
    await commonReference(y, C, { mode: 'global', operator: 'median' }, 2);
    clearInterval(timer);
    h.disable();
    expect(ticks).toBeGreaterThan(10);
    expect(h.max / 1e6).toBeLessThan(20);
  });
});
