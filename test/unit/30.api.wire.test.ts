import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../main/api/wire.ts';

describe('wire format', () => {
  it('sends plain messages as JSON text', () => {
    const m = { t: 'call', id: 3, method: 'engine.info' };
    const e = encode(m);
    expect(typeof e).toBe('string');
    expect(decode(e)).toEqual(m);
  });

  it('carries typed arrays as aligned raw bytes, nested anywhere', () => {
    const a = new Float32Array([1.5, -2, 3.25]);
    const b = new Int16Array([-32768, 0, 32767, 5, 6]);
    const m = { t: 'event', event: 'x', payload: { frames: [{ data: a }, { data: b }], n: 2 } };
    const e = encode(m);
    expect(e).toBeInstanceOf(Uint8Array);
    const d = decode(e) as typeof m;
    expect(d.payload.n).toBe(2);
    expect(d.payload.frames[0].data).toBeInstanceOf(Float32Array);
    expect(Array.from(d.payload.frames[0].data)).toEqual([1.5, -2, 3.25]);
    expect(Array.from(d.payload.frames[1].data as Int16Array)).toEqual([-32768, 0, 32767, 5, 6]);
    expect((d.payload.frames[0].data as Float32Array).byteOffset % 8).toBe(0);
  });

  it('handles subarrays (views with an offset) by their own bytes', () => {
    const base = new Float64Array([0, 1, 2, 3, 4]);
    const d = decode(encode({ v: base.subarray(2, 4) })) as { v: Float64Array };
    expect(Array.from(d.v)).toEqual([2, 3]);
  });

  it('decodes an unaligned slice of a frame', () => {
    const e = encode({ v: new Float32Array([7, 8]) }) as Uint8Array;
    const shifted = new Uint8Array(e.length + 3);
    shifted.set(e, 3);
    const d = decode(shifted.subarray(3)) as { v: Float32Array };
    expect(Array.from(d.v)).toEqual([7, 8]);
  });
});
