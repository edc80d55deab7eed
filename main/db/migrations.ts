// Schema history. Each entry moves the database from version i to i+1 (PRAGMA user_version).
// Never edit a shipped migration: add a new one.

export const MIGRATIONS: readonly string[] = [
  // 1: key/value settings
  `CREATE TABLE settings (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     updated_at TEXT NOT NULL
   ) STRICT;`,
  // 2: presets, the default per source kind, the last used per source
  `CREATE TABLE presets (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL,
     builtin INTEGER NOT NULL DEFAULT 0,
     body TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     deleted_at TEXT
   ) STRICT;
   CREATE UNIQUE INDEX presets_live_name ON presets (name COLLATE NOCASE) WHERE deleted_at IS NULL;
   CREATE TABLE preset_defaults (
     source_kind TEXT PRIMARY KEY,
     preset_id INTEGER NOT NULL REFERENCES presets (id)
   ) STRICT;
   CREATE TABLE preset_last_used (
     source_key TEXT PRIMARY KEY,
     preset_id INTEGER NOT NULL REFERENCES presets (id),
     used_at TEXT NOT NULL
   ) STRICT;`,
  // 3: planner calibrations, per machine
  `CREATE TABLE calibrations (
     machine_key TEXT PRIMARY KEY,
     measured_at TEXT NOT NULL,
     points TEXT NOT NULL
   ) STRICT;`,
  // 4: recent sources
  `CREATE TABLE recent_sources (
     path TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     options TEXT NOT NULL,
     opened_at TEXT NOT NULL,
     seq INTEGER NOT NULL
   ) STRICT;`,
  // 5: export history
  `CREATE TABLE export_history (
     id INTEGER PRIMARY KEY,
     started_at TEXT NOT NULL,
     finished_at TEXT,
     source TEXT NOT NULL,
     format TEXT NOT NULL,
     preset_name TEXT NOT NULL,
     out_dir TEXT NOT NULL,
     channels INTEGER NOT NULL,
     samples INTEGER NOT NULL,
     seconds REAL,
     state TEXT NOT NULL,
     message TEXT,
     pid INTEGER NOT NULL
   ) STRICT;`,
  // 6: each export's time range (seconds) and channel selection as given (NULL: all); rows from before
  // this migration keep NULL range, which reads as not recorded
  `ALTER TABLE export_history ADD COLUMN start_s REAL;
   ALTER TABLE export_history ADD COLUMN end_s REAL;
   ALTER TABLE export_history ADD COLUMN channel_list TEXT;`
];
