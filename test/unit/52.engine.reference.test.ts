import { describe, expect, it } from 'vitest';
import { commonReference, designSos, filterWindow, planReference, roundToInt16, scaleToFloat, type ReferenceSpec } from '../../main/engine/index.ts';
import { keepColumns } from '../../main/engine/columns.ts';
import { f32, refCase, refs } from './engine-refs.ts';

const C = refs.channels;
const input = () => f32('engine_cmr_input.f32');

describe('commonReference equals numpy', () => {
  it('global median is bit-exact (median of an even count = mean of the middle two)', async () => {
    const d = input();
    await commonReference(d, C, { mode: 'global', operator: 'median' });
    expect(d).toEqual(refCase('cmr_global_median'));
  });
  it('global mean is bit-exact (a filter’s float32 output summed channel after channel, as numpy does on scipy’s Fortran-ordered result), over 8 or 384 channels, with exclusions', async () => {
    const d = input();
    await commonReference(d, C, { mode: 'global', operator: 'mean' });
    expect(d).toEqual(refCase('cmr_global_mean'));
    for (const [name, exclude] of [['cmr_wide_mean', []], ['cmr_wide_mean_excl', [0, 191, 383]]] as const) {
      const wide = f32('engine_cmr_wide_input.f32');
      await commonReference(wide, 384, { mode: 'global', operator: 'mean', exclude: [...exclude] });
      expect(wide, name).toEqual(refCase(name));
    }
  });
  it('excluded channels never enter the reference', async () => {
    const d = input();
    await commonReference(d, C, { mode: 'global', operator: 'median', exclude: [2, 5] });
    expect(d).toEqual(refCase('cmr_global_median_excl'));
  });
  it('per group (shank)', async () => {
    const d = input();
    await commonReference(d, C, { mode: 'group', operator: 'median', groups: Int32Array.from([0, 0, 0, 0, 1, 1, 1, 1]) });
    expect(d).toEqual(refCase('cmr_group_median'));
  });
  it('single channel: every channel minus that one', async () => {
    const d = input();
    const orig = input();
    await commonReference(d, C, { mode: 'single', operator: 'median', channel: 3 });
    for (let t = 0; t < 50; t++) for (let c = 0; c < C; c++) expect(d[t * C + c]).toBe(Math.fround(orig[t * C + c] - orig[t * C + 3]));
  });
  it('local annulus uses the neighbours between the radii', async () => {
    // 8 channels in a line, 20 µm apart: inner 10, outer 45 → the two neighbours on each side.
    const positions = Float64Array.from({ length: C * 2 }, (_, i) => (i % 2 ? (i >> 1) * 20 : 0));
    const plan = planReference({ mode: 'local', operator: 'median', positions, innerUm: 10, outerUm: 45 }, C);
    const members = (c: number) => Array.from(plan.members.subarray(plan.offsets[plan.setOfChannel[c]], plan.offsets[plan.setOfChannel[c] + 1]));
    expect(members(0)).toEqual([1, 2]);
    expect(members(4)).toEqual([2, 3, 5, 6]);
    const d = input();
    const orig = input();
    await commonReference(d, C, plan);
    const t = 100;
    const nb = [2, 3, 5, 6].map((k) => orig[t * C + k]).sort((a, b) => a - b);
    expect(d[t * C + 4]).toBe(Math.fround(orig[t * C + 4] - Math.fround((nb[1] + nb[2]) / 2)));
    expect(() => planReference({ mode: 'local', operator: 'median', positions, innerUm: 10, outerUm: 15, minNeighbors: 1 }, C)).toThrow(/channel 0 has 0 reference neighbours/);
    // Each radius's fault is named as its own.
    expect(() => planReference({ mode: 'local', operator: 'median', positions, innerUm: -10, outerUm: 55 }, C)).toThrow(/^Expected a radius of 0 µm or more for "innerUm" but received -10$/);
    expect(() => planReference({ mode: 'local', operator: 'median', positions, innerUm: 60, outerUm: 55 }, C)).toThrow(/^Expected a radius above innerUm \(60\) for "outerUm" but received 55$/);
    // Everything excluded (detection that took every channel for bad): said as such, per shank too.
    const every = Array.from({ length: C }, (_, c) => c);
    expect(() => planReference({ mode: 'global', operator: 'median', exclude: every }, C)).toThrow(new RegExp(`^no channel of the probe is left to reference against: ${C} of ${C} channels are excluded as bad$`));
    const groups = Int32Array.from(every, (c) => (c < C / 2 ? 0 : 1));
    expect(() => planReference({ mode: 'group', operator: 'median', groups, exclude: every.slice(C / 2) }, C)).toThrow(/^no channel of shank 1 is left to reference against/);
  });
  it('is identical for every n_workers (time split)', async () => {
    const big = new Float32Array(40000 * C).map((_, i) => Math.sin(i * 0.37) * 100);
    const outs = await Promise.all([1, 2, 4].map(async (w) => {
      const d = big.slice();
      await commonReference(d, C, { mode: 'global', operator: 'median' }, w);
      return d;
    }));
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
  });
  it('a live chunk (600 rows of 384 channels, split in blocks over the workers) is exact', async () => {
    const channels = 384;
    const d = new Float32Array(600 * channels).map((_, i) => Math.sin(i * 0.37) * 100 + Math.floor(i / channels) * 0.5);
    const expected = Float32Array.from(d);
    for (let t = 0; t < 600; t++) {
      const row = expected.subarray(t * channels, (t + 1) * channels);
      const s = Float32Array.from(row).sort();
      const m = Math.fround(Math.fround(s[191] + s[192]) / 2);
      for (let c = 0; c < channels; c++) row[c] = Math.fround(row[c] - m);
    }
    await commonReference(d, channels, { mode: 'global', operator: 'median' }, 2);
    expect(d).toEqual(expected);
  });
  it('a probe-sized median is exact on any rows: drifting, jumping, tied, constant, odd counts, subsets', async () => {
    // 384 channels take the fast path that starts from the previous row's median, moved with the
    // row's clipped mean while the common mode moves; these rows are chosen to break that guess
    // (jumps of 10⁴, runs of ties, constant rows, a common mode stepping by more than the noise,
    // spikes on a few channels, values near float32's end) and must still equal numpy's median:
    // sort, middle value or the float32 mean of the middle two.
    const exact = (row: Float32Array): number => {
      const s = Float32Array.from(row).sort();
      const n = s.length;
      return n % 2 ? s[(n - 1) / 2] : Math.fround(Math.fround(s[n / 2 - 1] + s[n / 2]) / 2);
    };
    let seed = 11;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    // 96 and 65: a shank of a 4-shank probe, and the smallest set that takes the window.
    for (const channels of [384, 383, 96, 65]) {
      const T = 8000;
      const d = new Float32Array(T * channels);
      let walk = 0;
      for (let t = 0; t < T; t++) {
        const phase = Math.floor(t / 1000);
        walk += (rand() - 0.5) * 40;
        const offset = phase === 1 ? (rand() < 0.3 ? (rand() - 0.5) * 2e4 : 0) : phase >= 5 ? walk : 40 * Math.sin(t / 30);
        const spikeAt = Math.floor(rand() * channels);
        for (let c = 0; c < channels; c++) {
          const noise = (rand() - 0.5) * 60;
          let v = phase === 2 ? Math.round(noise / 20) : phase === 3 ? 5 : phase === 4 ? (c % 2 ? 1e3 : -1e3) : noise;
          if (phase === 6 && c >= spikeAt && c < spikeAt + 12) v -= 500;
          if (phase === 7 && c === spikeAt) v = rand() < 0.5 ? 3e38 : -3e38;
          d[t * channels + c] = offset + v;
        }
      }
      for (const exclude of [[], [0, 7, 100, 200, 201].filter((c) => c < channels)]) {
        const keep = Array.from({ length: channels }, (_, c) => c).filter((c) => !exclude.includes(c));
        const want = d.slice();
        for (let t = 0; t < T; t++) {
          const row = d.subarray(t * channels, (t + 1) * channels);
          const m = exact(Float32Array.from(keep, (c) => row[c]));
          for (let c = 0; c < channels; c++) want[t * channels + c] = Math.fround(row[c] - m);
        }
        for (const w of [1, 2]) {
          const got = d.slice();
          await commonReference(got, channels, { mode: 'global', operator: 'median', exclude }, w);
          expect(got).toEqual(want);
        }
      }
    }
  });
  it('local annuli on a Neuropixels layout are exact: every set size, odd and even, ties, tails, exclusions, any worker count', async () => {
    // NP1.0 checkerboard contacts (16/48/0/32 µm across, 20 µm rows): annuli of 1 to ~60 neighbours
    // take the sorting-network path 16 rows at a time; 1001 rows leave a tail that does not.
    const channels = 384;
    const positions = Float64Array.from({ length: channels * 2 }, (_, i) => (i % 2 ? Math.floor((i >> 1) / 2) * 20 : [16, 48, 0, 32][(i >> 1) % 4]));
    const exact = (v: number[]): number => {
      const s = Float32Array.from(v).sort();
      const n = s.length;
      return n % 2 ? s[(n - 1) / 2] : Math.fround(Math.fround(s[n / 2 - 1] + s[n / 2]) / 2);
    };
    let seed = 5;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const T = 1001;
    // Noise, rows of coarse (tied) values, constant rows and large jumps.
    const d = Float32Array.from({ length: T * channels }, (_, i) => {
      const t = Math.floor(i / channels);
      return t % 97 === 3 ? 7 : t % 5 === 0 ? Math.round(rand() * 4) : (rand() - 0.5) * 200 + (t % 50 === 0 ? 1e4 : 0);
    });
    const sizes = new Set<number>();
    for (const [innerUm, outerUm, exclude] of [[0, 35, []], [30, 55, [10, 11, 200]], [40, 160, []], [0, 400, [0, 1, 2]]] as [number, number, number[]][]) {
      const plan = planReference({ mode: 'local', operator: 'median', positions, innerUm, outerUm, exclude }, channels);
      const want = d.slice();
      for (let t = 0; t < T; t++)
        for (let c = 0; c < channels; c++) {
          const k = plan.setOfChannel[c];
          const members = Array.from(plan.members.subarray(plan.offsets[k], plan.offsets[k + 1]));
          sizes.add(members.length);
          want[t * channels + c] = Math.fround(d[t * channels + c] - exact(members.map((m) => d[t * channels + m])));
        }
      for (const w of [1, 2]) {
        const got = d.slice();
        await commonReference(got, channels, plan, w);
        expect(got).toEqual(want);
      }
    }
    // Both parities and sizes from a couple of neighbours to beyond the network's 64.
    expect([...sizes].some((n) => n % 2 === 0) && [...sizes].some((n) => n % 2 === 1)).toBe(true);
    expect(Math.min(...sizes)).toBeLessThan(8);
    expect(Math.max(...sizes)).toBeGreaterThan(64);
    // A NaN in a neighbour is refused, as on every other path.
    const bad = d.slice();
    bad[17 * channels + 100] = NaN;
    await expect(commonReference(bad, channels, planReference({ mode: 'local', operator: 'median', positions, innerUm: 30, outerUm: 55 }, channels))).rejects.toThrow(/NaN or infinite/);
  });
  it('a plan made by hand that points outside its arrays is refused, not followed', async () => {
    const plan = (members: number[], offsets: number[], setOfChannel: number[]) => ({ operator: 0 as const, members: Int32Array.from(members), offsets: Int32Array.from(offsets), setOfChannel: Int32Array.from(setOfChannel) });
    const d = new Float32Array(10 * 4);
    // Falling offsets ended the process (a length_error on the main thread).
    await expect(commonReference(d, 4, plan([0], [1, 0], [0, 0, 0, 0]))).rejects.toThrow(/setOffsets start at 0/);
    await expect(commonReference(d, 4, plan([0, 1], [0, 2, 1], [0, 0, 0, 0]))).rejects.toThrow(/setOffsets rise within setMembers/);
    await expect(commonReference(d, 4, plan([0, 1], [0, 3], [0, 0, 0, 0]))).rejects.toThrow(/setOffsets rise within setMembers/);
    await expect(commonReference(d, 4, plan([0, 1], [0, 2], [0, 1, 0, 0]))).rejects.toThrow(/setOfChannel holds set numbers/);
    await expect(commonReference(d, 4, plan([0, 9], [0, 2], [0, 0, 0, 0]))).rejects.toThrow(/a reference set names channel 9 of 4/);
    await expect(filterWindow({ input: new Int16Array(40), channels: 4, sos: designSos({ kind: 'highpass', order: 1, lowHz: 300 }, 30000), mode: 'causal', left: 0, right: 0, reference: plan([0, -1], [0, 2], [0, 0, 0, 0]) })).rejects.toThrow(/names channel -1 of 4/);
  });
  it('refuses a reference with nothing left in it', async () => {
    await expect(commonReference(input(), C, { mode: 'global', operator: 'median', exclude: [0, 1, 2, 3, 4, 5, 6, 7] })).rejects.toThrow(/no channel of the probe is left to reference against: 8 of 8 channels are excluded as bad/);
    await expect(commonReference(input(), C, { mode: 'global', operator: 'max' as never })).rejects.toThrow(/"operator"/);
  });
});

