// Chooses J × W × chunk under the RAM budget, from this machine's calibration when there is one,
// else from a throughput model. The reason sentence says which and why.
import { availableParallelism, freemem, totalmem } from 'node:os';
import type { Calibration, CalibrationPoint, Plan, PlanRequest } from '../api/domains/planner.ts';
import { formatBytes } from '../util/byte-size.ts';
import { ProbeDeckError, invalidParameterError, isInteger, isNumber } from '../util/is.ts';
import { MAX_CHANNELS, MAX_FS, MAX_JOBS, MAX_WORKERS } from '../engine/validate.ts';
import { baselineBytes, jobBytes, TILE } from './memory-model.ts';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/** Default budget: a quarter of the free RAM, so the acquisition keeps the rest. */
export function defaultRamBudget(): number {
  return Math.floor(freemem() / 4);
}

/**
 * A live view's budget: its processing buffers and, in the rest, its raw + processed history. The
 * lab sets it in the Planner; unset, it is the default budget, at most 1 GiB (tens of seconds).
 */
export function viewRamBudget(chosen: number | null = null): number {
  return chosen ?? Math.min(defaultRamBudget(), GiB);
}

// Each history ring is one Float32Array; half of this keeps either well inside V8's typed-array limit.
const MAX_VIEW_BUDGET = 16 * GiB;

/** The most a view may take here: half this machine's RAM, at most 16 GiB. */
export function viewBudgetLimit(): number {
  return Math.min(MAX_VIEW_BUDGET, Math.floor(totalmem() / 2));
}

/** The least a lab may give a view. */
export const MIN_VIEW_BUDGET = 64 * MiB;

/** What a lab may give a view: 64 MiB at least, and never more than half this machine's RAM. */
export function checkViewRamBudget(bytes: unknown): number {
  const most = viewBudgetLimit();
  if (!isInteger(bytes) || bytes < MIN_VIEW_BUDGET || bytes > most) throw invalidParameterError('view RAM budget', `between 64 MiB and ${formatBytes(most)} (half of this machine's RAM, at most 16 GiB)`, bytes);
  return bytes;
}

/** The history a live view keeps from its budget: what its processing buffers leave, raw + processed float32. */
export function viewHistoryRows(budget: number, channels: number, fs: number, nWorkers: number): number {
  const processing = liveJobBytes(channels, fs, nWorkers);
  return Math.max(1, Math.floor((budget - processing.input - processing.output - processing.engineWork) / (2 * channels * 4)));
}

function liveJobBytes(channels: number, fs: number, nWorkers: number) {
  return jobBytes({ channels, dtype: 'int16', outDtype: 'float32', chunkSamples: Math.max(1, Math.round(LIVE_CHUNK_S * fs)), marginSamples: 0, nWorkers, zeroPhase: false });
}
const LIVE_CHUNK_S = 0.01;

/**
 * Cores a job may take. A view runs beside the acquisition, which keeps half the cores; an export
 * leaves it one where there are more than two. Workers past the channel tiles would only wait.
 */
export function usableCores(job: PlanRequest['job'], cores: number): number {
  return job === 'export' ? (cores > 2 ? cores - 1 : cores) : Math.max(1, Math.floor(cores / 2));
}

/** The workers a live or scrubbing view runs with: its share of the cores, no more than its channel tiles. */
export function viewWorkers(channels: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(usableCores('live', cores), Math.ceil(channels / TILE)));
}

/** SpikeInterface-style sizes: k/M/G/T = 1e3…, Ki/Mi/Gi/Ti = 1024^k; plain numbers are bytes. */
export function parseBytes(text: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*(k|M|G|T|Ki|Mi|Gi|Ti)?B?\s*$/.exec(text);
  if (!m) throw invalidParameterError('ram budget', 'a size such as 512MiB, 2GiB or 4G', text);
  const unit = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[m[2] ?? ''] ?? 1;
  return Math.floor(parseFloat(m[1]) * unit);
}


