// What can still be read from a settings database that was set aside as damaged: the lab's own
// presets are the part that took work to make, so they are copied into the new database. A damaged
// page ends the reading where it is; every preset read before it is kept.
import Database from 'better-sqlite3';
import { validateBody } from '../presets/schema.ts';
import type { Db } from './database.ts';

/** Copies the user presets (not deleted) readable in `aside` into `fresh`; returns their names, or null when none could be read at all. */
export function salvagePresets(aside: string, fresh: Db): string[] | null {
  const names: string[] = [];
  let old: Db | null = null;
  try {
    old = new Database(aside, { readonly: true, fileMustExist: true });
    const insert = fresh.prepare('INSERT INTO presets (name, builtin, body, created_at, updated_at) VALUES (?, 0, ?, ?, ?)');
    const rows = old.prepare('SELECT name, body, created_at, updated_at FROM presets WHERE builtin = 0 AND deleted_at IS NULL ORDER BY id').iterate() as Iterable<{ name: unknown; body: unknown; created_at: unknown; updated_at: unknown }>;
    for (const r of rows) {
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
  } catch {
    // Unreadable from here on: what was read is kept.
    if (names.length === 0) return null;
  } finally {
    old?.close();
  }
  return names;
}
