// The host's one live session: opened from the simulator or a growing file, replaced on open.
import { isDeepStrictEqual } from 'node:util';
import type { RawDtype, SessionInfo, SessionPipeline, SessionSource, SessionStatus } from '../api/domains/session.ts';
import { ProbeDeckError, invalidParameterError, isInteger, isNumber, isPlainObject } from '../util/is.ts';
import { existsSync, statSync } from 'node:fs';
import { growingFileInput, growingOpenEphysInput, simulatorInput, type LiveInput } from './live-input.ts';
import { LiveSession } from './live-session.ts';
import { viewWorkers } from '../planner/plan.ts';
import { FileSession } from './file-session.ts';
import { isDetected } from './detected.ts';
import { openSource } from '../sources/open-source.ts';
import { SourceError, type Source } from '../sources/source.ts';
import type { PresetBody } from '../api/domains/presets.ts';
import { sessionPipelineFromPreset, type ViewCapabilities } from '../presets/to-session.ts';
import { hasAdcLayout } from '../sources/adc-shifts.ts';
import { validateReference } from '../presets/schema.ts';
import { LFP_MAX_FS, sourceKinds } from '../presets/source-kinds.ts';

/** What a source shows when its default preset cannot run on it: the samples as recorded (in µV). */
const UNPROCESSED: SessionPipeline = { filter: null, reference: validateReference('reference', { mode: 'none' }), exclude: [], detectBadChannels: false };

export const DEFAULT_PIPELINE: SessionPipeline = {
  filter: { lowHz: 300, highHz: 6000, order: 5 },
  reference: validateReference('reference', { mode: 'global' }), // the schema's defaults for the rest
  exclude: [],
  detectBadChannels: false
};

/** Without presets (tests, a settings database that could not open), what an LFP stream shows: its 0.5–500 Hz band. */
const DEFAULT_LFP_PIPELINE: SessionPipeline = { filter: { lowHz: 0.5, highHz: 500, order: 3 }, reference: validateReference('reference', { mode: 'none' }), exclude: [], detectBadChannels: false };

export function checkPipeline(p: unknown): SessionPipeline {
  if (!isPlainObject(p)) throw invalidParameterError('pipeline', 'an object', p);
  const f = p.filter;
  const kind = isPlainObject(f) ? (f.kind ?? 'bandpass') : null;
  if (
    f !== null &&
    (!isPlainObject(f) ||
      !['bandpass', 'highpass', 'lowpass'].includes(kind as string) ||
      !isInteger(f.order) ||
      (kind !== 'lowpass' && !isNumber(f.lowHz)) ||
      (kind !== 'highpass' && !isNumber(f.highHz)))
  ) {
    throw invalidParameterError('pipeline.filter', 'null, {lowHz, highHz, order} (band-pass), {kind: "highpass", lowHz, order} or {kind: "lowpass", highHz, order}', f);
  }
  const reference = validateReference('pipeline.reference', p.reference);
  const exclude = p.exclude ?? [];
  if (!Array.isArray(exclude)) throw invalidParameterError('pipeline.exclude', 'a list of channel indices', exclude);
  // The entry at fault, by place ("an array of length 3" did not say which); the source says which are too high.
  const wrong = exclude.findIndex((c) => !(isInteger(c) && c >= 0));
  if (wrong >= 0) throw invalidParameterError(`pipeline.exclude[${wrong}]`, 'a channel index (a whole number from 0)', exclude[wrong]);
  const ps = p.phaseShift ?? null;
  if (ps !== null && (!isPlainObject(ps) || ![16, 32, 64].includes(ps.taps as number))) throw invalidParameterError('pipeline.phaseShift', 'null or {taps: 16, 32 or 64}', ps);
  if (p.detectBadChannels !== undefined && typeof p.detectBadChannels !== 'boolean') throw invalidParameterError('pipeline.detectBadChannels', 'true or false', p.detectBadChannels);
  const method = p.detectMethod ?? 'coherence+psd';
  if (!['coherence+psd', 'std', 'mad'].includes(method as string)) throw invalidParameterError('pipeline.detectMethod', '"coherence+psd", "std" or "mad"', method);
  return {
    filter: f as SessionPipeline['filter'],
    reference,
    // Each channel once: a list naming one a million times was kept as it came, and went out in
    // every status to every tab as a million bad channels.
    exclude: [...new Set(exclude as number[])],
    phaseShift: ps as SessionPipeline['phaseShift'],
    detectBadChannels: p.detectBadChannels === true,
    detectMethod: method as SessionPipeline['detectMethod']
  };
}

