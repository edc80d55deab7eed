// The outer axis of parallelism: a whole file in chunks [i·cs, (i+1)·cs) — SpikeInterface's save()
// windows — run as J concurrent chunk jobs. Each job's engine calls run on their own libuv thread,
// so each job gets its own inner pool of W workers. Output is written at each chunk's own offset
// into a temporary file renamed into place at the end: a failed or cancelled run leaves nothing.
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ProbeDeckError, invalidParameterError, isInteger, isNumber } from '../util/is.ts';
import { native } from './native.ts';
import { autoMarginSamples, designSos, filterWindow, StreamFilter, type FilterSpec } from './filters.ts';
import { commonReference, planReference, type ReferencePlan, type ReferenceSpec } from './reference.ts';
import { roundToInt16, scaleToFloat } from './scale.ts';
import { checkChannels, checkWorkers, type Precision } from './validate.ts';

export type FilterPhase = 'zero' | 'causal' | 'stream';

export interface PipelineSpec {
  filter?: FilterSpec & { phase: FilterPhase; marginSamples?: number; precision?: Precision };
  reference?: ReferenceSpec;
}

export interface ProcessFileOptions {
  input: string;
  output: string;
  channels: number;
  fs: number;
  dtype: 'int16' | 'float32';
  outDtype: 'float32' | 'int16';
  headerBytes?: number;
  pipeline: PipelineSpec;
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
}

/** SpikeInterface's margins for a filter: "auto" for zero-phase, causal_filter's 5 ms for causal. */
export function defaultMargin(filter: FilterSpec & { phase: FilterPhase }, fs: number): number {
  if (filter.phase === 'stream') return 0;
  if (filter.phase === 'causal') return Math.trunc((5.0 * fs) / 1000.0);
  return autoMarginSamples(filter, fs);
}

function checkOptions(o: ProcessFileOptions) {
  checkChannels(o.channels);
  if (!isNumber(o.fs) || o.fs <= 0) throw invalidParameterError('fs', 'a sampling rate above 0 Hz', o.fs);
  if (o.dtype !== 'int16' && o.dtype !== 'float32') throw invalidParameterError('dtype', '"int16" or "float32"', o.dtype);
  if (o.outDtype !== 'int16' && o.outDtype !== 'float32') throw invalidParameterError('outDtype', '"int16" or "float32"', o.outDtype);
  if (!isInteger(o.chunkSamples) || o.chunkSamples < 1) throw invalidParameterError('chunkSamples', 'a positive number of samples', o.chunkSamples);
  if (!isInteger(o.nJobs) || o.nJobs < 1 || o.nJobs > 64) throw invalidParameterError('nJobs', 'an integer from 1 to 64', o.nJobs);
  checkWorkers(o.nWorkers);
  if (o.headerBytes !== undefined && (!isInteger(o.headerBytes) || o.headerBytes < 0)) throw invalidParameterError('headerBytes', 'a byte count of 0 or more', o.headerBytes);
}

