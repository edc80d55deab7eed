import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { channelActivity, welchChannels } from '../../main/engine/view-stats.ts';
import { f32, refPath, refs } from './engine-refs.ts';

const view = JSON.parse(readFileSync(refPath('view_refs.json'), 'utf8')) as {
  welch: { channels: number[]; nperseg: number; freqs: number[]; psd: number[][] };
  rms: number[];
  ptp: number[];
  crossings: number[];
  sigma: number[];
};
const x = () => f32('engine_input_uv.f32');

describe('view statistics against numpy/scipy', () => {
  it('Welch PSD of chosen channels equals scipy.signal.welch', async () => {
    for (const w of [1, 2]) {
      const r = await welchChannels(x(), refs.channels, view.welch.channels, refs.fs, view.welch.nperseg, w);
      expect(Array.from(r.freqs)).toEqual(view.welch.freqs);
      view.welch.psd.forEach((ref, i) => ref.forEach((v, k) => expect(Math.abs(r.psd[i * r.bins + k] - v)).toBeLessThanOrEqual(1e-6 * Math.max(...ref))));
    }
  });

  it('RMS, peak-to-peak and threshold crossings per channel', async () => {
    const a = await channelActivity(x(), refs.channels, 2, 2);
    a.rms.forEach((v, c) => expect(v).toBeCloseTo(view.rms[c], 3));
    expect(Array.from(a.ptp)).toEqual(view.ptp);
    expect(Array.from(a.crossings)).toEqual(view.crossings);
    // σ = median|x − median x|/0.6745 (the upper middle value for an even count: close to numpy's mean of the two)
    a.sigma.forEach((v, c) => expect(Math.abs(v - view.sigma[c]) / view.sigma[c]).toBeLessThan(1e-2));
    expect(view.crossings.some((n) => n > 0)).toBe(true);
  });

  it('σ ignores a channel’s offset: unfiltered data at −1800 µV read as their noise, not as 1800 µV of it', async () => {
    const rows = 20000;
    const y = new Float32Array(rows * 2);
    let v = 1;
    for (let t = 0; t < rows; t++) {
      v = (v * 16807) % 2147483647;
      const n = ((v / 2147483647) * 2 - 1) * 10; // uniform ±10 µV: σ by MAD = 5/0.6745
      y[t * 2] = n;
      y[t * 2 + 1] = n - 1800;
    }
    const a = await channelActivity(y, 2, 2, 1);
    expect(a.sigma[0]).toBeCloseTo(5 / 0.6745, 0);
    expect(a.sigma[1]).toBeCloseTo(a.sigma[0], 1);
    expect(a.crossings[1]).toBe(a.crossings[0]);
  });

  it('refuses a window shorter than one segment, and bad channel lists', async () => {
    await expect(welchChannels(new Float32Array(100 * 8), 8, [0], 30000, 256)).rejects.toThrow(/"nperseg"/);
    await expect(welchChannels(x(), refs.channels, [99], refs.fs, 256)).rejects.toThrow(/"list"/);
    await expect(channelActivity(new Float32Array(0), 8)).rejects.toThrow(/at least one row/);
  });
});
