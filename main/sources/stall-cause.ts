// Why a followed file went silent, where the file itself tells: acquisition software writes whole
// frames, so a file that stays cut inside one was left mid-write (a full disk, a crash), and a disk
// with less room than a second of the stream is full whatever the writer says.
import { stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

const MiB = 2 ** 20;

/** What the sizes say: `partialBytes` past the last whole frame, `freeBytes` left on the disk (null: unknown). */
export function stallCauseOf(o: { partialBytes: number; frameBytes: number; freeBytes: number | null; bytesPerSecond: number }): string | null {
  const midWrite = o.partialBytes > 0 ? `the file ends ${o.partialBytes} bytes into a frame of ${o.frameBytes}, so its writer stopped mid-write` : null;
  if (o.freeBytes !== null && o.freeBytes < o.bytesPerSecond) {
    return `the disk holding it is full (${(o.freeBytes / MiB).toFixed(1)} MiB free)${midWrite ? `; ${midWrite}` : ''}: free some space on it`;
  }
  return midWrite ? `${midWrite} (a full disk, or the acquisition stopped abnormally?)` : null;
}

/** Looks at `path` and its disk now; null when neither says more than the silence. */
export async function stallCause(path: string, frameBytes: number, bytesPerSecond: number): Promise<string | null> {
  const size = (await stat(path).catch(() => null))?.size;
  if (size === undefined) return null;
  const disk = await statfs(dirname(path)).catch(() => null);
  return stallCauseOf({ partialBytes: size % frameBytes, frameBytes, freeBytes: disk ? disk.bavail * disk.bsize : null, bytesPerSecond });
}
