// A file followed before its .meta exists is read with the channel count the user typed. One too
// few or too many (SpikeGLX saves 384 channels + the sync channel) shifts every frame by a channel,
// so each column walks across the probe: what should be a sample-to-sample step in one channel
// becomes a step between neighbouring channels, which carries their different offsets and signals.
// At the right count a column's steps are smallest; that is visible in the first 0.1 s of data.
import { open } from 'node:fs/promises';

/** Mean absolute step down the columns when `data` is read as frames of `channels`. */
function roughness(data: Int16Array, channels: number, frames: number): number {
  let sum = 0;
  for (let t = 0; t + 1 < frames; t++) {
    const a = t * channels;
    for (let c = 0; c < channels; c++) sum += Math.abs(data[a + channels + c] - data[a + c]);
  }
  return sum / ((frames - 1) * channels);
}

/** Frames of the typed count (+1) this check reads from the start of the file. */
export const FRAME_FIT_FRAMES = 3000;

/**
 * The bytes those checks read for `channels` typed: FRAME_FIT_FRAMES frames of one channel more, at
 * most 16 MiB: 3000 such frames of 65,536 channels were 393 MB and seconds of scanning on the main
 * process. The one-off check still has 128 frames there; the twice-the-count check (100 frames of
 * 2n + 1) stops above ~41,900 channels, far past any probe's.
 */
export function frameFitBytes(channels: number): number {
  return Math.min(FRAME_FIT_FRAMES * (channels + 1) * 2, 16 * 2 ** 20);
}

/**
 * A channel count one off the typed one that fits the data clearly better (steps under half as
 * large), else null: quiet or white-noise data, where every count looks alike, never warns.
 */
export function betterFrameChannels(data: Int16Array, typed: number): number | null {
  const frames = Math.min(FRAME_FIT_FRAMES, Math.floor(data.length / (typed + 1)));
  if (typed < 2 || frames < 100) return null;
  const own = roughness(data, typed, frames);
  let best: number | null = null;
  let bestScore = own / 2;
  for (const n of [typed - 1, typed + 1]) {
    const s = roughness(data, n, frames);
    if (s < bestScore) {
      best = n;
      bestScore = s;
    }
  }
  return best;
}

/** Mean absolute difference between columns `a` and `a + apart` of the same frames, over columns a < `width`. */
function columnGap(data: Int16Array, channels: number, frames: number, width: number, apart: number): number {
  let sum = 0;
  for (let t = 0; t < frames; t++) for (let c = 0; c < width; c++) sum += Math.abs(data[t * channels + c + apart] - data[t * channels + c]);
  return sum / (frames * width);
}

/**
 * Half or twice the typed count, when the data show it (else null). Read at half its width, each
 * column alternates between two channels, so its steps carry their different offsets, as one off
 * does (roughness). Read at twice its width, each channel is shown twice, its even samples in
 * column c and its odd ones in column c + n/2: those two columns differ by one sample's step, where
 * neighbouring columns differ by two channels' offsets. Quiet or white-noise data never tell.
 */
export function multipleFrameChannels(data: Int16Array, typed: number): number | null {
  const double = 2 * typed;
  const framesDouble = Math.min(FRAME_FIT_FRAMES, Math.floor(data.length / (double + 1)));
  const frames = Math.min(FRAME_FIT_FRAMES, Math.floor(data.length / (typed + 1)));
  if (typed >= 2 && framesDouble >= 100 && roughness(data, double, framesDouble) < roughness(data, typed, framesDouble) / 2) return double;
  const half = typed / 2;
  if (Number.isInteger(half) && half >= 2 && frames >= 100) {
    const twin = columnGap(data, typed, frames, half, half);
    const neighbour = columnGap(data, typed, frames, half - 1, 1);
    if (twin < neighbour / 2) return half;
  }
  return null;
}

/** multipleFrameChannels said as a warning: what the traces would show, and what to do. */
export function multipleFrameWarning(data: Int16Array, typed: number): string | null {
  const seen = multipleFrameChannels(data, typed);
  if (seen === null) return null;
  const shows = seen > typed ? 'each trace alternates between two channels' : 'each channel is shown twice, at half its rate, and times run twice as slow';
  return `the data look like ${seen} channels per frame, not the ${typed} given (${seen > typed ? 'twice' : 'half'} as many): if so, ${shows}; reopen it with ${seen}`;
}

