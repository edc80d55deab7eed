// Planner check: `probedeck process --ram-budget B` on 10 s × 384 int16 stays within B, and the
// planner's predicted peak is compared with the process's measured peak RSS (VmHWM).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const C = 384;
const FS = 30000;
const MiB = 2 ** 20;

function toBytes(text: string): number {
  const m = /([\d.]+) (MiB|GiB)/.exec(text)!;
  return parseFloat(m[1]) * (m[2] === 'GiB' ? 2 ** 30 : MiB);
}

export async function benchPlanner(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'probedeck-bench-plan-'));
  try {
    const input = join(dir, 'in.bin');
    const x = new Int16Array(10 * FS * C);
    for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) >>> 20) % 400;
    writeFileSync(input, x);
    const rows = ['| budget | plan | predicted peak | measured peak RSS | measured / predicted | within budget |', '|---|---|---|---|---|---|'];
    for (const budget of ['512MiB', '1GiB', '4GiB']) {
      const r = spawnSync(
        process.execPath,
        [join(import.meta.dirname, '../bin/probedeck.js'), 'process', input, '--channels', String(C), '--fs', String(FS), '--bandpass', '300,6000', '--cmr', 'global-median', '--ram-budget', budget, '--out', join(dir, 'out.f32'), '--overwrite'],
        { encoding: 'utf8' }
      );
      if (r.status !== 0) throw new Error(r.stderr);
      const planLine = /plan: (.*); predicted peak ([\d.]+ (?:MiB|GiB))/.exec(r.stderr)!;
      const measured = toBytes(/process peak RSS ([\d.]+ (?:MiB|GiB))/.exec(r.stderr)![0]);
      const predicted = toBytes(planLine[2]);
      const plan = planLine[1].split(':')[0];
      rows.push(`| ${budget} | ${plan} | ${(predicted / MiB).toFixed(0)} MiB | ${(measured / MiB).toFixed(0)} MiB | ${(measured / predicted).toFixed(2)} | ${measured <= toBytes(budget.replace(/(\d)(MiB|GiB)/, '$1 $2')) ? 'yes' : 'NO'} |`);
    }
    return `Planner: probedeck process --ram-budget B, 10 s × ${C} ch int16, bandpass + median CMR\n${rows.join('\n')}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
