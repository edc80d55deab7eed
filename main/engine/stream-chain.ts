// A live chunk's whole path in one engine call: µV scaling, the stream filter, the FIR phase shift
// and the common reference. Each engine call is a round trip through libuv and the inner pool, whose
// threads sleep between calls; on 20 ms arrivals three calls a chunk cost more than the filtering
// (and a second worker gained nothing). In one call the workers go from step to step awake.
// The result is bit for bit that of the separate calls (scaleToFloat, StreamFilter, StreamPhaseShift
// with its reference, or commonReference).
import { invalidParameterError } from '../util/is.ts';
import { withCallerStack } from './errors.ts';
import { StreamFilter } from './filters.ts';
import { native } from './native.ts';
import { StreamPhaseShift, type PhaseShiftTaps } from './phase-shift.ts';
import type { ReferencePlan } from './reference.ts';
import { perChannel } from './scale.ts';
import { checkChannels, checkFrames, checkInput, checkWorkers, overlaps, type Precision } from './validate.ts';

export interface StreamChainSpec {
  channels: number;
  filter?: { sos: Float64Array; precision?: Precision } | null;
  /** Samples of delay per channel (probeSampleShifts); the output runs taps/2 − 1 rows behind the input. */
  phaseShift?: { shifts: Float64Array; taps?: PhaseShiftTaps } | null;
  reference?: ReferencePlan | null;
}

export interface ChainBuffers {
  /** With `scale` the input is raw (int16, or float32 in the file's units) and its µV rows go to `into`; without, the input is float32 µV. */
  scale?: { gain: Float32Array | number; offset: Float32Array | number; into: Float32Array };
  /** The filter's output (or, with a reference but neither filter nor shift, the referenced copy). */
  filtered: Float32Array;
  /** The shift's output. */
  shifted: Float32Array;
}

export class StreamChain {
  readonly channels: number;
  readonly #reference: ReferencePlan | null;
  // Owned: only this chain advances their state, so their own call queues never interleave with it.
  readonly #filter: StreamFilter | null;
  readonly #shift: StreamPhaseShift | null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(spec: StreamChainSpec) {
    this.channels = checkChannels(spec.channels);
    this.#filter = spec.filter ? new StreamFilter({ sos: spec.filter.sos, channels: this.channels, precision: spec.filter.precision }) : null;
    this.#shift = spec.phaseShift ? new StreamPhaseShift({ shifts: spec.phaseShift.shifts, channels: this.channels, taps: spec.phaseShift.taps }) : null;
    const r = spec.reference ?? null;
    if (r !== null && r.setOfChannel?.length !== this.channels) throw invalidParameterError('reference', `a plan for ${this.channels} channels (planReference)`, r);
    this.#reference = r;
  }

  /**
   * Runs the next chunk through every step; calls are serialised, applied in call order. Resolves to
   * the buffer that holds the result: `shifted`, `filtered`, or (no step at all) the µV rows. The
   * engine reads and writes the buffers while the promise is pending.
   */
  process(input: Int16Array | Float32Array, nWorkers: number | undefined, buffers: ChainBuffers): Promise<Float32Array> {
    checkInput(input);
    checkFrames(input, this.channels);
    const workers = checkWorkers(nWorkers);
    const C = this.channels;
    const { scale, filtered, shifted } = buffers;
    const sized = (name: string, b: unknown): Float32Array => {
      if (!(b instanceof Float32Array) || b.length !== input.length) throw invalidParameterError(name, `a Float32Array of ${input.length} values`, b);
      return b;
    };
    const uv = scale ? sized('scale.into', scale.into) : input;
    if (!(uv instanceof Float32Array)) throw invalidParameterError('input', 'a Float32Array of µV rows (or buffers.scale to scale raw rows)', input);
    sized('filtered', filtered);
    sized('shifted', shifted);
    // Each step reads the one before's rows while it writes its own: no two may share memory.
    const named: [string, ArrayBufferView][] = [['input', input], ['filtered', filtered], ['shifted', shifted]];
    if (scale) named.push(['scale.into', scale.into]);
    for (let i = 0; i < named.length; i++)
      for (let j = i + 1; j < named.length; j++)
        if (overlaps(named[i][1], named[j][1])) throw invalidParameterError(named[j][0], `a buffer apart from "${named[i][0]}"`, 'shared memory');
    const gain = scale ? perChannel('gain', scale.gain, C) : undefined;
    const offset = scale ? perChannel('offset', scale.offset, C) : undefined;
    const site = new Error();
    const run = this.#queue.then(async () => {
      const f = this.#filter?.carried;
      const s = this.#shift?.window;
      const r = this.#reference;
      const where = await withCallerStack(
        () =>
          native().streamChain(
            input, C, gain, offset, uv,
            this.#filter?.sos, f?.state, f?.precision ?? 0, filtered,
            s?.kernels, this.#shift?.taps ?? 0, s?.history, shifted,
            workers, r?.operator, r?.members, r?.offsets, r?.setOfChannel
          ),
        site
      );
      const shiftInput = this.#filter ? filtered : uv;
      this.#shift?.advance(shiftInput);
      return where === 2 ? shifted : where === 1 ? filtered : uv;
    });
    this.#queue = run.catch(() => {});
    return run;
  }
}