/**
 * SpikeGLX's sync word changes a few times a second; a neural column changes nearly every sample.
 * Whether column `column` of `frameChannels`-wide frames changes in under 1% of steps.
 */
export function looksLikeSync(data: Int16Array, frameChannels: number, column: number): boolean {
  return changeShare(data, frameChannels, column) < 0.01;
}

/** The share of steps at which column `column` of `frameChannels`-wide frames changes (1 when too few frames). */
function changeShare(data: Int16Array, frameChannels: number, column: number): number {
  const frames = Math.min(FRAME_FIT_FRAMES, Math.floor(data.length / frameChannels));
  if (frames <= 100) return 1;
  let changes = 0;
  for (let t = 1; t < frames; t++) changes += data[t * frameChannels + column] !== data[(t - 1) * frameChannels + column] ? 1 : 0;
  return changes / (frames - 1);
}

/**
 * The frame width at which the data end in SpikeGLX's sync word: the smallest count whose last column
 * barely changes while the first changes at most steps (a multiple of it would too). Null for data
 * without a sync channel, or too short, or silent.
 */
export function syncFrameChannels(data: Int16Array, max = 1024): number | null {
  for (let n = 2; n <= max && Math.floor(data.length / n) > 100; n++) if (looksLikeSync(data, n, n - 1) && changeShare(data, n, 0) > 0.5) return n;
  return null;
}

/** betterFrameChannels in a sentence, else null. */
export function oneOffProblem(data: Int16Array, typed: number): string | null {
  const better = betterFrameChannels(data, typed);
  return better === null ? null : `the data look like ${better} channels per frame, not ${typed}${better === 385 ? ' (SpikeGLX saves 384 + the sync channel)' : ''}: every trace shown mixes channels; reopen it with ${better}`;
}

/**
 * What is wrong with following the first data as frames of `typed` columns, the first `neural` of
 * them channels (the rest SpikeGLX's sync word), in a sentence; null when nothing shows.
 */
export function frameCountProblem(data: Int16Array, typed: number, neural: number): string | null {
  const oneOff = oneOffProblem(data, typed);
  if (oneOff) return oneOff;
  const sync = syncFrameChannels(data);
  if (sync !== null && sync !== typed) return `the data look like ${sync} channels per frame, the last SpikeGLX's sync channel, not ${typed}: every trace shown mixes channels; reopen it with ${sync}`;
  // (Too few frames to tell a sync word from a channel: nothing said.)
  if (neural < typed && Math.floor(data.length / typed) > 100 && !looksLikeSync(data, typed, neural)) return `column ${typed} of the ${typed} followed is not SpikeGLX's sync channel (it changes with nearly every sample): if the file has ${neural} channels, reopen it with ${neural}`;
  return null;
}

/**
 * The file's first `bytes` (from `offset`) as int16, or null while it is shorter (or cannot be read);
 * with `orLess`, as much of them as a shorter file holds (a finished file will not grow).
 */
export async function firstBytes(path: string, bytes: number, orLess = false, offset = 0): Promise<Int16Array | null> {
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return null;
  try {
    // As much as the file holds, with orLess: a short file's check allocates no more than it.
    const size = orLess ? (await fh.stat().catch(() => null))?.size : undefined;
    const fits = size === undefined ? bytes : Math.max(0, Math.min(bytes, size - offset));
    const want = fits - (fits % 2);
    const buf = new Int16Array(want / 2);
    const { bytesRead } = await fh.read(new Uint8Array(buf.buffer), 0, want, offset).catch(() => ({ bytesRead: -1 }));
    if (bytesRead < 0) return null;
    if (orLess) return buf.subarray(0, bytesRead >> 1);
    return bytesRead === want && want === bytes ? buf : null;
  } finally {
    await fh.close();
  }
}

/**
 * The frame width the data show when it is not the one declared (one off, or another width ending in
 * SpikeGLX's sync word), else null: a .meta that belongs to another file, or was edited.
 */
export function dataFrameChannels(data: Int16Array, declared: number): number | null {
  const better = betterFrameChannels(data, declared);
  if (better !== null) return better;
  const sync = syncFrameChannels(data);
  return sync !== null && sync !== declared ? sync : null;
}
