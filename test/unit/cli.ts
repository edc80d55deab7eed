import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './helpers.ts';

/** Runs the real `probedeck` command line (a child Node process on the TypeScript sources). */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/probedeck.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
