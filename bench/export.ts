// Export benchmark: 10 s of a simulated Neuropixels 1.0 SpikeGLX recording (384 + sync channels)
// exported for Kilosort with the built-in "Neuropixels AP" preset (zero-phase bandpass + global
// median CMR → int16), against the same pipeline through scipy/numpy in the same run.
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExport } from '../main/export/run-export.ts';
import { BUILTIN_PRESETS } from '../main/presets/builtins.ts';
import { openSource } from '../main/sources/open-source.ts';
import { writeGrowingSpikeGLX } from '../main/sources/spikeglx-writer.ts';

const SECONDS = 10;
const REPS = 3;

/** The disk's share alone: writing and fsyncing as many bytes as the export writes, in 8 MiB blocks. */
function diskFloor(path: string, bytes: number): number {
  const block = Buffer.alloc(8 * 2 ** 20, 1);
  let best = Infinity;
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    const fd = openSync(path, 'w');
    for (let done = 0; done < bytes; done += block.length) writeSync(fd, block, 0, Math.min(block.length, bytes - done));
    fsyncSync(fd);
    closeSync(fd);
    best = Math.min(best, (performance.now() - t0) / 1000);
    rmSync(path);
  }
  return best;
}

export async function benchExport(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'probedeck-bench-export-'));
  try {
    const bin = join(dir, 'bench_g0_t0.imec0.ap.bin');
    await writeGrowingSpikeGLX({ out: bin, seconds: SECONDS, pace: 0, seed: 1 });
    const preset = BUILTIN_PRESETS.find((p) => p.name === 'Neuropixels AP')!;
    const source = await openSource(bin);
    const { fs, channels, samples } = source.info;
    // The same preset computing its filter in float32, as a lab may choose for speed (SpikeInterface's is float64).
    const preset32 = structuredClone(preset);
    preset32.body.pipeline.filter.precision = 'float32';
    let plan = '';
    const best = async (p: typeof preset) => {
      let t = Infinity;
      for (let i = 0; i < REPS; i++) {
        const r = await runExport({ source, preset: p, format: 'kilosort', outDir: join(dir, `ks${i}`), version: 'bench' });
        t = Math.min(t, r.seconds);
        plan = r.plan;
        rmSync(r.outDir, { recursive: true });
      }
      return t;
    };
    const ours = await best(preset);
    const ours32 = await best(preset32);
    await source.close();
    const disk = diskFloor(join(dir, 'floor.bin'), samples * channels.length * 2);
    const py = Number(execFileSync('python3', [join(import.meta.dirname, 'scipy_export.py'), bin, join(dir, 'py.i16'), String(source.layout.frameChannels), String(channels.length), String(fs)], { encoding: 'utf8' }));
    return [
      `Export: ${SECONDS} s × ${channels.length} ch SpikeGLX (+ sync) → Kilosort int16, preset "Neuropixels AP" (zero-phase BP 300–6000 Hz + global median CMR), best of ${REPS}`,
      '',
      '| | ProbeDeck (s) | scipy/numpy (s) | ×scipy | ×real time |',
      '|---|---|---|---|---|',
      `| export | ${ours.toFixed(3)} | ${py.toFixed(3)} | ${(py / ours).toFixed(1)}× | ${(samples / fs / ours).toFixed(0)}× |`,
      `| export, the preset computing in float32 | ${ours32.toFixed(3)} | ${py.toFixed(3)} | ${(py / ours32).toFixed(1)}× | ${(samples / fs / ours32).toFixed(0)}× |`,
      `| the disk alone: write + fsync of the same ${((samples * channels.length * 2) / 2 ** 20).toFixed(0)} MiB | ${disk.toFixed(3)} | | ${(py / disk).toFixed(1)}× at most | ${(samples / fs / disk).toFixed(0)}× at most |`,
      '',
      `plan: ${plan}`
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
