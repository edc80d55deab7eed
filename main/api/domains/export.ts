// Export: a recording through a preset's pipeline into files a sorter opens, as a background job
// with progress, cancel and a history.
import type { PresetBody } from './presets.ts';
import type { RawDtype, SourceFormat } from './session.ts';

export type ExportFormat = 'kilosort' | 'si-binary' | 'raw-f32';

export interface ExportRequest {
  /** A SpikeGLX .bin, an Open Ephys recording folder, or a raw file with `raw` options. */
  source: string;
  raw?: { channels: number; fs: number; dtype?: RawDtype; gainUv?: number; headerBytes?: number };
  stream?: string;
  preset: { id: number } | { name: string; body: PresetBody };
  format: ExportFormat;
  /** The folder to create; it must not exist unless `overwrite`. */
  outDir: string;
  overwrite?: boolean;
  startS?: number;
  endS?: number;
  /** Source channel indices to keep, in order; all neural channels if absent. */
  channels?: number[];
  ramBudgetBytes?: number;
}

export type ExportState = 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface ExportProgress {
  id: number;
  state: ExportState;
  outDir: string;
  doneSamples: number;
  totalSamples: number;
  /** Samples processed per second of wall time, in × real time. */
  speedX: number;
  etaS: number | null;
  message: string | null;
}

export interface ExportRecord {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  source: string;
  format: ExportFormat;
  presetName: string;
  outDir: string;
  channels: number;
  samples: number;
  /** The range exported, in seconds from the recording's start; null for exports recorded before ranges were kept. */
  startS: number | null;
  endS: number | null;
  /** The channel selection as given ("0-63,70"); null for all channels (or, with startS null, not recorded). */
  channelList: string | null;
  seconds: number | null;
  state: ExportState;
  message: string | null;
}

export interface ExportCheck {
  exists: boolean;
  freeBytes: number;
  /** Bytes the traces file will take, when the source could be opened. */
  neededBytes: number | null;
}

/**
 * What the export form says of the recording in it before anything is exported (a wrong file, a
 * wrong channel count or a cut-short file shows here, not after a click), and which preset defaults
 * apply to it.
 */
export interface ExportSource {
  /** Keys of presets.defaults, most specific first, as the view picks its preset on open: 'lfp' (under 5 kHz), 'multishank', then the format ('spikeglx', 'openephys', 'raw'). */
  kinds: string[];
  format: SourceFormat;
  stream: string;
  /** Neural channels (a sync channel is not one). */
  channels: number;
  fs: number;
  samples: number;
  durationS: number;
  /** The probe's part number, else its family ('NP1.0', 'NP2.0'), null when not known (a raw file). */
  probe: string | null;
  /** No µV gain is known: the export writes the file's own units. */
  uncalibrated: boolean;
  warnings: string[];
}

export interface ExportMethods {
  'export.start': { params: ExportRequest; result: { id: number } };
  'export.cancel': { params: { id: number }; result: void };
  'export.check': { params: ExportRequest; result: ExportCheck };
  'export.history': { params: { limit?: number } | void; result: ExportRecord[] };
  'export.source': { params: Pick<ExportRequest, 'source' | 'raw' | 'stream'>; result: ExportSource };
}

export interface ExportEvents {
  'export.progress': ExportProgress;
}