describe('filterWindow with a reference', () => {
  // The filter references its own output (float32 zero-phase block by block, as its tasks end
  // them): bit for bit what commonReference does after it, whatever the tasks, the window's length
  // (blocks are 64 rows; a window shorter than one) or the channels (a last tile of 16 not full).
  const sos = designSos({ kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000 }, 30000);
  const data = (rows: number, channels: number) => {
    let v = 11;
    return Int16Array.from({ length: rows * channels }, (_, i) => {
      v = (v * 1103515245 + 12345) & 0x7fffffff;
      return ((v >> 16) % 300) - 150 + Math.round(200 * Math.sin(Math.floor(i / channels) / 7));
    });
  };
  const specs = (channels: number): [string, ReferenceSpec][] => [
    ['global median', { mode: 'global', operator: 'median' }],
    ['global mean, two excluded', { mode: 'global', operator: 'mean', exclude: [1, channels - 1] }],
    ['per shank median', { mode: 'group', operator: 'median', groups: Int32Array.from({ length: channels }, (_, c) => c % 4) }],
    ['local median', { mode: 'local', operator: 'median', positions: Float64Array.from({ length: channels * 2 }, (_, i) => (i % 2 ? (i >> 1) * 20 : 0)), innerUm: 10, outerUm: 65 }]
  ];
  it.each([
    [383, 1000],
    [40, 3000],
    [5, 700],
    [384, 40]
  ])('equals the filter then commonReference: %i channels, %i kept rows', async (channels, keep) => {
    const margin = 100;
    const input = data(keep + 2 * margin, channels);
    for (const [name, spec] of specs(channels)) {
      const plan = planReference(spec, channels);
      for (const precision of ['float32', 'float64'] as const)
        for (const mode of ['zero-phase', 'causal'] as const) {
          const o = { input, channels, sos, mode, left: margin, right: margin, precision };
          const want = await filterWindow({ ...o, nWorkers: 1 });
          await commonReference(want, channels, plan, 1);
          for (const nWorkers of [1, 2, 3, 4]) {
            const got = await filterWindow({ ...o, nWorkers, reference: plan });
            // The first sample that differs (a whole-array diff of a failure takes minutes to print).
            const at = got.findIndex((v, i) => !Object.is(v, want[i]));
            expect(at < 0 ? 'equal' : `row ${Math.floor(at / channels)}, channel ${at % channels}: ${got[at]} vs ${want[at]}`, `${name}, ${precision} ${mode}, W=${nWorkers}`).toBe('equal');
          }
        }
    }
  });
  it('refuses a plan made for another channel count', async () => {
    const o = { input: data(500, 8), channels: 8, sos, mode: 'zero-phase' as const, left: 0, right: 0 };
    await expect(filterWindow({ ...o, reference: planReference({ mode: 'global', operator: 'median' }, 7) })).rejects.toThrow(/^Expected a plan for 8 channels \(planReference\) for "reference"/);
  });
});

