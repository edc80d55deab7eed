// Opens (creating and migrating) ProbeDeck's one SQLite database. A file that is not a database or
// is corrupt is moved aside under a timestamped name and a fresh one is started: nothing is deleted.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Notice } from '../api/domains/host.ts';
import { MIGRATIONS } from './migrations.ts';
import { ProbeDeckError } from '../util/is.ts';
import { restoreMissingTables } from './missing-tables.ts';
import { salvageNote, salvagePresets } from './salvage.ts';

export type Db = Database.Database;

export interface OpenedDatabase {
  db: Db;
  path: string;
  notices: Notice[];
}

const CORRUPT_CODES = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CORRUPT_VTAB']);

/** Brings `db` to the newest schema; what it said of tables it lacked and made again, or null. */
function migrate(db: Db, migrations: readonly string[], path: string): string | null {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw Object.assign(new Error(`The database is from a newer ProbeDeck (schema ${current}, this version knows ${migrations.length})`), {
      code: 'DB_TOO_NEW'
    });
  }
  // Before the next migrations, which may alter them.
  const restored = restoreMissingTables(db, migrations.slice(0, current), path);
  // BEGIN IMMEDIATE so two instances starting together migrate one after the other.
  const step = db.transaction((i: number) => {
    if ((db.pragma('user_version', { simple: true }) as number) !== i) return;
    db.exec(migrations[i]);
    db.pragma(`user_version = ${i + 1}`);
  });
  for (let i = current; i < migrations.length; i++) step.immediate(i);
  return restored;
}

function openAndCheck(path: string, migrations: readonly string[], notices: Notice[] = []): Db {
  const db = new Database(path, { timeout: 5000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw Object.assign(new Error(`quick_check: ${String(check)}`), { code: 'SQLITE_CORRUPT' });
    const restored = migrate(db, migrations, path);
    if (restored) notices.push({ level: 'warning', message: restored });
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function sizeOf(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/** What to say when another process kept the settings database locked past the 5 s wait. */
export function busyMessage(path?: string): string {
  return `the settings database${path ? ` ${path}` : ''} stayed locked by another process for 5 s (another ProbeDeck, or a backup or sync tool holding it): try again when it is done, or give another --data-dir`;
}

export function openDatabase(path: string, migrations: readonly string[] = MIGRATIONS): OpenedDatabase {
  mkdirSync(dirname(path), { recursive: true });
  const notices: Notice[] = [];
  // SQLite takes an empty file for a new database, so a settings file emptied by a crash or a sync
  // tool would silently start over. A new database in WAL mode may be empty with its data in the
  // -wal file: that one is whole.
  if (sizeOf(path) === 0 && !sizeOf(`${path}-wal`)) {
    notices.push({ level: 'warning', message: `The settings database ${path} was empty (0 bytes): the presets, defaults and recent sources it held are gone, and a new one was started. Restore it from a backup while ProbeDeck is closed to get them back.` });
  }
  try {
    return { db: openAndCheck(path, migrations, notices), path, notices };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (isFolder(path)) throw new ProbeDeckError('SETTINGS_UNWRITABLE', `the settings database ${path} is a folder, not a file: move it away, or give another --data-dir`);
    if (code.startsWith('SQLITE_BUSY')) throw new ProbeDeckError('SETTINGS_BUSY', busyMessage(path));
    if (code.startsWith('SQLITE_READONLY')) {
      throw new ProbeDeckError('SETTINGS_UNWRITABLE', `the settings database ${path} cannot be written (${(err as Error).message}; SQLite keeps its journal beside it, so its folder must be writable too): make ${dirname(path)} writable, or give another --data-dir`);
    }
    // A full or failing settings disk is not a damaged database: say where, and leave the file be.
    if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') {
      throw new ProbeDeckError('SETTINGS_UNWRITABLE', `the settings database ${path} cannot be opened (${(err as Error).message}): is its disk full or read-only? Free some space there, or give another --data-dir`);
    }
    if (!CORRUPT_CODES.has(code)) throw err;
    const aside = `${path}.corrupt-${timestamp()}`;
    renameSync(path, aside);
    for (const suffix of ['-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, aside + suffix);
    const db = openAndCheck(path, migrations);
    const saved = salvagePresets(aside, db);
    notices.push({
      level: 'warning',
      message: `The settings database could not be read (${code}); it was kept as ${aside} and a new one was started.${salvageNote(saved)}`
    });
    return { db, path, notices };
  }
}
