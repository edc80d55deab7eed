// Presets: a processing pipeline, display settings and resource settings, kept in SQLite.

/** A common reference: all channels, each shank ("group", as SpikeInterface names it), an annulus around each channel (µm), or one channel. */
export interface ReferenceChoice {
  mode: 'none' | 'global' | 'group' | 'local' | 'single';
  operator: 'median' | 'mean';
  innerUm: number;
  outerUm: number;
  channel: number | null;
}

export interface PresetBody {
  pipeline: {
    /**
     * precision: what exports and `probedeck process` compute the filter in. float64 is SpikeInterface's
     * (scipy's) arithmetic, bit for bit; float32 filters about twice as fast, within 1e-4 of it relative to
     * the output's RMS (an int16 export may then differ by one unit here and there; a corner too near
     * 0 Hz for float32 runs in float64 anyway). The live view and scrubbing always run float32.
     */
    filter: { kind: 'none' | 'bandpass' | 'highpass' | 'lowpass'; order: number; lowHz: number | null; highHz: number | null; phase: 'zero' | 'causal' | 'stream'; marginMs: number | null; precision: 'float64' | 'float32' };
    phaseShift: { method: 'none' | 'fir' | 'fft'; taps: 16 | 32 | 64 };
    badChannels: { detect: 'none' | 'coherence+psd' | 'std' | 'mad'; manual: number[] };
    reference: ReferenceChoice;
  };
  display: { view: 'traces' | 'heatmap'; gainUvPerDiv: number | null; windowS: number; colormap: 'RdBu' | 'viridis' | 'gray'; channelOrder: 'depth' | 'index' };
  resources: { ramBudgetBytes: number | null; nWorkers: 'auto' | number };
}

export interface Preset {
  id: number;
  name: string;
  builtin: boolean;
  body: PresetBody;
  createdAt: string;
  updatedAt: string;
  /** Set while the preset sits in the undo bin. */
  deletedAt: string | null;
}

export type PresetFormat = 'probedeck' | 'spikeinterface';

export interface PresetsMethods {
  'presets.list': { params: { includeDeleted?: boolean } | void; result: Preset[] };
  'presets.create': { params: { name: string; body: PresetBody }; result: Preset };
  /** viewNote: what became of the edit in the open view running this preset (kept a hand-changed copy, or cannot run it). */
  'presets.update': { params: { id: number; body: PresetBody }; result: Preset & { viewNote?: string | null } };
  'presets.rename': { params: { id: number; name: string }; result: Preset };
  'presets.duplicate': { params: { id: number; name?: string }; result: Preset };
  'presets.delete': { params: { id: number }; result: Preset };
  'presets.restore': { params: { id: number }; result: Preset };
  'presets.setDefault': { params: { sourceKind: string; id: number }; result: void };
  'presets.defaults': { params: void; result: Record<string, number> };
  'presets.markUsed': { params: { sourceKey: string; id: number }; result: void };
  'presets.lastUsed': { params: { sourceKey: string }; result: Preset | null };
  'presets.export': { params: { id: number; format: PresetFormat }; result: string };
  'presets.import': { params: { text: string; name?: string }; result: Preset };
}
