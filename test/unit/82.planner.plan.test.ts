import { describe, expect, it } from 'vitest';
import { jobBytes } from '../../main/planner/memory-model.ts';
import { parseBytes, plan, viewWorkers } from '../../main/planner/plan.ts';

const np = { channels: 384, fs: 30000, dtype: 'int16' as const };

describe('planner', () => {
  it('parses sizes as SpikeInterface does', () => {
    expect(parseBytes('512MiB')).toBe(512 * 2 ** 20);
    expect(parseBytes('4G')).toBe(4e9);
    expect(parseBytes('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(() => parseBytes('lots')).toThrow(/a size such as 512MiB/);
  });

  it('counts input with margins, float work and output — not only output bytes', () => {
    const b = jobBytes({ channels: 384, dtype: 'int16', outDtype: 'float32', chunkSamples: 30000, marginSamples: 500, nWorkers: 2, zeroPhase: true });
    expect(b.input).toBe(31000 * 384 * 2);
    expect(b.output).toBe(30000 * 384 * 4);
    expect(b.engineWork).toBeGreaterThan(2 * (31000 + 66) * 16 * 8);
  });

  it('never plans past the budget, and says why', () => {
    for (const budget of [150 * 2 ** 20, 512 * 2 ** 20, 4 * 2 ** 30]) {
      const p = plan({ ...np, job: 'export', ramBudgetBytes: budget }, null, 8);
      expect(p.predictedPeakBytes).toBeLessThanOrEqual(budget);
      expect(p.nJobs * p.nWorkers).toBeLessThanOrEqual(7);
      expect(p.reason).toMatch(/jobs? × \d+ workers?, [\d.]+ s chunks, on 7 of 8 cores \(one stays with the acquisition\): \d+% of the best modelled speed/);
    }
  });

  it('prefers measured speeds when this machine is calibrated', () => {
    const points = [
      { nJobs: 1, nWorkers: 2, chunkSamples: 30000, speedX: 40, peakBytes: 1 },
      { nJobs: 2, nWorkers: 1, chunkSamples: 30000, speedX: 20, peakBytes: 1 }
    ];
    const p = plan({ ...np, job: 'export', ramBudgetBytes: 2 ** 31 }, { machineKey: 'm', measuredAt: '', points }, 2);
    expect(p).toMatchObject({ nJobs: 1, nWorkers: 2, basis: 'calibration' });
    expect(p.reason).toMatch(/measured/);
  });

  it('gives a live session the rest of the budget as history', () => {
    const p = plan({ ...np, job: 'live', ramBudgetBytes: 2 ** 30 }, null, 2);
    expect(p.nJobs).toBe(1);
    expect(p.historySeconds).toBeGreaterThan(5);
    expect(p.predictedPeakBytes).toBeLessThanOrEqual(2 ** 30);
    // The sentence adds up: processing plus history is the budget.
    expect(p.reason).toMatch(/\([\d.]+ MiB to process, [\d.]+ MiB for \d+ s of history: the whole 1\.00 GiB budget\)$/);
  });

  it('leaves the acquisition its cores: half beside a view, one beside an export; no more workers than channel tiles', () => {
    const big = { ...np, ramBudgetBytes: 8 * 2 ** 30 };
    expect(plan({ ...big, job: 'live' }, null, 16)).toMatchObject({ nJobs: 1, nWorkers: 6 }); // 384 channels: 6 tiles of 64
    expect(plan({ ...big, job: 'live', channels: 1024 }, null, 16)).toMatchObject({ nWorkers: 8 });
    expect(plan({ ...big, job: 'live' }, null, 16).reason).toMatch(/on 8 of 16 cores \(the rest stay with the acquisition\)/);
    const e = plan({ ...big, job: 'export' }, null, 16);
    expect(e.nJobs * e.nWorkers).toBe(15);
    expect(plan({ ...big, job: 'export' }, null, 2).reason).toMatch(/on 2 of 2 cores:/);
    // A worker count the preset fixes still fits the jobs to the cores.
    expect(plan({ ...big, job: 'export', nWorkers: 4, channels: 32 }, null, 2)).toMatchObject({ nJobs: 1, nWorkers: 4 });
    expect(plan({ ...big, job: 'export', nWorkers: 8 }, null, 16)).toMatchObject({ nJobs: 1 });
    expect(viewWorkers(384, 2)).toBe(1);
    expect(viewWorkers(384, 16)).toBe(6);
    expect(viewWorkers(32, 16)).toBe(1);
  });

  it('says when a budget is too small', () => {
    expect(() => plan({ ...np, job: 'export', ramBudgetBytes: 10 * 2 ** 20 }, null, 2)).toThrow(/RAM budget of 10 MiB is too small/);
  });
});
