// What can still be read from a settings database that was set aside as damaged: the lab's own
// presets are the part that took work to make, so they are copied into the new database. A damaged
// page costs the presets on it: those before it and after it are read around it.
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { validateBody } from '../presets/schema.ts';
import type { Db } from './database.ts';
import { copyWithNewHeader } from './rewrite-header.ts';

interface OldRow {
  id: number;
  name: unknown;
  builtin: unknown;
  body: unknown;
  created_at: unknown;
  updated_at: unknown;
  deleted_at: unknown;
}

const COLUMNS = 'id, name, builtin, body, created_at, updated_at, deleted_at';
/** Past the last row read, how many ids are looked up one by one when the table's end cannot be read. */
const IDS_PAST_DAMAGE = 10_000;

/**
 * Opens `path` to read what it can: SQLite refuses a file shorter than its header says (a copy cut
 * short) unless the schema is taken as it is, which only a connection outside defensive mode may.
 */
function openForReading(path: string): Db {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.unsafeMode(true);
  db.pragma('writable_schema = ON');
  return db;
}

/** Every row of the presets table that can be read: in id order up to the damage, back from the end down to it, then each id between alone. */
function readableRows(old: Db): { rows: Map<number, OldRow>; damaged: boolean } {
  const rows = new Map<number, OldRow>();
  let damaged = false;
  const scan = (sql: string, ...params: number[]) => {
    const seen: number[] = [];
    try {
      for (const r of old.prepare(sql).iterate(...params) as Iterable<OldRow>) {
        rows.set(r.id, r);
        seen.push(r.id);
      }
    } catch {
      // A damaged page: the rows met before it are kept.
      damaged = true;
    }
    return seen;
  };
  const forward = scan(`SELECT ${COLUMNS} FROM presets ORDER BY id`);
  const backward = scan(`SELECT ${COLUMNS} FROM presets ORDER BY id DESC`);
  const from = (forward.at(-1) ?? 0) + 1;
  const to = backward.length ? backward.at(-1)! - 1 : from + IDS_PAST_DAMAGE;
  if (from <= to) {
    const one = old.prepare(`SELECT ${COLUMNS} FROM presets WHERE id = ?`);
    for (let id = from; id <= to; id++) {
      try {
        const r = one.get(id) as OldRow | undefined;
        if (r) rows.set(r.id, r);
      } catch {
        // This id lies on a damaged page.
        damaged = true;
      }
    }
  }
  return { rows, damaged };
}

/** What was read back: the presets' names, how many rows of the table (built-ins and deleted ones too) were read, and whether others lay on pages that could not be. */
export interface Salvaged {
  names: string[];
  rowsRead: number;
  damaged: boolean;
}

function copyPresets(old: Db, fresh: Db): Salvaged {
  const names: string[] = [];
  const insert = fresh.prepare('INSERT INTO presets (name, builtin, body, created_at, updated_at) VALUES (?, 0, ?, ?, ?)');
  const { rows, damaged } = readableRows(old);
  for (const r of [...rows.values()].sort((a, b) => a.id - b.id)) {
    if (r.builtin !== 0 || r.deleted_at !== null) continue;
    try {
      if (typeof r.name !== 'string' || typeof r.body !== 'string' || names.some((n) => n.toLowerCase() === (r.name as string).toLowerCase())) continue;
      const body = validateBody(JSON.parse(r.body));
      const now = new Date().toISOString();
      insert.run(r.name, JSON.stringify(body), typeof r.created_at === 'string' ? r.created_at : now, typeof r.updated_at === 'string' ? r.updated_at : now);
      names.push(r.name);
    } catch {
      // A preset whose own row is damaged is left behind; the others still come.
    }
  }
  return { names, rowsRead: rows.size, damaged };
}

/** Copies the user presets (not deleted) readable in `aside` into `fresh`; null when no row of its presets table could be read. */
export function salvagePresets(aside: string, fresh: Db): Salvaged | null {
  const reading = <T>(path: string, fn: (old: Db) => T): T | null => {
    let old: Db | null = null;
    try {
      old = openForReading(path);
      return fn(old);
    } catch {
      return null;
    } finally {
      old?.close();
    }
  };
  let saved = reading(aside, (old) => copyPresets(old, fresh));
  if (!saved?.rowsRead) {
    // Its first bytes overwritten (SQLITE_NOTADB): the pages behind them may be whole. A copy with a
    // header written anew is read instead; the file set aside stays as it was.
    const copy = copyWithNewHeader(aside, (path) => (reading(path, (old) => readableRows(old).rows.size) ?? 0) > 0);
    if (copy) {
      saved = reading(copy, (old) => copyPresets(old, fresh));
      rmSync(copy, { force: true });
    }
  }
  return saved?.rowsRead ? saved : null;
}

/** What the notice of a set-aside database says of its presets (a leading space; empty when it held none of the lab's). */
export function salvageNote(saved: Salvaged | null): string {
  if (saved === null) return ' None of your presets could be read from it.';
  if (saved.names.length === 0) return saved.damaged ? ' None of your presets could be read from it: the pages that held them are damaged.' : '';
  const lost = saved.damaged ? '; others on its damaged pages could not be read' : '';
  return ` ${saved.names.length} of your presets were read from it and kept (${saved.names.map((n) => `"${n}"`).join(', ')})${lost}; the defaults, recent sources and export history were not.`;
}
