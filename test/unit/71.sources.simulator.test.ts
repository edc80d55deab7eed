import { describe, expect, it } from 'vitest';
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
