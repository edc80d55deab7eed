// Sessions: a live source (the simulator or a file being written) through a processing pipeline,
// served to the view as min/max columns.

import type { PresetBody, ReferenceChoice } from './presets.ts';

/** The view's filter: a band-pass when `kind` is absent. */
export type SessionFilter =
  | { kind?: 'bandpass'; lowHz: number; highHz: number; order: number }
  | { kind: 'highpass'; lowHz: number; order: number }
  | { kind: 'lowpass'; highHz: number; order: number };

export interface SessionPipeline {
  filter: SessionFilter | null;
  /** As a preset gives it: global, per shank, a local annulus or one channel; median or mean. */
  reference: ReferenceChoice;
  /** Channels kept out of the reference (bad channels). */
  exclude: number[];
  /** FIR phase shift between the filter and the reference (Neuropixels probes); absent = off. */
  phaseShift?: { taps: 16 | 32 | 64 } | null;
  /** Find bad channels (a live run's first seconds, a recording's spread windows) and keep them out of the reference. */
  detectBadChannels?: boolean;
  /** How (SpikeInterface's detect_bad_channels methods); absent = coherence+psd. */
  detectMethod?: 'coherence+psd' | 'std' | 'mad';
}

export interface SessionBadChannel {
  index: number;
  /** Found by detection (dead, noise, out of the brain), or named bad in the preset (known). */
  /** known: listed in the preset; unused: a site SpikeGLX marks unused (a reference site). */
  label: 'dead' | 'noise' | 'out' | 'known' | 'unused';
}

/** The sample type of a raw file without metadata (SpikeGLX and Open Ephys files say their own). */
export type RawDtype = 'int16' | 'uint16' | 'float32';

/** How a recording is written down: a plain binary file, SpikeGLX's .bin + .meta, Open Ephys's binary format. */
export type SourceFormat = 'raw' | 'spikeglx' | 'openephys';

export type SessionSource =
  | { kind: 'simulator'; seed?: number }
  /** A file being written, followed live. */
  | { kind: 'file'; path: string; channels?: number; fs?: number }
  /** A finished recording, scrubbed: windows are processed on demand (raw files need channels and fs; dtype is their sample type, int16 if absent; gainUv makes their units µV). */
  | { kind: 'recording'; path: string; channels?: number; fs?: number; dtype?: RawDtype; gainUv?: number };

export interface SessionChannel {
  id: string;
  x: number;
  y: number;
  shank: number;
  /** The acquisition's map marks it unused (a reference site): never in a reference. */
  unused?: true;
}

export interface SessionInfo {
  source: string;
  kind: 'simulator' | 'file' | 'recording';
  fs: number;
  channels: SessionChannel[];
  pipeline: SessionPipeline;
  historySeconds: number;
  /** Wall-clock time of sample 0 (ISO 8601) when known: a recording's creation time, a live run's start. */
  wallClockStart: string | null;
  /**
   * A recording's first sample on the acquisition's clock, s (SpikeInterface's t_start: SpikeGLX's
   * firstSample, Open Ephys' first sample number, over fs). The view counts from the file's first sample.
   */
  tStart?: number;
  /** Found by detection (live: after its first seconds); empty until then or when off. */
  badChannels: SessionBadChannel[];
  /** No µV gain is known (a raw file): values are the file's own units. */
  uncalibrated?: boolean;
  /** What is doubtful about the source (an unknown probe layout, data that disagree with their .meta). */
  sourceWarnings?: string[];
  /** Why the view runs a global reference instead of the pipeline's (it cannot hold here), else null. */
  referenceNote: string | null;
  /**
   * The preset the pipeline came from (the source kind's default on open, or one chosen since);
   * `modified` once a step was changed by hand since (CMR off, detection on…); null when opened with a pipeline.
   */
  preset: { id: number; name: string; display: PresetBody['display']; modified?: boolean } | null;
  /** Why the source opened unprocessed instead of with its default preset (which cannot run on it), or what became
   *  of a saved edit to the preset the view runs (not applied, and why), else null. */
  presetNote: string | null;
  /** What was opened: a page that finds this session already open reopens it after a host restart. */
  openedFrom?: SessionSource;
}