/** What a view can run: Neuropixels data can be shifted, live or recorded. */
const recordingCan = (source: Source): ViewCapabilities => ({ channels: source.info.channels.length, phaseShift: hasAdcLayout(source.info.probe) });
const liveCan = (input: LiveInput): ViewCapabilities => ({ channels: input.channels.length, phaseShift: hasAdcLayout(input.probe) });
/** What the view says about the preset it runs. */
const presetInfo = (p: { id: number; name: string; body: PresetBody }): SessionInfo['preset'] => ({ id: p.id, name: p.name, display: p.body.display });
const shankCount = (channels: { shank: number }[]) => new Set(channels.map((c) => c.shank)).size;
const capabilities = (s: LiveSession | FileSession) => (s instanceof FileSession ? recordingCan(s.source) : liveCan(s.input));

/** The pipeline a source opens with, its preset, and what to say about it. */
type Chosen = { pipeline: SessionPipeline; preset: SessionInfo['preset']; note: string | null };

/** What a preset asks for that this source cannot do, said rather than left out silently. */
function leftOut(p: { name: string; body: PresetBody }, can: ViewCapabilities): string | null {
  if (p.body.pipeline.phaseShift.method === 'none' || can.phaseShift) return null;
  return `"${p.name}" runs here without its ADC phase shift: that needs a Neuropixels 1.0 or 2.0 probe, and this source does not say it is one (a SpikeGLX recording says so in its .meta)`;
}

function isOpenEphys(path: string): boolean {
  return /structure\.oebin$|continuous\.dat$/.test(path) || (existsSync(path) && statSync(path).isDirectory());
}

/**
 * A recording as its metadata describes it; the channel count and rate the user typed are for a file
 * without any (plain .bin/.dat), never an override of a SpikeGLX .meta or an Open Ephys .oebin.
 */
async function openRecording(path: string, channels?: number, fs?: number, gainUv?: number, dtype?: RawDtype) {
  try {
    return await openSource(path);
  } catch (err) {
    const noMetadata = err instanceof SourceError && (err.code === 'MISSING_META' || err.code === 'UNKNOWN_FORMAT');
    if (!noMetadata || !channels || !fs) throw err;
    return openSource(path, { raw: { channels, fs, ...(gainUv ? { gainUv } : {}), ...(dtype ? { dtype } : {}) } });
  }
}

/** Where sessions find presets: the default for a kind of source, and one by id; `save` stores an edited body (a built-in one's in a copy, which it returns). */
export interface PresetLookup {
  defaultFor(sourceKind: string): { id: number; name: string; body: PresetBody } | null;
  byId(id: number): { id: number; name: string; body: PresetBody };
  save?(id: number, body: PresetBody): { id: number; name: string; body: PresetBody };
}

export class SessionManager {
  current: LiveSession | FileSession | null = null;
  #preset: SessionInfo['preset'] = null;
  #presetNote: string | null = null;
  #openedFrom: SessionSource | null = null;
  #infoRevision = 0;
  #ramBudget: () => number;
  #onStatus: (s: SessionStatus) => void;
  #onOpened: (path: string, kind: string, options: Record<string, unknown>) => void;
  #presets: PresetLookup | null;
  #opening: Promise<unknown> = Promise.resolve();

