import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/db/database.ts';
import { createHost } from '../../main/api/host.ts';
import type { Preset } from '../../main/api/domains/presets.ts';
import type { HostStatus } from '../../main/api/domains/host.ts';
import { MIGRATIONS } from '../../main/db/migrations.ts';
import { settingsRepo } from '../../main/db/settings-repo.ts';
import { presetsRepo } from '../../main/presets/repo.ts';
import { recentRepo } from '../../main/sources/recent-repo.ts';
import { tempDir } from './helpers.ts';

describe('openDatabase', () => {
  it('creates a WAL database at the newest schema', () => {
    const dir = tempDir();
    const { db } = openDatabase(join(dir, 'a.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('migrates an older file step by step and keeps its rows', () => {
    const dir = tempDir();
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.exec(MIGRATIONS[0]);
    old.pragma('user_version = 1');
    old.prepare("INSERT INTO settings VALUES ('k', 'v', 't')").run();
    old.close();
    const extra = [...MIGRATIONS, 'CREATE TABLE later (x INTEGER) STRICT;'];
    const { db } = openDatabase(path, extra);
    expect(db.pragma('user_version', { simple: true })).toBe(extra.length);
    expect(settingsRepo(db).get('k')).toBe('v');
    db.close();
  });

  it('refuses a database from a newer version without touching it', () => {
    const dir = tempDir();
    const path = join(dir, 'new.db');
    const d = new Database(path);
    d.pragma('user_version = 999');
    d.close();
    expect(() => openDatabase(path)).toThrow(/newer ProbeDeck \(schema 999/);
    expect(existsSync(path)).toBe(true);
  });

  it('moves a corrupt file aside, starts fresh and says where the old one is', () => {
    const dir = tempDir();
    const path = join(dir, 'probedeck.db');
    const garbage = Buffer.from('this is not an SQLite database, it is a lab notebook '.repeat(200));
    writeFileSync(path, garbage);
    const { db, notices } = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
    const aside = readdirSync(dir).find((f) => f.startsWith('probedeck.db.corrupt-'));
    expect(aside).toBeDefined();
    expect(readFileSync(join(dir, aside!))).toEqual(garbage);
    expect(notices[0].message).toContain(join(dir, aside!));
    expect(notices[0].message).toMatch(/None of your presets could be read from it\.$/);
  });

  it('a folder where the settings file should be is said as such, and left where it is', () => {
    const dir = tempDir();
    const path = join(dir, 'probedeck.db');
    mkdirSync(path);
    expect(() => openDatabase(path)).toThrow(`the settings database ${path} is a folder, not a file: move it away, or give another --data-dir`);
    expect(readdirSync(dir)).toEqual(['probedeck.db']);
  });

  it('keeps the lab’s presets a damaged database still holds', () => {
    const dir = tempDir();
    const path = join(dir, 'probedeck.db');
    let { db } = openDatabase(path);
    const presets = presetsRepo(db);
    const body = presets.list(false)[0].body;
    const rig2 = presets.create('Rig 2 probe 7', { ...body, pipeline: { ...body.pipeline, badChannels: { detect: 'none', manual: [40, 120] } } });
    const rig3 = presets.create('Rig 3 LFP', body);
    presets.remove(presets.create('Thrown away', body).id);
    // The lab's default for SpikeGLX recordings, and the preset last used on one of them.
    presets.setDefault('spikeglx', rig2.id);
    presets.markUsed('/data/mouse7/run_g0_t0.imec0.ap.bin', rig3.id);
    // Many rows after them, then a page near the end of the file overwritten: a damaged database
    // whose presets pages are whole.
    const history = db.prepare("INSERT INTO settings VALUES (?, ?, 't')");
    for (let i = 0; i < 3000; i++) history.run(`k${i}`, 'x'.repeat(200));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(path);
    bytes.fill(0x5a, bytes.length - 3 * 4096, bytes.length - 2 * 4096);
    writeFileSync(path, bytes);
    let notices;
    ({ db, notices } = openDatabase(path));
    expect(notices[0].message).toMatch(
      /^The settings database could not be read \(SQLITE_CORRUPT\); it was kept as .*\. 2 of your presets were read from it and kept \("Rig 2 probe 7", "Rig 3 LFP"\), with the default for spikeglx and the preset last used on 1 source that named them; the recent sources and export history were not\.$/
    );
    const repo = presetsRepo(db);
    const kept = repo.list(false).filter((p) => !p.builtin);
    expect(kept.map((p) => p.name)).toEqual(['Rig 2 probe 7', 'Rig 3 LFP']);
    expect(kept[0].body.pipeline.badChannels.manual).toEqual([40, 120]);
    // A SpikeGLX recording opens on the lab's preset still (it opened on the built-in one, without its bad channels).
    expect(repo.defaultFor('spikeglx')!.name).toBe('Rig 2 probe 7');
    expect(repo.defaultFor('openephys')!.name).toBe('Neuropixels AP');
    expect(repo.lastUsed('/data/mouse7/run_g0_t0.imec0.ap.bin')!.name).toBe('Rig 3 LFP');
    db.close();
  });

  // 200 lab presets on about 40 pages of the presets table, in a database as the app leaves it.
  const labDatabase = (path: string): string[] => {
    const { db } = openDatabase(path);
    const presets = presetsRepo(db);
    const body = presets.list(false)[0].body;
    const names = Array.from({ length: 200 }, (_, i) => `Rig ${i + 1} probe ${1000 + i}`);
    for (const [i, name] of names.entries()) presets.create(name, { ...body, pipeline: { ...body.pipeline, badChannels: { detect: 'none', manual: [i % 384] } } });
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    return names;
  };
  const reopened = (path: string) => {
    const { db, notices } = openDatabase(path);
    const kept = presetsRepo(db).list(false).filter((p) => !p.builtin);
    db.close();
    return { kept, notice: notices[0]?.message ?? '' };
  };

  it('a settings file cut short (a copy or sync stopped halfway) gives back the presets on the pages it still has', () => {
    const dir = tempDir();
    const path = join(dir, 'probedeck.db');
    const names = labDatabase(path);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2 / 4096) * 4096));
    const { kept, notice } = reopened(path);
    // The presets table's first pages are in the first half: SQLite refused the whole file as larger
    // than it is, so none came back.
    expect(kept.length).toBeGreaterThan(20);
    expect(new Set(kept.map((p) => p.name)).size).toBe(kept.length);
    for (const p of kept) expect(names).toContain(p.name);
    expect(notice).toContain(`${kept.length} of your presets were read from it and kept`);
  });

  it('a damaged page among the presets costs only the presets on it, not those after it', () => {
    const dir = tempDir();
    const path = join(dir, 'probedeck.db');
    const names = labDatabase(path);
    const bytes = readFileSync(path);
    // The table page holding preset 60 of 200 (its name, then its body), overwritten.
    const page = Math.floor(bytes.indexOf(Buffer.from(`${names[59]}{"pipeline"`)) / 4096);
    expect(page).toBeGreaterThan(0);
    bytes.fill(0xa5, page * 4096 + 8, (page + 1) * 4096);
    writeFileSync(path, bytes);
    const { kept, notice } = reopened(path);
    const keptNames = new Set(kept.map((p) => p.name));
    expect(keptNames.has(names[59])).toBe(false);
    // Those before it and those after it: a few on its page are lost, not the 140 after it.
    expect(keptNames.has(names[0]) && keptNames.has(names[199]) && keptNames.has(names[150])).toBe(true);
    expect(kept.length).toBeGreaterThan(190);
    expect(notice).toContain(`${kept.length} of your presets were read from it and kept`);
    expect(notice).toContain('; any others on its damaged pages could not be read; the recent sources and export history were not.');
  });

  it('garbage over the file’s first bytes (its header): the presets behind it are all given back', () => {
    const dir = tempDir();
    const path = join(dir, 'probedeck.db');
    const names = labDatabase(path);
    const bytes = readFileSync(path);
    bytes.fill(0x37, 0, 100);
    writeFileSync(path, bytes);
    const { kept, notice } = reopened(path);
    expect(notice).toMatch(/could not be read \(SQLITE_NOTADB\); it was kept as .*corrupt-.* 200 of your presets were read from it and kept/);
    expect(new Set(kept.map((p) => p.name))).toEqual(new Set(names));
    expect(kept.find((p) => p.name === names[41])!.body.pipeline.badChannels.manual).toEqual([41]);
    // Read through a copy with a new header, removed after; the damaged file is kept as it was.
    expect(readdirSync(dir).filter((f) => f.includes('header'))).toEqual([]);
    const aside = readdirSync(dir).find((f) => /corrupt-[^.]*Z$/.test(f))!;
    expect(readFileSync(join(dir, aside))).toEqual(bytes);
  });

  it('its first page overwritten (the schema gone with it): the presets are read from their own pages', () => {
    const dir = tempDir();
    const path = join(dir, 'probedeck.db');
    const names = labDatabase(path);
    const bytes = readFileSync(path);
    bytes.fill(0x00, 0, 4096);
    writeFileSync(path, bytes);
    const { kept, notice } = reopened(path);
    // SQL reads nothing without the schema: none came back.
    expect(notice).toMatch(/could not be read \(SQLITE_NOTADB\); it was kept as .*corrupt-.* 200 of your presets were read from it and kept .*; any others on its damaged pages could not be read; the defaults per source kind and the presets last used per source, the recent sources and export history were not\.$/);
    expect(new Set(kept.map((p) => p.name))).toEqual(new Set(names));
    expect(kept.find((p) => p.name === names[41])!.body.pipeline.badChannels.manual).toEqual([41]);
  });

  it('a table missing (a hand clean-up, a partial restore): made again, empty, and said; the other tables keep their rows', () => {
    const dir = tempDir();
    const path = join(dir, 'probedeck.db');
    let { db } = openDatabase(path);
    const presets = presetsRepo(db);
    const rig = presets.create('Rig 2 probe 7', presets.list(false)[0].body);
    presets.setDefault('spikeglx', rig.id);
    settingsRepo(db).set('views.ramBudgetBytes', String(512 * 2 ** 20));
    db.exec('DROP TABLE recent_sources; DROP TABLE calibrations');
    db.close();
    let notices;
    ({ db, notices } = openDatabase(path));
    // It opened, where the app stopped at 'no such table: recent_sources' and never showed a window.
    expect(notices.map((n) => n.message)).toEqual([
      `The settings database ${path} lacked the tables calibrations (this machine’s Planner calibration) and recent_sources (the recent sources): they were made again, empty; everything else in it was kept as it was.`
    ]);
    expect(recentRepo(db).list()).toEqual([]);
    expect(presetsRepo(db).defaultFor('spikeglx')!.name).toBe('Rig 2 probe 7');
    expect(settingsRepo(db).get('views.ramBudgetBytes')).toBe(String(512 * 2 ** 20));
    db.close();
    expect(openDatabase(path).notices).toEqual([]); // said once
  });

  it('the presets table missing: the built-ins come back, the defaults that named lost presets give way to them, and it is said', () => {
    const dir = tempDir();
    const path = join(dir, 'probedeck.db');
    let { db } = openDatabase(path);
    const presets = presetsRepo(db);
    presets.setDefault('spikeglx', presets.create('Rig 2 probe 7', presets.list(false)[0].body).id);
    db.pragma('foreign_keys = OFF');
    db.exec('DROP TABLE presets');
    db.close();
    let notices;
    ({ db, notices } = openDatabase(path));
    expect(notices.map((n) => n.message)).toEqual([
      `The settings database ${path} lacked the table presets (the lab’s presets): it was made again, empty; the lab’s presets it held are gone, and the defaults per source kind and the presets last used per source that named them were cleared; everything else in it was kept as it was.`
    ]);
    const repo = presetsRepo(db);
    expect(repo.defaultFor('spikeglx')!.name).toBe('Neuropixels AP');
    expect(repo.list(false).every((p) => p.builtin)).toBe(true);
    db.close();
  });

  it('says so when the settings file was emptied, and not for a new or a whole one', () => {
    const dir = tempDir();
    const path = join(dir, 'probedeck.db');
    const first = openDatabase(path);
    expect(first.notices).toEqual([]);
    settingsRepo(first.db).set('k', 'v');
    first.db.close(); // checkpoints the WAL into the file
    const again = openDatabase(path);
    expect(again.notices).toEqual([]);
    again.db.close();
    writeFileSync(path, ''); // a crash or a sync tool left it empty
    const { db, notices } = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
    expect(notices).toHaveLength(1);
    expect(notices[0].message).toMatch(/settings database .*probedeck\.db was empty \(0 bytes\): the presets, defaults and recent sources it held are gone/);
  });
});

