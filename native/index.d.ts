// The addon's exports, declared once. main/engine/ is the only importer; it validates every value
// before calling (the C++ side re-checks types only).

export interface NativeEngineInfo {
  version: string;
  simdCompiled: string;
  simdDetected: string;
  /** The kernels' builds in use: avx512vl, avx2 or baseline (PROBEDECK_SIMD caps it). */
  simdUsed: 'avx512vl' | 'avx2' | 'baseline';
  hardwareThreads: number;
  napiVersion: number;
}

export interface NativeEngineStats {
  poolsCreated: number;
  poolsAlive: number;
  /** Bytes of engine work buffers allocated now / at most since the last reset. */
  workBytesLive: number;
  workBytesPeak: number;
}

export interface NativeJobResult {
  /** The inner pool that ran the call: one per calling (libuv) thread. */
  poolId: number;
  workers: number;
}

/** 0 lowpass, 1 highpass, 2 bandpass, 3 bandstop, 4 notch */
export type NativeFilterKind = 0 | 1 | 2 | 3 | 4;

/** 0 = float64 (scipy-exact), 1 = float32 */
export type NativePrecision = 0 | 1;

export interface NativeAddon {
  engineInfo(): NativeEngineInfo;
  engineStats(resetPeak?: boolean): NativeEngineStats;
  poolLifecycleProbe(): { aliveDuring: number; aliveAfter: number };
  designSos(kind: NativeFilterKind, order: number, f1: number, f2: number, fs: number, q: number): Float64Array;
  /** mode 0 = zero-phase (sosfiltfilt), 1 = causal from zero state; precision 0 = float64, 1 = float32; with a reference plan (as commonReference's), out is re-referenced */
  filterWindow(input: Int16Array | Float32Array, channels: number, sos: Float64Array, mode: 0 | 1, left: number, right: number, out: Float32Array, workers: number, precision: NativePrecision, ...reference: [] | [operator: 0 | 1, setMembers: Int32Array, setOffsets: Int32Array, setOfChannel: Int32Array]): Promise<NativeJobResult>;
  filterStream(input: Int16Array | Float32Array, channels: number, sos: Float64Array, state: Float64Array, out: Float32Array, workers: number, precision: NativePrecision): Promise<NativeJobResult>;
  /** operator 0 = median, 1 = mean */
  commonReference(data: Float32Array, channels: number, operator: 0 | 1, setMembers: Int32Array, setOffsets: Int32Array, setOfChannel: Int32Array, workers: number): Promise<void>;
  /** Resolves to the number of values clamped to the int16 range. */
  roundToInt16(input: Float32Array, out: Int16Array, workers: number): Promise<number>;
  /** out: columns × channels × {min, max} */
  decimateMinMax(data: Float32Array, channels: number, columns: number, out: Float32Array, workers: number): Promise<void>;
  channelActivity(data: Float32Array, channels: number, k: number, rms: Float64Array, ptp: Float64Array, sigma: Float64Array, crossings: Float64Array, workers: number): Promise<void>;
  welchChannels(data: Float32Array, channels: number, list: Int32Array, nperseg: number, fs: number, out: Float64Array, workers: number): Promise<void>;
  /** taps × channels float32 FIR kernels for these per-channel shifts (SpikeInterface PR #4563). */
  phaseShiftKernels(shifts: Float64Array, taps: number, beta: number): Float32Array;
  /** input rows [start−left, end+right) → out rows [start, end); taps past the window read zeros. */
  /** `before`: float32 rows preceding a float32 input in the window (a stream's carried history). */
  phaseShiftFir(
    input: Int16Array | Float32Array,
    channels: number,
    kernels: Float32Array,
    taps: number,
    left: number,
    right: number,
    out: Float32Array,
    workers: number,
    before?: Float32Array,
    operator?: 0 | 1,
    setMembers?: Int32Array,
    setOffsets?: Int32Array,
    setOfChannel?: Int32Array
  ): Promise<void>;
  phaseShiftFft(input: Int16Array | Float32Array, channels: number, shifts: Float64Array, left: number, right: number, margin: number, out: Float32Array, workers: number): Promise<void>;
  /** Per channel of one chunk: similarity to the median trace and mean PSD above nyquistFraction·fs/2 (IBL). */
  iblChannelFeatures(data: Float32Array, channels: number, fs: number, nperseg: number, nyquistFraction: number, xcorr: Float64Array, psdHf: Float64Array, workers: number): Promise<void>;
  /** kind 0 = standard deviation, 1 = median absolute deviation */
  channelDeviation(data: Float32Array, channels: number, kind: 0 | 1, out: Float64Array, workers: number): Promise<void>;
  /** targets[i] ← Σ weights[j]·data[sources[j]] for j in offsets[i]..offsets[i+1] */
  interpolateChannels(data: Float32Array, channels: number, targets: Int32Array, offsets: Int32Array, sources: Int32Array, weights: Float32Array, workers: number): Promise<void>;
  /** Rows of `frame` values (elemBytes each) → rows of `columns`; out may be bytes when columns ascend; fromUint16: uint16 → int16 − 32768. */
  keepColumns(bytes: Uint8Array, frame: number, elemBytes: number, columns: Int32Array, fromUint16: boolean, out: Uint8Array): Promise<void>;
  scaleToFloat(input: Int16Array | Float32Array, channels: number, gain: Float32Array, offset: Float32Array, out: Float32Array, workers: number): Promise<void>;
  /**
   * A live chunk in one call: scaling into uv (when gain is given), the stream filter into filtered (sos),
   * the FIR shift into shifted (kernels) re-referencing its rows, or with no shift the plan on filtered.
   * Resolves to where the result is: 0 uv (or the input when not scaling), 1 filtered, 2 shifted.
   */
  streamChain(
    input: Int16Array | Float32Array,
    channels: number,
    gain: Float32Array | undefined,
    offset: Float32Array | undefined,
    uv: Float32Array,
    sos: Float64Array | undefined,
    filterState: Float64Array | undefined,
    precision: NativePrecision,
    filtered: Float32Array,
    kernels: Float32Array | undefined,
    taps: number,
    history: Float32Array | undefined,
    shifted: Float32Array,
    workers: number,
    operator?: 0 | 1,
    setMembers?: Int32Array,
    setOffsets?: Int32Array,
    setOfChannel?: Int32Array
  ): Promise<0 | 1 | 2>;
  /** Where the view's first byte sits in memory, modulo 65536 (direct writes need block-aligned memory). */
  addressAlignment(view: ArrayBufferView): number;
  /** The memory page size in bytes. */
  pageSize(): number;
  /** Marks the buffer's whole 2 MiB pages for transparent huge pages, before its first write; false where the system has none. */
  adviseHugePages(buffer: ArrayBuffer): boolean;
}