/** The limits the sources, presets and engine have: a plan for more (1e15 channels) needed 'Infinity GiB'. */
function check(r: PlanRequest) {
  if (!isInteger(r.channels) || r.channels < 1 || r.channels > MAX_CHANNELS) throw invalidParameterError('channels', `a channel count from 1 to ${MAX_CHANNELS}`, r.channels);
  if (!isNumber(r.fs) || r.fs <= 0 || r.fs > MAX_FS) throw invalidParameterError('fs', `a sampling rate above 0 Hz, at most ${MAX_FS / 1e6} MHz`, r.fs);
  if (!['live', 'scrub', 'export'].includes(r.job)) throw invalidParameterError('job', '"live", "scrub" or "export"', r.job);
  if (!['int16', 'float32'].includes(r.dtype)) throw invalidParameterError('dtype', '"int16" or "float32"', r.dtype);
  // Not bounded by a preset's longest marginMs: the auto margin of a corner near 0 Hz is longer, and
  // is said as what takes the RAM. Past 2^53 a count of samples is no count (1e300 needed 'Infinity GiB').
  if (r.marginSamples !== undefined && (!Number.isSafeInteger(r.marginSamples) || r.marginSamples < 0)) throw invalidParameterError('marginSamples', 'a whole number of samples, 0 or more', r.marginSamples);
  if (r.ramBudgetBytes !== undefined && (!isInteger(r.ramBudgetBytes) || r.ramBudgetBytes <= 0)) throw invalidParameterError('ramBudgetBytes', 'a positive byte count', r.ramBudgetBytes);
  if (r.nWorkers !== undefined && r.nWorkers !== 'auto' && (!isInteger(r.nWorkers) || r.nWorkers < 1 || r.nWorkers > MAX_WORKERS)) throw invalidParameterError('nWorkers', `"auto" or an integer from 1 to ${MAX_WORKERS}`, r.nWorkers);
  if (r.nJobs !== undefined && (!isInteger(r.nJobs) || r.nJobs < 1 || r.nJobs > MAX_JOBS)) throw invalidParameterError('nJobs', `an integer from 1 to ${MAX_JOBS}`, r.nJobs);
  if (r.chunkSamples !== undefined && (!Number.isSafeInteger(r.chunkSamples) || r.chunkSamples < 1)) throw invalidParameterError('chunkSamples', 'a positive number of samples', r.chunkSamples);
  if (r.phaseShiftMarginSamples !== undefined && (!Number.isSafeInteger(r.phaseShiftMarginSamples) || r.phaseShiftMarginSamples < 0)) throw invalidParameterError('phaseShiftMarginSamples', 'a whole number of samples, 0 or more', r.phaseShiftMarginSamples);
  if (r.scaled !== undefined && typeof r.scaled !== 'boolean') throw invalidParameterError('scaled', 'true or false', r.scaled);
  if (r.outChannels !== undefined && (!isInteger(r.outChannels) || r.outChannels < 1 || r.outChannels > r.channels)) throw invalidParameterError('outChannels', `a channel count from 1 to ${r.channels}`, r.outChannels);
}

/** SpikeInterface save()'s chunk_duration="1s": int(fs) samples. */
export const siChunkSamples = (fs: number) => Math.max(1, Math.trunc(fs));

/** Without measurements: inner workers scale at ~90%, outer jobs at ~95% (they also overlap I/O). */
function modelSpeed(j: number, w: number, cores: number): number {
  const used = Math.min(j * w, cores);
  return used * (w > 1 ? 0.9 : 1) * (j > 1 ? 0.95 : 1);
}

function measuredSpeed(cal: Calibration | null, j: number, w: number, chunk: number): number | null {
  if (!cal) return null;
  let best: CalibrationPoint | null = null;
  for (const p of cal.points) if (p.nJobs === j && p.nWorkers === w && (!best || Math.abs(p.chunkSamples - chunk) < Math.abs(best.chunkSamples - chunk))) best = p;
  return best?.speedX ?? null;
}

