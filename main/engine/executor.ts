// The outer axis of parallelism: a whole file in chunks [i·cs, (i+1)·cs) — SpikeInterface's save()
// windows — run as J concurrent chunk jobs. Each job's engine calls run on their own libuv thread,
// so each job gets its own inner pool of W workers. Output is written at each chunk's own offset
// into a temporary file renamed into place at the end: a failed or cancelled run leaves nothing.
import { rename, rm } from 'node:fs/promises';
import { openFrames } from '../sources/frame-reader.ts';
import { totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ProbeDeckError, invalidParameterError, isInteger, isNumber } from '../util/is.ts';
import { checkFileOutput, partialName, settleLeftovers } from '../util/outputs.ts';
import { freeBuffer } from '../util/free-buffer.ts';
import { keepColumns } from './columns.ts';
import { native } from './native.ts';
import { autoMarginSamples, designSos, filterWindow, padlen, StreamFilter, type FilterSpec } from './filters.ts';
import { commonReference, planReference, type ReferencePlan, type ReferenceSpec } from './reference.ts';
import { roundToInt16, scaleToFloat } from './scale.ts';
import { alignedView, blockLead, blockSize, openOutputFile, type OutputFile } from './output-file.ts';
import { firKernels, phaseShiftMargin, phaseShiftWindow, type PhaseShiftSpec } from './phase-shift.ts';
import { BAD_CHANNEL_DEFAULTS, detectBadChannels, detectionChunks, type BadChannelMethod, type BadChannelResult } from './bad-channels.ts';
import { interpolateChannels, planInterpolation, type InterpolationPlan } from './interpolate.ts';
import { MAX_JOBS, checkChannels, checkWorkers, type Precision } from './validate.ts';

export type FilterPhase = 'zero' | 'causal' | 'stream';

/** Bad channels: detected on a few windows before the run and/or given; kept out of the reference. */
export interface BadChannelSpec {
  detect?: BadChannelMethod | 'none';
  manual?: number[];
  /** Replace them by SI's kriging interpolation from good neighbours (needs positions). */
  interpolate?: boolean;
  /** Contact positions (µm): SI's depth order for detection, and the interpolation kernel. */
  positions?: { x: number; y: number }[];
  /** µV per unit of the input (detection thresholds are in µV). Default 1. */
  gainUv?: number | Float32Array;
}

/** Steps run in SpikeInterface's usual order: filter → phase shift → interpolation → reference. */
export interface PipelineSpec {
  filter?: FilterSpec & { phase: FilterPhase; marginSamples?: number; precision?: Precision };
  phaseShift?: PhaseShiftSpec;
  badChannels?: BadChannelSpec;
  reference?: ReferenceSpec;
}

export interface ProcessFileOptions {
  input: string;
  output: string;
  /** Channels processed: all columns of a plain file, or `columns.length`. */
  channels: number;
  fs: number;
  dtype: 'int16' | 'uint16' | 'float32';
  outDtype: 'float32' | 'int16';
  headerBytes?: number;
  /** For files that interleave more columns than are processed (a sync column, a channel subset). */
  /** partialLastFrame: a recording cut mid-frame (a crashed acquisition) is read up to its last whole frame, as its source reads it. */
  frame?: { frameChannels: number; columns: number[]; partialLastFrame?: boolean };
  /** Per-channel µV gain/offset applied before the pipeline; without it, the file's own units. */
  scale?: { gainUv: Float32Array; offsetUv: Float32Array };
  pipeline: PipelineSpec;
  /** Replace an existing output file (default true; the command line asks for --overwrite). */
  overwrite?: boolean;
  /** Channels written, of those processed (default all): the reference is over all of them, as SpikeInterface slices after it. */
  outputColumns?: number[];
  chunkSamples: number;
  nJobs: number;
  nWorkers: number;
  startSample?: number;
  endSample?: number;
  onProgress?: (doneSamples: number, totalSamples: number) => void;
  signal?: AbortSignal;
}

export interface ProcessFileResult {
  samples: number;
  seconds: number;
  /** Most engine work-buffer bytes alive at once during the run. */
  peakWorkBytes: number;
  /** Output values clamped to the int16 range (int16 output only). */
  clamped: number;
  /** What bad-channel detection found, when it ran. */
  badChannels?: BadChannelResult;
}

