// What a killed export leaves on the disk: its hidden temporary folder beside the destination, as
// large as the traces written so far (tens of GB for an hour of 384 channels). It goes when
// ProbeDeck next starts, not only when someone happens to export to the same folder again.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHost } from '../../main/api/host.ts';
import type { ExportRecord } from '../../main/api/domains/export.ts';
import { cli } from './cli.ts';
import { repoRoot, tempDir } from './helpers.ts';

const partials = (dir: string) => readdirSync(dir).filter((f) => f.includes('.partial-'));

describe('an export killed mid-way', () => {
  it('leaves its temporary folder only until ProbeDeck next starts, and its history row says it was interrupted', async () => {
    const dir = tempDir();
    const bin = join(dir, 'rec_g0_t0.imec0.ap.bin');
    expect(cli(['simulate', '--out', bin, '--seconds', '20', '--pace', '0']).code).toBe(0);
    const out = join(dir, 'exports', 'ks');
    const data = join(dir, 'data');
    const child = spawn(process.execPath, [join(repoRoot, 'bin/probedeck.js'), 'export', bin, '--preset', 'Neuropixels AP', '--format', 'kilosort', '--out', out, '--data-dir', data, '--ram-budget', '256MiB'], { stdio: 'ignore' });
    const exports = join(dir, 'exports');
    // Killed once its temporary folder holds part of the traces (a crash, a power cut, a kill from the task manager).
    await expect.poll(() => readdirSync(dir).includes('exports') && partials(exports).length, { timeout: 60_000, interval: 10 }).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(partials(exports)).toHaveLength(1);
    const host = createHost({ dataDir: data, transport: 'websocket' });
    try {
      await expect.poll(() => partials(exports), { timeout: 10_000 }).toEqual([]);
      const [row] = (await host.call('export.history', {})) as ExportRecord[];
      expect(row.state).toBe('interrupted');
    } finally {
      await host.close();
    }
  }, 120_000);
});

describe('a replacing export killed at either of its two renames', () => {
  // Replacing moves the earlier export aside (a hidden name with the process id), renames the new one
  // into place from its temporary name, then deletes the old. Killed between the renames, the
  // destination was gone and the earlier export hidden until a later export deleted it as a leftover.
  it('has its earlier export put back when killed between them; when killed after, what is at the destination (or not) stands', () => {
    const dir = tempDir();
    const bin = join(dir, 'rec_g0_t0.imec0.ap.bin');
    expect(cli(['simulate', '--out', bin, '--seconds', '1', '--pace', '0']).code).toBe(0);
    const out = join(dir, 'ks');
    const data = join(dir, 'data');
    const exportTo = (...more: string[]) => cli(['export', bin, '--preset', 'Neuropixels AP', '--format', 'kilosort', '--out', out, '--end', '0.2', '--data-dir', data, ...more]);
    const hidden = () => readdirSync(dir).filter((f) => f.startsWith('.ks.')).sort();
    expect(exportTo().code).toBe(0);
    const before = readFileSync(join(out, 'README.txt'), 'utf8');
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    // Killed between the renames: the old export aside, the new one still under its temporary name.
    cpSync(out, join(dir, `.ks.partial-${deadPid}-1`), { recursive: true });
    renameSync(out, join(dir, `.ks.replaced-${deadPid}`));
    const again = exportTo();
    expect(again.stderr).toMatch(/ks already exists: choose another folder, or confirm replacing it/);
    expect(hidden()).toEqual([]);
    expect(readFileSync(join(out, 'README.txt'), 'utf8')).toBe(before);
    // Two earlier exports aside, the first what a replace before could not delete entirely (a file held
    // open): the last moved aside is the one put back, whatever order the folder lists them in.
    cpSync(out, join(dir, `.ks.partial-${deadPid}-11`), { recursive: true });
    for (const n of [2, 3, 4, 5, 6]) {
      mkdirSync(join(dir, `.ks.replaced-${deadPid}-${n}`));
      writeFileSync(join(dir, `.ks.replaced-${deadPid}-${n}`, 'README.txt'), 'what was left of an older export');
    }
    renameSync(out, join(dir, `.ks.replaced-${deadPid}-9`));
    expect(exportTo().stderr).toMatch(/ks already exists: choose another folder, or confirm replacing it/);
    expect(hidden()).toEqual([]);
    expect(readFileSync(join(out, 'README.txt'), 'utf8')).toBe(before);
    // Killed after both: the new export is in place and the earlier one, aside, only takes room.
    cpSync(out, join(dir, `.ks.replaced-${deadPid}`), { recursive: true });
    expect(exportTo('--overwrite').code).toBe(0);
    expect(hidden()).toEqual([]);
    expect(readdirSync(out)).toContain('README.txt');
    // Killed after both, and the new export since moved away by the user (to the sorting server):
    // the superseded one is not brought back in its place.
    cpSync(out, join(dir, `.ks.replaced-${deadPid}`), { recursive: true });
    renameSync(out, join(dir, 'moved'));
    expect(exportTo().code).toBe(0);
    expect(hidden()).toEqual([]);
    expect(readFileSync(join(out, 'README.txt'), 'utf8')).not.toBe(before); // a fresh export, written just now
  }, 120_000);
});