describe('scaleToFloat', () => {
  it('computes float32(x)·gain + offset in float32', async () => {
    const x = Int16Array.from([-512, 0, 511, 7, -3, 1000]);
    const out = await scaleToFloat(x, 2, Float32Array.from([2.34375, 0.195]), 0);
    expect(Array.from(out)).toEqual(Array.from(x, (v, i) => Math.fround(v * Math.fround(i % 2 ? 0.195 : 2.34375))));
  });
  it('writes into a given array, or says why it cannot', async () => {
    const x = Int16Array.from([-512, 0, 511, 7, -3, 1000]);
    const into = new Float32Array(6).fill(NaN);
    expect(await scaleToFloat(x, 2, 2, 1, 1, into)).toBe(into);
    expect(Array.from(into)).toEqual(Array.from(x, (v) => v * 2 + 1));
    await expect(scaleToFloat(x, 2, 2, 1, 1, new Float32Array(4))).rejects.toThrow(/"into"/);
    await expect(scaleToFloat(x, 2, 2, 1, 1, new Float32Array(x.buffer, 0, 3) as never)).rejects.toThrow(/"into"/);
  });
});

describe('roundToInt16', () => {
  // numpy's np.round(x).astype(int16) for values inside int16: half to even.
  const halfEven = (x: number) => {
    const f = Math.floor(x);
    return x - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(x);
  };
  it('refuses an output laid over its input (int16 values would land on floats still to be read)', async () => {
    const x = new Float32Array(1 << 18).fill(1.5);
    await expect(roundToInt16(x, 2, new Int16Array(x.buffer, 0, x.length))).rejects.toThrow(/a buffer apart from the input for "into"/);
  });
  it('rounds half to even as numpy, and clamps and counts what int16 cannot hold', async () => {
    const x = Float32Array.from([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 1e-30, -7.5, 32767.4, -32768.5, 4095.5, 8191.5]);
    const { data, clamped } = await roundToInt16(x);
    expect(clamped).toBe(0);
    expect(Array.from(data)).toEqual(Array.from(x, halfEven).map((v) => v + 0)); // -0 → 0
    const edge = Float32Array.from([32767.5, 32768, -32768.6, -32769, 1e9, -1e9, 4194305, -8388609, Infinity, -Infinity, NaN, 3e38]);
    const r = await roundToInt16(edge);
    expect(Array.from(r.data)).toEqual([32767, 32767, -32768, -32768, 32767, -32767 - 1, 32767, -32768, 32767, -32768, 0, 32767]);
    expect(r.clamped).toBe(edge.length);
  });
  it('equals half-to-even rounding on a million values, whatever the workers', async () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    // Quarter steps put many values exactly on .5.
    const x = Float32Array.from({ length: 1 << 20 }, () => Math.round(rnd() * 4 * 40000) / 4);
    const want = Array.from(x, (v) => Math.max(-32768, Math.min(32767, halfEven(v))));
    const outside = x.filter((v) => halfEven(v) > 32767 || halfEven(v) < -32768).length;
    for (const w of [1, 2, 3]) {
      const r = await roundToInt16(x, w);
      expect(r.clamped).toBe(outside);
      expect(Array.from(r.data).every((v, i) => v === want[i])).toBe(true);
    }
  });
});

