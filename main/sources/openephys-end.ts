// When Open Ephys stops recording it closes each stream's files: continuous.dat gets the last,
// partly filled block of samples it held in memory (while recording it writes whole 4096-sample
// blocks and keeps the newest one back), then sample_numbers.npy gets its final header, stating
// every sample written. While recording, that header is only brought up to date now and then and
// always counts samples the .dat does not hold yet; a crash leaves it so. A header that states
// exactly the .dat's samples, over exactly that many values, is the recording's end.
// (Before GUI 0.6 the sample numbers were timestamps.npy, written the same way.)
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The samples a closed .npy states and holds, or null when its header and its data disagree (still being written). */
async function closedNpyCount(path: string): Promise<number | null> {
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return null;
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    if (bytesRead < 10 || head.toString('latin1', 1, 6) !== 'NUMPY') return null;
    const v1 = head[6] === 1;
    const start = (v1 ? 10 : 12) + (v1 ? head.readUInt16LE(8) : head.readUInt32LE(8));
    const header = head.toString('latin1', v1 ? 10 : 12, Math.min(start, bytesRead));
    const shape = /'shape':\s*\((\d+),?\s*\)/.exec(header);
    const item = /'descr':\s*'[<>|=]?[a-z](\d+)'/.exec(header);
    if (!shape || !item) return null;
    const n = Number(shape[1]);
    return (await fh.stat()).size === start + n * Number(item[1]) ? n : null;
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
