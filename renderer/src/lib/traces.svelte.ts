// The traces view's state: the open session, display settings, live follow or a paused position,
// and the lag figures the health panel shows. Columns arrive on an absolute sample grid, so
// following fetches only the columns not drawn yet. Beside it: the lane order (lane-layout.ts), the
// frame loop (frame-loop.svelte.ts), a paused window's copy (kept-window.svelte.ts), autoscale's
// factors (noise-scale.svelte.ts), the windows offered (time-spans.ts).
import type { ColumnsReply, SessionInfo, SessionPipeline, SessionSource, SessionStatus } from '../../../main/api/domains/session.ts';
import { untrack } from 'svelte';
import { isDetected } from '../../../main/sessions/detected.ts';
import { api } from './api.ts';
import { FrameLoop } from './frame-loop.svelte.ts';
import { KeptWindow } from './kept-window.svelte.ts';
import { NoiseScale } from './noise-scale.svelte.ts';
import { DEFAULT_LANES, laneOrder, shankGroups } from './lane-layout.ts';
import { nearestSpan } from './time-spans.ts';
import { groupWidth, TraceRenderer } from './trace-renderer.ts';

export class TracesState {
  info = $state.raw<SessionInfo | null>(null);
  status = $state.raw<SessionStatus | null>(null);
  error = $state<string | null>(null);
  spanS = $state(1);
  processed = $state(true);
  cmr = $state(true);
  following = $state(true);
  /** µV from a lane's centre to its edge. */
  uvPerLane = $state(150);
  /** Newest sample drawn (the last column may hold fewer than a column's samples), and how far behind the session's newest it is. */
  newestShown = $state(0);
  /** The frame loop, and the frame times it measures. */
  #frameLoop = new FrameLoop(
    () => void this.#tick(),
    () => this.following || this.#dirty || this.#inflight || this.#placePending
  );
  get frameP50(): number {
    return this.#frameLoop.frameP50;
  }
  get frameP95(): number {
    return this.#frameLoop.frameP95;
  }
  viewLagMs = $state(0);
  view = $state<'traces' | 'heatmap'>('traces');
  order = $state<'depth' | 'index'>('depth');
  /** Each shank in its own column of lanes, side by side as on the probe (multi-shank probes). */
  shankColumns = $state(false);
  numShanks = $derived(new Set(this.info?.channels.map((c) => c.shank) ?? []).size);
  /** What the values are in: a raw file without a gain is in its own units, not µV. */
  unit = $derived(this.info?.uncalibrated ? 'units' : 'µV');
  /** Lanes shown: [firstLane, firstLane + numLanes) of the ordered channels. */
  firstLane = $state(0);
  /** An open is in flight: its reply will reset the view (range, selection, following). */
  opening = $state(false);
  /** Sources this page has opened: the panels beside the traces keep nothing of an earlier one. */
  opened = $state(0);
  numLanes = $state(0);
  /** Channel picked on the probe map or by hovering (for the spectrum). */
  selected = $state<number | null>(null);
  /** The window on screen, in seconds from the session's start. */
  windowS = $state<[number, number]>([0, 0]);
  /** A recording's window reaches its last sample (what "to the end" did, or a scroll or scrub there). */
  atEnd = $state(false);
  /** A recording's window holds all of it: there is nowhere to scrub or play to. */
  holdsWhole = $derived(this.info?.kind === 'recording' && this.atEnd && this.windowS[0] <= 0);
  /** A paused live window's copy, for when the history has moved past it. */
  #kept = new KeptWindow();
  /** A paused live window the history has moved past: drawn from the copy kept when it was fetched, or gone (another span, raw/processed). */
  get beyondHistory(): 'kept' | 'gone' | null {
    return this.#kept.beyondHistory;
  }
  hover = $state<{ channel: string; timeS: number; minUv: number; maxUv: number } | null>(null);
  /** Autoscale's per-channel factors. */
  #noise = new NoiseScale();
  /** Autoscale: each channel drawn relative to its own noise (median|x|/0.6745). */
  get normalized(): boolean {
    return this.#noise.normalized;
  }
  /** The median channel's σ (µV) when normalising: lanes are then so many σ, not one µV scale. */
  get medianNoiseUv(): number {
    return this.#noise.medianNoiseUv;
  }
  #referenceMode: Exclude<SessionInfo['pipeline']['reference']['mode'], 'none'> = 'global';
  /** Request → drawn, for the last whole window fetched (scrubbing a recording). */
  windowMs = $state(0);
  /** Whole windows drawn so far: two in a row can take the same milliseconds. */
  windowsDrawn = $state(0);
  /** Hide the channels detection found bad (they stay out of the reference either way). */
  hideBad = $state(false);
  /** Bad channel indices as a string, so what depends on them recomputes only when the set changes (not on every status). */
  #badKey = $derived(this.status?.badChannels.map((b) => b.index).join(',') ?? '');
  /** The channels the toolbar lists as bad (found, known, unused), by index. */
  bad = $derived(new Set(this.#badKey ? this.#badKey.split(',').map(Number) : []));
  lanes = $derived.by(() => laneOrder(this.info?.channels ?? [], this.order, this.hideBad && this.bad.size ? this.bad : null, this.#byShank));
  #byShank = $derived(this.shankColumns && this.numShanks > 1);
  /** The columns of lanes on screen: one per shank side by side, or the stacked lane range. */
  groups = $derived.by(() => (!this.#byShank || !this.info ? [{ start: this.firstLane, count: this.numLanes || this.lanes.length }] : shankGroups(this.info.channels, this.lanes)));

  #renderer: TraceRenderer | null = null;
  #canvas: HTMLCanvasElement | null = null;
  #spc = 0;
  /**
   * Where the user put the window (a seek, a scroll, a pause): its right edge, s (Infinity: a
   * recording's end; null: its start). Each span places the window from this, clamped only for
   * display, so zooming out past a recording's length and back comes back where it was asked to be.
   */
  #wantRightS: number | null = null;
  /** Where the user (or a play) last put the window's right edge, s (see #wantRightS). */
  get wantRightS(): number | null {
    return this.#wantRightS;
  }
  /** A seek asked for before the tick that sizes the columns (a new source, a new span): that tick places it. */
  #placePending = false;
  #rightCol = 0;
  #oldestCol = 0;
  #pausedRight = 0;
  #dirty = true;
  /** Bumped whenever what to fetch changes (seek, scroll, span…): a reply to an older request is stale. */
  #wantSeq = 0;
  #inflight = false;
  #lastFetch = 0;
  #newestSample = 0;
  /** The oldest sample the source still holds (0 for a recording; the history ring's start live). */
  #oldestSample = 0;
  #offStatus: (() => void) | null = null;
  #settingsChanged = false;
  /** The error shown is a preset the view could not run: it goes once the view runs something else. */
  #errorFromPreset = false;
  /** The last fetch failed (the host is unreachable or restarting): the view is not updating. */
  fetchFailed = $state(false);
  /** A whole window was asked for and the newest such request is not drawn yet. */
  #windowWanted = $state(false);
  /** The view is at work on the window asked for: a long one on a wide probe is seconds of processing. */
  busy = $derived(this.#windowWanted && !this.fetchFailed);
  /** Bumped on every open: a reply for an earlier session is dropped, not drawn into the new one. */
  #generation = 0;
  /** What the last open opened: reopened when the host comes back without a session (a restart). */
  #source: SessionSource | null = null;
  /** The session's data revision the drawn columns come from (null: none drawn yet). */
  #revision: number | null = null;
  #infoRevision: number | null = null;

  /** Samples per column for the span asked for on this plot. */
  #spcFor(info: SessionInfo): number {
    return Math.max(1, Math.ceil((this.spanS * info.fs) / this.#plotWidth()));
  }

  /** Pixels per column of lanes: the width the time window is drawn in. */
  #plotWidth(): number {
    return groupWidth(this.#canvas!.width, this.groups.length);
  }

  /**
   * Where the panels beside the traces (probe map, spectrum) end what they describe: the window on
   * screen, a recording's or a paused live view's (not the last window read, which a readout under
   * the pointer moved); following live, the newest sample (undefined). Untracked: polls read it, and
   * a new window is no reason to restart one.
   */
  windowEndSample(): number | undefined {
    return untrack(() => ((this.info?.kind === 'recording' || !this.following) && this.newestShown > 0 ? this.newestShown : undefined));
  }

  /** Redraw without refetching (gain). */
  redraw(): void {
    this.#settingsChanged = true;
    this.#frameLoop.wake();
    if (!this.following && this.#renderer && this.#canvas && this.info) this.#draw();
  }

  async open(source: SessionSource): Promise<void> {
    const generation = ++this.#generation;
    this.opening = true;
    try {
      this.error = null;
      const info = await api.call('session.open', { source });
      // Two opens in flight (the first-run simulator and a click): only the newest one applies.
      if (generation !== this.#generation) return;
      this.#source = source;
      this.keptNote = null;
      // Nothing of the previous source may bound the new one's seeks or label its channels.
      this.#rightCol = 0;
      this.#oldestCol = 0;
      this.#newestSample = 0;
      this.#oldestSample = 0;
      this.newestShown = 0;
      this.#revision = null;
      this.#infoRevision = null;
      this.#kept.reset();
      this.status = null;
      this.info = info;
      this.opened++;
      this.#noteReference();
      this.#offStatus ??= api.on('session.status', (s) => this.#onStatus(s));
      // A recording sends its status only when something changes: ask once for what holds from the
      // start (sites the .meta marks unused, the preset's bad channels), or the view would not show them.
      void api.call('session.status').then((s) => s && generation === this.#generation && this.#onStatus(s), () => {});
      this.#renderer?.dispose();
      this.#renderer = null;
      this.invalidate();
      // Live, the view follows the newest data; a recording opens on its first window, as a file
      // viewer does (placed by the first tick, which knows how many samples a column holds).
      this.following = info.kind !== 'recording';
      this.#spc = 0;
      this.#wantRightS = null;
      this.#placePending = false;
      this.firstLane = 0;
      // A multi-shank probe opens as it looks, a column per shank; one shank opens on its tip's lanes.
      this.shankColumns = new Set(info.channels.map((c) => c.shank)).size > 1;
      this.numLanes = this.shankColumns ? info.channels.length : Math.min(DEFAULT_LANES, info.channels.length);
      this.selected = null;
      this.#noise.off();
      this.#applyDisplay();
      if (this.#canvas) this.attach(this.#canvas);
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      if (generation === this.#generation) this.opening = false;
    }
  }

  #onStatus(s: SessionStatus): void {
    // What is drawn was processed anew (another preset, bad channels found): refetch the window,
    // paused or following.
    if (this.#revision !== null && s.revision !== this.#revision) {
      this.#kept.drop(); // processed anew: the copy shows the old pipeline
      this.invalidate();
      void this.#refreshInfo();
    }
    this.#revision = s.revision;
    // Something new to say about the session with no data processed anew (a saved preset not applied).
    if (s.infoRevision !== undefined && this.#infoRevision !== null && s.infoRevision !== this.#infoRevision) void this.#refreshInfo();
    this.#infoRevision = s.infoRevision ?? null;
    // A paused live view fetches nothing, yet its history moves on: scrolling is kept within what
    // is still held, not within what the last fetch saw (a replied window refines these).
    if (this.info?.kind !== 'recording' && s.newestSample > this.#newestSample) {
      this.#newestSample = s.newestSample;
      this.#oldestSample = Math.max(this.#oldestSample, s.newestSample - Math.floor(s.historySeconds * s.fs));
      // Sitting paused, the history moves past the window without a fetch: say so as it happens.
      if (!this.following && this.#spc && Math.max(0, this.#pausedRight - this.#plotWidth()) * this.#spc < this.#oldestSample) this.#kept.historyMovedPast(this.#spc);
    }
    const badBefore = this.#badKey;
    this.status = s;
    // Hidden, the channels found or named bad since leave their lanes: the renderer's lane map, and
    // the lane range, follow (else the labels named one lane and the picture drew another).
    if (this.hideBad && this.#badKey !== badBefore) this.relayout();
  }

  /** The pipeline the session now runs (a saved preset edit, bad channels found), as the toolbar says it. */
  async #refreshInfo(): Promise<void> {
    const generation = this.#generation;
    const info = await api.call('session.info').catch(() => null);
    if (!info || generation !== this.#generation) return;
    this.info = info;
    this.#noteReference(true);
    // The view runs another pipeline now (a preset saved, detection's result): a preset refused earlier is old news.
    if (this.#errorFromPreset) [this.error, this.#errorFromPreset] = [null, false];
  }

  /** First run: the simulator, unless the user has already asked for something else meanwhile. */
  async openDefault(): Promise<void> {
    if (this.#generation === 0 && !this.info) await this.open({ kind: 'simulator' });
  }

  async resume(): Promise<void> {
    // Called on every mount of the view (a tab switch too): only a page that has shown nothing yet
    // takes the session's defaults; a view paused before the switch stays paused.
    // Untracked: the view calls this from an effect, which would otherwise rerun on every new info.
    const fresh = untrack(() => this.info === null);
    this.info = await api.call('session.info');
    if (this.info) {
      if (fresh) this.following = this.info.kind !== 'recording';
      // Opened from another page (or before a reload): reopened from here too if the host restarts.
      this.#source ??= this.info.openedFrom ?? null;
      this.#offStatus ??= api.on('session.status', (s) => this.#onStatus(s));
      this.numLanes ||= Math.min(DEFAULT_LANES, this.info.channels.length);
      this.#noteReference();
    }
  }

  /** What the last "keep in preset" did (cleared by the next open). */
  keptNote = $state<string | null>(null);
  /** Bad channels detection found that the view's preset does not name yet: what "keep in preset" would add. */
  unkept = $derived(this.status?.badChannels.filter((b) => isDetected(b) && !this.info?.pipeline.exclude.includes(b.index)) ?? []);

  /** Detection's finds become the preset's known bad channels, so exports through it leave them out too. */
  async keepBadChannels(): Promise<boolean> {
    try {
      this.error = null;
      const r = await api.call('session.keepBadChannels');
      this.info = r.info;
      const copy = r.copiedFrom ? ` (a copy of the built-in "${r.copiedFrom}", which the view now runs)` : '';
      this.keptNote = `${r.kept.join(', ')} now known bad in "${r.info.preset?.name}"${copy}: exports through it leave them out`;
      return true;
    } catch (err) {
      this.error = (err as Error).message;
      return false;
    }
  }

  /**
   * A followed file reopened as a recording, to scrub all of it (live, only the history is kept), on
   * the preset the view ran rather than the recording default.
   */
  async openWholeFile(): Promise<void> {
    const from = this.info?.openedFrom;
    if (from?.kind !== 'file') return;
    const preset = this.info?.preset?.id;
    await this.open({ kind: 'recording', path: from.path, channels: from.channels, fs: from.fs });
    if (preset !== undefined && this.info?.kind === 'recording' && this.info.preset?.id !== preset) await this.setPreset(preset);
  }

  /** A preset's pipeline for this source (its filter, reference, shift and detection as the view runs them). */
  async setPreset(id: number): Promise<void> {
    if (!this.info) return;
    try {
      this.error = null;
      this.#errorFromPreset = false;
      this.info = await api.call('session.setPreset', { id });
      this.#noteReference();
      this.#applyDisplay();
      this.invalidate();
    } catch (err) {
      this.error = (err as Error).message;
      this.#errorFromPreset = true;
      // The menu goes back to what the view still runs.
      this.info = { ...this.info };
    }
  }

  /** Detection on or off for this session (its result arrives with the status, seconds later). */
  async setDetect(on: boolean): Promise<void> {
    try {
      await this.#changePipeline((p) => ({ ...p, detectBadChannels: on }));
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** Pipeline changes the toolbar makes, in turn (see #changePipeline). */
  #pipelineChanges: Promise<unknown> = Promise.resolve();

  /**
   * Applies `change` to the pipeline the previous change left: two keys pressed within one round
   * trip (d, then c) each built theirs from the same old pipeline, and the second undid the first.
   * Dropped (false) if another source opened meanwhile.
   */
  #changePipeline(change: (p: SessionPipeline) => SessionPipeline): Promise<boolean> {
    const generation = this.#generation;
    const run = this.#pipelineChanges.then(async () => {
      if (!this.info || generation !== this.#generation) return false;
      this.error = null;
      const info = await api.call('session.setPipeline', change(this.info.pipeline));
      if (generation !== this.#generation) return false;
      this.info = info;
      return true;
    });
    this.#pipelineChanges = run.catch(() => {});
    return run;
  }

  /** Shanks side by side (each a column of lanes drawn over the whole time window) or stacked. */
  setShankColumns(on: boolean): void {
    this.shankColumns = on;
    this.relayout();
    this.invalidate(); // the window now spans a column's width: new samples per pixel
  }

  /** Lane order, hidden channels or channel range changed: tell the renderer, redraw without refetching. */
  relayout(): void {
    this.numLanes = Math.min(this.numLanes || this.lanes.length, this.lanes.length);
    this.firstLane = Math.min(this.firstLane, this.lanes.length - this.numLanes);
    if (this.#renderer && this.info) this.#renderer.setLanes(this.lanes, this.info.channels.map((c) => c.shank));
    this.redraw();
  }

  /**
   * Gain from the noise: each channel's σ from the last second (MAD, so spikes don't inflate it),
   * lanes set to ±6 median σ, and every channel scaled to the median σ so quiet and noisy sites
   * read alike. A flat (dead) channel keeps factor 1. Pressed again, it turns normalising off.
   */
  async autoscale(): Promise<void> {
    if (!this.info) return;
    if (this.#noise.normalized) {
      this.#noise.off();
      this.#renderer?.setChannelScale(new Float32Array(this.info.channels.length).fill(1));
      return this.redraw();
    }
    const a = await api.call('session.activity', { seconds: 1 });
    const factors = this.#noise.fromNoise(a.noiseUv);
    if (!factors) return;
    this.#renderer?.setChannelScale(factors);
    this.uvPerLane = 6 * this.#noise.medianNoiseUv;
    this.redraw();
  }

  /** Shows `channel` with its neighbours (probe-map click): the default lane range around it. */
  jumpTo(channel: number): void {
    if (!this.info) return;
    const n = this.lanes.length;
    const ch = this.info.channels;
    // A hidden (bad) channel: its nearest shown neighbour on the probe, so the view still goes there.
    const far = (c: number) => (ch[c].shank !== ch[channel].shank ? 1e9 : 0) + Math.hypot(ch[c].x - ch[channel].x, ch[c].y - ch[channel].y);
    const shown = this.lanes.indexOf(channel);
    const lane = shown >= 0 ? shown : this.lanes.reduce((best, c, i) => (far(c) < far(this.lanes[best]) ? i : best), 0);
    this.selected = channel;
    this.numLanes = Math.min(DEFAULT_LANES, n);
    this.firstLane = Math.max(0, Math.min(n - this.numLanes, lane - Math.floor(this.numLanes / 2)));
    this.redraw();
  }

  /**
   * Move the channel range by a fraction of its height (PageUp/PageDown); `all` shows every channel,
   * or, when they already are, goes back to a readable range around the selected channel.
   */
  scrollLanes(fraction: number | 'all'): void {
    if (!this.info) return;
    const n = this.lanes.length;
    if (this.#byShank) return; // every shank is shown whole, side by side
    if (fraction === 'all' && this.numLanes >= n && n > DEFAULT_LANES) {
      if (this.selected !== null) return this.jumpTo(this.selected);
      this.numLanes = DEFAULT_LANES;
      this.firstLane = 0;
    } else if (fraction === 'all') {
      this.firstLane = 0;
      this.numLanes = n;
    } else this.firstLane = Math.max(0, Math.min(n - this.numLanes, this.firstLane + Math.round(fraction * this.numLanes)));
    this.redraw();
  }

  /** Readout under the pointer (fractions of the canvas from its top-left): channel, time, µV. */
  async inspect(fx: number, fy: number): Promise<void> {
    const info = this.info;
    const canvas = this.#canvas;
    if (!info || !canvas || !this.#spc) return;
    // Which column of lanes, then which lane in it (lanes are as tall as in the tallest column).
    const groups = this.groups;
    const width = this.#plotWidth();
    const px = Math.floor(fx * canvas.width);
    const g = Math.min(groups.length - 1, Math.floor(px / width));
    const rows = Math.max(...groups.map((x) => x.count));
    const k = Math.floor((1 - fy) * rows);
    if (k >= groups[g].count) return void (this.hover = null);
    const ch = this.lanes[Math.min(this.lanes.length - 1, Math.max(0, groups[g].start + k))];
    const right = this.following ? this.#followedRight(width) : this.#pausedRight;
    const col = right - width + (px - g * width);
    if (col < this.#oldestCol || col >= this.#rightCol) return void (this.hover = null);
    const [seq, generation] = [this.#wantSeq, this.#generation];
    const r = await api.call('session.columns', { fromColumn: col, toColumn: col + 1, samplesPerColumn: this.#spc, maxColumns: 1, processed: this.processed });
    // The window moved meanwhile (a key, a play, another source): the readout would be of a moment no longer on screen.
    if (r.count !== 1 || seq !== this.#wantSeq || generation !== this.#generation) return;
    this.hover = { channel: info.channels[ch].id, timeS: (col * this.#spc) / info.fs, minUv: r.minmax[2 * ch], maxUv: r.minmax[2 * ch + 1] };
  }

  attach(canvas: HTMLCanvasElement): () => void {
    this.#canvas = canvas;
    this.#frameLoop.cancelFrame();
    this.#renderer?.dispose();
    this.#renderer = null;
    if (this.info) {
      try {
        this.#renderer = new TraceRenderer(canvas, this.info.channels.length);
        this.#renderer.setLanes(untrack(() => this.lanes), this.info.channels.map((c) => c.shank));
        const factors = this.#noise.factorsFor(this.info.channels.length);
        if (factors) this.#renderer.setChannelScale(factors);
      } catch (err) {
        this.error = (err as Error).message;
      }
    }
    this.invalidate();
    return this.#frameLoop.start();
  }

  /** What to fetch changed (span, raw/processed, a seek or scroll): refetch the whole window; older replies are stale. */
  invalidate(): void {
    this.#dirty = this.#windowWanted = true;
    this.#wantSeq++;
    this.#frameLoop.wake();
  }

  /** CMR off, or back on as the view last ran it (the preset's per-shank or local reference stays so). */
  async setCmr(on: boolean): Promise<void> {
    try {
      if (await this.#changePipeline((p) => ({ ...p, reference: { ...p.reference, mode: on ? this.#referenceMode : ('none' as const) } }))) this.cmr = on;
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /**
   * What the preset asks the view to show: traces or heatmap, the time window (the nearest offered),
   * the channel order, and its gain when it gives one (none: the view's gain stays). A heatmap shows
   * the whole probe (a row a channel reads at any height); traces go back to a readable range.
   */
  #applyDisplay(): void {
    const d = this.info?.preset?.display;
    if (!d) return;
    if (d.view !== this.view) {
      const all = this.lanes.length;
      if (d.view === 'heatmap') (this.firstLane = 0), (this.numLanes = all);
      else if (!this.#byShank && this.numLanes >= all) this.numLanes = Math.min(DEFAULT_LANES, all);
    }
    this.view = d.view;
    this.spanS = nearestSpan(d.windowS);
    if (d.gainUvPerDiv !== null) this.uvPerLane = d.gainUvPerDiv;
    if (this.order !== d.channelOrder) {
      this.order = d.channelOrder;
      this.relayout();
    }
    this.invalidate();
  }

  /** The reference a new pipeline runs: the CMR toggle's state, and what turning it on restores. */
  #noteReference(keepRestore = false): void {
    const mode = this.info?.pipeline.reference.mode ?? 'none';
    this.cmr = mode !== 'none';
    // With CMR off, what turning it on restores stays what it was (the same source's refresh).
    if (mode !== 'none') this.#referenceMode = mode;
    else if (!keepRestore) this.#referenceMode = 'global';
  }

  pause(): void {
    if (!this.following) return;
    this.following = false;
    this.#pausedRight = this.#canvas ? this.#followedRight(this.#plotWidth()) : this.#rightCol;
    this.#wantRightS = this.info ? (this.#pausedRight * this.#spc) / this.info.fs : null;
    this.invalidate(); // fetched whole once more, and kept: the history moves on past it
  }

  follow(): void {
    // A recording does not grow: its end is a place, placed as a scrub there is (a window longer
    // than the recording starts at its start). Followed, such a window was drawn from before its start.
    if (this.info?.kind === 'recording') return this.seek(Infinity);
    this.following = true;
    this.#kept.reset();
    this.invalidate();
  }

  /** Show the window ending `seconds` into the source (a recording's scrub bar; Infinity: its end). */
  seek(seconds: number): void {
    if (!this.#canvas || !this.info) return;
    if (!this.#spc || this.#spcFor(this.info) !== this.#spc) {
      // Just opened, or the span just changed: the next tick sizes the columns and places it.
      this.following = false;
      this.#wantRightS = seconds;
      this.#placePending = true;
      this.#frameLoop.wake();
      return;
    }
    if (this.following) this.pause();
    this.hover = null; // it described the window left behind
    this.#wantRightS = seconds;
    this.#pausedRight = this.#withinSource(this.#rightColAt(seconds));
    this.invalidate();
  }

  /** The right edge, in columns, of a window ending `seconds` in; at or past a recording's end, its last column. */
  #rightColAt(seconds: number): number {
    const info = this.info!;
    if (info.kind === 'recording' && seconds >= info.historySeconds) return Infinity; // #withinSource: the last column
    return Math.round((seconds * info.fs) / this.#spc);
  }

  /**
   * The window that starts at the beginning: a recording's start; live, the oldest sample held and a
   * little more, so the history has not moved past it by the time it is drawn.
   */
  toStart(): void {
    if (!this.info) return;
    // A recording's start is a place too: its first window at whatever span is picked next.
    if (this.info.kind === 'recording') return this.seek(0);
    // Live, a little inside the oldest edge, which moves on in real time: the moment stays held a few seconds.
    const margin = Math.min(3, this.info.historySeconds / 4);
    this.seek(this.#oldestSample / this.info.fs + margin + this.spanS);
  }

  /** Scroll while paused: positive = back in time, in screen widths. */
  scroll(screens: number): void {
    if (!this.#canvas || !this.info || !this.#spc) return;
    if (this.following) this.pause();
    this.hover = null; // it described the window left behind
    const right = this.#withinSource(this.#pausedRight - Math.round(screens * this.#plotWidth()));
    // Nowhere to go (the window holds all there is): the place asked for stays what it was.
    if (right === this.#pausedRight) return;
    this.#pausedRight = right;
    this.#wantRightS = (right * this.#spc) / this.info.fs;
    this.invalidate();
  }

  /**
   * A paused window's right edge, kept within what the source holds (a recording's whole length, a
   * live run's history), not within what was drawn last: that is only the current window.
   */
  #withinSource(rightCol: number): number {
    const info = this.info!;
    const newest = this.#lastCol();
    // A kept copy of a paused window still counts as held: the user may stay on it.
    const kept = this.#kept.fromColumnAt(this.#spc) ?? Infinity;
    const right = Math.max(Math.min(Math.ceil(this.#oldestSample / this.#spc), kept) + this.#plotWidth(), Math.min(newest, rightCol));
    // A window longer than what is held: a recording's starts at its start; a live one's ends at the
    // newest sample (its left part is before the history), never at times that have not come yet,
    // unless the run is younger than the window: then it starts at the run's start, as a recording's.
    return info.kind === 'recording' ? right : Math.max(this.#plotWidth(), Math.min(newest, right));
  }

  /**
   * A followed window's right edge: at the newest column, or, while the run is younger than the
   * window, a window's width from its start. Its empty part is then the time still to come, not
   * time before the run began, which the axis read as negative seconds.
   */
  #followedRight(width: number): number {
    return Math.max(this.#rightCol, width);
  }

  /** The last column a window can end with: the one holding the source's newest sample, partial or not ("to the end" shows the last samples). */
  #lastCol(): number {
    const info = this.info!;
    return Math.ceil((info.kind === 'recording' ? Math.round(info.historySeconds * info.fs) : this.#newestSample) / this.#spc);
  }

  async #tick(): Promise<void> {
    const r = this.#renderer;
    const canvas = this.#canvas;
    const info = this.info;
    if (!r || !canvas || !info || this.#inflight) return;
    const width = this.#plotWidth();
    const spc = this.#spcFor(info);
    if (spc !== this.#spc || this.#placePending) {
      this.#spc = spc;
      // Paused, the place asked for (a seek meanwhile, or the right edge last asked for, on a span
      // change, a resize, shanks as columns) at the new resolution, within what the source holds: a
      // window longer than a recording starts at its start, and the place asked for is kept for when
      // a shorter one fits again. Nothing asked for yet: a recording's start.
      if (!this.following) this.#pausedRight = this.#withinSource(this.#wantRightS === null ? 0 : this.#rightColAt(this.#wantRightS));
      this.#placePending = false;
      this.invalidate();
    }
    if (!this.following && !this.#dirty) return;
    // Following, ~30 updates a second are plenty for the eye; on software WebGL each full redraw
    // costs the CPU that the acquisition and the engine share.
    const now = performance.now();
    if (this.following && !this.#dirty && now - this.#lastFetch < 30) return;
    this.#lastFetch = now;
    this.#inflight = true;
    const t0 = performance.now();
    const generation = this.#generation;
    // What this request is for: a seek while it is in flight must not take its reply for the new window.
    const wasDirty = this.#dirty;
    const seq = this.#wantSeq;
    const processed = this.processed;
    const right = this.following ? undefined : this.#pausedRight;
    try {
      // Following, a newest column drawn partial is asked for again with what it has gained since:
      // drawn once as it was, it would stay so (a run that stops showed it short for good).
      const from = this.#dirty ? (right ?? Number.MAX_SAFE_INTEGER) - width : this.#rightCol - (this.#rightCol * spc > this.newestShown ? 1 : 0);
      const reply = await api.call('session.columns', {
        fromColumn: Math.max(0, this.#dirty && this.following ? 0 : from),
        toColumn: right,
        samplesPerColumn: spc,
        maxColumns: width,
        processed
      });
      // A whole window asked for while paused is still that window's picture: while the scrub bar is
      // dragged it is drawn at its own place, and the newest request follows. Anything else that
      // was overtaken (a following increment, another span or raw/processed) is dropped.
      const stale = seq !== this.#wantSeq;
      const stillAPicture = wasDirty && right !== undefined && !this.following && spc === this.#spc && processed === this.processed;
      if (generation !== this.#generation || r !== this.#renderer || (stale && !stillAPicture)) return;
      // Only a fetch error clears with the next good fetch; an open that failed stays said.
      if (this.fetchFailed) this.error = null;
      this.fetchFailed = false;
      const shown = this.#keepOrRestore(reply, right, width, spc, processed, wasDirty);
      // A following increment may bring only that partial column, no sample not drawn yet: nothing to upload or draw.
      const fresh = wasDirty || (shown.count > 0 && Math.min((shown.fromColumn + shown.count) * spc, reply.newestSample) > this.newestShown);
      if (fresh && shown.count > 0) r.upload(shown.fromColumn, shown.count, shown.minmax);
      // After a full refetch the window ends where the reply ends, even when it was empty.
      if (shown.count > 0 || wasDirty) this.#rightCol = shown.fromColumn + shown.count;
      if (wasDirty) this.#oldestCol = shown.fromColumn;
      if (shown === reply) this.#oldestCol = Math.max(this.#oldestCol, Math.ceil(reply.oldestSample / spc));
      this.#newestSample = reply.newestSample;
      this.#oldestSample = reply.oldestSample;
      if (!stale) this.#dirty = this.#windowWanted = false;
      this.newestShown = Math.min(this.#rightCol * spc, reply.newestSample);
      // Live, how far the drawn edge is behind the newest sample; a recording's newest is its end, no lag.
      this.viewLagMs = performance.now() - t0 + (info.kind === 'recording' ? 0 : ((reply.newestSample - this.newestShown) / info.fs) * 1000);
      // Nothing new, nothing to draw: the CPU goes to the acquisition instead.
      if (fresh || this.#settingsChanged) this.#draw(stale ? right : undefined);
      if (wasDirty) {
        this.windowMs = performance.now() - t0;
        this.windowsDrawn++;
      }
      this.#settingsChanged = false;
    } catch (err) {
      // A fetch of the source being replaced fails while the host swaps sessions ("no source is
      // open"): the new source's view must not show it, long after its own first window was drawn.
      if (generation !== this.#generation || this.opening) return;
      this.error = (err as Error).message;
      this.fetchFailed = true;
      // The host restarted (its sessions went with it): open again what was open, once.
      if ((err as { code?: string }).code === 'NO_SESSION' && this.#source && !this.opening) {
        const source = this.#source;
        this.#source = null;
        void this.open(source);
      }
    } finally {
      this.#inflight = false;
    }
  }

  /** A paused live window fetched whole is kept, or shown from its copy once the history has moved past it (see KeptWindow). */
  #keepOrRestore(reply: ColumnsReply, right: number | undefined, width: number, spc: number, processed: boolean, whole: boolean): Pick<ColumnsReply, 'fromColumn' | 'count' | 'minmax'> {
    if (!whole || right === undefined || this.info?.kind === 'recording') return reply;
    return this.#kept.keepOrRestore(reply, right, width, spc, processed);
  }

  /** Draws the window ending at `rightCol` (default: the newest when following, else the paused position). */
  #draw(rightCol?: number): void {
    const canvas = this.#canvas!;
    const groups = this.groups;
    const lane = canvas.height / Math.max(1, ...groups.map((g) => g.count));
    const width = this.#plotWidth();
    const right = rightCol ?? (this.following ? this.#followedRight(width) : this.#pausedRight);
    this.#renderer!.draw({
      mode: this.view,
      clim: this.uvPerLane,
      leftCol: right - width,
      rightCol: this.#rightCol,
      oldestCol: this.#oldestCol,
      groups,
      pxPerUv: lane / 2 / this.uvPerLane
    });
    const info = this.info!;
    // Data ending inside the right edge's column (a recording's end, a run's newest samples) end the
    // axis: a 60 s recording at its end reads 60.000 s, not the column's nominal 60.002 s.
    const end = right * this.#spc;
    const to = this.newestShown > end - this.#spc && this.newestShown < end ? this.newestShown : end;
    this.windowS = [((right - width) * this.#spc) / info.fs, to / info.fs];
    this.atEnd = info.kind === 'recording' && right >= this.#lastCol();
  }

}

export const traces = new TracesState();
