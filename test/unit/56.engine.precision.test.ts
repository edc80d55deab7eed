import { describe, expect, it } from 'vitest';
import { commonReference, designSos, filterWindow, StreamFilter } from '../../main/engine/index.ts';
import { errVsRms, f32, input16, refCase, refs, rowsOf } from './engine-refs.ts';

// The 8 reference channels repeated 17 times: 136 channels = two whole 64-channel tiles (the direct
// row-to-row path) plus a partial one (the staged path).
const COPIES = 17;
const C = refs.channels * COPIES;
const widen = <T extends Int16Array | Float32Array>(a: T): T => {
  const out = new (a.constructor as new (n: number) => T)(a.length * COPIES);
  for (let t = 0; t < a.length / refs.channels; t++) for (let k = 0; k < COPIES; k++) out.set(a.subarray(t * refs.channels, (t + 1) * refs.channels), (t * COPIES + k) * refs.channels);
  return out;
};
const bp = () => designSos({ kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000 }, refs.fs);
const TIGHT = 1e-6; // float64 compute, float32 output
const F32 = 1e-4; // the bound for the float32 path, relative to the output RMS

async function stream(input: Int16Array, precision: 'float64' | 'float32', nWorkers: number): Promise<Float32Array> {
  const f = new StreamFilter({ sos: bp(), channels: C, precision });
  const out = new Float32Array(input.length);
  for (const [a, b] of [[0, 1700], [1700, 1701], [1701, 6000]]) out.set(await f.process(rowsOf(input, C, a, b), nWorkers), a * C);
  return out;
}

describe('filters on whole 64-channel tiles equal scipy', () => {
  it.each([
    ['zero-phase', 'bp_zero_window'],
    ['causal', 'bp_causal_window']
  ] as const)('%s, float64', async (mode, ref) => {
    const out = await filterWindow({ input: widen(input16()), channels: C, sos: bp(), mode, left: 500, right: 500, nWorkers: 2 });
    expect(errVsRms(out, widen(refCase(ref)))).toBeLessThan(TIGHT);
  });
  it('streaming, float64', async () => {
    expect(errVsRms(await stream(widen(input16()), 'float64', 2), widen(refCase('bp_stream')))).toBeLessThan(TIGHT);
  });
});

