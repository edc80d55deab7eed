import { describe, expect, it } from 'vitest';
import { commonReference, firKernels, phaseShiftMargin, phaseShiftWindow, planReference, StreamPhaseShift, type PhaseShiftSpec } from '../../main/engine/index.ts';
import { errVsRms, f32, input16, refs, rowsOf } from './engine-refs.ts';
import { phaseCase, phaseRefs, phaseShifts } from './phase-refs.ts';
import { native } from '../../main/engine/native.ts';

const C = refs.channels;
const N = refs.rows;
const M = phaseRefs.margin;
const fft = (): PhaseShiftSpec => ({ method: 'fft', shifts: phaseShifts(), marginSamples: phaseShiftMargin({ method: 'fft' }, refs.fs) });
const fir = (taps: 16 | 32 | 64 = 16): PhaseShiftSpec => ({ method: 'fir', shifts: phaseShifts(), taps });

/** SI's window [start, end): real neighbours ±margin, clipped at the recording's ends. */
function window(start: number, end: number, margin: number) {
  const left = Math.min(margin, start);
  const right = Math.min(margin, N - end);
  return { input: rowsOf(input16(), C, start - left, end + right), left, right };
}

describe('phase shift, FFT method (SpikeInterface phase_shift)', () => {
  it('uses SI’s 40 ms margin', () => expect(phaseShiftMargin({ method: 'fft' }, 30000)).toBe(1200));

  it('matches numpy/scipy on one window with clipped margins and zero padding', async () => {
    const out = await phaseShiftWindow({ ...window(1000, 5000, M), channels: C, spec: fft() });
    expect(errVsRms(out, phaseCase('fft_window'))).toBeLessThan(1e-6);
  });

  it('matches SI save() chunk by chunk, for any n_workers', async () => {
    for (const w of [1, 3]) {
      const out = new Float32Array(N * C);
      for (let s = 0; s < N; s += 2000) {
        const y = await phaseShiftWindow({ ...window(s, s + 2000, M), channels: C, spec: fft(), nWorkers: w });
        out.set(y, s * C);
      }
      expect(errVsRms(out, phaseCase('fft_chunked'))).toBeLessThan(1e-6);
    }
  });
});