/** causal_filter's margin when none is given: ProbeDeck's causal filters take it too. */
export const CAUSAL_MARGIN_MS = 5.0;

/** SpikeInterface's margins for a filter: "auto" for zero-phase, causal_filter's 5 ms for causal. */
export function defaultMargin(filter: FilterSpec & { phase: FilterPhase }, fs: number): number {
  if (filter.phase === 'stream') return 0;
  if (filter.phase === 'causal') return Math.trunc((CAUSAL_MARGIN_MS * fs) / 1000.0);
  return autoMarginSamples(filter, fs);
}

function checkOptions(o: ProcessFileOptions) {
  checkChannels(o.channels);
  if (!isNumber(o.fs) || o.fs <= 0) throw invalidParameterError('fs', 'a sampling rate above 0 Hz', o.fs);
  if (o.dtype !== 'int16' && o.dtype !== 'uint16' && o.dtype !== 'float32') throw invalidParameterError('dtype', '"int16", "uint16" or "float32"', o.dtype);
  if (o.frame && o.frame.columns.length !== o.channels) throw invalidParameterError('frame.columns', `${o.channels} file columns, one per channel`, o.frame.columns.length);
  if (o.scale && (o.scale.gainUv.length !== o.channels || o.scale.offsetUv.length !== o.channels)) throw invalidParameterError('scale', `gains and offsets for ${o.channels} channels`, o.scale.gainUv.length);
  if (o.outDtype !== 'int16' && o.outDtype !== 'float32') throw invalidParameterError('outDtype', '"int16" or "float32"', o.outDtype);
  if (o.outputColumns && (o.outputColumns.length === 0 || o.outputColumns.some((c) => !isInteger(c) || c < 0 || c >= o.channels))) throw invalidParameterError('outputColumns', `channel indices from 0 to ${o.channels - 1}`, o.outputColumns);
  if (!isInteger(o.chunkSamples) || o.chunkSamples < 1) throw invalidParameterError('chunkSamples', 'a positive number of samples', o.chunkSamples);
  if (!isInteger(o.nJobs) || o.nJobs < 1 || o.nJobs > MAX_JOBS) throw invalidParameterError('nJobs', `an integer from 1 to ${MAX_JOBS}`, o.nJobs);
  checkWorkers(o.nWorkers);
  if (o.headerBytes !== undefined && (!isInteger(o.headerBytes) || o.headerBytes < 0)) throw invalidParameterError('headerBytes', 'a byte count of 0 or more', o.headerBytes);
}

/**
 * A job holds its window (chunk ± margins) several times over in float32; a window larger than the
 * machine (a chunk of hours, or the margin of a corner near 0 Hz: 5 periods) is refused up front,
 * saying why, instead of failing in the allocator.
 */
function checkWindowFits(o: ProcessFileOptions, chunk: number, margin: number) {
  const windowBytes = (chunk + 2 * margin) * o.channels * 4 * 4 * o.nJobs;
  if (windowBytes <= totalmem()) return;
  const s = (n: number) => `${(n / o.fs).toLocaleString('en-US', { maximumSignificantDigits: 3 })} s`;
  throw new ProbeDeckError(
    'WINDOW_TOO_LARGE',
    `chunks of ${s(chunk)} with margins of ${s(margin)} each side need ${(windowBytes / 2 ** 30).toFixed(1)} GiB, more than this machine's ${(totalmem() / 2 ** 30).toFixed(1)} GiB: use shorter chunks or margins (an auto margin is 5 periods of the lowest corner)`
  );
}

/** The pipeline's zero-phase filter, or null: none, another phase, or one that cannot be made here (refused where it runs, naming the preset and the rate). */
function zeroPhaseSos(pipeline: PipelineSpec, fs: number): Float64Array | null {
  if (pipeline.filter?.phase !== 'zero') return null;
  try {
    return designSos(pipeline.filter, fs);
  } catch {
    return null;
  }
}