export interface SessionStatus {
  /** ended: a followed file is complete (SpikeGLX wrote its .meta, Open Ephys closed its sample count); stalled: it stopped growing, reason unknown. */
  state: 'running' | 'stalled' | 'ended' | 'error';
  message: string | null;
  source: string;
  fs: number;
  channels: number;
  newestSample: number;
  historySeconds: number;
  /** Processing speed in × real time (samples processed per second of engine time). */
  speedX: number;
  /** Arrival → processed, for the latest chunk. */
  lagMs: number;
  dropped: number;
  rssBytes: number;
  nWorkers: number;
  sinceLastDataMs: number;
  /** Bad channels found so far (live detection), kept out of the reference. */
  badChannels: SessionBadChannel[];
  /** Bad-channel detection, while the pipeline asks for it: gathering its seconds (live), running, or done. */
  detection: 'off' | 'waiting' | 'running' | 'done' | 'failed';
  /** Changes when data a view may have drawn were processed anew (another pipeline, bad channels found): refetch them. */
  revision: number;
  /** Changes when session.info says something new with no data processed anew (a note on a saved preset): ask again. */
  infoRevision?: number;
}

export interface ColumnsReply {
  fromColumn: number;
  count: number;
  samplesPerColumn: number;
  /** count × channels × {min, max}, µV */
  minmax: Float32Array;
  newestSample: number;
  oldestSample: number;
  fs: number;
  channels: number;
}

export interface ChannelActivityReply {
  startSample: number;
  endSample: number;
  seconds: number;
  /** Per channel, µV. */
  rms: Float64Array;
  ptp: Float64Array;
  /** Noise σ = median|x − median x|/0.6745 per channel, µV. */
  noiseUv: Float64Array;
  /** Downward crossings of −k·σ per second. */
  ratePerS: Float64Array;
}

export interface SpectrumReply {
  channels: number[];
  freqs: Float64Array;
  /** channels × bins, µV²/Hz. */
  psd: Float64Array;
  bins: number;
  seconds: number;
}

export interface SessionMethods {
  'session.open': { params: { source: SessionSource; pipeline?: SessionPipeline }; result: SessionInfo };
  'session.info': { params: void; result: SessionInfo | null };
  'session.close': { params: void; result: void };
  'session.setPipeline': { params: SessionPipeline; result: SessionInfo };
  /** Applies a preset's pipeline to the open source (as the view runs it, see presets/to-session.ts). */
  'session.setPreset': { params: { id: number }; result: SessionInfo };
  /**
   * Adds the bad channels detection found to the known bad channels of the preset the view runs (kept: their ids).
   * A built-in preset is not edited: a copy takes them and the view runs it (copiedFrom: the built-in's name).
   */
  'session.keepBadChannels': { params: void; result: { info: SessionInfo; kept: string[]; copiedFrom: string | null } };
  'session.columns': { params: { fromColumn: number; toColumn?: number; samplesPerColumn: number; maxColumns: number; processed: boolean }; result: ColumnsReply };
  'session.status': { params: void; result: SessionStatus | null };
  'session.activity': { params: { seconds: number; thresholdSigma?: number; endSample?: number }; result: ChannelActivityReply };
  /**
   * endSample: the last sample's end (absent: the newest live, the last window read of a recording),
   * as session.activity's. Live, a moment the history has moved past fails with HISTORY_MOVED for both.
   */
  'session.spectrum': { params: { channels: number[]; seconds: number; processed: boolean; nperseg?: number; endSample?: number }; result: SpectrumReply };
}

export interface SessionEvents {
  'session.status': SessionStatus;
}
