import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cli.ts';
import { commonReference, designSos, filterWindow } from '../../main/engine/index.ts';
import { NP1_GAIN_UV, Simulator } from '../../main/sources/simulator.ts';

const C = 384;

function channelRms(x: Int16Array | Float32Array, rows: number): number[] {
  const out = new Array(C).fill(0);
  for (let t = 0; t < rows; t++) for (let c = 0; c < C; c++) out[c] += x[t * C + c] ** 2;
  return out.map((s) => Math.sqrt(s / rows));
}

describe('the built-in simulator', () => {
  it('is deterministic, random-access and seed-dependent', () => {
    const a = new Simulator({ seed: 3 });
    const whole = a.generate(1000, 600);
    const parts = [a.generate(1000, 200), a.generate(1200, 400)];
    expect(Array.from(whole)).toEqual([...parts[0], ...parts[1]]);
    expect(Array.from(new Simulator({ seed: 3 }).generate(1000, 600))).toEqual(Array.from(whole));
    expect(Array.from(new Simulator({ seed: 4 }).generate(1000, 600))).not.toEqual(Array.from(whole));
  });

  it('has a dead and a noisy channel, and spikes above the noise after filtering', async () => {
    const sim = new Simulator({ seed: 1 });
    const rows = 30000;
    const raw = sim.generate(0, rows);
    const hp = await filterWindow({ input: raw, channels: C, sos: designSos({ kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000 }, 30000), mode: 'zero-phase', left: 0, right: 0 });
    const rms = channelRms(hp, rows);
    const sorted = [...rms].sort((p, q) => p - q);
    const median = sorted[C >> 1];
    expect(rms[sim.deadChannel]).toBeLessThan(median * 0.1);
    expect(rms[sim.noisyChannel]).toBeGreaterThan(median * 4);
    // Spikes: some sample beyond −8 × the median noise on some channel.
    let min = 0;
    for (let i = 0; i < hp.length; i++) min = Math.min(min, hp[i]);
    expect(min).toBeLessThan(-8 * median);
    expect(median * NP1_GAIN_UV).toBeGreaterThan(5); // µV-scale noise, not zero
  });

  it('injects common-mode artefacts that median CMR removes', async () => {
    const sim = new Simulator({ seed: 2 });
    const start = sim.artefactPeriod - 300;
    const rows = 900;
    const x = Float32Array.from(sim.generate(start, rows));
    const art = (d: Float32Array) => {
      let s = 0;
      for (let t = 300; t < 300 + sim.artefactLength; t++) for (let c = 0; c < C; c++) s += Math.abs(d[t * C + c]);
      return s / (sim.artefactLength * C);
    };
    const before = art(x);
    await commonReference(x, C, { mode: 'global', operator: 'median' });
    expect(sim.inArtefact(sim.artefactPeriod + 1)).toBe(true);
    expect(art(x)).toBeLessThan(before / 5);
  });
});

describe('probedeck simulate', () => {
  it('refuses a folder that does not exist, a pace or a seed that is not a number, writing nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'probedeck-sim-'));
    try {
      const out = join(dir, 'missing', 'run_g0_t0.imec0.ap.bin');
      const r = cli(['simulate', '--out', out, '--seconds', '0.1', '--pace', '0']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`${join(dir, 'missing')} does not exist or is not a folder: create it first`);
      const bin = join(dir, 'run_g0_t0.imec0.ap.bin');
      for (const [flag, value, said] of [['--pace', 'abc', '--pace must be 0'], ['--pace', '-1', '--pace must be 0'], ['--seed', 'x', '--seed must be a whole number']]) {
        const bad = cli(['simulate', '--out', bin, '--seconds', '0.1', ...(flag === '--pace' ? [] : ['--pace', '0']), flag, value]);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toContain(said);
        expect(existsSync(bin)).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
