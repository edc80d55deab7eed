// The checks every build of the kernels passes, run under a PROBEDECK_SIMD cap by the files named
// 59.engine.*-kernels: the builds older lab PCs run (and arm64's, which is the baseline's code), checked
// on this machine. The cap is read when the engine loads, so each file sets it before importing this
// (vitest runs each file in its own process).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as engine from '../../main/engine/index.ts';
import { errVsRms, input16, refCase, refs } from './engine-refs.ts';
import { phaseCase, phaseShifts } from './phase-refs.ts';

/** filter-outputs.ts's digests from a process without this one's cap, and the build it ran: the best this CPU has. */
export function digestsWithout(): { simdUsed: string; digests: Record<string, string> } {
  const env = { ...process.env };
  delete env.PROBEDECK_SIMD;
  return JSON.parse(execFileSync(process.execPath, [join(import.meta.dirname, 'filter-outputs.ts')], { env, encoding: 'utf8' }));
}

const bp = () => engine.designSos({ kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000 }, refs.fs);

/** cap: the PROBEDECK_SIMD value the file set; used: the build that gives where this CPU has it. */
export function describeKernelChecks(cap: 'baseline' | 'avx2', used: 'baseline' | 'avx2') {
  describe(`${cap} kernels`, () => {
    beforeAll(() => {
      expect(process.env.PROBEDECK_SIMD).toBe(cap);
      expect(engine.engineInfo().simdUsed).toBe(used);
    });

    it('float32 filters stay within 1e-4 of scipy; float64 within 1e-6', async () => {
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

    // The median's own pass over a row checks it (NaN never ends a quickselect partition): on its
    // first row (the general median), on a row it tracks, and in the values past the last whole vector.
    it('the median CMR refuses NaN and ±inf wherever they sit', async () => {
      const C = 389, T = 600;
      for (const bad of [NaN, Infinity, -Infinity])
        for (const [row, col] of [[0, 5], [400, 200], [599, 388], [300, 0]]) {
          const x = new Float32Array(T * C);
          for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 20 + 5 * Math.sin(Math.floor(i / C) / 30);
          x[row * C + col] = bad;
          await expect(engine.commonReference(x, C, { mode: 'global', operator: 'median' }, 1), `${bad} at row ${row}, column ${col}`).rejects.toMatchObject({ code: 'NON_FINITE_INPUT' });
        }
    });
  });
}
