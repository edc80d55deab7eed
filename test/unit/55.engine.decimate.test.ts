import { describe, expect, it } from 'vitest';
import { decimateColumns, decimateMinMax } from '../../main/engine/index.ts';

describe('decimateMinMax', () => {
  it('gives min and max per column and channel, identical for any n_workers', async () => {
    const rows = 1003;
    const C = 5;
    const x = Float32Array.from({ length: rows * C }, (_, i) => Math.sin(i * 0.731) * 100 + (i % C));
    const cols = 7;
    const out = await decimateMinMax(x, C, cols);
    for (let col = 0; col < cols; col++) {
      const r0 = Math.floor((rows * col) / cols);
      const r1 = Math.floor((rows * (col + 1)) / cols);
      for (let c = 0; c < C; c++) {
        let lo = Infinity;
        let hi = -Infinity;
        for (let t = r0; t < r1; t++) {
          lo = Math.min(lo, x[t * C + c]);
          hi = Math.max(hi, x[t * C + c]);
        }
        expect(out[(col * C + c) * 2]).toBe(lo);
        expect(out[(col * C + c) * 2 + 1]).toBe(hi);
      }
    }
    expect(await decimateMinMax(x, C, cols, 2)).toEqual(out);
  });
  it('handles more columns than rows (each column shows its nearest sample)', async () => {
    const out = await decimateMinMax(Float32Array.from([1, 2, 3]), 1, 6);
    expect(Array.from(out)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
  });
  it('refuses nonsense', async () => {
    await expect(decimateMinMax(new Float32Array(10), 3, 4)).rejects.toThrow(/not a whole number of 3-channel frames/);
    await expect(decimateMinMax(new Float32Array(9), 3, 0)).rejects.toThrow(/"columns"/);
  });
});

describe('decimateColumns', () => {
  it('cuts rows into columns of a fixed size, the last one partial over the rows left', async () => {
    const x = Float32Array.from({ length: 2 * 7 }, (_, i) => (i % 2 ? -1 : 1) * (Math.floor(i / 2) + 1)); // channel 1 the negative of channel 0
    expect(Array.from(await decimateColumns(x, 2, 3))).toEqual([1, 3, -3, -1, 4, 6, -6, -4, 7, 7, -7, -7]);
    expect(Array.from(await decimateColumns(x.subarray(0, 12), 2, 3))).toEqual([1, 3, -3, -1, 4, 6, -6, -4]); // no partial column
    expect(Array.from(await decimateColumns(x.subarray(0, 4), 2, 3))).toEqual([1, 2, -2, -1]); // only a partial one
  });
  it('refuses a column size that is no positive integer', async () => {
    await expect(decimateColumns(new Float32Array(4), 2, 0)).rejects.toThrow(/"samplesPerColumn"/);
    await expect(decimateColumns(new Float32Array(4), 2, 1.5)).rejects.toThrow(/"samplesPerColumn"/);
  });
});