  constructor(
    /** A live view's RAM budget, asked at each open (the lab may change it in the Planner). */
    ramBudgetBytes: number | (() => number),
    onStatus: (s: SessionStatus) => void,
    onOpened: (path: string, kind: string, options: Record<string, unknown>) => void = () => {},
    presets: PresetLookup | null = null
  ) {
    this.#ramBudget = typeof ramBudgetBytes === 'number' ? () => ramBudgetBytes : ramBudgetBytes;
    this.#onStatus = onStatus;
    this.#onOpened = onOpened;
    this.#presets = presets;
  }

  info(): SessionInfo | null {
    return this.current ? { ...this.current.describe(), preset: this.#preset, presetNote: this.#presetNote, ...(this.#openedFrom ? { openedFrom: this.#openedFrom } : {}) } : null;
  }

  /**
   * Opens one after another, in the order asked: two opens in flight (the first-run simulator and
   * a click) would otherwise interleave their close/replace steps and leave either one current.
   * Without a pipeline, the source kind's default preset gives it (else the built-in band-pass + CMR).
   */
  open(source: SessionSource, pipeline?: SessionPipeline): Promise<SessionInfo> {
    const run = this.#opening.then(() => this.#open(source, pipeline));
    this.#opening = run.catch(() => {});
    return run;
  }

  /** Applies a preset to the open source (`wrap`: an error says which preset met which rate). */
  setPreset(id: number, wrap = true): SessionInfo {
    const session = this.require();
    if (!this.#presets) throw new ProbeDeckError('NO_PRESETS', 'this host keeps no presets');
    const p = this.#presets.byId(id);
    try {
      session.setPipeline(sessionPipelineFromPreset(p.body.pipeline, capabilities(session)));
    } catch (err) {
      // Which preset, on what: "highHz above Nyquist (1250 Hz)" alone does not say an AP preset met an LFP stream.
      if ((err as ProbeDeckError).code !== 'FREQUENCY_OUT_OF_RANGE' || !wrap) throw err;
      const fs = session instanceof FileSession ? session.source.info.fs : session.input.fs;
      throw new ProbeDeckError('FREQUENCY_OUT_OF_RANGE', `the preset "${p.name}" cannot run on this ${fs} Hz source: ${(err as Error).message}; the view keeps what it ran`);
    }
    this.#preset = presetInfo(p);
    this.#presetNote = leftOut(p, capabilities(session));
    this.#infoChanged();
    return this.info()!;
  }

  // Every tab on this host shows the session: a change made in one is refetched by the others at
  // once (a tab left on the old pipeline sent it back with its next key press).
  #infoChanged(): void {
    this.#infoRevision++;
    const s = this.status();
    if (s) this.#onStatus(s);
  }

  /** A preset was renamed: the view running it says its new name (in its menu, notes and the Export form's word). */
  presetRenamed(id: number, name: string): void {
    if (!this.current || this.#preset?.id !== id) return;
    this.#preset = { ...this.#preset, name };
    this.#infoChanged();
  }

  /**
   * A preset's body was saved: a view running it as it was (not changed by hand) runs it as it is
   * now. A view changed by hand keeps its pipeline, and a preset this source cannot run leaves the
   * view as it was until a save that can; both say so in a note, which is returned for the editor.
   */
  presetSaved(id: number): string | null {
    if (!this.current || this.#preset?.id !== id) return null;
    const name = this.#preset.name;
    if (this.#preset.modified) {
      this.#presetNote = `"${name}" was saved; this view runs a copy changed by hand and keeps it: press reset beside the preset menu to run it as saved`;
    } else {
      try {
        this.setPreset(id, false);
      } catch (err) {
        // Not "changed by hand": the next save that can run applies as usual.
        this.#presetNote = `"${name}" as saved cannot run on this source (${(err as Error).message}); the view keeps the pipeline it had`;
      }
    }
    this.#infoChanged();
    return this.#presetNote;
  }

  /**
   * The bad channels detection found become known bad channels of the preset the view runs, so an
   * export through it leaves them out as the view does, and the next session starts with them. The
   * view goes on as it was: a view changed by hand keeps its changes and adds them to its exclusions.
   * A built-in preset stays as it is: a copy of it takes them, and the view runs the copy.
   */
  keepBadChannels(): { info: SessionInfo; kept: string[]; copiedFrom: string | null } {
    const session = this.require();
    const save = this.#presets?.save;
    if (!this.#presets || !save) throw new ProbeDeckError('NO_PRESETS', 'this host keeps no presets');
    if (!this.#preset) throw new ProbeDeckError('NO_PRESET', 'this view runs no preset: choose one in the preset menu, then keep the bad channels in it');
    const channels = session instanceof FileSession ? session.source.info.channels : session.input.channels;
    const found = session.describe().badChannels.filter((b) => isDetected(b) && !session.pipeline.exclude.includes(b.index));
    if (found.length === 0) throw new ProbeDeckError('NO_BAD_CHANNELS', 'detection has found no bad channels the preset does not already name');
    const p = this.#presets.byId(this.#preset.id);
    // Presets name source channels (what an export's channel list counts in).
    const manual = [...new Set([...p.body.pipeline.badChannels.manual, ...found.map((b) => channels[b.index].index)])].sort((a, b) => a - b);
    const saved = save(p.id, { ...p.body, pipeline: { ...p.body.pipeline, badChannels: { ...p.body.pipeline.badChannels, manual } } });
    if (saved.id !== p.id) this.#preset = presetInfo(saved);
    const exclude = [...new Set([...session.pipeline.exclude, ...found.map((b) => b.index)])].sort((a, b) => a - b);
    this.setPipeline({ ...session.pipeline, exclude });
    return { info: this.info()!, kept: found.map((b) => channels[b.index].id), copiedFrom: saved.id !== p.id ? p.name : null };
  }

  /** The current session's status, with what the manager adds to it. */
  status(): SessionStatus | null {
    return this.current ? { ...this.current.status(), infoRevision: this.#infoRevision } : null;
  }

  /**
   * A pipeline set directly: the view runs its preset changed by hand, unless the change took it
   * back to what the preset says (CMR off, then on again).
   */
  setPipeline(p: SessionPipeline): SessionInfo {
    const session = this.require();
    session.setPipeline(p);
    if (this.#preset) {
      const saved = this.#presetPipeline(this.#preset.id, session);
      this.#preset = { ...this.#preset, modified: saved === null || !isDeepStrictEqual(saved, session.pipeline) };
    }
    this.#infoChanged();
    return this.info()!;
  }

  /** What preset `id` runs on this session's source, or null if it is gone or cannot be read. */
  #presetPipeline(id: number, session: LiveSession | FileSession): SessionPipeline | null {
    try {
      return this.#presets ? sessionPipelineFromPreset(this.#presets.byId(id).body.pipeline, capabilities(session)) : null;
    } catch {
      return null;
    }
  }

  /**
   * The pipeline to open with: the one asked for, or the default preset's for this kind of source —
   * for a probe with several shanks, the multi-shank default first (their shanks want references of their own).
   */
  #pipelineFor(sourceKind: string, asked: SessionPipeline | undefined, can: ViewCapabilities, shanks: number, fs: number): Chosen {
    if (asked) return { pipeline: checkPipeline(asked), preset: null, note: null };
    let p: ReturnType<PresetLookup['defaultFor']> = null;
    for (const kind of sourceKinds(fs, shanks, sourceKind)) p ??= this.#presets?.defaultFor(kind) ?? null;
    return p
      ? { pipeline: sessionPipelineFromPreset(p.body.pipeline, can), preset: presetInfo(p), note: leftOut(p, can) }
      : { pipeline: fs < LFP_MAX_FS ? DEFAULT_LFP_PIPELINE : DEFAULT_PIPELINE, preset: null, note: null };
  }

  /**
   * Builds the session with the chosen pipeline. A default preset that cannot run on this source
   * (a corner above its Nyquist…) does not keep the source from opening: it opens unprocessed, and
   * presetNote says which preset failed and why.
   */
  #build<S>(chosen: Chosen, asked: SessionPipeline | undefined, make: (p: SessionPipeline) => S): { session: S; preset: SessionInfo['preset']; note: string | null } {
    try {
      return { session: make(chosen.pipeline), preset: chosen.preset, note: chosen.note };
    } catch (err) {
      if (asked || !chosen.preset) throw err;
      const note = `the default preset "${chosen.preset.name}" cannot run on this source (${(err as Error).message}): shown unprocessed; choose a preset, or change the default under Presets`;
      return { session: make(UNPROCESSED), preset: null, note };
    }
  }

  /** Status from the current session only: a closed one may still finish work it had started. */
  #statusFrom(session: () => LiveSession | FileSession | null): (s: SessionStatus) => void {
    let said: string | null = null;
    return (s) => {
      const current = session();
      if (this.current === null || this.current !== current) return;
      // What a followed source says of itself changed (its .meta came, a channel count is doubted):
      // the views refetch it, or they go on saying the old words beside the new state.
      const now = (current instanceof LiveSession ? (current.input.warnings ?? []) : []).join('\n');
      if (said !== null && now !== said) this.#infoRevision++;
      said = now;
      this.#onStatus({ ...s, infoRevision: this.#infoRevision });
    };
  }

  async #open(source: SessionSource, asked: SessionPipeline | undefined): Promise<SessionInfo> {
    const nWorkers = viewWorkers(source.kind === 'simulator' ? 384 : (source.channels ?? 384));
    if (source.kind === 'recording') {
      const opened = await openRecording(source.path, source.channels, source.fs, source.gainUv, source.dtype);
      let session: FileSession;
      let built: { preset: SessionInfo['preset']; note: string | null };
      try {
        const chosen = this.#pipelineFor(opened.info.format, asked, recordingCan(opened), shankCount(opened.info.channels), opened.info.fs);
        ({ session, ...built } = this.#build(chosen, asked, (p) => new FileSession(opened, p, nWorkers, this.#statusFrom(() => session))));
      } catch (err) {
        await opened.close(); // the source that could not be shown is not kept open
        throw err;
      }
      await this.close();
      this.current = session;
      [this.#preset, this.#presetNote] = [built.preset, built.note];
      this.#openedFrom = source;
      this.#onOpened(source.path, 'recording', {});
      return this.info()!;
    }
    const input =
      source.kind === 'simulator'
        ? simulatorInput(source.seed ?? 1)
        : source.kind === 'file'
          ? isOpenEphys(source.path)
            ? await growingOpenEphysInput(source.path)
            : await growingFileInput(source.path, { channels: source.channels ?? 0, fs: source.fs ?? 0 })
          : null;
    if (!input) throw invalidParameterError('source.kind', '"simulator" or "file"', (source as { kind: unknown }).kind);
    const chosen = this.#pipelineFor(source.kind === 'simulator' ? 'simulator' : 'live', asked, liveCan(input), shankCount(input.channels), input.fs);
    // Built before the current source closes: a pipeline that cannot run here leaves it as it was.
    const { session, preset, note } = this.#build(chosen, asked, (pipeline) => {
      const s: LiveSession = new LiveSession({ input, pipeline, ramBudgetBytes: this.#ramBudget(), nWorkers, onStatus: this.#statusFrom(() => s) });
      return s;
    });
    // Started before the current source closes too: a file that cannot be opened (a typo, no
    // permission) leaves the run being followed as it was, not stopped with a dead session in its place.
    // Until it is current, what it says of itself is not passed on (#statusFrom); it says it again every 500 ms.
    await session.start().catch(async (err) => {
      await session.stop().catch(() => {});
      throw err;
    });
    await this.close();
    this.current = session;
    [this.#preset, this.#presetNote] = [preset, note];
    this.#openedFrom = source;
    if (source.kind === 'file') this.#onOpened(source.path, 'live-file', { channels: source.channels, fs: source.fs });
    return this.info()!;
  }

  require(): LiveSession | FileSession {
    if (!this.current) throw new ProbeDeckError('NO_SESSION', 'no source is open');
    return this.current;
  }

  async close(): Promise<void> {
    const s = this.current;
    this.current = null;
    this.#preset = null;
    this.#presetNote = null;
    this.#openedFrom = null;
    await s?.stop();
  }
}
