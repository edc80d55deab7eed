// What can still be read from a settings database that was set aside as damaged: the lab's own
// presets are the part that took work to make, so they are copied into the new database, with the
// defaults and last-used choices that name them (a rig's recordings open on the lab's preset, with
// its known bad channels). A damaged page costs the presets on it: those around it are read.
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { SOURCE_KINDS } from '../presets/repo.ts';
import { validateBody } from '../presets/schema.ts';
import type { Db } from './database.ts';
import { copyWithNewHeader } from './rewrite-header.ts';
import { scanPresetPages } from './scan-pages.ts';

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
  /** The source kinds whose default was one of the presets kept, and it still is. */
  defaults: string[];
  /** How many sources keep the preset last used on them. */
  lastUsed: number;
  /** False when the defaults or last-used table could not be read. */
  linksRead: boolean;
}

/** The defaults per source kind and the presets last used per source that name a preset kept, under its new id. */
function copyLinks(old: Db, fresh: Db, newIds: Map<number, number>): Pick<Salvaged, 'defaults' | 'lastUsed' | 'linksRead'> {
  const defaults: string[] = [];
  let lastUsed = 0;
  let linksRead = true;
  try {
    const insert = fresh.prepare('INSERT INTO preset_defaults (source_kind, preset_id) VALUES (?, ?)');
    for (const r of old.prepare('SELECT source_kind, preset_id FROM preset_defaults ORDER BY source_kind').iterate() as Iterable<{ source_kind: unknown; preset_id: unknown }>) {
      const id = newIds.get(r.preset_id as number);
      if (id === undefined || typeof r.source_kind !== 'string' || !SOURCE_KINDS.includes(r.source_kind)) continue;
      insert.run(r.source_kind, id);
      defaults.push(r.source_kind);
    }
  } catch {
    linksRead = false;
  }
  try {
    const insert = fresh.prepare('INSERT INTO preset_last_used (source_key, preset_id, used_at) VALUES (?, ?, ?)');
    for (const r of old.prepare('SELECT source_key, preset_id, used_at FROM preset_last_used').iterate() as Iterable<{ source_key: unknown; preset_id: unknown; used_at: unknown }>) {
      const id = newIds.get(r.preset_id as number);
      if (id === undefined || typeof r.source_key !== 'string') continue;
      insert.run(r.source_key, id, typeof r.used_at === 'string' ? r.used_at : new Date().toISOString());
      lastUsed++;
    }
  } catch {
    linksRead = false;
  }
  return { defaults, lastUsed, linksRead };
}

/** Inserts the user presets (not deleted) among `rows` into `fresh`: their names, and each one's new id by its old. */
function insertPresets(rows: Iterable<OldRow>, fresh: Db): { names: string[]; newIds: Map<number, number> } {
  const names: string[] = [];
  const newIds = new Map<number, number>();
  const insert = fresh.prepare('INSERT INTO presets (name, builtin, body, created_at, updated_at) VALUES (?, 0, ?, ?, ?)');
  for (const r of [...rows].sort((a, b) => a.id - b.id)) {
    if (r.builtin !== 0 || r.deleted_at !== null) continue;
    try {
      if (typeof r.name !== 'string' || typeof r.body !== 'string' || names.some((n) => n.toLowerCase() === (r.name as string).toLowerCase())) continue;
      const body = validateBody(JSON.parse(r.body));
      const now = new Date().toISOString();
      const added = insert.run(r.name, JSON.stringify(body), typeof r.created_at === 'string' ? r.created_at : now, typeof r.updated_at === 'string' ? r.updated_at : now);
      newIds.set(r.id, Number(added.lastInsertRowid));
      names.push(r.name);
    } catch {
      // A preset whose own row is damaged is left behind; the others still come.
    }
  }
  return { names, newIds };
}

function copyPresets(old: Db, fresh: Db): Salvaged {
  const { rows, damaged } = readableRows(old);
  const { names, newIds } = insertPresets(rows.values(), fresh);
  return { names, rowsRead: rows.size, damaged, ...copyLinks(old, fresh, newIds) };
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
  if (!saved?.rowsRead) {
    // No schema to read them by (the first page overwritten): the presets' own pages, read as pages.
    const rows = (() => {
      try {
        return scanPresetPages(aside);
      } catch {
        return [];
      }
    })();
    if (rows.length) saved = { ...insertPresets(rows, fresh), rowsRead: rows.length, damaged: true, defaults: [], lastUsed: 0, linksRead: false };
  }
  return saved?.rowsRead ? saved : null;
}

/** What the notice of a set-aside database says of its presets (a leading space; empty when it held none of the lab's). */
export function salvageNote(saved: Salvaged | null): string {
  if (saved === null) return ' None of your presets could be read from it.';
  if (saved.names.length === 0) return saved.damaged ? ' None of your presets could be read from it: the pages that held them are damaged.' : '';
  const links = [
    ...(saved.defaults.length ? [`the default for ${saved.defaults.join(', ')}`] : []),
    ...(saved.lastUsed ? [`the preset last used on ${saved.lastUsed} source${saved.lastUsed > 1 ? 's' : ''}`] : [])
  ];
  const withLinks = links.length ? `, with ${links.join(' and ')} that named them` : '';
  const lost = saved.damaged ? '; any others on its damaged pages could not be read' : '';
  const notKept = `${saved.linksRead ? '' : 'the defaults per source kind and the presets last used per source, '}the recent sources and export history`;
  return ` ${saved.names.length} of your presets ${saved.names.length === 1 ? 'was' : 'were'} read from it and kept (${saved.names.map((n) => `"${n}"`).join(', ')})${withLinks}${lost}; ${notKept} were not.`;
}
