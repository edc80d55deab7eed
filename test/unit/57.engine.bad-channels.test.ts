import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectBadChannels, detectionChunks, interpolateChannels, planInterpolation } from '../../main/engine/index.ts';
import { detrend, iblLabels, BAD_CHANNEL_DEFAULTS } from '../../main/engine/bad-channels.ts';
import { Simulator } from '../../main/sources/simulator.ts';
import { errVsRms, f32 } from './engine-refs.ts';
import { repoRoot } from './helpers.ts';

const ref = JSON.parse(readFileSync(join(repoRoot, 'test/reference/bad_refs.json'), 'utf8')) as {
  fs: number;
  channels: number;
  ibl: { labels: number[]; xcorr: number[]; xcorrNeighbors: number[]; xcorrDistant: number[]; psdHf: number[] };
  std: number[];
  mad: number[];
  positions: number[][];
  bad: number[];
  sigma: number;
};
const C = ref.channels;
const input = () => f32('bad_input.f32');
const positions = ref.positions.map(([x, y]) => ({ x, y }));
const LABEL = ['good', 'dead', 'noise', 'out'];

function expectClose(a: ArrayLike<number>, b: number[], rel: number) {
  const scale = Math.max(...b.map(Math.abs));
  for (let i = 0; i < b.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(rel * scale);
}

describe('bad-channel detection matches SpikeInterface / IBL (numpy reference)', () => {
  it('coherence+psd: features and labels of one chunk', async () => {
    const r = await detectBadChannels({ chunks: [input()], channels: C, fs: ref.fs, positions, nWorkers: 2 });
    expect(r.labels).toEqual(ref.ibl.labels.map((l) => LABEL[l]));
    expect(r.bad).toEqual([10, 30, 44, 45, 46, 47]);
    // float64 here, float32 in SI: agreement to ~1e-5 of the largest value.
    expectClose(r.xcorrNeighbors!, ref.ibl.xcorrNeighbors, 1e-4);
    expectClose(r.xcorrDistant!, ref.ibl.xcorrDistant, 1e-4);
    expectClose(r.psdHf!, ref.ibl.psdHf, 1e-4);
  });

  it('the labelling step alone reproduces IBL’s decisions from the reference features', () => {
    const { labels } = iblLabels(Float64Array.from(ref.ibl.xcorr), Float64Array.from(ref.ibl.psdHf), BAD_CHANNEL_DEFAULTS);
    expect(Array.from(labels)).toEqual(ref.ibl.labels);
    expectClose(detrend(Float64Array.from(ref.ibl.xcorr), 11), ref.ibl.xcorrNeighbors, 1e-12);
  });

  it.each(['std', 'mad'] as const)('%s: deviations and the 5 × median threshold', async (method) => {
    const r = await detectBadChannels({ chunks: [input()], channels: C, fs: ref.fs, method });
    expectClose(r.deviation!, ref[method], 1e-5);
    const sorted = [...ref[method]].sort((a, b) => a - b);
    const threshold = 5 * (sorted[C / 2 - 1] + sorted[C / 2]) / 2;
    expect(r.threshold).toBeCloseTo(threshold, 3);
    expect(r.bad).toEqual(ref[method].flatMap((d, c) => (d > threshold ? [c] : [])));
  });

  it('rejects bad options by name', async () => {
    await expect(detectBadChannels({ chunks: [input()], channels: C, fs: ref.fs, method: 'psd' as 'std' })).rejects.toThrow(/"method"/);
    await expect(detectBadChannels({ chunks: [], channels: C, fs: ref.fs })).rejects.toThrow(/"chunks"/);
    await expect(detectBadChannels({ chunks: [input()], channels: C, fs: ref.fs, nNeighbors: 10 })).rejects.toThrow(/"nNeighbors"/);
    await expect(detectBadChannels({ chunks: [input().subarray(0, 100 * C)], channels: C, fs: ref.fs })).rejects.toMatchObject({ code: 'WINDOW_TOO_SHORT' });
  });
});

describe('interpolate_bad_channels', () => {
  it('kriging weights and interpolated traces match numpy', async () => {
    const plan = planInterpolation(positions, ref.bad);
    const data = input();
    await interpolateChannels(data, plan, 2);
    expect(errVsRms(data, f32('bad_interpolated.f32'))).toBeLessThan(1e-6);
    // Good channels are untouched.
    const x = input();
    for (let i = 0; i < x.length; i++) if (!ref.bad.includes(i % C)) expect(data[i]).toBe(x[i]);
  });
  it('a plan made by hand that names channels outside the data is refused, not written through', async () => {
    const data = new Float32Array(10 * 4);
    const plan = (targets: number[], offsets: number[], sources: number[]) => ({ channels: 4, targets: Int32Array.from(targets), offsets: Int32Array.from(offsets), sources: Int32Array.from(sources), weights: new Float32Array(sources.length).fill(0.5) });
    await expect(interpolateChannels(data, plan([100], [0, 0], []))).rejects.toThrow(/names a channel outside the data/);
    await expect(interpolateChannels(data, plan([1], [0, 2], [0, 7]))).rejects.toThrow(/names a channel outside the data/);
    await expect(interpolateChannels(data, plan([1], [0, 5], [0, 2]))).rejects.toThrow(/offsets run outside its sources/);
    await expect(interpolateChannels(data, { ...plan([1], [0, 2], [0, 2]), channels: 0 })).rejects.toThrow(/"channels"/);
  });
});

describe('detection on the simulator', () => {
  it.each([1, 2, 3])('seed %i: finds the dead and the noisy channel and no healthy one', async (seed) => {
    const sim = new Simulator({ seed });
    const info = sim.describe(6);
    const chunks = await detectionChunks({
      read: async (s, e) => sim.generate(s, e - s),
      samples: info.samples,
      channels: sim.channelCount,
      fs: sim.fs,
      gainUv: info.channels[0].gainUv,
      numChunks: 6,
      nWorkers: 2
    });
    const r = await detectBadChannels({ chunks, channels: sim.channelCount, fs: sim.fs, positions: info.channels, nWorkers: 2 });
    expect(r.labels[sim.deadChannel]).toBe('dead');
    expect(r.labels[sim.noisyChannel]).toBe('noise');
    expect(r.bad).toEqual([sim.noisyChannel, sim.deadChannel].sort((a, b) => a - b));
    for (const method of ['std', 'mad'] as const) {
      const d = await detectBadChannels({ chunks, channels: sim.channelCount, fs: sim.fs, method });
      expect(d.bad).toEqual([sim.noisyChannel]);
    }
  });
});
