import Database from 'better-sqlite3';
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/db/database.ts';
import { MIGRATIONS } from '../../main/db/migrations.ts';
import { BUILTIN_PRESETS } from '../../main/presets/builtins.ts';
import { presetsRepo } from '../../main/presets/repo.ts';
import { isLfpPreset, nyquistWarning, withFilterKind } from '../../main/presets/corners.ts';
import { validateBody } from '../../main/presets/schema.ts';
import { tempDir } from './helpers.ts';

const body = () => structuredClone(BUILTIN_PRESETS[0].body);
const open = (dir: string) => presetsRepo(openDatabase(join(dir, 'probedeck.db')).db);

describe('presets repository (real SQLite file)', () => {
  it('starts with the built-ins and sensible defaults per source kind', () => {
    const repo = open(tempDir());
    expect(repo.list().map((p) => p.name)).toEqual(['Neuropixels AP', 'Neuropixels AP live', 'Neuropixels AP per shank', 'Neuropixels LFP', 'Open Ephys 32-ch headstage']);
    const ap = repo.list()[0];
    expect(ap.body.pipeline.filter).toMatchObject({ kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000, phase: 'zero' });
    expect(ap.body.pipeline.reference).toMatchObject({ mode: 'global', operator: 'median' });
    expect(repo.defaults().spikeglx).toBe(ap.id);
    expect(repo.defaults().multishank).toBe(repo.list().find((p) => p.name === 'Neuropixels AP per shank')!.id);
    expect(repo.defaults().lfp).toBe(repo.list().find((p) => p.name === 'Neuropixels LFP')!.id); // an LFP stream opens on its band
  });

  it('creates, renames, edits, duplicates; built-ins only duplicate', () => {
    const repo = open(tempDir());
    const ap = repo.list()[0];
    expect(() => repo.update(ap.id, body())).toThrow(/"Neuropixels AP" is built in and cannot be edited: duplicate it first/);
    expect(() => repo.remove(ap.id)).toThrow(/cannot be deleted/);
    const mine = repo.duplicate(ap.id);
    expect(mine.name).toBe('Neuropixels AP (copy)');
    expect(repo.duplicate(ap.id).name).toBe('Neuropixels AP (copy 2)');
    const b = body();
    b.pipeline.filter.lowHz = 400;
    expect(repo.update(mine.id, b).body.pipeline.filter.lowHz).toBe(400);
    expect(repo.rename(mine.id, 'Rig 3 AP').name).toBe('Rig 3 AP');
    expect(() => repo.rename(mine.id, 'neuropixels ap')).toThrow(/already exists/);
    expect(() => repo.rename(mine.id, '   ')).toThrow(/^A preset's name has 1 to 80 characters; "   " has none$/);
    expect(() => repo.rename(mine.id, 'Rig 2\nprobe 7')).toThrow(/^A preset's name is printable text on one line; this one holds the control character U\+000A$/);
    expect(() => repo.rename(mine.id, 'Rig \u202e7 eborp')).toThrow(/U\+202E$/);
    expect(repo.rename(mine.id, 'Rig 2 · sonde 7 (ré)').name).toBe('Rig 2 · sonde 7 (ré)');
    expect(() => repo.create('x', { ...b, pipeline: { ...b.pipeline, filter: { ...b.pipeline.filter, highHz: 100 } } })).toThrow(/low corner \(400 Hz\) must be below the high corner \(100 Hz\) in "pipeline.filter"/);
    // Each radius is named when it is the one at fault.
    const ref = (r: object) => repo.create('y', { ...b, pipeline: { ...b.pipeline, reference: { ...b.pipeline.reference, mode: 'local', ...r } } });
    expect(() => ref({ innerUm: -10, outerUm: 55 })).toThrow(/^Expected a radius of 0 µm or more for "pipeline.reference.innerUm" but received -10$/);
    expect(() => ref({ innerUm: 60, outerUm: 55 })).toThrow(/^Expected a radius above innerUm \(60\) for "pipeline.reference.outerUm" but received 55$/);
  });

  it('names copies and imports within 80 characters, and counts on from a numbered name', () => {
    const repo = open(tempDir());
    const long = repo.create('L'.repeat(79), body());
    expect(repo.duplicate(long.id).name).toBe(`${'L'.repeat(73)} (copy)`);
    expect(repo.duplicate(long.id).name).toBe(`${'L'.repeat(71)} (copy 2)`);
    expect(repo.freeNameLike('Rig')).toBe('Rig');
    repo.create('Imported from SpikeInterface', body());
    expect(repo.freeNameLike('Imported from SpikeInterface')).toBe('Imported from SpikeInterface (2)');
    repo.create('Imported from SpikeInterface (2)', body());
    // An exported "(2)" imported again: the next number, not "(2) (2)".
    expect(repo.freeNameLike('Imported from SpikeInterface (2)')).toBe('Imported from SpikeInterface (3)');
    expect(repo.freeNameLike('L'.repeat(79))).toBe(`${'L'.repeat(76)} (2)`);
  });

  it('deletes with undo', () => {
    const repo = open(tempDir());
    const p = repo.create('Temp', body());
    repo.remove(p.id);
    expect(repo.list().some((x) => x.id === p.id)).toBe(false);
    expect(repo.list(true).find((x) => x.id === p.id)?.deletedAt).not.toBeNull();
    expect(repo.restore(p.id).deletedAt).toBeNull();
    expect(repo.list().some((x) => x.id === p.id)).toBe(true);
  });

  it('remembers the default per source kind and the last one used per source, across reopen', () => {
    const dir = tempDir();
    const repo = open(dir);
    const p = repo.create('Rig 1', body());
    repo.setDefault('openephys', p.id);
    repo.markUsed('/data/rec1/run_g0_t0.imec0.ap.bin', p.id);
    const again = open(dir);
    expect(again.defaults().openephys).toBe(p.id);
    expect(again.lastUsed('/data/rec1/run_g0_t0.imec0.ap.bin')?.name).toBe('Rig 1');
    expect(again.lastUsed('/elsewhere')).toBeNull();
  });

  it('a deleted default stands aside for the built-in, which defaults() then names; restored, it is the default again', () => {
    const repo = open(tempDir());
    const p = repo.create('Rig 1', body());
    // A kind no source has is refused (the host API took it and kept it).
    expect(() => repo.setDefault('bogus', p.id)).toThrow(/^a default is for one of the source kinds spikeglx, openephys, .*; got "bogus"$/);
    expect(repo.defaults()).not.toHaveProperty('bogus');
    repo.setDefault('spikeglx', p.id);
    repo.remove(p.id);
    const builtin = repo.list().find((x) => x.name === 'Neuropixels AP')!;
    expect(repo.defaultFor('spikeglx')?.id).toBe(builtin.id);
    expect(repo.defaults().spikeglx).toBe(builtin.id); // what the defaults buttons mark ✓
    repo.restore(p.id);
    expect(repo.defaults().spikeglx).toBe(p.id);
    expect(repo.defaultFor('spikeglx')?.id).toBe(p.id);
  });

  it('migrates a version-1 database (settings only) and keeps its settings', () => {
    const dir = tempDir();
    const path = join(dir, 'probedeck.db');
    const old = new Database(path);
    old.exec(MIGRATIONS[0]);
    old.pragma('user_version = 1');
    old.prepare("INSERT INTO settings VALUES ('app.lastOpened', 'then', 't')").run();
    old.close();
    const { db } = openDatabase(path);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT value FROM settings').get()).toEqual({ value: 'then' });
    expect(presetsRepo(db).list()).toHaveLength(BUILTIN_PRESETS.length);
  });

  it('recovers from a corrupt database, keeping the old file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'probedeck.db'), 'garbage'.repeat(1000));
    const { db, notices } = openDatabase(join(dir, 'probedeck.db'));
    expect(presetsRepo(db).list()).toHaveLength(BUILTIN_PRESETS.length);
    expect(notices[0].message).toMatch(/kept as .*probedeck\.db\.corrupt-/);
  });

  it('two processes writing at once lose nothing and corrupt nothing', async () => {
    const dir = tempDir();
    open(dir);
    const writer = join(dir, 'writer.ts');
    writeFileSync(
      writer,
      `import { openDatabase } from ${JSON.stringify(join(import.meta.dirname, '../../main/db/database.ts'))};
       import { presetsRepo } from ${JSON.stringify(join(import.meta.dirname, '../../main/presets/repo.ts'))};
       import { BUILTIN_PRESETS } from ${JSON.stringify(join(import.meta.dirname, '../../main/presets/builtins.ts'))};
       const repo = presetsRepo(openDatabase(process.argv[2]).db);
       for (let i = 0; i < 40; i++) repo.create(process.argv[3] + ' ' + i, BUILTIN_PRESETS[0].body);`
    );
    const run = (tag: string) =>
      new Promise<number>((resolve) => fork(writer, [join(dir, 'probedeck.db'), tag], { stdio: 'inherit' }).on('exit', (c) => resolve(c ?? 1)));
    expect(await Promise.all([run('A'), run('B')])).toEqual([0, 0]);
    const { db } = openDatabase(join(dir, 'probedeck.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(presetsRepo(db).list()).toHaveLength(BUILTIN_PRESETS.length + 80);
  });
});

describe('filter precision', () => {
  it('float64 unless asked (a preset saved before the choice, as SpikeInterface computes); float32 is kept; anything else is refused by name', () => {
    const { precision: _, ...older } = body().pipeline.filter;
    expect(validateBody({ ...body(), pipeline: { ...body().pipeline, filter: older } }).pipeline.filter.precision).toBe('float64');
    const dir = tempDir();
    const p = open(dir).create('Rig f32', { ...body(), pipeline: { ...body().pipeline, filter: { ...body().pipeline.filter, precision: 'float32' } } });
    expect(open(dir).get(p.id).body.pipeline.filter.precision).toBe('float32');
    // One saved before the choice, as its row holds it: read as float64.
    const db = new Database(join(dir, 'probedeck.db'));
    db.prepare("UPDATE presets SET body = json_remove(body, '$.pipeline.filter.precision') WHERE id = ?").run(p.id);
    db.close();
    expect(open(dir).get(p.id).body.pipeline.filter.precision).toBe('float64');
    expect(() => validateBody({ ...body(), pipeline: { ...body().pipeline, filter: { ...body().pipeline.filter, precision: 'float16' } } })).toThrow('Expected "float64", "float32" for "pipeline.filter.precision" but received');
  });
});

describe('filter corners in the preset editor', () => {
  const none = validateBody({ ...body(), pipeline: { ...body().pipeline, filter: { kind: 'none' } } }).pipeline.filter;

  it('a preset saved with no filter gets the usual corners back with a type, and they save', () => {
    expect(none).toMatchObject({ lowHz: null, highHz: null }); // what the editor is left with
    const repo = open(tempDir());
    const p = repo.create('Rig none', { ...body(), pipeline: { ...body().pipeline, filter: none } });
    const set = (kind: typeof none.kind, lfp = false) => repo.update(p.id, { ...body(), pipeline: { ...body().pipeline, filter: withFilterKind(none, kind, lfp) } }).body.pipeline.filter;
    expect(set('bandpass')).toMatchObject({ kind: 'bandpass', lowHz: 300, highHz: 6000 });
    expect(set('highpass')).toMatchObject({ kind: 'highpass', lowHz: 300, highHz: null });
    expect(set('lowpass')).toMatchObject({ kind: 'lowpass', lowHz: null, highHz: 6000 });
    expect(set('bandpass', true)).toMatchObject({ kind: 'bandpass', lowHz: 0.5, highHz: 500 }); // the LFP built-in's band
  });

  it('keeps the corners a type change does not need to touch, and takes the band whole when they would cross', () => {
    const hp = { ...none, kind: 'highpass' as const, lowHz: 400 };
    expect(withFilterKind(hp, 'bandpass', false)).toMatchObject({ lowHz: 400, highHz: 6000 });
    expect(withFilterKind({ ...hp, lowHz: 8000 }, 'bandpass', false)).toMatchObject({ lowHz: 300, highHz: 6000 });
  });

  it('warns of a corner at or above the Nyquist frequency of the rate the preset usually meets', () => {
    expect(nyquistWarning(20000, false)).toBe('above the Nyquist frequency of a 30 kHz recording (15 kHz): a 30 kHz recording cannot run this filter (it opens unprocessed, and exports refuse it)');
    expect(nyquistWarning(15000, false)).toMatch(/^at the Nyquist frequency of a 30 kHz recording/);
    expect(nyquistWarning(14999, false)).toBeNull();
    expect(nyquistWarning(1250, true)).toMatch(/^at the Nyquist frequency of a 2\.5 kHz LFP stream \(1250 Hz\)/);
    expect(nyquistWarning(1000, true)).toBeNull();
    // An LFP preset: the LFP default, or a band under the spike band.
    const lfp = BUILTIN_PRESETS.find((b) => b.name === 'Neuropixels LFP')!.body.pipeline.filter;
    expect([isLfpPreset(lfp, false), isLfpPreset(body().pipeline.filter, false), isLfpPreset(none, true)]).toEqual([true, false, true]);
    // A wide band (1 Hz–10 kHz) is for AP-rate data, as exports read it: its 10 kHz corner runs at 30 kHz.
    const wide = { ...lfp, kind: 'bandpass' as const, lowHz: 1, highHz: 10000 };
    expect(isLfpPreset(wide, false)).toBe(false);
  });
});
