// The kernels lab PCs without AVX2 + FMA run (and arm64), checked on this machine: PROBEDECK_SIMD=baseline
// makes the engine skip its AVX2 + FMA builds. Set before the engine loads (vitest runs each file in
// its own process), hence the dynamic imports.
import { beforeAll, describe, expect, it } from 'vitest';

process.env.PROBEDECK_SIMD = 'baseline';
const engine = await import('../../main/engine/index.ts');
const { errVsRms, input16, refCase, refs } = await import('./engine-refs.ts');
const { phaseCase, phaseShifts } = await import('./phase-refs.ts');

const bp = () => engine.designSos({ kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000 }, refs.fs);

describe('baseline kernels (no AVX2 + FMA)', () => {
  beforeAll(() => expect(process.env.PROBEDECK_SIMD).toBe('baseline'));

  it('float32 filters stay within 1e-4 of scipy; float64 stays exact', async () => {
    const o = { input: input16(), channels: refs.channels, sos: bp(), mode: 'zero-phase', left: 500, right: 500 } as const;
    expect(errVsRms(await engine.filterWindow({ ...o, precision: 'float32' }), refCase('bp_zero_window'))).toBeLessThan(1e-4);
    expect(errVsRms(await engine.filterWindow(o), refCase('bp_zero_window'))).toBeLessThan(1e-6);
    const f = new engine.StreamFilter({ sos: bp(), channels: refs.channels, precision: 'float32' });
    expect(errVsRms(await f.process(input16()), refCase('bp_stream'))).toBeLessThan(1e-4);
  });

  it('the FIR phase shift matches the numpy reference', async () => {
    const out = await engine.phaseShiftWindow({ input: input16(), channels: refs.channels, spec: { method: 'fir', shifts: phaseShifts(), taps: 16 }, left: 0, right: 0 });
    expect(errVsRms(out, phaseCase('fir16'))).toBeLessThan(1e-6);
  });

  it('the median CMR of 384 drifting channels is exact', async () => {
    const C = 384, T = 2000;
    const x = new Float32Array(T * C);
    let v = 11;
    for (let i = 0; i < x.length; i++) {
      v = (v * 1103515245 + 12345) & 0x7fffffff;
      x[i] = Math.fround((((v >> 8) % 2001) - 1000) / 40 + 30 * Math.sin(Math.floor(i / C) / 50));
    }
    const want = new Float32Array(x.length);
    for (let t = 0; t < T; t++) {
      const s = Float32Array.from(x.subarray(t * C, (t + 1) * C)).sort();
      const med = Math.fround((s[C / 2 - 1] + s[C / 2]) / 2);
      for (let c = 0; c < C; c++) want[t * C + c] = Math.fround(x[t * C + c] - med);
    }
    await engine.commonReference(x, C, { mode: 'global', operator: 'median' }, 2);
    expect(x).toEqual(want);
  });
});
