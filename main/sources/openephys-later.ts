// Open Ephys starts a new folder each time recording is started again: recording2 beside recording1
// while acquisition runs on, experiment2 once it was stopped and started. Once a followed stream has
// ended, the same stream in a later one of these is where the recording went on; the view says so
// rather than stay on its end.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { openEphysEndSamples } from './openephys-end.ts';

const numbered = (prefix: string) => async (dir: string) =>
  (await readdir(dir).catch(() => [] as string[])).flatMap((name) => {
    const m = new RegExp(`^${prefix}(\\d+)$`).exec(name);
    return m ? [{ name, n: Number(m[1]) }] : [];
  });

/** The stream's continuous.dat in the latest recording after the one `dat` is in; null if none. */
export async function laterOpenEphysDat(dat: string): Promise<string | null> {
  const stream = basename(dirname(dat));
  const recording = dirname(dirname(dirname(dat)));
  const experiment = dirname(recording);
  const node = dirname(experiment);
  const [e, r] = [/^experiment(\d+)$/.exec(basename(experiment)), /^recording(\d+)$/.exec(basename(recording))];
  if (!e || !r || basename(dirname(dirname(dat))) !== 'continuous') return null;
  const at = Number(e[1]) * 1e6 + Number(r[1]);
  let best: { dat: string; at: number } | null = null;
  for (const ex of await numbered('experiment')(node)) {
    for (const rec of await numbered('recording')(join(node, ex.name))) {
      const later = ex.n * 1e6 + rec.n;
      const candidate = join(node, ex.name, rec.name, 'continuous', stream, 'continuous.dat');
      if (later > at && (!best || later > best.at) && existsSync(candidate)) best = { dat: candidate, at: later };
    }
  }
  return best?.dat ?? null;
}

/** What to add to a followed stream's end when a later recording of it is beside it. */
export async function laterOpenEphysNote(dat: string, frameChannels: number): Promise<string | null> {
  const later = await laterOpenEphysDat(dat);
  if (!later) return null;
  // experimentE/recordingR, from the Record Node's folder.
  const where = relative(dirname(dirname(dirname(dirname(dirname(dat))))), dirname(dirname(dirname(later))));
  // Until Open Ephys closes it, it is still being recorded.
  return (await openEphysEndSamples(later, frameChannels)) !== null
    ? `a later recording of this stream was made beside it: ${where}`
    : `a later recording of this stream is being made beside it: ${where}: open it to follow the recording on`;
}
