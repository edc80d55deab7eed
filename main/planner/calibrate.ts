// Calibration: a short benchmark on this machine over a grid of (J, W, chunk) on synthetic data,
// through the real executor. Cancellable; each point is reported as it is measured.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Calibration, CalibrationPoint } from '../api/domains/planner.ts';
import { processFile } from '../engine/index.ts';
import { invalidParameterError, isInteger } from '../util/is.ts';
import { jobBytes } from './memory-model.ts';

export function machineKey(): string {
  return `${hostname()}|${cpus()[0]?.model ?? 'cpu'}|${availableParallelism()}|${Math.round(totalmem() / 2 ** 30)}GiB`;
}

export interface CalibrateOptions {
  seconds?: number; // length of the synthetic recording
  channels?: number;
  fs?: number;
  signal?: AbortSignal;
  onPoint?: (done: number, total: number, point: CalibrationPoint | null) => void;
}

export async function calibrate(o: CalibrateOptions = {}): Promise<Calibration> {
  const C = o.channels ?? 384;
  const fs = o.fs ?? 30000;
  const seconds = o.seconds === undefined ? 3 : o.seconds;
  // Whole: the recording holds seconds × fs samples a channel, and 1.1 × 30000 is 33000.000000000004,
  // which no array's length is. A second at least measures anything; past ten only takes longer, on every core.
  if (!isInteger(seconds) || seconds < 1 || seconds > 10) throw invalidParameterError('seconds', 'a whole number of seconds from 1 to 10', seconds);
  const cores = availableParallelism();
  const grid: { j: number; w: number; s: number }[] = [];
  for (let j = 1; j <= cores; j++) for (let w = 1; j * w <= cores; w++) for (const s of [0.25, 1]) grid.push({ j, w, s });
  const dir = await mkdtemp(join(tmpdir(), 'probedeck-calibrate-'));
  try {
    const input = join(dir, 'synthetic.bin');
    const x = new Int16Array(seconds * fs * C);
    let v = 1;
    for (let i = 0; i < x.length; i++) {
      v = (v * 1103515245 + 12345) & 0x7fffffff;
      x[i] = ((v >> 16) % 400) - 200;
    }
    await writeFile(input, x);
    const points: CalibrationPoint[] = [];
    o.onPoint?.(0, grid.length, null);
    for (const [i, g] of grid.entries()) {
      o.signal?.throwIfAborted();
      const chunkSamples = Math.round(g.s * fs);
      const r = await processFile({
        input,
        output: join(dir, 'out.f32'),
        channels: C,
        fs,
        dtype: 'int16',
        outDtype: 'float32',
        pipeline: { filter: { kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000, phase: 'zero' }, reference: { mode: 'global', operator: 'median' } },
        chunkSamples,
        nJobs: g.j,
        nWorkers: g.w,
        signal: o.signal
      });
      const b = jobBytes({ channels: C, dtype: 'int16', outDtype: 'float32', chunkSamples, marginSamples: 500, nWorkers: g.w, zeroPhase: true });
      const point = { nJobs: g.j, nWorkers: g.w, chunkSamples, speedX: r.samples / fs / r.seconds, peakBytes: g.j * (b.input + b.output + b.engineWork) };
      points.push(point);
      o.onPoint?.(i + 1, grid.length, point);
    }
    return { machineKey: machineKey(), measuredAt: new Date().toISOString(), points };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
