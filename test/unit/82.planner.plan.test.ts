import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { totalmem } from 'node:os';
import { createHost } from '../../main/api/host.ts';
import type { Plan, ViewBudget } from '../../main/api/domains/planner.ts';
import type { SessionInfo } from '../../main/api/domains/session.ts';
import { baselineBytes, jobBytes } from '../../main/planner/memory-model.ts';
import { LiveSession } from '../../main/sessions/live-session.ts';
import { simulatorInput } from '../../main/sessions/live-input.ts';
import { DEFAULT_PIPELINE } from '../../main/sessions/manager.ts';
import { parseBytes, plan, viewWorkers } from '../../main/planner/plan.ts';
import { cli } from './cli.ts';
import { tempDir } from './helpers.ts';

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
    // The float32 result, and the output written from twice over (written while the next chunk is computed).
    expect(b.output).toBe(30000 * 384 * 8);
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

  it('modelled, prefers long chunks where the budget allows: a chunk filters its margins and drops them', () => {
    const roomy = plan({ ...np, job: 'export', ramBudgetBytes: 4 * 2 ** 30 }, null, 2);
    expect(roomy.chunkSamples).toBe(30000); // 3% of its rows are margin, 13% at 0.25 s
    // A budget that holds only the shortest chunk still gets a plan, with them.
    const shortest = jobBytes({ channels: 384, dtype: 'int16', outDtype: 'float32', chunkSamples: 7500, marginSamples: 500, nWorkers: 1, zeroPhase: true });
    const tight = baselineBytes() + shortest.input + shortest.output + shortest.engineWork + 2 ** 20;
    const short = plan({ ...np, job: 'export', ramBudgetBytes: tight }, null, 2);
    expect(short.chunkSamples).toBe(7500);
    expect(short.reason).toMatch(/this budget holds no 1 s chunk \(SpikeInterface's save\(\)\), so the output differs from SpikeInterface's at the edges of its 0\.25 s chunks/);
    // Short margins (a causal filter's) make every chunk as fast: 1 s is still taken, being SpikeInterface's.
    expect(plan({ ...np, job: 'export', ramBudgetBytes: 4 * 2 ** 30, marginSamples: 150 }, null, 2).chunkSamples).toBe(30000);
    // A chunk and a job count the user fixed are kept; the budget plans the workers.
    expect(plan({ ...np, job: 'export', ramBudgetBytes: 4 * 2 ** 30, chunkSamples: 12345, nJobs: 3 }, null, 2)).toMatchObject({ chunkSamples: 12345, nJobs: 3, nWorkers: 1 });
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

  it('gives a live view the rest of its budget as history', () => {
    const p = plan({ ...np, job: 'live', ramBudgetBytes: 2 ** 30 }, null, 2);
    expect(p.nJobs).toBe(1);
    expect(p.historySeconds).toBeGreaterThan(5);
    // The view's budget is what it adds to this process: processing plus history fill it.
    const { baseline, input, output, engineWork, history } = p.breakdown;
    expect(input + output + engineWork + history).toBeLessThanOrEqual(2 ** 30);
    expect(input + output + engineWork + history).toBeGreaterThan(2 ** 30 - 384 * 8);
    expect(p.predictedPeakBytes).toBe(baseline + input + output + engineWork + history);
    expect(p.reason).toMatch(/\([\d.]+ [KM]iB to process, [\d.]+ MiB for \d+ s of history: the view's whole 1\.00 GiB budget, beside the [\d.]+ MiB this process holds\)$/);
  });

  it('keeps the live view budget the lab sets in the Planner, and the next live view holds that history', async () => {
    const dataDir = join(tempDir(), 'data');
    let host = createHost({ dataDir, transport: 'websocket' });
    try {
      expect(((await host.call('planner.viewBudget', undefined)) as ViewBudget).automatic).toBe(true);
      await expect(host.call('planner.setViewBudget', { bytes: 2 ** 20 })).rejects.toThrow(/between 64 MiB and .* for "view RAM budget"/);
      await expect(host.call('planner.setViewBudget', { bytes: 'lots' })).rejects.toThrow(/view RAM budget/);
      expect(await host.call('planner.setViewBudget', { bytes: 256 * 2 ** 20 })).toMatchObject({ bytes: 256 * 2 ** 20, automatic: false, minBytes: 64 * 2 ** 20 });
    } finally {
      await host.close();
    }
    host = createHost({ dataDir, transport: 'websocket' }); // a restart keeps it
    try {
      expect(await host.call('planner.viewBudget', undefined)).toMatchObject({ bytes: 256 * 2 ** 20, automatic: false });
      const p = (await host.call('planner.plan', { ...np, job: 'live' })) as Plan;
      expect(p.ramBudgetBytes).toBe(256 * 2 ** 20);
      const info = (await host.call('session.open', { source: { kind: 'simulator' } })) as SessionInfo;
      // What the Planner promised is what the view holds.
      expect(info.historySeconds).toBeCloseTo(p.historySeconds, 3);
      expect(info.historySeconds).toBeGreaterThan(2.5);
      expect(info.historySeconds).toBeLessThan(256 * 2 ** 20 / (384 * 8 * 30000));
      expect(((await host.call('planner.setViewBudget', { bytes: null })) as ViewBudget).automatic).toBe(true);
      // The same setting written around the Planner (settings.set takes any key) is held to the least a view runs in.
      await host.call('settings.set', { key: 'views.ramBudgetBytes', value: '1' });
      expect(await host.call('planner.viewBudget', undefined)).toMatchObject({ bytes: 64 * 2 ** 20, automatic: false });
    } finally {
      await host.close();
    }
    // The command line plans a live view with the same budget (it took the default).
    const live = cli(['plan', '--channels', '384', '--fs', '30000', '--job', 'live', '--json', '--data-dir', dataDir]);
    expect(live.code, live.stderr).toBe(0);
    expect(JSON.parse(live.stdout).ramBudgetBytes).toBe(64 * 2 ** 20);
  });

  it('does not count a live view’s history, which has its own budget, in an export’s baseline', async () => {
    const s = new LiveSession({ input: simulatorInput(2), pipeline: { ...DEFAULT_PIPELINE, filter: null }, ramBudgetBytes: 512 * 2 ** 20, nWorkers: 1 });
    await s.start();
    try {
      await new Promise((r) => setTimeout(r, 2000));
      const held = s.raw.heldBytes + s.processed.heldBytes;
      expect(held).toBeGreaterThan(120 * 2 ** 20); // ~2 s of raw + processed float32 rows
      const rss = process.memoryUsage().rss;
      expect(baselineBytes()).toBeLessThanOrEqual(rss - held + 32 * 2 ** 20);
      // An export whose budget the process had before the view still fits beside it.
      const beside = plan({ ...np, job: 'export', ramBudgetBytes: rss - held + 200 * 2 ** 20 }, null, 2);
      expect(beside.breakdown.baseline).toBeLessThan(rss - held + 32 * 2 ** 20);
    } finally {
      await s.stop();
    }
    expect(baselineBytes()).toBeGreaterThan(process.memoryUsage().rss - 32 * 2 ** 20);
  });

  it('leaves the acquisition its cores: half beside a view, one beside an export; no more workers than channel tiles', () => {
    const big = { ...np, ramBudgetBytes: 8 * 2 ** 30 };
    expect(plan({ ...big, job: 'live' }, null, 16)).toMatchObject({ nJobs: 1, nWorkers: 6 }); // 384 channels: 6 tiles of 64
    expect(plan({ ...big, job: 'live', channels: 1024 }, null, 16)).toMatchObject({ nWorkers: 8 });
    expect(plan({ ...big, job: 'live' }, null, 16).reason).toMatch(/on 8 of 16 cores \(the rest stay with the acquisition\)/);
    const e = plan({ ...big, job: 'export' }, null, 16);
    expect(e.nJobs * e.nWorkers).toBe(15);
    expect(plan({ ...big, job: 'export' }, null, 2).reason).toMatch(/on 2 of 2 cores \(all of them: export while the rig is not recording\):/);
    // A worker count the preset fixes still fits the jobs to the cores.
    expect(plan({ ...big, job: 'export', nWorkers: 4, channels: 32 }, null, 2)).toMatchObject({ nJobs: 1, nWorkers: 4 });
    expect(plan({ ...big, job: 'export', nWorkers: 8 }, null, 16)).toMatchObject({ nJobs: 1 });
    expect(viewWorkers(384, 2)).toBe(1);
    expect(viewWorkers(384, 16)).toBe(6);
    expect(viewWorkers(32, 16)).toBe(1);
  });

  it('a budget, a margin or a sample type at the edges is said as what it is', () => {
    // A typed '1k' or '500000' read 'a RAM budget of 0 MiB is too small'.
    expect(() => plan({ ...np, job: 'export', ramBudgetBytes: 1000 }, null, 2)).toThrow(/^a RAM budget of 1000 bytes is too small: the smallest plan needs \d+ MiB/);
    expect(() => plan({ ...np, job: 'export', ramBudgetBytes: 500_000 }, null, 2)).toThrow(/^a RAM budget of 488 KiB is too small/);
    // A margin that is no count of samples: it read 'the smallest plan needs NaN MiB', or planned a negative margin.
    expect(() => plan({ ...np, job: 'export', marginSamples: NaN }, null, 2)).toThrow('Expected a whole number of samples, 0 or more for "marginSamples" but received NaN');
    expect(() => plan({ ...np, job: 'export', marginSamples: -150 }, null, 2)).toThrow('Expected a whole number of samples, 0 or more for "marginSamples" but received -150');
    expect(() => plan({ ...np, job: 'export', dtype: 'int32' as 'int16' }, null, 2)).toThrow('Expected "int16" or "float32" for "dtype" but received the string "int32"');
    // A preset's margin of 1e9 ms: what takes the RAM is said, not only that the budget is short.
    expect(() => plan({ ...np, job: 'export', marginSamples: 3e10, ramBudgetBytes: 4 * 2 ** 30 }, null, 2)).toThrow(
      /^a RAM budget of 4\.00 GiB is too small: the smallest plan needs [\d.]+ GiB \(this process alone uses \d+ MiB\), almost all of it for the filter's margin of 1000000 s read on each side of every chunk$/
    );
  });

  it('probedeck plan names the flag a value is wrong for', () => {
    const run = (...a: string[]) => cli(['plan', '--channels', '384', '--fs', '30000', ...a, '--data-dir', tempDir()]);
    expect(run('--margin-ms', 'abc')).toMatchObject({ code: 2, stderr: 'probedeck: --margin-ms must be 0 or more (ms of real neighbours each side), got "abc"\n' });
    expect(run('--margin-ms', '-5')).toMatchObject({ code: 2, stderr: 'probedeck: --margin-ms must be 0 or more (ms of real neighbours each side), got "-5"\n' });
    expect(run('--margin-ms', '1e9')).toMatchObject({ code: 2, stderr: 'probedeck: --margin-ms must be at most 60000 (ms of real neighbours each side of every chunk, as a preset\'s marginMs), got "1e9"\n' });
    // An empty budget was planned as the default one without a word.
    expect(run('--ram-budget', '')).toMatchObject({ code: 2, stderr: 'probedeck: --ram-budget must be a size above 0 such as 512MiB, 2GiB or 4G, got ""\n' });
    expect(run('--dtype', 'int32')).toMatchObject({ code: 2, stderr: 'probedeck: --dtype must be int16 or float32 (a uint16 file plans as int16), got "int32"\n' });
  }, 30_000);

  it('says when a budget is too small', () => {
    expect(() => plan({ ...np, job: 'export', ramBudgetBytes: 10 * 2 ** 20 }, null, 2)).toThrow(/RAM budget of 10 MiB is too small/);
    const huge = plan({ ...np, job: 'live', ramBudgetBytes: 2 ** 50 }, null, 2);
    expect(huge.ramBudgetBytes).toBe(totalmem());
    expect(huge.reason).toMatch(/; the 1048576\.00 GiB asked is more than this machine has: its [\d.]+ GiB of RAM are planned for$/);
  });
});
