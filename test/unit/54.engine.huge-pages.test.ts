// A batch job's buffers are mapped in 2 MiB pages where Linux has transparent huge pages: their
// first touch then costs ~50 page faults a job instead of ~25,000.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processFile } from '../../main/engine/executor.ts';
import { native } from '../../main/engine/native.ts';
import { freeBuffer } from '../../main/util/free-buffer.ts';
import { tempDir } from './helpers.ts';

const THP = '/sys/kernel/mm/transparent_hugepage/enabled';
// "always [madvise] never": the bracketed mode is the one in force.
const mode = existsSync(THP) ? /\[(\w+)\]/.exec(readFileSync(THP, 'utf8'))?.[1] : undefined;
const ROLLUP = '/proc/self/smaps_rollup'; // Linux 4.14 and later
const MiB = 2 ** 20;

/** This process's anonymous memory in huge pages, bytes. */
function hugeBytes(): number {
  const kb = /AnonHugePages:\s+(\d+) kB/.exec(readFileSync(ROLLUP, 'utf8'));
  return kb ? Number(kb[1]) * 1024 : 0;
}

// Elsewhere (macOS, Windows, a kernel without them or with them off) the advice is a no-op. The count
// is the whole process's: with them "always" on, these pass without the advice too; with "madvise"
// (Debian's default, and here) the second fails without the executor's call.
describe.skipIf((mode !== 'madvise' && mode !== 'always') || !existsSync(ROLLUP))(`huge pages (this system: ${mode ?? 'none'})`, () => {
  it('the advice maps a buffer in huge pages on its first touch', () => {
    const before = hugeBytes();
    const b = new ArrayBuffer(64 * MiB);
    expect(native().adviseHugePages(b)).toBe(true);
    new Uint8Array(b).fill(1);
    expect(hugeBytes() - before).toBeGreaterThanOrEqual(32 * MiB);
    // Unmapped now, not whenever the collector runs: the next test counts from here.
    freeBuffer(b);
    // Less than one whole huge page: nothing to advise.
    expect(native().adviseHugePages(new ArrayBuffer(4096))).toBe(false);
  });

  it('a file job’s buffers are in huge pages while it runs', async () => {
    const dir = tempDir();
    const C = 384;
    const fs = 30000;
    const x = new Int16Array(2 * fs * C);
    for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 401) - 200;
    writeFileSync(join(dir, 'in.bin'), x);
    const before = hugeBytes();
    let during = 0;
    await processFile({
      input: join(dir, 'in.bin'),
      output: join(dir, 'out.bin'),
      channels: C,
      fs,
      dtype: 'int16',
      outDtype: 'int16',
      pipeline: { filter: { kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000, phase: 'zero', precision: 'float32' }, reference: { mode: 'global', operator: 'median' } },
      chunkSamples: fs,
      nJobs: 1,
      nWorkers: 1,
      onProgress: () => (during = Math.max(during, hugeBytes()))
    });
    // One job: its window of raw rows (24 MB), the filter's output (46 MB) and two int16 chunks (23 MB each).
    expect(during - before).toBeGreaterThanOrEqual(64 * MiB);
  });
});