describe("precision: 'float32' stays within 1e-4 of float64 (relative to the output RMS)", () => {
  it.each([
    ['zero-phase', 'bp_zero_window'],
    ['causal', 'bp_causal_window']
  ] as const)('%s, int16 in: vs scipy and vs the float64 path', async (mode, ref) => {
    const input = widen(input16());
    const o = { input, channels: C, sos: bp(), mode, left: 500, right: 500, nWorkers: 2 } as const;
    const lo = await filterWindow({ ...o, precision: 'float32' });
    const hi = await filterWindow(o);
    const e = errVsRms(lo, widen(refCase(ref)));
    expect(e).toBeLessThan(F32);
    expect(e).toBeGreaterThan(TIGHT); // it really ran in float32
    expect(errVsRms(lo, hi)).toBeLessThan(F32);
  });
  it('zero-phase, float32 µV in', async () => {
    const out = await filterWindow({ input: widen(f32('engine_input_uv.f32')), channels: C, sos: bp(), mode: 'zero-phase', left: 500, right: 500, precision: 'float32' });
    expect(errVsRms(out, widen(refCase('bp_zero_window_f32in')))).toBeLessThan(F32);
  });
  it('streaming across chunks, any n_workers', async () => {
    const a = await stream(widen(input16()), 'float32', 1);
    expect(errVsRms(a, widen(refCase('bp_stream')))).toBeLessThan(F32);
    expect(await stream(widen(input16()), 'float32', 3)).toEqual(a);
  });
  it('partial tiles (8 channels) too', async () => {
    const out = await filterWindow({ input: input16(), channels: refs.channels, sos: bp(), mode: 'zero-phase', left: 500, right: 500, precision: 'float32' });
    expect(errVsRms(out, refCase('bp_zero_window'))).toBeLessThan(F32);
  });
  it('with a large offset and slow drift in the input (what a probe gives before the high-pass)', async () => {
    // The float32 passes keep scipy's pairing of zeros and poles. A variant that paired every pole
    // with one zero at DC and one at Nyquist (fewer operations) passed the plain input and failed here.
    const T = 30000, W = 16;
    const x = new Int16Array(T * W);
    for (let t = 0; t < T; t++)
      for (let c = 0; c < W; c++)
        x[t * W + c] = Math.round(-900 + 500 * Math.sin((2 * Math.PI * 0.3 * t) / refs.fs) + 300 * Math.sin((2 * Math.PI * 7 * t) / refs.fs) + 60 * Math.sin(t * (0.37 + c / 7)));
    const o = { input: x, channels: W, sos: bp(), mode: 'zero-phase', left: 0, right: 0 } as const;
    expect(errVsRms(await filterWindow({ ...o, precision: 'float32' }), await filterWindow(o))).toBeLessThan(F32);
    const lo = new StreamFilter({ sos: bp(), channels: W, precision: 'float32' });
    const hi = new StreamFilter({ sos: bp(), channels: W });
    expect(errVsRms(await lo.process(x), await hi.process(x))).toBeLessThan(F32);
  });
  it('every Butterworth kind and order keeps 1e-4 at every sample, whatever order scipy gives its sections', async () => {
    // Band-, high- and low-passes of orders 1–10 (zeros at z = −1 paired first), and 5–14 kHz, which
    // scipy orders the other way round; then the corners whose poles sit nearest z = 1 and still run
    // in float32. The input drifts 30× the output's RMS. The transposed form that float64 keeps (for
    // scipy's bit pattern) missed here by up to 4×: 4e-4 for an order-2 100 Hz low-pass, 3e-4 for
    // an order-2 150–10000 Hz band-pass, 1.3e-4 for the order-4 300–6000 Hz one.
    const T = 6000, W = 16;
    const x = new Int16Array(T * W);
    for (let t = 0; t < T; t++)
      for (let c = 0; c < W; c++) x[t * W + c] = Math.round(-700 + 300 * Math.sin((2 * Math.PI * 3 * t) / refs.fs) + 80 * Math.sin(t * (0.37 + c / 5)) + 40 * Math.sin(t * (2.9 - c / 9)));
    const orders = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const designs = [
      ...orders.flatMap((order) => [
        { kind: 'bandpass', order, lowHz: 1000, highHz: 6000 } as const,
        { kind: 'highpass', order, lowHz: 1000 } as const,
        { kind: 'lowpass', order, highHz: 6000 } as const
      ]),
      ...orders.slice(0, 9).map((order) => ({ kind: 'bandpass', order, lowHz: 300, highHz: 6000 }) as const),
      { kind: 'bandpass', order: 5, lowHz: 5000, highHz: 14000 } as const,
      ...[1, 2, 3].map((order) => ({ kind: 'bandpass', order, lowHz: 150, highHz: 10000 }) as const),
      ...[1, 2, 3, 4, 5, 6].map((order) => ({ kind: 'highpass', order, lowHz: 200 }) as const),
      ...[1, 2].map((order) => ({ kind: 'lowpass', order, highHz: 100 }) as const)
    ];
    const worst = (lo: Float32Array, hi: Float32Array) => {
      let e = 0, sy = 0;
      for (let i = 0; i < hi.length; i++) (e = Math.max(e, Math.abs(lo[i] - hi[i]))), (sy += hi[i] ** 2);
      return e / Math.sqrt(sy / hi.length);
    };
    for (const d of designs) {
      const sos = designSos(d, refs.fs);
      const streamed = worst(await new StreamFilter({ sos, channels: W, precision: 'float32' }).process(x), await new StreamFilter({ sos, channels: W }).process(x));
      const o = { input: x, channels: W, sos, mode: 'zero-phase', left: 0, right: 0 } as const;
      const zero = worst(await filterWindow({ ...o, precision: 'float32' }), await filterWindow(o));
      for (const e of [streamed, zero]) {
        expect(e, JSON.stringify(d)).toBeLessThan(F32);
        expect(e, JSON.stringify(d)).toBeGreaterThan(1e-8); // it really ran in float32
      }
    }
  });
  it('a filter with its gain in a later section (not as zpk2sos builds it) keeps 1e-4 too', async () => {
    const sos = bp();
    const g = sos[0];
    for (const i of [0, 1, 2]) sos[i] /= g;
    for (const i of [24, 25, 26]) sos[i] *= g;
    const x = Int16Array.from(input16(), (v) => v + 800); // an offset: the start state matters
    const o = { input: x, channels: refs.channels, sos, mode: 'zero-phase', left: 500, right: 500 } as const;
    expect(errVsRms(await filterWindow({ ...o, precision: 'float32' }), await filterWindow(o))).toBeLessThan(F32);
  });
  it('a corner too low for float32 to hold 1e-4 runs in float64 whatever was asked', async () => {
    // A 20 Hz corner at 30 kHz puts poles 0.0013 from the unit circle: float32 missed by 50×.
    const sos = designSos({ kind: 'bandpass', order: 5, lowHz: 20, highHz: 6000 }, refs.fs);
    const o = { input: input16(), channels: refs.channels, sos, mode: 'zero-phase', left: 500, right: 500 } as const;
    expect(await filterWindow({ ...o, precision: 'float32' })).toEqual(await filterWindow(o));
    const lo = new StreamFilter({ sos, channels: refs.channels, precision: 'float32' });
    expect(await lo.process(input16())).toEqual(await new StreamFilter({ sos, channels: refs.channels }).process(input16()));
  });
  it('rejects NaN input and an unknown precision by name', async () => {
    const x = widen(f32('engine_input_uv.f32'));
    x[4000 * C + 100] = NaN;
    await expect(filterWindow({ input: x, channels: C, sos: bp(), mode: 'zero-phase', left: 0, right: 0, precision: 'float32' })).rejects.toMatchObject({ code: 'NON_FINITE_INPUT' });
    await expect(filterWindow({ input: input16(), channels: refs.channels, sos: bp(), mode: 'causal', left: 0, right: 0, precision: 'float16' as 'float32' })).rejects.toThrow(
      /Expected "float64" or "float32" for "precision"/
    );
    expect(() => new StreamFilter({ sos: bp(), channels: 4, precision: 'double' as 'float64' })).toThrow(/"precision"/);
  });
});

