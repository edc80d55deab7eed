// Digests of the filters' outputs over the cases where builds differ in how they run (band-, high-
// and low-pass Butterworths on the numerator-specialised path, a notch on the general one; a partial
// tile; zero-phase and streaming; both precisions), for comparing the engine's builds bit for bit.
// Imported, it computes them in this process; run (`node filter-outputs.ts`), it prints them as JSON
// with the build that made them, so a test can compare a process under another PROBEDECK_SIMD cap.
// The float64 stream's carried state is digested too: its output is float32, which could hide a
// difference in the last bits of a double.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { designSos, engineInfo, filterWindow, StreamFilter, type FilterSpec } from '../../main/engine/index.ts';
import { native } from '../../main/engine/native.ts';

export async function filterOutputDigests(): Promise<Record<string, string>> {
  const C = 200, T = 20000;
  const x = new Int16Array(T * C);
  let v = 7;
  for (let i = 0; i < x.length; i++) {
    v = (v * 1103515245 + 12345) & 0x7fffffff;
    x[i] = ((v >> 16) % 2000) - 1000 + (i % C);
  }
  const digest = (a: Float32Array | Float64Array) => createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
  const specs: Record<string, FilterSpec | Float64Array> = {
    bandpass: { kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000 },
    highpass: { kind: 'highpass', order: 3, lowHz: 300 },
    lowpass: { kind: 'lowpass', order: 4, highHz: 3000 },
    notch: Float64Array.of(0.99, -1.9, 0.99, 1, -1.89, 0.98)
  };
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const sos = spec instanceof Float64Array ? spec : designSos(spec, 30000);
    for (const precision of ['float32', 'float64'] as const) {
      out[`${name} zero-phase ${precision}`] = digest(await filterWindow({ input: x, channels: C, sos, mode: 'zero-phase', left: 0, right: 0, precision }));
      out[`${name} stream ${precision}`] = digest(await new StreamFilter({ sos, channels: C, precision }).process(x));
    }
    // The state as StreamFilter keeps it (native/core/sosfilt.hpp, stream_state_rows), after the whole input.
    const state = new Float64Array((sos.length / 6 + 1) * 2 * C);
    await native().filterStream(x, C, sos, state, new Float32Array(x.length), 1, 0);
    out[`${name} stream float64 state`] = digest(state);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify({ simdUsed: engineInfo().simdUsed, digests: await filterOutputDigests() }));
