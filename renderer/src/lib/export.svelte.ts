// The export dialog's state: the request being composed, the destination check (exists? room?),
// the running export's progress from host events, and the history.
import type { ExportCheck, ExportFormat, ExportProgress, ExportRecord, ExportRequest, ExportSource } from '../../../main/api/domains/export.ts';
import type { Preset } from '../../../main/api/domains/presets.ts';
import type { RawDtype, SessionInfo } from '../../../main/api/domains/session.ts';
import { parseChannelList } from '../../../main/util/channel-list.ts';
import { isDetected } from '../../../main/sessions/detected.ts';
import { api } from './api.ts';
import { sourceKindLabel } from './source-kinds.ts';
import { formatClock } from './time-format.ts';


/** The recording (or followed file) open in Traces, as a path the form would hold; null for the simulator. */
function openedIn(session: SessionInfo | null): string | null | undefined {
  return session?.openedFrom && session.openedFrom.kind !== 'simulator' ? session.openedFrom.path : session?.kind === 'simulator' ? null : session?.source;
}

export class ExportState {
  source = $state('');
  /** The user has typed in the source field: a suggestion arriving later leaves it alone. */
  sourceTyped = false;
  presetId = $state<number | null>(null);
  /** Why the preset shown was picked ("as in Traces", "the default for SpikeGLX"), null once the user picks one. */
  presetWhy = $state<string | null>(null);
  /** The user chose the preset: a source typed later leaves the choice alone. */
  presetChosen = false;
  format = $state<ExportFormat>('kilosort');
  outDir = $state('');
  startS = $state<number | null>(null);
  endS = $state<number | null>(null);
  channels = $state('');
  /** For a file without metadata (a plain .bin or .dat): its channel count and sampling rate. */
  rawChannels = $state<number | null>(null);
  rawFs = $state<number | null>(null);
  rawGainUv = $state<number | null>(null);
  rawDtype = $state<RawDtype>('int16');
  presets = $state.raw<Preset[]>([]);
  /** How the chosen preset filters when not zero-phase (said beside it: sorters expect zero-phase data), else null. */
  causal = $derived.by(() => {
    const f = this.presets.find((x) => x.id === this.presetId)?.body.pipeline.filter;
    return !f || f.kind === 'none' || f.phase === 'zero' ? null : f.phase === 'stream' ? 'one sosfilt over the whole file' : "SpikeInterface's causal_filter";
  });
  /** Bad channels detection found in Traces on the recording in the form (source indices, ids, labels). */
  tracesFound = $state.raw<{ index: number; id: string; label: string }[]>([]);
  /** Those the chosen preset neither names nor would find itself: an export through it writes them as good channels. */
  unnamedBad = $derived.by(() => {
    const p = this.presets.find((x) => x.id === this.presetId)?.body.pipeline.badChannels;
    if (!p || p.detect !== 'none') return [];
    return this.tracesFound.filter((b) => !p.manual.includes(b.index));
  });
  /** What the recording in the form is (channels, rate, length, probe), or why it cannot be exported. */
  recording = $state.raw<ExportSource | null>(null);
  recordingError = $state<string | null>(null);
  /** The recording in one line: "SpikeGLX imec0.ap · NP1.0 · 384 channels at 30 kHz · 1805.2 s (0:30:05)". */
  recordingLine = $derived.by(() => {
    const r = this.recording;
    if (!r) return null;
    const clock = r.durationS >= 60 ? ` (${formatClock(r.durationS)})` : '';
    const rate = `${Number((r.fs / 1000).toPrecision(6))} kHz`;
    return [`${sourceKindLabel(r.format)} ${r.stream}`.trim(), r.probe, `${r.channels} channels at ${rate}`, `${r.durationS.toFixed(1)} s${clock}`, r.uncalibrated ? "no µV gain: the file's own units" : null]
      .filter((x) => x)
      .join(' · ');
  });
  /** The destination as the export would find it: its size against the room there, or why it cannot be written. */
  destination = $state.raw<ExportCheck | null>(null);
  destinationError = $state<string | null>(null);
  /** A check is on its way; `#recheck`: the form changed meanwhile, so one more goes when it is back. */
  #checking = false;
  #recheck = false;
  history = $state.raw<ExportRecord[]>([]);
  progress = $state.raw<ExportProgress | null>(null);
  /** Set when the destination exists: the user must confirm replacing it, and Replace sends this request (the form may have changed since). */
  confirmReplace = $state.raw<(ExportCheck & { request: ExportRequest }) | null>(null);
  error = $state<string | null>(null);
  running = $derived(this.progress?.state === 'running');

