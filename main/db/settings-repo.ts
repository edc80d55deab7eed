import type { Db } from './database.ts';

export interface SettingsRepo {
  get(key: string): string | null;
  set(key: string, value: string): { key: string; value: string; updatedAt: string };
}

export function settingsRepo(db: Db): SettingsRepo {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const put = db.prepare<[string, string, string]>(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`
  );
  return {
    get: (key) => get.get(key)?.value ?? null,
    set: (key, value) => {
      const updatedAt = new Date().toISOString();
      put.run(key, value, updatedAt);
      return { key, value, updatedAt };
    }
  };
}