describe('phase shift, FIR method (SpikeInterface PR #4563)', () => {
  it('makes the PR’s kernels: Kaiser-windowed sinc with unit DC gain', () => {
    const h = firKernels(phaseShifts(), 16);
    expect(errVsRms(h, f32(phaseRefs.kernels16))).toBeLessThan(1e-6);
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let k = 0; k < 16; k++) sum += h[k * C + c];
      expect(sum).toBeCloseTo(1, 6);
    }
  });

  it.each([16, 32, 64] as const)('%i taps match the numpy float32 reference (zeros past the ends)', async (taps) => {
    const out = await phaseShiftWindow({ input: input16(), channels: C, spec: fir(taps), left: 0, right: 0, nWorkers: 2 });
    expect(errVsRms(out, phaseCase(`fir${taps}`))).toBeLessThan(1e-6);
  });

  it('is chunk-independent with K/2 real neighbours, and identical for any n_workers', async () => {
    const whole = await phaseShiftWindow({ input: input16(), channels: C, spec: fir(), left: 0, right: 0 });
    for (const w of [1, 2, 5]) {
      const out = new Float32Array(N * C);
      for (let s = 0; s < N; s += 700) {
        const e = Math.min(s + 700, N);
        const y = await phaseShiftWindow({ ...window(s, e, 8), channels: C, spec: fir(), nWorkers: w });
        out.set(y, s * C);
      }
      expect(out).toEqual(whole);
    }
  });

  it('writes an output larger than the cache (streaming stores) exactly as small windows do, at any alignment', async () => {
    // 12,000 × 384 float32 is 18 MB, past the size from which the engine bypasses the cache.
    const C2 = 384, N2 = 12000;
    const x = new Int16Array(N2 * C2);
    for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 2001) - 1000;
    const shifts = Float64Array.from({ length: C2 }, (_, c) => ((c % 24) >> 1) / 13);
    const spec: PhaseShiftSpec = { method: 'fir', shifts, taps: 16 };
    const small = new Float32Array(N2 * C2);
    for (let s = 0; s < N2; s += 1000) {
      const left = Math.min(8, s), right = Math.min(8, N2 - s - 1000);
      small.set(await phaseShiftWindow({ input: x.subarray((s - left) * C2, (s + 1000 + right) * C2), channels: C2, spec, left, right }), s * C2);
    }
    // One float past a 16-byte boundary: the rows start with ordinary stores up to the boundary.
    const out = new Float32Array(N2 * C2 + 1).subarray(1);
    await phaseShiftWindow({ input: x, channels: C2, spec, left: 0, right: 0, nWorkers: 2, out });
    // Counted, not diffed: a diff of 4.6 M values takes the test runner minutes.
    let differ = 0;
    for (let i = 0; i < out.length; i++) differ += out[i] === small[i] ? 0 : 1;
    expect(differ).toBe(0);
  });

  it('gives the same rows for any worker count, also with more workers than row blocks and a channel count off the 8-lane grid', async () => {
    const C3 = 383, N3 = 1000;
    const x = new Int16Array(N3 * C3);
    for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 2001) - 1000;
    const spec: PhaseShiftSpec = { method: 'fir', shifts: Float64Array.from({ length: C3 }, (_, c) => (c % 13) / 13), taps: 32 };
    const one = await phaseShiftWindow({ input: x, channels: C3, spec, left: 0, right: 0, nWorkers: 1 });
    for (const w of [3, 16]) expect(await phaseShiftWindow({ input: x, channels: C3, spec, left: 0, right: 0, nWorkers: w })).toEqual(one);
  });

  it('delays a channel with an integer shift exactly', async () => {
    const x = input16();
    const out = await phaseShiftWindow({ input: x, channels: C, spec: fir(), left: 0, right: 0 });
    const c = phaseRefs.shifts.indexOf(1.0);
    const z = phaseRefs.shifts.indexOf(0);
    expect(out[c]).toBe(0);
    for (let t = 1; t < N; t++) expect(out[t * C + c]).toBe(x[(t - 1) * C + c]);
    for (let t = 0; t < N; t++) expect(out[t * C + z]).toBe(x[t * C + z]);
  });

  it.each([16, 32, 64] as const)('%i taps stay within 0.02 %% in-band RMS of the FFT method', async (taps) => {
    // Band-passed data (300–6000 Hz, inside the FIR's flat band); compare away from the ends.
    const y = f32('engine_cmr_input.f32');
    const a = await phaseShiftWindow({ input: y, channels: C, spec: fir(taps), left: 0, right: 0 });
    const b = await phaseShiftWindow({ input: y, channels: C, spec: { ...fft(), marginSamples: M }, left: 0, right: 0 });
    let se = 0;
    let ss = 0;
    for (let i = 1500 * C; i < 4500 * C; i++) {
      se += (a[i] - b[i]) ** 2;
      ss += b[i] ** 2;
    }
    expect(Math.sqrt(se / ss)).toBeLessThan(2e-4);
  });

  it('streams in chunks of any size with a fixed delay of K/2 − 1 samples', async () => {
    const y = f32('engine_cmr_input.f32');
    const whole = await phaseShiftWindow({ input: y, channels: C, spec: fir(), left: 0, right: 0 });
    // Workers split a chunk's rows: with 3, the carried rows feed the first worker's block only.
    for (const w of [1, 3]) {
      const stream = new StreamPhaseShift({ shifts: phaseShifts(), channels: C, taps: 16 });
      expect(stream.delaySamples).toBe(7);
      const parts: Float32Array[] = [];
      for (let s = 0, n = 1; s < N; s += n, n = (n * 7) % 997 + 1) parts.push(await stream.process(rowsOf(y, C, s, Math.min(s + n, N)), w));
      const out = new Float32Array(N * C);
      let o = 0;
      for (const p of parts) out.set(p, (o += p.length) - p.length);
      // Output row t is the shifted sample t − 7.
      expect(rowsOf(out, C, 7, N)).toEqual(rowsOf(whole, C, 0, N - 7));
    }
  });
});

