// Small key/value settings kept in SQLite (last source, window layout, first-run flags).

export interface SettingsMethods {
  'settings.get': { params: { key: string }; result: string | null };
  'settings.set': { params: { key: string; value: string }; result: { key: string; value: string; updatedAt: string } };
}
