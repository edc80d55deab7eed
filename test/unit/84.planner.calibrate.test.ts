import { describe, expect, it } from 'vitest';
import { calibrate } from '../../main/planner/calibrate.ts';

describe('calibration (real executor on synthetic data)', () => {
  it('measures every grid point and reports progress', async () => {
    const seen: number[] = [];
    const c = await calibrate({ seconds: 1, channels: 64, onPoint: (done) => seen.push(done) });
    expect(c.points.length).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)).toBe(c.points.length);
    for (const p of c.points) {
      expect(p.speedX).toBeGreaterThan(0);
      expect(p.peakBytes).toBeGreaterThan(p.chunkSamples * 64 * 4);
    }
  });

  it('stops when cancelled', async () => {
    const ctl = new AbortController();
    const run = calibrate({ seconds: 1, channels: 64, signal: ctl.signal, onPoint: (done) => done === 1 && ctl.abort() });
    await expect(run).rejects.toThrow(/abort/i);
  });
});
