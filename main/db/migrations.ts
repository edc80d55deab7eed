// Schema history. Each entry moves the database from version i to i+1 (PRAGMA user_version).
// Never edit a shipped migration: add a new one.

export const MIGRATIONS: readonly string[] = [
  // 1: key/value settings
  `CREATE TABLE settings (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     updated_at TEXT NOT NULL
   ) STRICT;`
];