export async function processFile(o: ProcessFileOptions): Promise<ProcessFileResult> {
  checkOptions(o);
  const t0 = performance.now();
  const C = o.channels;
  const inBytes = o.dtype === 'int16' ? 2 : 4;
  const outBytes = o.outDtype === 'int16' ? 2 : 4;
  const header = o.headerBytes ?? 0;
  const filter = o.pipeline.filter;
  const sos = filter ? designSos(filter, o.fs) : null;
  const margin = filter ? (filter.marginSamples ?? defaultMargin(filter, o.fs)) : 0;
  const plan: ReferencePlan | null = o.pipeline.reference ? planReference(o.pipeline.reference, C) : null;

  const src = await open(o.input, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new ProbeDeckError(e.code ?? 'OPEN_FAILED', `cannot read ${o.input}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  const tmp = join(dirname(o.output), `.${basename(o.output)}.partial-${process.pid}`);
  let dst: Awaited<ReturnType<typeof open>> | undefined;
  try {
    const size = (await src.stat()).size - header;
    if (size < C * inBytes) throw new ProbeDeckError('FILE_TOO_SMALL', `${o.input} holds ${Math.max(size, 0)} bytes of data, less than one ${C}-channel ${o.dtype} frame`);
    if (size % (C * inBytes) !== 0) {
      throw new ProbeDeckError('TRUNCATED_FILE', `${o.input}: ${size} data bytes are not a whole number of ${C}-channel ${o.dtype} frames (${C * inBytes} bytes each) — truncated, or the wrong channel count`);
    }
    const N = size / (C * inBytes);
    const start = o.startSample ?? 0;
    const end = o.endSample ?? N;
    if (!isInteger(start) || !isInteger(end) || start < 0 || end > N || start >= end) throw invalidParameterError('startSample/endSample', `a range inside 0–${N}`, `${start}–${end}`);

    const chunks: [number, number][] = [];
    for (let s = start; s < end; s += o.chunkSamples) chunks.push([s, Math.min(s + o.chunkSamples, end)]);
    dst = await open(tmp, 'w');
    native().engineStats(true);
    let done = 0;
    let clamped = 0;

    // Each job keeps its own buffers for the whole run: large ArrayBuffers allocated per chunk cost
    // more in page faults than the filtering itself.
    const jobBuffers = () => {
      const rawBytes = (o.chunkSamples + 2 * margin) * C * inBytes;
      const raw = new ArrayBuffer(rawBytes);
      return { raw, out: new Float32Array(o.chunkSamples * C), int16: new Int16Array(o.outDtype === 'int16' ? o.chunkSamples * C : 0) };
    };
    type Buffers = ReturnType<typeof jobBuffers>;

    const read = async (b: Buffers, r0: number, r1: number) => {
      const bytes = (r1 - r0) * C * inBytes;
      const { bytesRead } = await src.read(new Uint8Array(b.raw, 0, bytes), 0, bytes, header + r0 * C * inBytes);
      if (bytesRead !== bytes) throw new ProbeDeckError('SHORT_READ', `${o.input} changed while it was being read (row ${r0})`);
      return o.dtype === 'int16' ? new Int16Array(b.raw, 0, bytes / 2) : new Float32Array(b.raw, 0, bytes / 4);
    };

    const finish = async (b: Buffers, s: number, e: number, data: Float32Array) => {
      if (plan) await commonReference(data, C, plan, o.nWorkers);
      let bytes: Uint8Array;
      if (o.outDtype === 'int16') {
        const r = await roundToInt16(data, o.nWorkers, b.int16.subarray(0, data.length));
        clamped += r.clamped;
        bytes = new Uint8Array(r.data.buffer, 0, r.data.byteLength);
      } else {
        bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      }
      await dst!.write(bytes, 0, bytes.length, (s - start) * C * outBytes);
      done += e - s;
      o.onProgress?.(done, end - start);
    };

    const toFloat = (x: Int16Array | Float32Array) => (x instanceof Float32Array ? Promise.resolve(x.slice()) : scaleToFloat(x, C, 1, 0, o.nWorkers));

    if (filter?.phase === 'stream') {
      // The state carries from chunk to chunk, so chunks run in order (one job).
      const stream = new StreamFilter({ sos: sos!, channels: C, precision: filter.precision });
      const b = jobBuffers();
      for (const [s, e] of chunks) {
        o.signal?.throwIfAborted();
        const raw = await read(b, s, e);
        await finish(b, s, e, await stream.process(raw, o.nWorkers, b.out.subarray(0, raw.length)));
      }
    } else {
      let next = 0;
      const job = async () => {
        const b = jobBuffers();
        while (next < chunks.length) {
          o.signal?.throwIfAborted();
          const [s, e] = chunks[next++];
          // Real neighbours ±margin, clipped at the recording's ends (not at the requested range).
          const left = Math.min(margin, s);
          const right = Math.min(margin, N - e);
          const raw = await read(b, s - left, e + right);
          const data = sos
            ? await filterWindow({
                input: raw,
                channels: C,
                sos,
                mode: filter!.phase === 'zero' ? 'zero-phase' : 'causal',
                left,
                right,
                nWorkers: o.nWorkers,
                precision: filter!.precision,
                out: b.out.subarray(0, (e - s) * C)
              })
            : await toFloat(raw);
          await finish(b, s, e, data);
        }
      };
      await Promise.all(Array.from({ length: Math.min(o.nJobs, chunks.length) }, job));
    }
    await dst.sync();
    await dst.close();
    dst = undefined;
    await rename(tmp, o.output);
    return { samples: end - start, seconds: (performance.now() - t0) / 1000, peakWorkBytes: native().engineStats().workBytesPeak, clamped };
  } catch (err) {
    await dst?.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  } finally {
    await src.close();
  }
}