describe('StreamPhaseShift contract', () => {
  it('reset() applies after the chunks already given; output into the input is refused', async () => {
    const y = f32('engine_cmr_input.f32');
    const a = rowsOf(y, C, 0, 300), b = rowsOf(y, C, 300, 600);
    const s = new StreamPhaseShift({ shifts: phaseShifts(), channels: C, taps: 16 });
    const pending = s.process(a);
    s.reset();
    await pending;
    const fresh = new StreamPhaseShift({ shifts: phaseShifts(), channels: C, taps: 16 });
    expect(await s.process(b)).toEqual(await fresh.process(b));
    const x = Float32Array.from(a);
    expect(() => s.process(x, 1, x)).toThrow(/"into"/);
    expect(() => s.process(x.subarray(0, 100 * C), 1, x.subarray(50 * C, 150 * C))).toThrow(/"into"/);
  });
});

describe('StreamPhaseShift with a reference (the live path: shift then CMR in one pass)', () => {
  it('gives commonReference after the shift, bit for bit: every kind of plan, any chunking and worker count, channels on and off the 8-lane grid', async () => {
    for (const channels of [384, 383]) {
      const positions = Float64Array.from({ length: channels * 2 }, (_, i) => (i % 2 ? Math.floor((i >> 1) / 2) * 20 : [16, 48, 0, 32][(i >> 1) % 4]));
      const shifts = Float64Array.from({ length: channels }, (_, c) => ((c % 24) >> 1) / 13);
      let seed = 3;
      const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      const rows = 1200;
      // Noise with a common mode, and a stretch of tied (coarse) values.
      const x = Float32Array.from({ length: rows * channels }, (_, i) => {
        const t = Math.floor(i / channels);
        return t > 500 && t < 540 ? Math.round(rand() * 3) : (rand() - 0.5) * 100 + 40 * Math.sin(t / 7);
      });
      const plans = [
        planReference({ mode: 'global', operator: 'median' }, channels),
        planReference({ mode: 'global', operator: 'median', exclude: [3, 100] }, channels),
        planReference({ mode: 'global', operator: 'mean' }, channels),
        planReference({ mode: 'group', operator: 'median', groups: Int32Array.from({ length: channels }, (_, c) => c % 4) }, channels),
        planReference({ mode: 'local', operator: 'median', positions, innerUm: 30, outerUm: 55 }, channels)
      ];
      for (const [p, plan] of plans.entries()) {
        for (const [w, sizes] of [[1, [1200]], [2, [1, 7, 8, 9, 15, 160, 1000]]] as const) {
          const plain = new StreamPhaseShift({ shifts, channels, taps: 16 });
          const fused = new StreamPhaseShift({ shifts, channels, taps: 16 });
          let r = 0;
          for (const n of sizes) {
            const chunk = x.subarray(r * channels, (r + n) * channels);
            const want = await plain.process(chunk, w);
            await commonReference(want, channels, plan, w);
            const got = await fused.process(chunk, w, undefined, plan);
            expect(got, `${channels} channels, plan ${p}, W=${w}, rows ${r}–${r + n}`).toEqual(want);
            r += n;
          }
        }
      }
    }
  });

  it('refuses a plan for another channel count, and NaN as the CMR does', async () => {
    const s = new StreamPhaseShift({ shifts: phaseShifts(), channels: C, taps: 16 });
    expect(() => s.process(new Float32Array(C * 10), 1, undefined, planReference({ mode: 'global', operator: 'median' }, C + 1))).toThrow(/"reference"/);
    const x = new Float32Array(C * 100).fill(1);
    x[50 * C + 2] = NaN;
    await expect(s.process(x, 2, undefined, planReference({ mode: 'global', operator: 'median' }, C))).rejects.toMatchObject({ code: 'NON_FINITE_INPUT' });
  });
});

