// SpikeGLX names a run's files <run>_g<G>_t<T>.<stream>.bin: a triggered run writes t0, t1, … one
// after the other in one folder, and a run started again without "folder per run" writes g1, g2, …
// beside g0. Once a followed file has ended, a later one of its stream there is where the recording
// went on; the view that followed the first says so rather than stay on its end.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { metaPathFor } from './spikeglx.ts';

const NAME = /^(.*)_g(\d+)_t(\d+)\.(.+)\.bin$/i;

/** The latest file of the same run and stream beside `path`, later in g or t; null if none. */
export async function laterRunFile(path: string): Promise<string | null> {
  const m = NAME.exec(basename(path));
  if (!m) return null;
  const [run, stream] = [m[1], m[4].toLowerCase()];
  const order = (g: string, t: string) => Number(g) * 1e6 + Number(t);
  let best: { name: string; at: number } | null = null;
  for (const name of await readdir(dirname(path)).catch(() => [] as string[])) {
    const k = NAME.exec(name);
    if (!k || k[1] !== run || k[4].toLowerCase() !== stream) continue;
    const at = order(k[2], k[3]);
    if (at > order(m[2], m[3]) && (!best || at > best.at)) best = { name, at };
  }
  return best ? join(dirname(path), best.name) : null;
}

/** What to add to a followed file's end when a later file of its run is beside it. */
export async function laterRunNote(path: string): Promise<string | null> {
  const later = await laterRunFile(path);
  if (!later) return null;
  // Without its .meta yet, SpikeGLX is still writing it.
  return existsSync(metaPathFor(later))
    ? `a later file of this run was written beside it: ${basename(later)}`
    : `a later file of this run is being written beside it: ${basename(later)}: open it to follow the recording on`;
}