describe('a settings database damaged under a running ProbeDeck', () => {
  it('a write that meets the damage says what it means and what to do (restart), and the restart does it: the file set aside, the presets carried over', async () => {
    const dataDir = join(tempDir(), 'data');
    const path = join(dataDir, 'probedeck.db');
    const host = createHost({ dataDir, transport: 'websocket' });
    const ap = ((await host.call('presets.list', undefined)) as Preset[]).find((p) => p.name === 'Neuropixels AP')!;
    await host.call('presets.create', { name: 'Rig 7', body: ap.body });
    await host.call('settings.set', { key: 'view.gain', value: '50' });
    // The settings table's page overwritten on disk (a failing disk, a sync tool writing into the
    // file), then another connection's write: the host's cached pages go, the damage is read.
    const other = new Database(path);
    other.pragma('wal_checkpoint(TRUNCATE)');
    const { rootpage } = other.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'settings'").get() as { rootpage: number };
    const pageSize = other.pragma('page_size', { simple: true }) as number;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (rootpage - 1) * pageSize);
    closeSync(fd);
    other.pragma(`user_version = ${MIGRATIONS.length}`);
    other.close();
    // It said SQLite's "database disk image is malformed", and nothing of what to do.
    await expect(host.call('settings.set', { key: 'view.gain', value: '60' })).rejects.toMatchObject({
      code: 'SETTINGS_DAMAGED',
      message: `the settings database ${path} is damaged (database disk image is malformed), so this was not done: restart ProbeDeck, which keeps the damaged file aside as probedeck.db.corrupt-<date>, starts a new one and carries over the presets it can still read from it`
    });
    await host.close();
    const again = createHost({ dataDir, transport: 'websocket' });
    try {
      const { notices } = (await again.call('host.status', undefined)) as HostStatus;
      expect(notices).toEqual([expect.objectContaining({ message: expect.stringMatching(/^The settings database could not be read \(SQLITE_CORRUPT\); it was kept as .*probedeck\.db\.corrupt-.* 1 of your presets was read from it and kept \("Rig 7"\)/) })]);
      expect(((await again.call('presets.list', undefined)) as Preset[]).map((p) => p.name)).toContain('Rig 7');
      expect(readdirSync(dataDir).some((f) => /^probedeck\.db\.corrupt-/.test(f))).toBe(true);
    } finally {
      await again.close();
    }
  });
});

describe('settings repository', () => {
  it('writes and reads back through a second connection (real file)', () => {
    const dir = tempDir();
    const path = join(dir, 's.db');
    const a = openDatabase(path).db;
    settingsRepo(a).set('rig', 'rig-3');
    const b = openDatabase(path).db;
    expect(settingsRepo(b).get('rig')).toBe('rig-3');
    expect(settingsRepo(b).get('missing')).toBeNull();
    a.close();
    b.close();
  });
});
