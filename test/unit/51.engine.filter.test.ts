import { describe, expect, it } from 'vitest';
import { designSos, filterWindow, StreamFilter } from '../../main/engine/index.ts';
import { native } from '../../main/engine/native.ts';
import { errVsRms, f32, input16, refCase, refs, rowsOf } from './engine-refs.ts';

const C = refs.channels;
const bp = () => designSos({ kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000 }, refs.fs);
const hp = () => designSos({ kind: 'highpass', order: 5, lowHz: 300 }, refs.fs);

// float64 compute then float32 output: the only difference from scipy is the final rounding.
const TIGHT = 1e-6;

describe('filterWindow (SpikeInterface FilterRecording semantics)', () => {
  it.each([
    ['bandpass zero-phase, int16 in', bp, 'zero-phase', 'bp_zero_window'],
    ['highpass zero-phase, int16 in', hp, 'zero-phase', 'hp_zero_window'],
    ['bandpass causal from zero state', bp, 'causal', 'bp_causal_window']
  ] as const)('%s equals scipy', async (_n, sos, mode, ref) => {
    const out = await filterWindow({ input: input16(), channels: C, sos: sos(), mode, left: 500, right: 500 });
    expect(errVsRms(out, refCase(ref))).toBeLessThan(TIGHT);
  });

  it('float64 filtering is scipy’s arithmetic, operation for operation: its float32 output is equal bit for bit', async () => {
    // The kernels skip multiplies by exactly 1 (b0 after the first section, b2 = ±1): any change of
    // rounding order would show here as a differing value.
    for (const [sos, mode, ref] of [[bp, 'zero-phase', 'bp_zero_window'], [hp, 'zero-phase', 'hp_zero_window'], [bp, 'causal', 'bp_causal_window']] as const) {
      expect(await filterWindow({ input: input16(), channels: C, sos: sos(), mode, left: 500, right: 500 })).toEqual(refCase(ref));
    }
    expect(await new StreamFilter({ sos: bp(), channels: C }).process(input16())).toEqual(refCase('bp_stream'));
  });

  it('takes float32 µV input', async () => {
    const out = await filterWindow({ input: f32('engine_input_uv.f32'), channels: C, sos: bp(), mode: 'zero-phase', left: 500, right: 500 });
    expect(errVsRms(out, refCase('bp_zero_window_f32in'))).toBeLessThan(TIGHT);
  });
  it('extends float32 input at the ends in float32, as scipy does', async () => {
    // sosfiltfilt's odd extension 2·x[0] − x[k] keeps the input's dtype; made in float64 it moved
    // a few output samples near the ends by an ulp or more.
    const input = Float32Array.from(input16(), (v) => Math.fround(v * 2343.75) * Math.fround(1.1)); // numpy's float32 products
    const out = await filterWindow({ input, channels: C, sos: bp(), mode: 'zero-phase', left: 0, right: 0 });
    expect(out).toEqual(refCase('bp_zero_whole_f32in'));
  });
  it('gives identical results for every n_workers', async () => {
    const runs = await Promise.all([1, 2, 3, 4, 7].map((w) => filterWindow({ input: input16(), channels: C, sos: bp(), mode: 'zero-phase', left: 500, right: 500, nWorkers: w })));
    for (const r of runs.slice(1)) expect(r).toEqual(runs[0]);
  });

  it('handles channel counts that are not a multiple of the SIMD tile', async () => {
    // 8 channels → take 3: rows of the first 3 channels.
    const src = input16();
    const three = new Int16Array(refs.rows * 3);
    for (let t = 0; t < refs.rows; t++) for (let c = 0; c < 3; c++) three[t * 3 + c] = src[t * C + c];
    const out = await filterWindow({ input: three, channels: 3, sos: bp(), mode: 'zero-phase', left: 500, right: 500, nWorkers: 2 });
    const ref = refCase('bp_zero_window');
    const refThree = new Float32Array(5000 * 3);
    for (let t = 0; t < 5000; t++) for (let c = 0; c < 3; c++) refThree[t * 3 + c] = ref[t * C + c];
    expect(errVsRms(out, refThree)).toBeLessThan(TIGHT);
  });
});

describe('StreamFilter (exact sosfilt across chunks)', () => {
  it.each([[[6000]], [[1, 2, 997, 3000, 2000]], [[1500, 1500, 1500, 1500]], [[333, 4444, 1223]]])('chunks %j equal one sosfilt over the stream', async (sizes) => {
    const f = new StreamFilter({ sos: bp(), channels: C });
    const x = input16();
    const parts: Float32Array[] = [];
    let r = 0;
    for (const n of sizes) {
      parts.push(await f.process(rowsOf(x, C, r, r + n), 2));
      r += n;
    }
    const all = new Float32Array(refs.rows * C);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    expect(errVsRms(all, refCase('bp_stream'))).toBeLessThan(TIGHT);
  });

  it('applies concurrent process() calls in call order', async () => {
    const f = new StreamFilter({ sos: bp(), channels: C });
    const x = input16();
    const outs = await Promise.all([0, 1, 2, 3].map((k) => f.process(rowsOf(x, C, k * 1500, (k + 1) * 1500))));
    const all = new Float32Array(refs.rows * C);
    outs.forEach((p, k) => all.set(p, k * 1500 * C));
    expect(errVsRms(all, refCase('bp_stream'))).toBeLessThan(TIGHT);
  });

  it('starts over after reset()', async () => {
    const f = new StreamFilter({ sos: bp(), channels: C });
    const a = await f.process(rowsOf(input16(), C, 0, 3000));
    f.reset();
    const b = await f.process(rowsOf(input16(), C, 0, 3000));
    expect(b).toEqual(a);
  });
});