describe('global median of 384 channels is exact', () => {
  // numpy: the float32 mean of the two middle values.
  const npMedian = (v: Float32Array) => {
    const s = Float32Array.from(v).sort();
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : Math.fround(Math.fround(s[m - 1] + s[m]) / 2);
  };
  it.each([
    ['continuous values', (i: number) => Math.sin(i * 0.7311) * 50 + Math.sin(i * 0.0013) * 20],
    ['many ties (integers)', (i: number) => Math.round(Math.sin(i * 0.7311) * 3)],
    ['a few huge outliers', (i: number) => (i % 97 === 0 ? 3e4 : Math.sin(i * 0.7311) * 10)],
    ['all equal', () => 7]
  ])('%s', async (_n, gen) => {
    const rows = 500;
    const x = Float32Array.from({ length: rows * 384 }, (_, i) => gen(i));
    for (const [channels, exclude] of [[384, []], [383, [5]]] as const) {
      const d = x.slice(0, rows * channels);
      await commonReference(d, channels, { mode: 'global', operator: 'median', exclude: [...exclude] }, 2);
      for (let t = 0; t < rows; t++) {
        const row = x.subarray(t * channels, (t + 1) * channels);
        const med = npMedian(row.filter((_, c) => !(exclude as readonly number[]).includes(c)));
        // + 0: which of −0 and +0 sits at the middle rank is unspecified, in numpy as here.
        for (const c of [0, 200, channels - 1]) expect(d[t * channels + c] + 0).toBe(Math.fround(row[c] - med) + 0);
      }
    }
  });
});
