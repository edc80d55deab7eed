// The RAM-budget planner: how many chunk jobs (J) × inner workers (W) and how long a chunk, so a
// job fits the budget the lab gives ProbeDeck beside the acquisition.

export type JobKind = 'live' | 'scrub' | 'export';

export interface PlanRequest {
  ramBudgetBytes?: number;
  channels: number;
  fs: number;
  dtype: 'int16' | 'float32';
  outDtype?: 'int16' | 'float32';
  job: JobKind;
  /** Filter margin in samples (SI "auto" for 300 Hz at 30 kHz: 500). */
  marginSamples?: number;
  /** Inner workers fixed by the user, or chosen by the planner. */
  nWorkers?: number | 'auto';
  /** Outer jobs fixed by the user (`process --n-jobs`), or chosen by the planner. */
  nJobs?: number;
  /**
   * A chunk fixed by the user (`process --chunk-ms`). Unset, an export takes SpikeInterface save()'s
   * 1 s whenever the budget holds it: each chunk is filtered with its own margins, so the chunk is
   * part of the result, not only of the speed.
   */
  chunkSamples?: number;
  /** The phase shift's neighbours each side, in samples (0 or unset without one). */
  phaseShiftMarginSamples?: number;
  /** Whether the job scales its input to µV first (a float32 copy of each window). */
  scaled?: boolean;
  /** Channels written, when a subset of the recording's or another order (columns picked into buffers of their own). */
  outChannels?: number;
}

export interface MemoryBreakdown {
  baseline: number;
  input: number;
  output: number;
  engineWork: number;
  history: number;
}

export interface Plan {
  nJobs: number;
  nWorkers: number;
  chunkSamples: number;
  predictedPeakBytes: number;
  breakdown: MemoryBreakdown;
  /** Seconds of processed history a live session can keep (live jobs). */
  historySeconds: number;
  predictedSpeedX: number;
  basis: 'calibration' | 'model';
  reason: string;
  ramBudgetBytes: number;
}

export interface CalibrationPoint {
  nJobs: number;
  nWorkers: number;
  chunkSamples: number;
  speedX: number;
  peakBytes: number;
}

export interface Calibration {
  machineKey: string;
  measuredAt: string;
  points: CalibrationPoint[];
}

/** The live view's RAM budget: its processing and its history. */
export interface ViewBudget {
  bytes: number;
  /** Not set by the lab: the default share of the free RAM, at most 1 GiB. */
  automatic: boolean;
  /** What may be set on this machine: 64 MiB to half its RAM (at most 16 GiB). */
  minBytes: number;
  maxBytes: number;
}

export interface PlannerMethods {
  'planner.plan': { params: PlanRequest; result: Plan };
  'planner.calibration': { params: void; result: Calibration | null };
  'planner.calibrate': { params: { seconds?: number } | void; result: Calibration };
  'planner.cancelCalibration': { params: void; result: void };
  'planner.viewBudget': { params: void; result: ViewBudget };
  /** null: back to automatic. Takes effect when a live source next opens. */
  'planner.setViewBudget': { params: { bytes: number | null }; result: ViewBudget };
}

export interface PlannerEvents {
  'planner.progress': { done: number; total: number; point: CalibrationPoint | null };
}
