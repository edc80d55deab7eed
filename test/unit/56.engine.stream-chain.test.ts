import { describe, expect, it } from 'vitest';
import { commonReference, designSos, planReference, scaleToFloat, StreamChain, StreamFilter, StreamPhaseShift, type StreamChainSpec } from '../../main/engine/index.ts';
import type { ReferencePlan } from '../../main/engine/reference.ts';

const FS = 30000;
const sos = designSos({ kind: 'bandpass', order: 3, lowHz: 300, highHz: 6000 }, FS);

function raw(rows: number, channels: number): Int16Array {
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  return Int16Array.from({ length: rows * channels }, (_, i) => Math.round((rand() - 0.5) * 400 + 300 * Math.sin(Math.floor(i / channels) / 9)));
}

/** The same chunk through the separate calls the chain stands for, each with its own carried state. */
class Separate {
  readonly channels: number;
  readonly reference: ReferencePlan | null;
  filter: StreamFilter | null;
  shift: StreamPhaseShift | null;
  constructor(spec: StreamChainSpec) {
    const channels = (this.channels = spec.channels);
    this.reference = spec.reference ?? null;
    this.filter = spec.filter ? new StreamFilter({ sos: spec.filter.sos, channels, precision: spec.filter.precision }) : null;
    this.shift = spec.phaseShift ? new StreamPhaseShift({ shifts: spec.phaseShift.shifts, channels, taps: spec.phaseShift.taps }) : null;
  }
  async process(uv: Float32Array, w: number): Promise<Float32Array> {
    const a = this.filter ? await this.filter.process(uv, w) : uv.slice();
    if (this.shift) return this.shift.process(a, w, undefined, this.reference ?? undefined);
    if (this.reference) await commonReference(a, this.channels, this.reference, w);
    return a;
  }
}

describe('StreamChain (a live chunk in one engine call)', () => {
  it('gives the separate calls’ result bit for bit: each combination of steps, raw or µV input, any chunking and worker count', async () => {
    for (const channels of [384, 383]) {
      const shifts = Float64Array.from({ length: channels }, (_, c) => ((c % 24) >> 1) / 13);
      const gain = Float32Array.from({ length: channels }, (_, c) => 2.34375 + c * 1e-3);
      const offset = Float32Array.from({ length: channels }, (_, c) => (c % 5) - 2);
      const median = planReference({ mode: 'global', operator: 'median', exclude: [3, 100] }, channels);
      const mean = planReference({ mode: 'global', operator: 'mean' }, channels);
      const filter = { sos, precision: 'float32' as const };
      const phaseShift = { shifts, taps: 16 as const };
      const combos: [string, StreamChainSpec][] = [
        ['filter, shift, median', { channels, filter, phaseShift, reference: median }],
        ['float64 filter, shift', { channels, filter: { sos, precision: 'float64' }, phaseShift }],
        ['filter, mean', { channels, filter, reference: mean }],
        ['shift, median', { channels, phaseShift, reference: median }],
        ['median alone', { channels, reference: median }],
        ['filter alone', { channels, filter }],
        ['nothing', { channels }]
      ];
      const x = raw(1300, channels);
      for (const [name, spec] of combos) {
        for (const [w, sizes] of [[1, [1300]], [2, [1, 7, 9, 15, 268, 1000]]] as const) {
          for (const scaled of [true, false]) {
            const chain = new StreamChain(spec);
            const separate = new Separate(spec);
            let r = 0;
            for (const n of sizes) {
              const rows = x.subarray(r * channels, (r + n) * channels);
              const uv = await scaleToFloat(rows, channels, gain, offset, 1);
              const want = await separate.process(uv, w);
              const buffers = { filtered: new Float32Array(uv.length), shifted: new Float32Array(uv.length) };
              const into = new Float32Array(uv.length);
              const got = scaled ? await chain.process(rows, w, { ...buffers, scale: { gain, offset, into } }) : await chain.process(uv, w, buffers);
              const where = `${name}, ${channels} channels, W=${w}, ${scaled ? 'raw' : 'µV'} rows ${r}–${r + n}`;
              expect(got, where).toEqual(want);
              if (scaled) expect(into, where).toEqual(uv);
              r += n;
            }
          }
        }
      }
    }
  });

  it('says what is wrong with its buffers, and keeps going after a refused chunk', async () => {
    const C = 16;
    const chain = new StreamChain({ channels: C, filter: { sos, precision: 'float32' }, phaseShift: { shifts: new Float64Array(C).fill(0.5), taps: 16 }, reference: planReference({ mode: 'global', operator: 'median' }, C) });
    const uv = new Float32Array(C * 100).fill(1);
    const b = () => ({ filtered: new Float32Array(uv.length), shifted: new Float32Array(uv.length) });
    expect(() => chain.process(new Int16Array(uv.length), 1, b())).toThrow(/µV rows.*"input"/);
    expect(() => chain.process(uv, 1, { ...b(), filtered: new Float32Array(10) })).toThrow(/"filtered"/);
    expect(() => chain.process(uv, 1, { ...b(), shifted: uv })).toThrow(/apart from "input".*"shifted"/);
    const one = new Float32Array(uv.length * 2);
    expect(() => chain.process(uv, 1, { filtered: one.subarray(0, uv.length), shifted: one.subarray(uv.length - 1, 2 * uv.length - 1) })).toThrow(/apart from "filtered".*"shifted"/);
    expect(() => chain.process(new Int16Array(uv.length), 1, { ...b(), scale: { gain: 1, offset: 0, into: new Float32Array(3) } })).toThrow(/"scale.into"/);
    expect(() => chain.process(new Int16Array(uv.length), 1, { ...b(), scale: { gain: new Float32Array(3), offset: 0, into: new Float32Array(uv.length) } })).toThrow(/"gain"/);
    expect(() => new StreamChain({ channels: C, reference: planReference({ mode: 'global', operator: 'median' }, C + 1) })).toThrow(/"reference"/);
    const nan = uv.slice();
    nan[7] = NaN;
    await expect(chain.process(nan, 2, b())).rejects.toMatchObject({ code: 'NON_FINITE_INPUT' });
    const fine = await chain.process(uv, 2, b());
    expect(fine.every(Number.isFinite)).toBe(true);
  });
});
