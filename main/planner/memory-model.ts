// What one chunk job really holds at its peak — the buffers the executor and the engine allocate —
// not only its output bytes (the flaw of SpikeInterface's total_memory, SI issue #2029).
import type { MemoryBreakdown } from '../api/domains/planner.ts';

/** Channels per engine tile (native/core/sosfilt.hpp): a filter call splits no finer among its workers. */
export const TILE = 64;
const BLOCK_ROWS = 0; // causal/stream filters straight from input to output rows (native/core/filter_ops.cpp)
const ZERO_PHASE_PADLEN = 33; // order-5 band-pass; larger orders add a few rows, negligible here

export interface JobShape {
  channels: number;
  dtype: 'int16' | 'float32';
  outDtype: 'int16' | 'float32';
  chunkSamples: number;
  marginSamples: number;
  nWorkers: number;
  zeroPhase: boolean;
  /** The phase shift's neighbours each side (it widens the window) and its own float32 buffer; 0 without one. */
  phaseShiftMarginSamples?: number;
  /** Whether the window is scaled to µV first, into a float32 copy of its own. */
  scaled?: boolean;
  /** Channels written, when a subset or another order of them (the whole probe is still processed). */
  outChannels?: number;
}

/** Bytes one chunk job keeps alive (executor buffers + engine work buffers). */
export function jobBytes(s: JobShape): Omit<MemoryBreakdown, 'baseline' | 'history'> {
  const inBytes = s.dtype === 'int16' ? 2 : 4;
  const ps = s.phaseShiftMarginSamples ?? 0;
  const rows = s.chunkSamples + 2 * (s.marginSamples + ps);
  // The window as read, its µV copy, and the filtered rows the phase shift reads (executor.ts jobBuffers).
  const input = rows * s.channels * (inBytes + (s.scaled ? 4 : 0)) + (ps > 0 ? (s.chunkSamples + 2 * ps) * s.channels * 4 : 0);
  // The float32 result, then what is written from twice over (a chunk is written while the next is
  // computed): the int16 rows, else the picked columns, else the result itself.
  const cout = s.outChannels ?? s.channels;
  const picked = s.outChannels !== undefined;
  const out = s.channels * 4 * (s.outDtype === 'float32' && !picked ? 2 : 1);
  const pickedBytes = picked ? cout * 4 * (s.outDtype === 'float32' ? 2 : 1) : 0;
  const int16Bytes = s.outDtype === 'int16' ? cout * 2 * 2 : 0;
  const output = s.chunkSamples * (out + pickedBytes + int16Bytes);
  const workers = Math.min(s.nWorkers, Math.ceil(s.channels / TILE));
  // Zero-phase in float64 holds a float64 tile of (rows − left margin + 2·padlen) rows per worker;
  // float32 runs in the output and holds only the margin's rows: both are modelled as the larger.
  const tileRows = s.zeroPhase ? rows + 2 * ZERO_PHASE_PADLEN : BLOCK_ROWS;
  const engineWork = workers * (tileRows * TILE * 8 + 10 * 2 * TILE * 8) + workers * s.channels * 4;
  return { input, output, engineWork };
}

// Memory a live view holds under its own budget (its history): not part of another job's baseline,
// or an export planned beside a view that has filled its history would find no room left.
const heldByViews = new Set<() => number>();

/** Counts `held` out of the baseline until the returned function is called. */
export function holdSeparately(held: () => number): () => void {
  heldByViews.add(held);
  return () => heldByViews.delete(held);
}

/** This process's resident memory now, less what views hold under their own budget: the part of the peak that does not depend on the plan. */
export function baselineBytes(): number {
  let held = 0;
  for (const f of heldByViews) held += f();
  return Math.max(0, process.memoryUsage().rss - held);
}