  #unsubscribe: (() => void) | null = null;
  /** Counts suggestions asked for: only the newest source's answer is applied. */
  #suggestion = 0;
  #suggesting: Promise<void> = Promise.resolve();
  /** The recording the form last suggested: while the field still holds it, a newer suggestion replaces it. */
  #suggested = '';

  async load(): Promise<void> {
    this.#unsubscribe ??= api.on('export.progress', (p) => {
      this.progress = p;
      // Done, the destination holds an export now (or, cancelled, still nothing): said again.
      if (p.state !== 'running') void this.refreshHistory().then(() => this.checkDestination());
    });
    try {
      this.presets = await api.call('presets.list');
      this.presetId ??= this.presets[0]?.id ?? null;
      const session = await api.call('session.info');
      const recent = await api.call('sources.recent');
      const guess = session && session.kind !== 'simulator' ? session.source : (recent[0]?.path ?? '');
      // Only a suggestion: what the user typed stays (even a field cleared to retype); an earlier
      // suggestion left as it was gives way to the recording open in Traces now, with its preset.
      if (guess && guess !== this.source && (!this.sourceTyped || this.source === this.#suggested)) {
        this.source = guess;
        this.sourceTyped = false;
        this.presetChosen = false;
      }
      if (!this.sourceTyped) this.#suggested = this.source;
      await this.suggestPreset();
      await this.refreshHistory();
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /**
   * The preset for the source in the form, unless the user chose one: the one Traces runs on that same
   * source (what the user reviewed), else the source kind's default (what Traces would open it with),
   * else the first. Exporting another preset's data than the one reviewed must be a visible choice.
   */
  suggestPreset(): Promise<void> {
    // Kept: an export started while it is on its way waits for it (a path pasted, then Export clicked
    // at once, went out with the last recording's preset, and the form then showed another).
    this.#suggesting = this.#suggest();
    return this.#suggesting;
  }

  async #suggest(): Promise<void> {
    const source = this.source.trim();
    const ask = ++this.#suggestion;
    // What Traces has open, asked once for both the bad channels it found and the preset it runs.
    const session = source ? await api.call('session.info').catch(() => null) : null;
    this.#noteTraces(source, session);
    const found = source ? await api.call('export.source', { source, raw: this.#raw() }).catch((err: Error) => err) : null;
    if (ask !== this.#suggestion) return;
    this.recording = found instanceof Error ? null : found;
    this.recordingError = found instanceof Error ? found.message : null;
    void this.checkDestination();
    if (this.presetChosen) return;
    const pick = await this.#presetFor(source, session, this.recording?.kinds ?? null).catch(() => null);
    if (ask !== this.#suggestion || this.presetChosen) return;
    const live = pick && this.presets.some((p) => p.id === pick.id) ? pick : null;
    this.presetId = live?.id ?? this.presets[0]?.id ?? null;
    this.presetWhy = live?.why ?? null;
  }

  /** The bad channels Traces found on `source`, when it is the recording open there. */
  #noteTraces(source: string, session: SessionInfo | null): void {
    this.tracesFound =
      session && openedIn(session) === source
        ? session.badChannels.filter(isDetected).map((b) => ({ index: b.index, id: session.channels[b.index]?.id ?? String(b.index), label: b.label }))
        : [];
  }

  /** kinds: the recording's (export.source), null when it could not be opened. */
  async #presetFor(source: string, session: SessionInfo | null, kinds: string[] | null): Promise<{ id: number; why: string } | null> {
    if (!source) return null;
    const traces = session?.preset && openedIn(session) === source ? session.preset : null;
    if (traces && this.presets.some((p) => p.id === traces.id)) return { id: traces.id, why: traces.modified ? 'as in Traces, without the steps changed there by hand' : 'as in Traces' };
    if (!kinds) return null;
    const defaults = await api.call('presets.defaults');
    const kind = kinds.find((k) => this.presets.some((p) => p.id === defaults[k]));
    // The preset Traces runs was deleted since: said, so the one put in its place is not taken for the one reviewed.
    const gone = traces ? `"${traces.name}", which Traces runs, is deleted (restore it under Presets to export through it)` : null;
    if (kind === undefined) return gone && this.presets[0] ? { id: this.presets[0].id, why: `the first preset: ${gone}` } : null;
    return { id: defaults[kind], why: `the default for ${sourceKindLabel(kind)}${gone ? `: ${gone}` : ''}` };
  }

  choosePreset(id: number | null): void {
    this.presetId = id;
    this.presetChosen = true;
    this.presetWhy = null;
  }

  #raw(): ExportRequest['raw'] {
    return this.rawChannels && this.rawFs ? { channels: this.rawChannels, fs: this.rawFs, dtype: this.rawDtype, ...(this.rawGainUv ? { gainUv: this.rawGainUv } : {}) } : undefined;
  }

  async refreshHistory(): Promise<void> {
    this.history = await api.call('export.history', { limit: 20 });
  }

  /**
   * Asks what the destination holds and needs, for the request in the form (when it has a recording
   * that opens, and a folder). Each check opens the recording on the host: one at a time, and a form
   * changed while one is out is asked about once more when it is back, not once per change.
   */
  async checkDestination(): Promise<void> {
    if (this.#checking) {
      this.#recheck = true;
      return;
    }
    this.#checking = true;
    try {
      do {
        this.#recheck = false;
        await this.#suggesting;
        // A recording that does not open is said once, beside it, not again here.
        const ready = this.source.trim() && this.outDir.trim() && !this.recordingError;
        const found = ready ? await Promise.resolve().then(() => api.call('export.check', this.request())).catch((err: Error) => err) : null;
        if (this.#recheck) continue;
        this.destination = found instanceof Error ? null : found;
        this.destinationError = found instanceof Error ? found.message : null;
      } while (this.#recheck);
    } finally {
      this.#checking = false;
    }
  }

  request(overwrite = false): ExportRequest {
    const channels = this.channels.trim() === '' ? undefined : parseChannelList(this.channels);
    return {
      source: this.source.trim(),
      preset: { id: this.presetId ?? -1 },
      format: this.format,
      outDir: this.outDir.trim(),
      overwrite,
      startS: this.startS ?? undefined,
      endS: this.endS ?? undefined,
      channels,
      raw: this.#raw()
    };
  }

  /**
   * Checks the destination first, so replacing an export is always a choice the user made: `replace`
   * sends the request that was asked about, whatever the form holds now (a folder typed after the
   * question was replaced without one).
   */
  async start(replace = false): Promise<void> {
    this.error = null;
    // The last export's "done" or "failed" does not stand beside this attempt's outcome.
    if (!this.running) this.progress = null;
    try {
      await this.#suggesting;
      const asked = this.confirmReplace?.request;
      const req = replace && asked ? { ...asked, overwrite: true } : this.request();
      if (!req.overwrite) {
        const check = await api.call('export.check', req);
        if (check.exists) {
          this.confirmReplace = { ...check, request: req };
          return;
        }
      }
      this.confirmReplace = null;
      const { id } = await api.call('export.start', req);
      if (this.progress?.id !== id) this.progress = { id, state: 'running', outDir: req.outDir, doneSamples: 0, totalSamples: 1, speedX: 0, etaS: null, message: null };
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  async cancel(): Promise<void> {
    if (this.progress?.state === 'running') await api.call('export.cancel', { id: this.progress.id }).catch((err: Error) => (this.error = err.message));
  }
}

export const exporter = new ExportState();
