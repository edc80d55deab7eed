// The host: everything the renderer can ask for, independent of the transport carrying it.
// Browser mode, Electron and the tests all build one of these.
import { basename, join } from 'node:path';
import type { Notice } from './domains/host.ts';
import { openDatabase, type Db } from '../db/database.ts';
import { settingsRepo } from '../db/settings-repo.ts';
import { DATABASE_FILE } from '../util/paths.ts';
import { METHOD_NAMES, isMethodName, type MethodName, type WireError } from './contract.ts';
import { HostEvents } from './events.ts';
import { engineHandlers } from './handlers/engine.ts';
import { plannerHandlers } from './handlers/planner.ts';
import { presetsHandlers } from './handlers/presets.ts';
import { sessionHandlers } from './handlers/session.ts';
import { sourcesHandlers } from './handlers/sources.ts';
import { recentRepo } from '../sources/recent-repo.ts';
import { SessionManager } from '../sessions/manager.ts';
import { viewBudgetSetting } from '../planner/view-budget.ts';
import { settingsHandlers } from './handlers/settings.ts';
import { presetsRepo } from '../presets/repo.ts';
import { calibrationRepo } from '../planner/repo.ts';
import type { Handlers } from './handlers/types.ts';
import { ProbeDeckError } from '../util/is.ts';
import { exportHandlers } from './handlers/export.ts';
import { ExportManager } from '../export/manager.ts';
import { exportHistory } from '../export/history-repo.ts';
import { machineKey } from '../planner/calibrate.ts';

export interface HostOptions {
  dataDir: string;
  transport: 'electron' | 'websocket';
  /** Folders the source browser may show (browser mode: --data-root); never the whole disk. */
  dataRoots?: string[];
}

export interface Host {
  readonly events: HostEvents;
  readonly db: Db;
  /** Runs one API call; rejects with a ProbeDeckError for bad input. */
  call(method: string, params: unknown): Promise<unknown>;
  /** Settles once running exports have stopped and cleaned up, and the database is closed. */
  close(): Promise<void>;
}

export function createHost(options: HostOptions): Host {
  const events = new HostEvents();
  const opened = openDatabase(join(options.dataDir, DATABASE_FILE));
  const notices: Notice[] = [...opened.notices];
  const recent = recentRepo(opened.db);
  const presets = presetsRepo(opened.db);
  const settings = settingsRepo(opened.db);
  const viewBudget = viewBudgetSetting(settings);
  const sessions = new SessionManager(
    () => viewBudget.get().bytes,
    (s) => events.emit('session.status', s),
    (path, kind, o) => {
      // Bookkeeping: a settings disk that is full (often the one the acquisition just filled) must
      // not stop a recording from opening; it only goes unlisted among the recent sources.
      try {
        recent.remember(path, kind, o);
      } catch (err) {
        console.warn(`probedeck: ${path} not added to the recent sources (${(err as Error).message})`);
      }
    },
    {
      defaultFor: (kind) => presets.defaultFor(kind),
      byId: (id) => {
        const p = presets.get(id);
        if (p.deletedAt) throw new ProbeDeckError('DELETED_PRESET', `the preset "${p.name}" is deleted`);
        return p;
      },
      // A built-in preset is never edited: a copy of it takes the change.
      save: (id, body) => presets.update(presets.get(id).builtin ? presets.duplicate(id).id : id, body)
    }
  );

  const calibrations = calibrationRepo(opened.db);
  const exports = new ExportManager(exportHistory(opened.db), presets, () => calibrations.get(machineKey()), (p) => events.emit('export.progress', p));

  const handlers: Handlers = {
    ...engineHandlers(),
    ...settingsHandlers(settings),
    ...presetsHandlers(
      presets,
      (p) => sessions.presetSaved(p.id),
      (p) => sessions.presetRenamed(p.id, p.name)
    ),
    ...plannerHandlers(calibrations, events, viewBudget),
    ...exportHandlers(exports),
    ...sessionHandlers(sessions),
    ...sourcesHandlers(recent, options.dataRoots ?? []),
    'host.status': () => ({
      transport: options.transport,
      dataDir: options.dataDir,
      databasePath: opened.path,
      notices
    })
  };
  for (const m of METHOD_NAMES) if (typeof handlers[m] !== 'function') throw new Error(`no handler for ${m}`);

  return {
    events,
    db: opened.db,
    async call(method, params) {
      if (!isMethodName(method)) throw new ProbeDeckError('UNKNOWN_METHOD', `Unknown API method "${String(method)}"`);
      const handler = handlers[method] as (p: unknown) => unknown;
      try {
        return await handler(params);
      } catch (err) {
        throw settingsWriteError(err, opened.path);
      }
    },
    close() {
      // Not waited for (the window is going); a failure to stop is said, not left unhandled, which ends the process.
      sessions.close().catch((err: unknown) => console.error(`probedeck: a view did not stop cleanly: ${(err as Error).message}`));
      // Running exports are cancelled and remove their temporary folders; the database stays open
      // until they have (they record how they ended).
      const stopping = exports.close();
      if (!stopping) {
        opened.db.close();
        return Promise.resolve();
      }
      return stopping.then(() => {
        opened.db.close();
      });
    }
  };
}

/**
 * SQLite's own words for a settings file that cannot take a write name neither the file nor what
 * was lost: say both, and what to do.
 */
function settingsWriteError(err: unknown, path: string): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string') return err;
  if (code.startsWith('SQLITE_READONLY')) {
    return new ProbeDeckError('SETTINGS_READ_ONLY', `the settings database ${path} is read-only, so this change was not saved (${(err as Error).message}): make the file writable, or start ProbeDeck with another --data-dir`);
  }
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) {
    return new ProbeDeckError('SETTINGS_UNWRITABLE', `the settings database ${path} could not be written, so this change was not saved (${(err as Error).message}): is its disk full?`);
  }
  // Damaged under a running ProbeDeck (a crash of the disk, a sync tool writing into it): this
  // connection cannot mend it, but opening it again does (db/database.ts).
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new ProbeDeckError('SETTINGS_DAMAGED', `the settings database ${path} is damaged (${(err as Error).message}), so this was not done: restart ProbeDeck, which keeps the damaged file aside as ${basename(path)}.corrupt-<date>, starts a new one and carries over the presets it can still read from it`);
  }
  return err;
}

/** What an error looks like on the wire: code and message, never the host's stack. */
export function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(err) };
}

export type { MethodName };