describe('phase shift validation', () => {
  it('names the argument at fault', async () => {
    const x = input16();
    await expect(phaseShiftWindow({ input: x, channels: C, spec: { method: 'fir', shifts: new Float64Array(3) }, left: 0, right: 0 })).rejects.toThrow(
      /Expected a Float64Array of 8 shifts in samples for "shifts"/
    );
    await expect(phaseShiftWindow({ input: x, channels: C, spec: { ...fir(), taps: 12 as 16 }, left: 0, right: 0 })).rejects.toThrow(/Expected 16, 32 or 64 for "taps"/);
    await expect(phaseShiftWindow({ input: x, channels: C, spec: fir(), left: 9, right: 0 })).rejects.toThrow(/at most 8 neighbour rows/);
    // A whole-sample shift past the kernel's reach summed to 0: every output sample was NaN, said nowhere.
    await expect(phaseShiftWindow({ input: x, channels: C, spec: { method: 'fir', shifts: new Float64Array(C).fill(9) }, left: 0, right: 0 })).rejects.toThrow(/shifts of at most 4 samples for the 16-tap FIR/);
    expect(() => native().phaseShiftKernels(Float64Array.of(9), 16, 8.6)).toThrow(/too far from the FIR kernel's middle tap/);
    expect(firKernels(Float64Array.of(4), 16).every(Number.isFinite)).toBe(true);
    await expect(phaseShiftWindow({ input: x, channels: C, spec: { method: 'fft', shifts: phaseShifts() }, left: 0, right: 0 })).rejects.toThrow(/"marginSamples"/);
    await expect(phaseShiftWindow({ input: x, channels: C, spec: { method: 'sinc' as 'fir', shifts: phaseShifts() }, left: 0, right: 0 })).rejects.toThrow(/"method"/);
    const nan = new Float32Array(C * 100).fill(NaN);
    await expect(phaseShiftWindow({ input: nan, channels: C, spec: fir(), left: 0, right: 0 })).rejects.toMatchObject({ code: 'NON_FINITE_INPUT' });
    const y = new Float32Array(C * 1000);
    await expect(phaseShiftWindow({ input: y, channels: C, spec: fir(), left: 0, right: 0, out: y })).rejects.toThrow(/"out"/);
  });

  it('refuses one NaN or ±inf anywhere in float input (read in place, it is checked through the output), and not finite input too large for float32', async () => {
    const rows = 1000;
    for (const [row, value] of [[3, NaN], [500, NaN], [500, Infinity], [501, -Infinity], [996, NaN]] as const) {
      const x = new Float32Array(C * rows).fill(1);
      x[row * C + 5] = value;
      await expect(phaseShiftWindow({ input: x, channels: C, spec: fir(), left: 0, right: 0, nWorkers: 2 }), `${value} at row ${row}`).rejects.toMatchObject({
        code: 'NON_FINITE_INPUT'
      });
    }
    // ±3e38 signed as the taps of a half-sample shift: row 500's output sums past float32's range, as in numpy.
    const shifts = new Float64Array(C).fill(0.5);
    const h = firKernels(shifts, 16);
    const huge = new Float32Array(C * rows).fill(1);
    for (let k = 0; k < 16; k++) huge.fill(Math.sign(h[k * C]) * 3e38, (500 - 8 + k) * C, (500 - 7 + k) * C);
    const y = await phaseShiftWindow({ input: huge, channels: C, spec: { method: 'fir', shifts, taps: 16 }, left: 0, right: 0 });
    expect(y[500 * C]).toBe(Infinity);
  });
});
