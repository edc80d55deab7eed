import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../../main/util/paths.ts';
import { cli } from './cli.ts';
import { tempDir } from './helpers.ts';

describe('probedeck presets / plan command line', () => {
  it('lists, exports as SpikeInterface, imports back', () => {
    const dir = tempDir();
    const d = ['--data-dir', dir];
    expect(cli(['presets', 'list', ...d]).stdout).toMatch(/Neuropixels AP {2}\(built in\)/);
    const out = join(dir, 'si.json');
    expect(cli(['presets', 'export', 'neuropixels ap', '--format', 'spikeinterface', '--out', out, ...d]).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toHaveProperty('bandpass_filter.freq_min', 300);
    const r = cli(['presets', 'import', out, '--name', 'From SI', '--json', ...d]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).body.pipeline.filter.highHz).toBe(6000);
    // The same SpikeInterface file twice: its default name takes a number, and says so; a --name that is taken is refused.
    expect(cli(['presets', 'import', out, ...d]).stdout).toBe('imported "Imported from SpikeInterface" (id 7)\n');
    expect(cli(['presets', 'import', out, ...d]).stdout).toMatch(/^imported "Imported from SpikeInterface \(2\)" \(id 8\) \("Imported from SpikeInterface" is taken; rename with the app, or import again with --name\)\n$/);
    expect(cli(['presets', 'import', out, '--name', 'From SI', ...d]).stderr).toMatch(/^probedeck: A preset named "From SI" already exists/);
    // A hand-written dict whose high corner is above the Nyquist frequency of a 30 kHz stream: imported, and said (it was silent until the rig refused it).
    const high = join(dir, 'high.json');
    writeFileSync(high, JSON.stringify({ bandpass_filter: { freq_min: 300, freq_max: 20000 } }));
    const h = cli(['presets', 'import', high, '--name', 'Wide', ...d]);
    expect([h.code, h.stdout]).toEqual([0, expect.stringMatching(/^imported "Wide" \(id \d+\)\n$/)]);
    expect(h.stderr).toBe('probedeck: warning: "Wide": the high corner, 20000 Hz, is above the Nyquist frequency of a 30 kHz recording (15 kHz): a 30 kHz recording cannot run this filter (it opens unprocessed, and exports refuse it)\n');
    expect(cli(['presets', 'import', out, '--name', 'Usual', ...d]).stderr).toBe('');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ whiten: {} }));
    expect(cli(['presets', 'import', bad, ...d]).stderr).toMatch(/^probedeck: the SpikeInterface step "whiten" is not supported/);
  });

  it('renames, deletes and restores, and sets the default per source kind, as the app does', () => {
    const d = ['--data-dir', tempDir()];
    const file = join(d[1], 'si.json');
    writeFileSync(file, JSON.stringify({ bandpass_filter: {} }));
    expect(cli(['presets', 'import', file, '--name', 'Rig 1', ...d]).code).toBe(0);
    expect(cli(['presets', 'rename', 'rig 1', '  Rig 1 AP  ', ...d]).stdout).toBe('renamed "Rig 1" to "Rig 1 AP"\n');
    expect(cli(['presets', 'rename', 'Rig 1 AP', 'Neuropixels AP', ...d]).stderr).toMatch(/^probedeck: A preset named "Neuropixels AP" already exists/);
    expect(cli(['presets', 'rename', 'Rig 1 AP', ...d])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^probedeck: rename needs the NEW_NAME/) });
    expect(cli(['presets', 'set-default', 'spikeglx', 'rig 1 ap', ...d]).stdout).toBe('"Rig 1 AP" is the default for spikeglx sources\n');
    expect(cli(['presets', 'list', ...d]).stdout).toMatch(/ {2}Rig 1 AP {2}default for spikeglx\n/);
    expect(cli(['presets', 'set-default', 'neuropixels', 'Rig 1 AP', ...d])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^probedeck: set-default needs a KIND, one of spikeglx, openephys, .*; got "neuropixels"/) });
    expect(cli(['presets', 'delete', 'Neuropixels AP', ...d]).stderr).toMatch(/"Neuropixels AP" is built in and cannot be deleted/);
    expect(cli(['presets', 'delete', 'Rig 1 AP', ...d]).stdout).toBe('deleted "Rig 1 AP" (probedeck presets restore "Rig 1 AP" brings it back)\n');
    // Deleted, its kind opens with the built-in, and list says so.
    expect(cli(['presets', 'list', ...d]).stdout).toMatch(/ {2}Neuropixels AP {2}\(built in\) {2}default for spikeglx, openephys\n/);
    expect(cli(['presets', 'export', 'Rig 1 AP', ...d]).stderr).toMatch(/no preset named "Rig 1 AP"/);
    expect(cli(['presets', 'restore', 'rig 1 ap', ...d]).stdout).toBe('restored "Rig 1 AP"\n');
    expect(cli(['presets', 'list', ...d]).stdout).toMatch(/ {2}Rig 1 AP {2}default for spikeglx\n/);
    expect(cli(['presets', 'restore', 'Rig 1 AP', ...d]).stderr).toMatch(/no deleted preset named "Rig 1 AP"/);
  });

  it('names that differ only in the case of letters past A–Z: the exact name is the one acted on; an inexact one that fits both is refused', () => {
    const d = ['--data-dir', tempDir()];
    const file = join(d[1], 'si.json');
    writeFileSync(file, JSON.stringify({ bandpass_filter: {} }));
    // SQLite's NOCASE folds only A–Z: both names are taken as different presets.
    expect(cli(['presets', 'import', file, '--name', 'Über rig', ...d]).code).toBe(0);
    expect(cli(['presets', 'import', file, '--name', 'über rig', ...d]).code).toBe(0);
    expect(cli(['presets', 'delete', 'ÜBER RIG', ...d])).toMatchObject({ code: 1, stderr: 'probedeck: "ÜBER RIG" matches "Über rig" and "über rig": give the name exactly as probedeck presets list shows it\n' });
    expect(cli(['presets', 'delete', 'über rig', ...d]).stdout).toBe('deleted "über rig" (probedeck presets restore "über rig" brings it back)\n');
    expect(cli(['presets', 'list', ...d]).stdout).toMatch(/ {2}Über rig\n/);
  });

  it('a settings database another process keeps locked: one line that says so, after the 5 s wait', () => {
    const dir = tempDir();
    expect(cli(['presets', 'list', '--data-dir', dir]).code).toBe(0);
    const holder = new Database(join(dir, DATABASE_FILE));
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const r = cli(['presets', 'list', '--data-dir', dir]);
      expect(r).toMatchObject({ code: 1, stderr: expect.stringMatching(/^probedeck: the settings database \S+probedeck.db stayed locked by another process for 5 s \(another ProbeDeck, or a backup or sync tool holding it\): try again when it is done, or give another --data-dir\n$/) });
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  }, 20_000);

  it('plans within a budget', () => {
    const r = cli(['plan', '--channels', '384', '--fs', '30000', '--ram-budget', '2GiB', '--job', 'export', '--json', '--data-dir', tempDir()]);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.predictedPeakBytes).toBeLessThanOrEqual(2 * 2 ** 30);
    expect(p.nJobs * p.nWorkers).toBeGreaterThanOrEqual(1);
  });
});
