// Random-access reads of whole frames from an interleaved time-major file, keeping only the neural
// columns. The file handle stays open; nothing is read until asked for.
import { open, type FileHandle } from 'node:fs/promises';
import { keepColumns } from '../engine/columns.ts';
import { SourceError, fsError } from './source.ts';

export interface FrameLayout {
  path: string;
  headerBytes: number;
  frameChannels: number;
  dtype: 'int16' | 'uint16' | 'float32';
  /** File columns to return, in order. */
  columns: number[];
  /**
   * A partial last frame is left out rather than refused: for files whose channel count comes
   * from their metadata, where it can only mean the file was cut short (a crash, a copy).
   */
  partialLastFrame?: boolean;
}

export interface FrameFile {
  samples: number;
  layout: FrameLayout;
  /**
   * Rows [start, end) of the chosen columns. With `scratch` (at least rows × frameChannels × bytes)
   * the result is a view into it, so a long batch job reuses one buffer instead of faulting in a
   * new one per chunk.
   */
  read(start: number, end: number, scratch?: ArrayBuffer): Promise<Int16Array | Float32Array>;
  close(): Promise<void>;
}

export const bytesPerSample = (dtype: FrameLayout['dtype']) => (dtype === 'float32' ? 4 : 2);

/** The bytes past the last whole frame. */
export function partialFrameBytes(size: number, layout: Omit<FrameLayout, 'path' | 'columns'>): number {
  return (size - layout.headerBytes) % (layout.frameChannels * bytesPerSample(layout.dtype));
}

/**
 * Frame count of a file, refusing sizes that are not whole frames (a truncated or misdescribed file)
 * unless the layout leaves a partial last frame out.
 */
export function frameCount(path: string, size: number, layout: Omit<FrameLayout, 'path' | 'columns'>): number {
  const frame = layout.frameChannels * bytesPerSample(layout.dtype);
  const data = size - layout.headerBytes;
  if (data < frame) throw new SourceError('FILE_TOO_SMALL', path, `${Math.max(0, data)} data bytes is less than one frame of ${layout.frameChannels} ${layout.dtype} channels (${frame} bytes)`);
  if (data % frame !== 0 && layout.partialLastFrame) return Math.floor(data / frame);
  if (data % frame !== 0) {
    throw new SourceError('NOT_WHOLE_FRAMES', path, `${data} data bytes is not a whole number of ${layout.frameChannels}-channel ${layout.dtype} frames (${frame} bytes each): the file is truncated or the channel count is wrong`);
  }
  return data / frame;
}

export async function openFrames(layout: FrameLayout): Promise<FrameFile> {
  let fh: FileHandle;
  try {
    fh = await open(layout.path, 'r');
  } catch (err) {
    throw fsError(layout.path, err);
  }
  let samples: number;
  try {
    const size = (await fh.stat().catch((err: unknown) => {
      throw fsError(layout.path, err);
    })).size;
    samples = frameCount(layout.path, size, layout);
  } catch (err) {
    await fh.close(); // a file refused for its size stays closed, however often it is retried
    throw err;
  }
  const n = layout.frameChannels;
  const bps = bytesPerSample(layout.dtype);
  const cols = layout.columns;
  return {
    samples,
    layout,
    async read(start, end, scratch) {
      if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > samples || start > end) {
        throw new SourceError('BAD_RANGE', layout.path, `rows [${start}, ${end}) are outside [0, ${samples})`);
      }
      const rows = end - start;
      const bytes = rows * n * bps;
      if (scratch !== undefined && scratch.byteLength < bytes) throw new RangeError(`scratch holds ${scratch.byteLength} bytes, rows [${start}, ${end}) need ${bytes}`);
      const buf = scratch ?? new ArrayBuffer(bytes);
      // The file named: 'EIO: i/o error, read' alone does not say which of the open sources failed.
      const { bytesRead } = await fh.read(new Uint8Array(buf, 0, bytes), 0, bytes, layout.headerBytes + start * n * bps).catch((err: unknown) => {
        throw fsError(layout.path, err);
      });
      if (bytesRead !== bytes) throw new SourceError('SHORT_READ', layout.path, `the file shrank while reading rows [${start}, ${end})`);
      const all = layout.dtype === 'float32' ? new Float32Array(buf, 0, rows * n) : new Int16Array(buf, 0, rows * n);
      return keepColumns(all, n, cols, layout.dtype === 'uint16');
    },
    close: () => fh.close()
  };
}
