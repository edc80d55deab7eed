// Loads the scipy/numpy references committed in test/reference/ (made by make_engine_refs.py).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers.ts';

const dir = join(repoRoot, 'test/reference');
export const refs = JSON.parse(readFileSync(join(dir, 'engine_refs.json'), 'utf8')) as {
  fs: number;
  rows: number;
  channels: number;
  design: { fs: number; order: number; btype: 'lowpass' | 'highpass' | 'bandpass' | 'bandstop'; band: number | number[]; sos: number[] }[];
  notch: { freq: number; q: number; fs: number; sos: number[] };
  cases: Record<string, string>;
};

function bytes(file: string): ArrayBuffer {
  const b = readFileSync(join(dir, file));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
export const refPath = (file: string) => join(dir, file);
export const input16 = () => new Int16Array(bytes('engine_input.i16'));
export const f32 = (file: string) => new Float32Array(bytes(file));
export const i16 = (file: string) => new Int16Array(bytes(file));
export const refCase = (name: string) => f32(refs.cases[name]);

/** max |a − b| relative to the RMS of b — the yardstick for filtered output. */
export function errVsRms(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let ss = 0;
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    ss += b[i] * b[i];
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  return worst / Math.sqrt(ss / b.length);
}

/** Rows [r0, r1) of a time-major array. */
export const rowsOf = <T extends Int16Array | Float32Array>(a: T, channels: number, r0: number, r1: number): T => a.subarray(r0 * channels, r1 * channels) as T;
