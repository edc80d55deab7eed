// Export jobs for the host and the command line: a request (paths, preset, range in seconds) is
// resolved against the sources and the preset store, run in the background with progress events,
// and recorded in the history.
import type { ExportCheck, ExportProgress, ExportRequest, ExportSource } from '../api/domains/export.ts';
import type { Calibration } from '../api/domains/planner.ts';
import type { PresetBody } from '../api/domains/presets.ts';
import { isAbsolute, resolve } from 'node:path';
import { engineInfo } from '../engine/index.ts';
import type { PresetsRepo } from '../presets/repo.ts';
import { validateBody } from '../presets/schema.ts';
import { openSource } from '../sources/open-source.ts';
import { SourceError, type Source } from '../sources/source.ts';
import { ProbeDeckError, invalidParameterError, isInteger, isNumber, isPlainObject, isString } from '../util/is.ts';
import type { ExportHistory } from './history-repo.ts';
import { exportWarnings } from './notes.ts';
import { clampedNote } from './formats.ts';
import { sourceKinds } from '../presets/source-kinds.ts';
import { formatChannelRuns } from '../util/channel-list.ts';
import { settleInterrupted } from '../util/outputs.ts';
import { preflight, runExport, type ExportResult } from './run-export.ts';

export interface ResolvedExport {
  source: Source;
  preset: { name: string; body: PresetBody };
  startSample?: number;
  endSample?: number;
}

// Every field of a request, and only those: the compiler keeps these in step with ExportRequest.
const REQUEST_FIELDS = Object.keys({ source: 1, raw: 1, stream: 1, preset: 1, format: 1, outDir: 1, overwrite: 1, startS: 1, endS: 1, channels: 1, ramBudgetBytes: 1 } satisfies Record<keyof ExportRequest, 1>);
const RAW_FIELDS = Object.keys({ channels: 1, fs: 1, dtype: 1, gainUv: 1, headerBytes: 1 } satisfies Record<keyof NonNullable<ExportRequest['raw']>, 1>);

/** The first field of `o` that is not one of `known` (a field left undefined is none), else null. */
function unknownField(o: Record<string, unknown>, known: string[]): string | null {
  return Object.keys(o).find((k) => o[k] !== undefined && !known.includes(k)) ?? null;
}

/**
 * An export runs for minutes and writes what a sorter trusts: a field it would not read (startSec
 * for startS, a raw dtyp) or one of the wrong kind (overwrite "false", which is true) exported the
 * whole recording, misread samples, or replaced a folder, unsaid. Each is refused, named.
 */
export function checkRequest(r: unknown): ExportRequest {
  if (!isPlainObject(r)) throw invalidParameterError('params', 'an export request', r);
  const extra = unknownField(r, REQUEST_FIELDS);
  if (extra !== null) throw new ProbeDeckError('INVALID_PARAMETER', `An export request has no field "${extra}": it takes ${REQUEST_FIELDS.slice(0, -1).join(', ')} and ${REQUEST_FIELDS.at(-1)}`);
  if (!isString(r.source) || r.source === '') throw invalidParameterError('source', 'a recording path', r.source);
  checkSourceOptions(r);
  if (!isString(r.outDir) || r.outDir === '') throw invalidParameterError('outDir', 'a destination folder', r.outDir);
  if (!['kilosort', 'si-binary', 'raw-f32'].includes(r.format as string)) throw invalidParameterError('format', '"kilosort", "si-binary" or "raw-f32"', r.format);
  if (!isPlainObject(r.preset)) throw invalidParameterError('preset', '{id} or {name, body}', r.preset);
  if ('id' in r.preset) {
    if (!isInteger(r.preset.id)) throw invalidParameterError('preset.id', 'a preset id (a whole number)', r.preset.id);
  } else if (!isString(r.preset.name)) throw invalidParameterError('preset.name', 'a preset name', r.preset.name);
  if (r.overwrite !== undefined && typeof r.overwrite !== 'boolean') throw invalidParameterError('overwrite', 'true or false', r.overwrite);
  for (const k of ['startS', 'endS'] as const) if (r[k] !== undefined && (!isNumber(r[k]) || (r[k] as number) < 0)) throw invalidParameterError(k, 'seconds from 0', r[k]);
  if (r.channels !== undefined && (!Array.isArray(r.channels) || !r.channels.every(isInteger))) throw invalidParameterError('channels', 'a list of channel indices', r.channels);
  return r as unknown as ExportRequest;
}