describe('filter errors are specific and never crash', () => {
  it('a window not longer than padlen', async () => {
    await expect(filterWindow({ input: new Int16Array(33 * C), channels: C, sos: bp(), mode: 'zero-phase', left: 0, right: 0 })).rejects.toMatchObject({
      code: 'WINDOW_TOO_SHORT',
      message: expect.stringMatching(/padlen of 33 samples, got 33/)
    });
  });
  it('input that is not whole frames', async () => {
    await expect(filterWindow({ input: new Int16Array(1001), channels: C, sos: bp(), mode: 'causal', left: 0, right: 0 })).rejects.toMatchObject({
      code: 'BAD_SHAPE',
      message: expect.stringMatching(/1001 values, which is not a whole number of 8-channel frames/)
    });
  });
  it('NaN input', async () => {
    const x = new Float32Array(1000 * C);
    x[4321] = NaN;
    await expect(filterWindow({ input: x, channels: C, sos: bp(), mode: 'zero-phase', left: 0, right: 0 })).rejects.toMatchObject({ code: 'NON_FINITE_INPUT' });
    await expect(new StreamFilter({ sos: bp(), channels: C }).process(x)).rejects.toMatchObject({ code: 'NON_FINITE_INPUT', stack: expect.stringContaining('51.engine.filter.test.ts') });
  });
  it('margins longer than the window, bad workers, bad sos', async () => {
    await expect(filterWindow({ input: new Int16Array(100 * C), channels: C, sos: bp(), mode: 'causal', left: 60, right: 60 })).rejects.toThrow(/margins \(60 \+ 60\)/);
    await expect(filterWindow({ input: new Int16Array(100 * C), channels: C, sos: bp(), mode: 'causal', left: 0, right: 0, nWorkers: 0 })).rejects.toThrow(/"nWorkers"/);
    await expect(filterWindow({ input: new Int16Array(100 * C), channels: C, sos: new Float64Array(5), mode: 'causal', left: 0, right: 0 })).rejects.toThrow(/"sos"/);
    // 11 sections: more than the passes hold (an order-10 band-pass has 10).
    const long = new Float64Array(66).map((_, i) => (i % 6 === 0 || i % 6 === 3 ? 1 : 0));
    await expect(filterWindow({ input: new Int16Array(100 * C), channels: C, sos: long, mode: 'causal', left: 0, right: 0 })).rejects.toThrow(/at most 10 sections/);
    expect(() => new StreamFilter({ sos: long, channels: C })).toThrow(/at most 10 sections/);
  });
  it('an output that shares memory with the input is refused (the forward pass writes it before reading the last rows)', async () => {
    const x = new Float32Array(1000 * C).map((_, i) => Math.sin(i));
    await expect(filterWindow({ input: x, channels: C, sos: bp(), mode: 'zero-phase', left: 0, right: 0, out: x })).rejects.toThrow(/apart from the input for "out"/);
    const shifted = new Float32Array(1100 * C);
    await expect(filterWindow({ input: shifted.subarray(0, 1000 * C), channels: C, sos: bp(), mode: 'causal', left: 0, right: 0, out: shifted.subarray(100 * C) })).rejects.toThrow(/apart from the input/);
  });
  it('a stream output that shares part of the input is refused; in place is taken and equal', async () => {
    const x = new Float32Array(1100 * C).map((_, i) => Math.sin(i) * 100);
    expect(() => new StreamFilter({ sos: bp(), channels: C }).process(x.subarray(C), 2, x.subarray(0, 1099 * C))).toThrow(/the input itself or a buffer apart from it for "into"/);
    const int16 = new Int16Array(2000 * C);
    expect(() => new StreamFilter({ sos: bp(), channels: C }).process(int16.subarray(0, 1000 * C), 2, new Float32Array(int16.buffer, 0, 1000 * C))).toThrow(/"into"/);
    const want = await new StreamFilter({ sos: bp(), channels: C }).process(x, 2);
    const inPlace = x.slice();
    await new StreamFilter({ sos: bp(), channels: C }).process(inPlace, 2, inPlace);
    expect(inPlace).toEqual(want);
  });
  it('a stream state of the wrong size, at the binding (it would be written past its end)', () => {
    // float32 keeps (sections + 1) × 2 values per channel; 2 per section is float64's layout only.
    const x = new Int16Array(100 * C);
    const short = new Float64Array((bp().length / 6) * 2 * C);
    expect(() => native().filterStream(x, C, bp(), short, new Float32Array(x.length), 1, 1)).toThrow(/"state" to hold 12 values per channel/);
  });
});

describe('the addon itself, called directly', () => {
  // The facade refuses these first; a direct call divided by 0 on a libuv thread (SIGFPE ends the process).
  it('refuses a channel or frame count that is not a whole number from 1', async () => {
    const n = native() as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const sos = new Float64Array([1, 0, 0, 1, 0, 0]);
    for (const channels of [0, NaN, -1, 1.5, 1e6]) {
      expect(() => n.filterStream(new Int16Array(8), channels, sos, new Float64Array(4), new Float32Array(8), 1, 0), String(channels)).toThrow(RangeError);
    }
    expect(() => n.keepColumns(new Uint8Array(8), 0, 2, new Int32Array([0]), false, new Uint8Array(8))).toThrow(RangeError);
    // No other argument of it could stop a 0 here: the engine divided by it.
    expect(() => n.decimateMinMax(new Float32Array(8), 0, 2, new Float32Array(8), 1)).toThrow(RangeError);
  });
  it('refuses an FFT phase shift of no samples, where the transform planned for ever', async () => {
    const n = native() as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    await expect(n.phaseShiftFft(new Int16Array(0), 4, new Float64Array(4), 0, 0, 0, new Float32Array(0), 1)).rejects.toMatchObject({ code: 'EMPTY_WINDOW' });
  });
});
