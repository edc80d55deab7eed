// When Open Ephys stops recording it closes each stream's files: continuous.dat gets the last,
// partly filled block of samples it held in memory (while recording it writes whole 4096-sample
// blocks and keeps the newest one back), then sample_numbers.npy gets its final header, stating
// every sample written. While recording, that header is only brought up to date now and then and
// always counts samples the .dat does not hold yet; a crash leaves it so. A header that states
// exactly the .dat's samples, over exactly that many values, is the recording's end.
// (Before GUI 0.6 the sample numbers were timestamps.npy, written the same way.)
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseNpyHeader } from './npy.ts';

/** The samples a closed .npy states and holds, or null when its header and its data disagree (still being written). */
async function closedNpyCount(path: string): Promise<number | null> {
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, head.length, 0).catch(() => ({ bytesRead: 0 }));
    const h = parseNpyHeader(head, bytesRead);
    if (!h?.descr || h.length === null) return null;
    return (await fh.stat().catch(() => null))?.size === h.dataStart + h.length * h.descr.itemBytes ? h.length : null;
  } finally {
    await fh.close();
  }
}

/** Samples in a followed stream's continuous.dat once Open Ephys has closed it; null while it may still be recording. */
export async function openEphysEndSamples(dat: string, frameChannels: number): Promise<number | null> {
  const size = (await stat(dat).catch(() => null))?.size;
  if (size === undefined || size % (frameChannels * 2) !== 0) return null;
  const frames = size / (frameChannels * 2);
  const dir = join(dat, '..');
  const stated = (await closedNpyCount(join(dir, 'sample_numbers.npy'))) ?? (await closedNpyCount(join(dir, 'timestamps.npy')));
  return stated === frames ? frames : null;
}