/** The raw options and stream of a request, as far as they can be checked before the source is opened (openRaw checks the values). */
function checkSourceOptions(r: Record<string, unknown>): void {
  if (r.stream !== undefined && !isString(r.stream)) throw invalidParameterError('stream', 'a stream name', r.stream);
  if (r.raw === undefined) return;
  if (!isPlainObject(r.raw)) throw invalidParameterError('raw', '{channels, fs[, dtype, gainUv, headerBytes]}', r.raw);
  const extra = unknownField(r.raw, RAW_FIELDS);
  if (extra !== null) throw new ProbeDeckError('INVALID_PARAMETER', `The raw options have no field "${extra}": they take ${RAW_FIELDS.slice(0, -1).join(', ')} and ${RAW_FIELDS.at(-1)}`);
}

/**
 * The channel count and rate given are for a file without metadata, never an override of a
 * SpikeGLX .meta or an Open Ephys .oebin (as in the viewer).
 */
function openExportSource(req: Pick<ExportRequest, 'source' | 'raw' | 'stream'>): Promise<Source> {
  return openSource(req.source, { stream: req.stream }).catch((err: unknown) => {
    if (req.raw && err instanceof SourceError && (err.code === 'MISSING_META' || err.code === 'UNKNOWN_FORMAT')) return openSource(req.source, { raw: req.raw, stream: req.stream });
    throw err;
  });
}

/**
 * The sample a time (seconds from the recording's first sample) falls on, as SpikeInterface's
 * time_slice takes it: time_to_sample_index is np.round(seconds × fs), a time half-way between two
 * samples going to the even one. Math.round takes every such time to the later sample, one off
 * SpikeInterface's on half of them (2.5 samples: SpikeInterface 2, Math.round 3).
 */
