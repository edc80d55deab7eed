// A settings database whose schema version is current but that lacks one of its tables (dropped in a
// hand clean-up, or a partial restore) is whole to SQLite, so it is not set aside; without the table
// the app could not start at all ('no such table'). The table is made again, empty, as the
// migrations made it, and what it held is said as gone; the other tables keep their rows.
import Database from 'better-sqlite3';
import type { Db } from './database.ts';

/** What each table holds, in the words a notice uses. */
const HOLDS: Record<string, string> = {
  settings: 'the settings, such as the live view’s RAM budget',
  presets: 'the lab’s presets',
  preset_defaults: 'the default preset per source kind',
  preset_last_used: 'the preset last used per source',
  calibrations: 'this machine’s Planner calibration',
  recent_sources: 'the recent sources',
  export_history: 'the export history'
};

interface SchemaEntry {
  type: string;
  name: string;
  sql: string;
}

/** The tables and indexes `migrations` make, in the order they make them. */
function expectedSchema(migrations: readonly string[]): SchemaEntry[] {
  const mem = new Database(':memory:');
  try {
    for (const m of migrations) mem.exec(m);
    return mem.prepare<[], SchemaEntry>("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid").all();
  } finally {
    mem.close();
  }
}

const list = (names: string[]) => (names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

/**
 * Makes again the tables and indexes of `migrations` (those already run on `db`) that `db` lacks;
 * returns what to tell the user, or null when nothing was missing. An index holds nothing of its
 * own, so one made again is not said.
 */
export function restoreMissingTables(db: Db, migrations: readonly string[], path: string): string | null {
  const present = new Set(db.prepare<[], { name: string }>('SELECT name FROM sqlite_master').all().map((r) => r.name));
  const missing = expectedSchema(migrations).filter((e) => !present.has(e.name));
  if (missing.length === 0) return null;
  const tables = missing.filter((e) => e.type === 'table').map((e) => e.name);
  db.transaction(() => {
    for (const e of missing) db.exec(e.sql);
    // Defaults and last-used rows name presets by id: with the presets gone they name nothing.
    if (tables.includes('presets')) {
      for (const t of ['preset_defaults', 'preset_last_used']) if (present.has(t)) db.exec(`DELETE FROM ${t} WHERE preset_id NOT IN (SELECT id FROM presets)`);
    }
  }).immediate();
  if (tables.length === 0) return null;
  const named = list(tables.map((t) => `${t} (${HOLDS[t] ?? 'ProbeDeck’s own bookkeeping'})`));
  const presetsGone = tables.includes('presets')
    ? '; the lab’s presets it held are gone, and the defaults per source kind and the presets last used per source that named them were cleared'
    : '';
  return `The settings database ${path} lacked the table${tables.length > 1 ? 's' : ''} ${named}: ${tables.length > 1 ? 'they were' : 'it was'} made again, empty${presetsGone}; everything else in it was kept as it was.`;
}