export function plan(req: PlanRequest, calibration: Calibration | null = null, machineCores = availableParallelism()): Plan {
  check(req);
  const cores = usableCores(req.job, machineCores);
  const maxW = Math.max(1, Math.ceil(req.channels / TILE));
  // A budget beyond this machine's RAM (a preset from a bigger workstation, a typo) is planned as its RAM, and said.
  const asked = req.ramBudgetBytes ?? (req.job === 'export' ? defaultRamBudget() : viewRamBudget());
  const budget = Math.min(asked, totalmem());
  const baseline = baselineBytes();
  const margin = req.marginSamples ?? Math.trunc((5 * 1000) / 300 * req.fs / 1000);
  const outDtype = req.outDtype ?? 'float32';
  const fixedW = req.nWorkers === undefined || req.nWorkers === 'auto' ? null : req.nWorkers;
  const secs = req.job === 'live' ? [LIVE_CHUNK_S] : req.job === 'scrub' ? [1] : [0.25, 0.5, 1];
  const chunks = req.chunkSamples !== undefined ? [req.chunkSamples] : secs.map((s) => (s === 1 && req.job === 'export' ? siChunkSamples(req.fs) : Math.max(1, Math.round(s * req.fs))));
  const jobs = req.nJobs !== undefined ? [req.nJobs] : req.job === 'export' ? Array.from({ length: cores }, (_, i) => i + 1) : [1];

  type Candidate = { j: number; w: number; chunk: number; bytes: ReturnType<typeof jobBytes>; peak: number; speed: number; measured: boolean };
  const candidates: Candidate[] = [];
  for (const j of jobs)
    for (const w of fixedW ? [fixedW] : Array.from({ length: Math.min(cores, maxW) }, (_, i) => i + 1)) {
      // A count the user fixed is kept, with one of the other at least.
      if (j * w > cores && !(fixedW && j === 1) && !(req.nJobs !== undefined && (w === 1 || fixedW))) continue;
      for (const chunk of chunks) {
        const bytes = req.job === 'live' ? liveJobBytes(req.channels, req.fs, w) : jobBytes({ channels: req.channels, dtype: req.dtype, outDtype, chunkSamples: chunk, marginSamples: margin, nWorkers: w, zeroPhase: true, phaseShiftMarginSamples: req.phaseShiftMarginSamples, scaled: req.scaled, outChannels: req.outChannels });
        // A view's budget is what the view adds to this process; an export's is the whole process.
        const peak = (req.job === 'live' ? 0 : baseline) + j * (bytes.input + bytes.output + bytes.engineWork);
        const m = measuredSpeed(calibration, j, w, chunk);
        // Modelled, a chunk also filters its margins and drops them: 0.25 s chunks with 5 periods of
        // 300 Hz each side compute 13% more rows than they keep, 1 s chunks 3%.
        const kept = req.job === 'live' ? 1 : chunk / (chunk + 2 * margin);
        candidates.push({ j, w, chunk, bytes, peak, speed: m ?? modelSpeed(j, Math.min(w, maxW), cores) * kept, measured: m !== null });
      }
    }
  const fitting = candidates.filter((c) => c.peak <= budget);
  if (fitting.length === 0) {
    const least = candidates.reduce((a, b) => (a.peak < b.peak ? a : b));
    // A margin far longer than its chunk (a preset's marginMs typed in µs or samples) is what takes the RAM: say so.
    const forMargin = req.job !== 'live' && 2 * margin > 10 * least.chunk ? `, almost all of it for the filter's margin of ${(margin / req.fs).toFixed(0)} s read on each side of every chunk` : '';
    throw new ProbeDeckError('BUDGET_TOO_SMALL', `a RAM budget of ${formatBytes(budget)} is too small: the smallest plan needs ${formatBytes(least.peak)}${req.job === 'live' ? '' : ` (this process alone uses ${formatBytes(baseline)})`}${forMargin}`);
  }
  // The longest chunk that fits (SpikeInterface's 1 s, unless the budget holds none: the chunk
  // changes the result at its edges, so memory and speed never trade it away). Then the fastest;
  // among plans within 3% of it, the one using the least memory.
  const longest = Math.max(...fitting.map((c) => c.chunk));
  const pool = fitting.filter((c) => c.chunk === longest);
  const fastest = Math.max(...pool.map((c) => c.speed));
  const chosen = pool.filter((c) => c.speed >= fastest * 0.97).reduce((a, b) => (a.peak <= b.peak ? a : b));
  const shortChunks = req.job === 'export' && req.chunkSamples === undefined && chosen.chunk < siChunkSamples(req.fs);
  const bestAll = candidates.reduce((a, b) => (a.speed > b.speed || (a.speed === b.speed && a.peak < b.peak) ? a : b));

  // A live session keeps what is left of the budget as history (float32, raw + processed).
  const historyRows = req.job === 'live' ? viewHistoryRows(budget, req.channels, req.fs, chosen.w) : 0;
  const history = historyRows * req.channels * 4 * 2;
  const historySeconds = historyRows / req.fs;
  const pctSpeed = Math.round((100 * chosen.speed) / bestAll.speed);
  const ram = chosen.peak / bestAll.peak;
  const basis = chosen.measured ? 'calibration' : 'model';
  const reason =
    `${chosen.j} job${chosen.j > 1 ? 's' : ''} × ${chosen.w} worker${chosen.w > 1 ? 's' : ''}, ${(chosen.chunk / req.fs).toFixed(2)} s chunks, ` +
    `on ${cores} of ${machineCores} cores${cores < machineCores ? ` (${req.job === 'export' ? 'one stays' : 'the rest stay'} with the acquisition)` : req.job === 'export' && machineCores > 1 ? ' (all of them: export while the rig is not recording)' : ''}: ` +
    `${pctSpeed}% of the best ${basis === 'calibration' ? 'measured' : 'modelled'} speed at ${ram <= 0.99 ? `${Math.round(ram * 100)}% of its RAM` : 'the same RAM'}` +
    // Live: the history takes the rest, so the whole budget is used; say both parts.
    (req.job === 'live'
      ? ` (${formatBytes(chosen.peak)} to process, ${formatBytes(history)} for ${historySeconds.toFixed(0)} s of history: the view's whole ${formatBytes(budget)} budget, beside the ${formatBytes(baseline)} this process holds)`
      : ` (${formatBytes(chosen.peak)} of a ${formatBytes(budget)} budget)`) +
    (shortChunks ? `; this budget holds no 1 s chunk (SpikeInterface's save()), so the output differs from SpikeInterface's at the edges of its ${(chosen.chunk / req.fs).toFixed(2)} s chunks` : '') +
    (asked > budget ? `; the ${formatBytes(asked)} asked is more than this machine has: its ${formatBytes(budget)} of RAM are planned for` : '');
  return {
    nJobs: chosen.j,
    nWorkers: chosen.w,
    chunkSamples: chosen.chunk,
    predictedPeakBytes: (req.job === 'live' ? baseline : 0) + chosen.peak + history,
    breakdown: { baseline, ...chosen.bytes, input: chosen.j * chosen.bytes.input, output: chosen.j * chosen.bytes.output, engineWork: chosen.j * chosen.bytes.engineWork, history },
    historySeconds,
    predictedSpeedX: chosen.speed,
    basis,
    reason,
    ramBudgetBytes: budget
  };
}