export function sampleAt(seconds: number, fs: number): number {
  const x = seconds * fs;
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Opens the source and finds the preset; the caller closes `source`. */
export async function resolveExport(req: ExportRequest, presets: PresetsRepo | null): Promise<ResolvedExport> {
  let preset: ResolvedExport['preset'];
  if ('id' in req.preset) {
    const id = req.preset.id;
    const found = presets?.list().find((p) => p.id === id);
    if (!found) throw new ProbeDeckError('NO_PRESET', `there is no preset with id ${id}`);
    preset = { name: found.name, body: found.body };
  } else {
    preset = { name: req.preset.name, body: validateBody(req.preset.body) };
  }
  const source = await openExportSource(req);
  const fs = source.info.fs;
  // Not clamped: a range past the recording's end is refused by the export, saying how long it is.
  const toSample = (s: number | undefined) => (s === undefined ? undefined : sampleAt(s, fs));
  return { source, preset, startSample: toSample(req.startS), endSample: toSample(req.endS) };
}

/**
 * The app's exports name full paths: the host has no working folder a user could mean, and a
 * relative one landed wherever the host was started from.
 */
function requireFullPaths(req: ExportRequest): void {
  for (const k of ['source', 'outDir'] as const)
    if (!isAbsolute(req[k])) throw new ProbeDeckError('RELATIVE_PATH', `${k === 'source' ? 'The recording' : 'The destination'} must be a full path (from / or a drive letter), got "${req[k]}"`);
}

export class ExportManager {
  /** Running exports: how to cancel each, and when it has settled (its folder cleaned up). */
  #running = new Map<number, { abort: AbortController; settled: Promise<void> }>();
  /** Destinations of the exports under way (or being started): one export to a folder at a time. */
  #destinations = new Set<string>();
  #history: ExportHistory;
  /** Exports the history could not record: negative ids. */
  #unrecorded = 0;
  #presets: PresetsRepo;
  #calibration: () => Calibration | null;
  #emit: (p: ExportProgress) => void;

  constructor(history: ExportHistory, presets: PresetsRepo, calibration: () => Calibration | null, emit: (p: ExportProgress) => void) {
    this.#history = history;
    this.#presets = presets;
    this.#calibration = calibration;
    this.#emit = emit;
    void settleInterrupted(history.markInterrupted());
  }

  /** What the destination holds and needs; refuses, before any confirmation, a folder an export could not replace. */
  async check(params: unknown): Promise<ExportCheck> {
    const req = checkRequest(params);
    requireFullPaths(req);
    this.#refuseBusy(req.outDir);
    const r = await resolveExport(req, this.#presets);
    try {
      const { where } = await preflight({ ...r, format: req.format, outDir: req.outDir, channels: req.channels, ramBudgetBytes: req.ramBudgetBytes, calibration: this.#calibration() }, false);
      return { exists: where.exists, freeBytes: where.freeBytes, neededBytes: where.neededBytes };
    } finally {
      await r.source.close();
    }
  }

  /** What the recording is, and which presets.defaults keys apply to it (the form defaults to the preset the view would open it with). */
  async source(params: unknown): Promise<ExportSource> {
    if (!isPlainObject(params) || !isString(params.source) || params.source === '') throw invalidParameterError('source', 'a recording path', isPlainObject(params) ? params.source : params);
    checkSourceOptions(params);
    const req = params as Pick<ExportRequest, 'source' | 'raw' | 'stream'>;
    if (!isAbsolute(req.source)) throw new ProbeDeckError('RELATIVE_PATH', `The recording must be a full path (from / or a drive letter), got "${req.source}"`);
    const source = await openExportSource(req);
    try {
      const i = source.info;
      const family = i.probe.kind === 'np1' ? 'NP1.0' : i.probe.kind === 'np2' ? 'NP2.0' : null;
      return {
        kinds: sourceKinds(i.fs, new Set(i.channels.map((c) => c.shank)).size, i.format),
        format: i.format,
        stream: i.stream,
        channels: i.channels.length,
        fs: i.fs,
        samples: i.samples,
        durationS: i.durationS,
        probe: i.probe.partNumber ?? family,
        uncalibrated: i.uncalibrated ?? false,
        warnings: i.warnings ?? []
      };
    } finally {
      await source.close();
    }
  }

  // Two exports to one folder (from two browser tabs) would each replace the other's files.
  #refuseBusy(outDir: string): string {
    const dest = resolve(outDir);
    if (this.#destinations.has(dest)) throw new ProbeDeckError('EXPORT_RUNNING', `an export to ${outDir} is already running: wait for it to finish, or cancel it, before exporting there again`);
    return dest;
  }

  /** Starts an export and resolves with its id once it is under way; progress follows as events. */
  async start(params: unknown): Promise<{ id: number }> {
    const req = checkRequest(params);
    requireFullPaths(req);
    const dest = this.#refuseBusy(req.outDir);
    this.#destinations.add(dest);
    try {
      return await this.#start(req, () => this.#destinations.delete(dest));
    } catch (err) {
      this.#destinations.delete(dest);
      throw err;
    }
  }

  async #start(req: ExportRequest, release: () => void): Promise<{ id: number }> {
    const r = await resolveExport(req, this.#presets);
    // Refused before it has a history row: a range past the end is a mistake in the form, not a failed export.
    await preflight({ ...r, format: req.format, outDir: req.outDir, channels: req.channels, ramBudgetBytes: req.ramBudgetBytes, calibration: this.#calibration() }, !req.overwrite).catch(async (err: unknown) => {
      await r.source.close();
      throw err;
    });
    const samples = (r.endSample ?? r.source.info.samples) - (r.startSample ?? 0);
    // The export history is bookkeeping: a full settings disk leaves this export out of it, with a
    // note, and the export goes ahead (its destination may be another disk).
    let id: number;
    let unrecorded: string | null = null;
    try {
      const fs = r.source.info.fs;
      const startSample = r.startSample ?? 0;
      // The app sends indices: kept in the order given (the written rows' order), in the form the field takes.
      const channelList = req.channels ? formatChannelRuns(req.channels) : null;
      id = this.#history.start({ source: req.source, format: req.format, presetName: r.preset.name, outDir: req.outDir, channels: req.channels?.length ?? r.source.info.channels.length, samples, startS: startSample / fs, endS: (startSample + samples) / fs, channelList });
    } catch (err) {
      id = -++this.#unrecorded;
      unrecorded = `not kept in the export history (${(err as Error).message})`;
    }
    const abort = new AbortController();
    const base = { id, outDir: req.outDir };
    this.#emit({ ...base, state: 'running', doneSamples: 0, totalSamples: samples, speedX: 0, etaS: null, message: null });
    let last = 0;
    let done = 0; // where it stood when cancelled or failed: the bar stays there, not at 0 %
    const job = runExport({
      ...r,
      format: req.format,
      outDir: req.outDir,
      overwrite: req.overwrite,
      channels: req.channels,
      ramBudgetBytes: req.ramBudgetBytes,
      calibration: this.#calibration(),
      version: engineInfo().version,
      signal: abort.signal,
      onProgress: (p) => {
        done = p.doneSamples;
        // At most ~10 events a second: a fast export would otherwise flood the transport.
        const now = performance.now();
        if (now - last < 100 && p.doneSamples < p.totalSamples) return;
        last = now;
        this.#emit({ ...base, state: 'running', ...p, message: null });
      }
    });
    // The database may already be closed when a job cancelled at shutdown settles: its row then
    // stays 'running' and is marked interrupted on the next start.
    const record = (...a: Parameters<ExportHistory['finish']>) => {
      try {
        this.#history.finish(...a);
      } catch {}
    };
    job.then(
      (res: ExportResult) => {
        record(id, 'done', res.seconds, null);
        const warnings = exportWarnings(r.source.info, r.preset);
        this.#emit({ ...base, state: 'done', doneSamples: samples, totalSamples: samples, speedX: samples / r.source.info.fs / res.seconds, etaS: 0, message: `${res.files.length} files written to ${res.outDir}${res.clamped ? `; warning: ${clampedNote(res.clamped)} (said in its README too)` : ''}${warnings.length ? `; warning: ${warnings.join('; ')} (said in its README too)` : ''}${res.tidyNotes.map((n) => `; warning: ${n}`).join('')}${unrecorded ? `; ${unrecorded}` : ''}` });
      },
      (err: Error) => {
        const state = abort.signal.aborted ? 'cancelled' : 'failed';
        record(id, state, null, err.message);
        this.#emit({ ...base, state, doneSamples: done, totalSamples: samples, speedX: 0, etaS: null, message: err.message });
      }
    );
    const settled = job
      .then(
        () => {},
        () => {}
      )
      .finally(() => {
        this.#running.delete(id);
        release();
        void r.source.close();
      });
    this.#running.set(id, { abort, settled });
    return { id };
  }

  cancel(id: unknown) {
    if (!isInteger(id)) throw invalidParameterError('id', 'an export id', id);
    const a = this.#running.get(id)?.abort;
    if (!a) throw new ProbeDeckError('NOT_RUNNING', `export ${id} is not running`);
    a.abort();
  }

  history(limit?: number) {
    return this.#history.list(limit);
  }

  /** Cancels running exports (host shutdown): settles once their temporary folders are removed, or null when none ran. */
  close(): Promise<void> | null {
    if (this.#running.size === 0) return null;
    const running = [...this.#running.values()];
    for (const r of running) r.abort.abort();
    return Promise.all(running.map((r) => r.settled)).then(() => {});
  }
}