/** A recording too short for a step is said as such, rather than as that step's window. */
export function checkLongEnough(input: string, N: number, fs: number, pipeline: PipelineSpec): void {
  const has = `${input} has ${N} samples (${((N / fs) * 1000).toLocaleString('en-US', { maximumSignificantDigits: 3 })} ms)`;
  const sos = zeroPhaseSos(pipeline, fs);
  if (sos && N <= padlen(sos)) {
    throw new ProbeDeckError('RECORDING_TOO_SHORT', `${has}: its zero-phase filter needs more than ${padlen(sos)} (scipy's padlen for that filter)`);
  }
  const segment = Math.trunc((BAD_CHANNEL_DEFAULTS.welchWindowMs * fs) / 1000);
  const detect = pipeline.badChannels?.detect;
  if (detect && detect !== 'none' && N < segment) {
    throw new ProbeDeckError('RECORDING_TOO_SHORT', `${has}: bad-channel detection needs at least ${segment} (one ${BAD_CHANNEL_DEFAULTS.welchWindowMs} ms spectrum segment)`);
  }
}

/**
 * The windows an export's chunks give a zero-phase filter, [start + i·chunk, …) with their real
 * neighbours clipped at the recording's ends: the last (or only) chunk's can be shorter than scipy's
 * padlen (a filter without margin), which would fail the run at its end. Said up front, with the fix
 * the caller offers: another range (an export), or another chunk (a whole file, as process runs).
 */
export function checkChunkWindows(N: number, fs: number, pipeline: PipelineSpec, start: number, end: number, chunk: number, fix: 'range' | 'chunk' = 'range'): void {
  const filter = pipeline.filter;
  const sos = zeroPhaseSos(pipeline, fs);
  if (!filter || !sos) return;
  const pad = padlen(sos);
  const margin = filter.marginSamples ?? defaultMargin(filter, fs);
  const psMargin = pipeline.phaseShift ? phaseShiftMargin(pipeline.phaseShift, fs) : 0;
  const s = start + Math.floor((end - start - 1) / chunk) * chunk;
  const a = Math.max(0, s - psMargin);
  const z = Math.min(N, end + psMargin);
  const rows = z - a + Math.min(margin, a) + Math.min(margin, N - z);
  if (rows > pad) return;
  const only = s === start;
  const whole = fix === 'chunk' ? 'the file' : 'the range';
  throw new ProbeDeckError(
    'CHUNK_TOO_SHORT',
    `${only ? whole : `the last chunk of ${whole}`}, samples ${s}–${end}, is ${rows} samples with its neighbours: too short for the zero-phase filter, which needs more than ${pad} (scipy's padlen; SpikeInterface's save() fails there too). ` +
      `${fix === 'chunk' ? `Take a chunk that leaves the last one more than ${pad} samples (the file has ${end - start})` : only ? `Make the range at least ${pad + 1 - rows} samples longer` : `Move the range's end at least ${pad + 1 - rows} samples later or ${end - s} earlier`}, or give the filter a margin`
  );
}

/** The output columns when they are picked into buffers of their own: a subset or another order; null when all are written in order. */
export function pickedColumns(columns: number[] | undefined, channels: number): number[] | null {
  return columns && !(columns.length === channels && columns.every((c, i) => c === i)) ? columns : null;
}