describe('keepColumns', () => {
  const frames = (rows: number, frame: number) => Int16Array.from({ length: rows * frame }, (_, i) => 10 * Math.floor(i / frame) + (i % frame));
  it('keeps the neural columns of each frame in place (a SpikeGLX sync word, a saved subset)', async () => {
    const x = frames(1000, 5);
    const kept = await keepColumns(x, 5, [0, 1, 2, 3]);
    expect(kept.buffer).toBe(x.buffer);
    expect(Array.from(kept.subarray(0, 8))).toEqual([0, 1, 2, 3, 10, 11, 12, 13]);
    expect(kept[999 * 4 + 3]).toBe(9993);
    const y = frames(1000, 6);
    expect(Array.from((await keepColumns(y, 6, [1, 2, 4])).subarray(0, 6))).toEqual([1, 2, 4, 11, 12, 14]);
  });
  it('any order into a new array; float32; the same array when all columns are kept', async () => {
    const x = frames(3, 4);
    const r = await keepColumns(x, 4, [3, 0, 2]);
    expect(r.buffer).not.toBe(x.buffer);
    expect(Array.from(r)).toEqual([3, 0, 2, 13, 10, 12, 23, 20, 22]);
    const f = Float32Array.from([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    expect(Array.from(await keepColumns(f, 3, [2]))).toEqual([2.5, 5.5]);
    expect(await keepColumns(f, 3, [0, 1, 2])).toBe(f);
    const into = new Int16Array(10).fill(-1);
    const r2 = await keepColumns(x, 4, [2, 1], false, into);
    expect(r2.buffer).toBe(into.buffer);
    expect(Array.from(into)).toEqual([2, 1, 12, 11, 22, 21, -1, -1, -1, -1]);
    await expect(keepColumns(x, 4, [2, 1], false, new Int16Array(5))).rejects.toThrow(/"into"/);
  });
  it('uint16 samples become int16 − 32768, as SpikeInterface reads them', async () => {
    const u = new Int16Array(Uint16Array.from([0, 32768, 65535, 1, 40000, 7]).buffer);
    expect(Array.from(await keepColumns(u, 3, [0, 1, 2], true))).toEqual([-32768, 0, 32767, -32767, 40000 - 32768, 7 - 32768]);
  });
  it('refuses columns outside the frame and data that is not whole frames', async () => {
    await expect(keepColumns(frames(2, 4), 4, [0, 4])).rejects.toThrow(/"columns"/);
    await expect(keepColumns(new Int16Array(7), 4, [0])).rejects.toThrow(/not a whole number of 4-channel frames/);
  });
});

describe('commonReference refuses NaN instead of hanging or guessing', () => {
  it('NaN in the data', async () => {
    const d = new Float32Array(2000 * 8);
    d[777] = NaN;
    await expect(commonReference(d, 8, { mode: 'global', operator: 'median' })).rejects.toMatchObject({ code: 'NON_FINITE_INPUT' });
  });
});
