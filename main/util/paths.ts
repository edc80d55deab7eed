// Where ProbeDeck keeps its data when no --data-dir is given: the same folder Electron's
// app.getPath('userData') picks for productName "ProbeDeck", so both modes share presets.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function defaultDataDir(): string {
  const home = homedir();
  if (process.platform === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'ProbeDeck');
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'ProbeDeck');
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'ProbeDeck');
}

export const DATABASE_FILE = 'probedeck.db';

/** The settings database of a command line's --data-dir, else of ProbeDeck's data folder. */
export function settingsDatabase(dataDir: string | undefined): string {
  return join(resolve(dataDir ?? defaultDataDir()), DATABASE_FILE);
}