export async function processFile(o: ProcessFileOptions): Promise<ProcessFileResult> {
  checkOptions(o);
  const t0 = performance.now();
  const C = o.channels;
  const picked = pickedColumns(o.outputColumns, C);
  const Cout = picked ? picked.length : C;
  const inBytes = o.dtype === 'float32' ? 4 : 2;
  const outBytes = o.outDtype === 'int16' ? 2 : 4;
  const header = o.headerBytes ?? 0;
  const filter = o.pipeline.filter;
  const sos = filter ? designSos(filter, o.fs) : null;
  const margin = filter ? (filter.marginSamples ?? defaultMargin(filter, o.fs)) : 0;
  const ps = o.pipeline.phaseShift;
  if (ps && filter?.phase === 'stream') throw new ProbeDeckError('UNSUPPORTED_PIPELINE', 'the phase shift on files needs a "zero" or "causal" filter phase, not "stream"');
  const psMargin = ps ? phaseShiftMargin(ps, o.fs) : 0;
  const psSpec = ps ? { ...ps, marginSamples: ps.method === 'fft' ? psMargin : undefined } : null;
  const kernels = ps?.method === 'fir' ? firKernels(ps.shifts, ps.taps ?? 16) : undefined;

  await checkFileOutput(o.output, o.input, o.overwrite ?? true);
  await settleLeftovers(o.output);
  const frameChannels = o.frame?.frameChannels ?? C;
  const src = await openFrames({
    path: o.input,
    headerBytes: header,
    frameChannels,
    dtype: o.dtype,
    columns: o.frame?.columns ?? Array.from({ length: C }, (_, c) => c),
    partialLastFrame: o.frame?.partialLastFrame
  });
  let dst: OutputFile | undefined;
  const tmp = partialName(o.output);
  /** Every job's buffers, freed once all jobs have settled. */
  type JobMemory = { raw: ArrayBuffer; uv: Float32Array; mid: Float32Array; outs: Float32Array[]; pickeds: Float32Array[]; int16s: Int16Array[] };
  const buffers: JobMemory[] = [];
  const memoryOf = (b: JobMemory) => [b.raw, b.uv.buffer, b.mid.buffer, ...[...b.outs, ...b.pickeds, ...b.int16s].map((a) => a.buffer)] as ArrayBuffer[];
  try {
    const N = src.samples;
    checkLongEnough(o.input, N, o.fs, o.pipeline);
    const start = o.startSample ?? 0;
    const end = o.endSample ?? N;
    if (!isInteger(start) || !isInteger(end) || start < 0 || end > N || start >= end) throw invalidParameterError('startSample/endSample', `a range inside 0–${N}`, `${start}–${end}`);
    // Before any work (bad-channel detection, the chunks before it): a last window the filter cannot take.
    checkChunkWindows(N, o.fs, o.pipeline, start, end, o.chunkSamples, o.startSample === undefined && o.endSample === undefined ? 'chunk' : 'range');
    const readRows = (r0: number, r1: number) => src.read(r0, r1);
    const bc = o.pipeline.badChannels;
    let badChannels: BadChannelResult | undefined;
    const bad = new Set(bc?.manual ?? []);
    if (bc?.detect && bc.detect !== 'none') {
      const chunks = await detectionChunks({ read: readRows, samples: N, channels: C, fs: o.fs, gainUv: bc.gainUv ?? 1, nWorkers: o.nWorkers });
      badChannels = await detectBadChannels({ chunks, channels: C, fs: o.fs, method: bc.detect, positions: bc.positions, nWorkers: o.nWorkers });
      for (const c of badChannels.bad) bad.add(c);
    }
    const ref = o.pipeline.reference;
    const plan: ReferencePlan | null = ref ? planReference(bad.size ? { ...ref, exclude: [...new Set([...(ref.exclude ?? []), ...bad])] } : ref, C) : null;
    let interp: InterpolationPlan | null = null;
    if (bc?.interpolate && bad.size) {
      if (!bc.positions) throw new ProbeDeckError('NO_POSITIONS', 'interpolating bad channels needs the contact positions');
      interp = planInterpolation(bc.positions, [...bad]);
    }
    // Neither chunks nor margins reach past the recording.
    checkWindowFits(o, Math.min(o.chunkSamples, end - start), Math.min(margin + psMargin, N));

    const chunks: [number, number][] = [];
    for (let s = start; s < end; s += o.chunkSamples) chunks.push([s, Math.min(s + o.chunkSamples, end)]);
    const fullDisk = () => new ProbeDeckError('ENOSPC', `the disk holding ${dirname(o.output)} is full: ${o.output} was not written`);
    dst = await openOutputFile(tmp, fullDisk).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS') throw new ProbeDeckError('NO_DESTINATION', `cannot write in ${dirname(resolve(o.output))} (${err.code})`);
      throw err;
    });
    native().engineStats(true);
    let done = 0;
    let clamped = 0;

    // Each job keeps its own buffers for the whole run: large ArrayBuffers allocated per chunk cost
    // more in page faults than the filtering itself. They are freed when the run ends (see finally).
    // The pool a chunk is written from comes twice, so that a job computes its next chunk into one
    // while the other is still being written (see finish).
    const writtenFrom = o.outDtype === 'int16' ? 'int16' : picked ? 'picked' : 'out';
    const jobBuffers = () => {
      // Sized by what a window can hold: a chunk or margin longer than the recording never fills more.
      const chunk = Math.min(o.chunkSamples, end - start);
      const window = chunk + 2 * Math.min(margin + psMargin, N);
      const raw = new ArrayBuffer(window * frameChannels * inBytes);
      const mid = new Float32Array(ps ? (chunk + 2 * Math.min(psMargin, N)) * C : 0);
      const uv = new Float32Array(o.scale ? window * C : 0);
      // What may be written is a block longer, for the view alignedView places (see output-file.ts).
      const block = blockSize();
      const pools = <T>(name: typeof writtenFrom, make: () => T) => (name === writtenFrom ? [make(), make()] : [make()]);
      const b = {
        raw,
        uv,
        mid,
        outs: pools('out', () => new Float32Array(chunk * C + block / 4)),
        pickeds: pools('picked', () => new Float32Array(picked ? chunk * Cout + block / 4 : 0)),
        int16s: pools('int16', () => new Int16Array(o.outDtype === 'int16' ? chunk * Cout + block / 2 : 0)),
        /** Chunks this job has finished: which of the doubled pools is free. */
        turn: 0,
        /** The write of this job's last chunk, still in flight, or null. */
        writing: null as Promise<void> | null
      };
      // Mapped 2 MiB at a time where the system allows it (see adviseHugePages), before the job first writes them.
      for (const x of memoryOf(b)) native().adviseHugePages(x);
      buffers.push(b);
      return b;
    };
    type Buffers = ReturnType<typeof jobBuffers>;

    const scales = o.scale !== undefined && !(o.dtype === 'float32' && o.scale.gainUv.every((g) => g === 1) && o.scale.offsetUv.every((v) => v === 0));
    const read = async (b: Buffers, r0: number, r1: number) => {
      const raw = await src.read(r0, r1, b.raw);
      // µV before the pipeline: the same order as the live view (scale → filter → reference). A
      // float32 file is in its own units too, unless those are µV already (gain 1, offset 0).
      return scales ? scaleToFloat(raw, C, o.scale!.gainUv, o.scale!.offsetUv, o.nWorkers, b.uv.subarray(0, raw.length)) : raw;
    };

    // Chunk [s, e)'s place in the output, and a view of `pool` for what is written there, aligned
    // for a direct write of its whole blocks.
    const position = (s: number) => (s - start) * Cout * outBytes;
    const writable = <T extends Int16Array | Float32Array>(pool: T, s: number, length: number) => alignedView(pool, length, blockLead(position(s)));

    // This chunk's pool of each kind: the free one of a doubled pool.
    const pool = <T>(b: Buffers, pools: T[]) => pools[b.turn % pools.length];

    // The chunk's write is left in flight while the job goes on to its next chunk (a direct write
    // waits for the disk, a cached one for the copy): the job waits for it only before starting
    // the next write, whose pool is the other one, and at its end (settle).
    const finish = async (b: Buffers, s: number, e: number, data: Float32Array, referenced = false) => {
      if (interp) await interpolateChannels(data, interp, o.nWorkers);
      if (plan && !referenced) await commonReference(data, C, plan, o.nWorkers);
      const written = picked ? await keepColumns(data, C, picked, false, writable(pool(b, b.pickeds), s, (data.length / C) * Cout)) : data;
      let bytes: Uint8Array;
      if (o.outDtype === 'int16') {
        const r = await roundToInt16(written, o.nWorkers, writable(pool(b, b.int16s), s, written.length));
        clamped += r.clamped;
        bytes = new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength);
      } else {
        bytes = new Uint8Array(written.buffer, written.byteOffset, written.byteLength);
      }
      await b.writing;
      b.writing = dst!.write(bytes, position(s)).then(() => {
        done += e - s;
        o.onProgress?.(done, end - start);
      });
      b.writing.catch(() => {}); // a failure is thrown where the job next waits for it, not left unhandled
      b.turn++;
    };
    // A job's end, done or failed: its last write has settled (a failure of it is the job's failure).
    const settle = async (b: Buffers, run: () => Promise<void>) => {
      try {
        await run();
      } catch (err) {
        await b.writing?.catch(() => {});
        throw err;
      }
      await b.writing;
    };

    // NaN in a float32 file: where it is (the engine only knows a window's samples).
    const inChunk = async (s: number, e: number, run: () => Promise<void>) => {
      try {
        await run();
      } catch (err) {
        if ((err as ProbeDeckError).code !== 'NON_FINITE_INPUT') throw err;
        const at = (x: number) => `${(x / o.fs).toFixed(3)} s`;
        throw new ProbeDeckError('NON_FINITE_INPUT', `${o.input} holds NaN or infinite samples between ${at(s)} and ${at(e)} (samples ${s}–${e}, or in the margins read around them)`);
      }
    };
    // Without a filter nothing else looks at float32 samples: NaN would be written as 0 (int16) or copied.
    // Into the job's buffer: a fresh 46 MB array a chunk (a second of 384 channels) cost more in page
    // faults than all the rest of a CMR-only export.
    const toFloat = (x: Int16Array | Float32Array, into: Float32Array) => (x instanceof Float32Array ? Promise.resolve(finiteCopy(x, into)) : scaleToFloat(x, C, 1, 0, o.nWorkers, into));

    if (filter?.phase === 'stream') {
      // The state carries from chunk to chunk, so chunks run in order (one job).
      const stream = new StreamFilter({ sos: sos!, channels: C, precision: filter.precision });
      const b = jobBuffers();
      await settle(b, async () => {
        for (const [s, e] of chunks) {
          o.signal?.throwIfAborted();
          const raw = await read(b, s, e);
          await inChunk(s, e, async () => finish(b, s, e, await stream.process(raw, o.nWorkers, writable(pool(b, b.outs), s, raw.length))));
        }
      });
    } else {
      let next = 0;
      let failed = false;
      const job = async () => {
        const b = jobBuffers();
        await settle(b, async () => {
          while (next < chunks.length && !failed) {
            o.signal?.throwIfAborted();
            const [s, e] = chunks[next++];
            await inChunk(s, e, () => runChunk(b, s, e));
          }
        });
      };
      const runChunk = async (b: Buffers, s: number, e: number) => {
        // Each stage fetches its own real neighbours from the one before, clipped at the
        // recording's ends (not at the requested range): the phase shift [a, b) around [s, e),
        // the filter ±margin around [a, b).
        const a = Math.max(0, s - psMargin);
        const z = Math.min(N, e + psMargin);
        const left = Math.min(margin, a);
        const right = Math.min(margin, N - z);
        const raw = await read(b, a - left, z + right);
        // The filter references its output itself when nothing comes between them (in cache, one pass less).
        const reference = sos && !psSpec && !interp && plan ? plan : undefined;
        const filtered = sos
          ? await filterWindow({
              input: raw,
              channels: C,
              sos,
              mode: filter!.phase === 'zero' ? 'zero-phase' : 'causal',
              left,
              right,
              nWorkers: o.nWorkers,
              precision: filter!.precision,
              out: ps ? b.mid.subarray(0, (z - a) * C) : writable(pool(b, b.outs), s, (z - a) * C),
              reference
            })
          : await toFloat(raw, ps ? b.mid.subarray(0, raw.length) : writable(pool(b, b.outs), s, raw.length));
        const data = psSpec
          ? await phaseShiftWindow({ input: filtered, channels: C, spec: psSpec, kernels, left: s - a, right: z - e, nWorkers: o.nWorkers, out: writable(pool(b, b.outs), s, (e - s) * C) })
          : filtered;
        await finish(b, s, e, data, reference !== undefined);
      };
      // The first failure stops the other jobs, and all of them settle before the files close.
      const settled = await Promise.allSettled(
        Array.from({ length: Math.min(o.nJobs, chunks.length) }, () =>
          job().catch((err: unknown) => {
            failed = true;
            throw err;
          })
        )
      );
      const failure = settled.find((r) => r.status === 'rejected');
      if (failure) throw failure.reason;
    }
    await dst.sync();
    await dst.close();
    dst = undefined;
    await rename(tmp, o.output);
    return { samples: end - start, seconds: (performance.now() - t0) / 1000, peakWorkBytes: native().engineStats().workBytesPeak, clamped, badChannels };
  } catch (err) {
    await dst?.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  } finally {
    await src.close();
    // Every job has settled here (a failure waits for the others): no engine call still uses them.
    // Left to the garbage collector, an export's ~100 MB per job stayed resident for minutes after it.
    for (const b of buffers) for (const x of memoryOf(b)) freeBuffer(x);
  }
}

function finiteCopy(x: Float32Array, into: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) if (x[i] - x[i] !== 0) throw new ProbeDeckError('NON_FINITE_INPUT', 'the input contains NaN or infinite samples');
  into.set(x);
  return into;
}
