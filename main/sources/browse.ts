// The browser-mode file browser: lists folders and recordings under the roots the user allowed
// (--data-root), never anywhere else — paths are resolved through symlinks before the check.
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { BrowseEntry, BrowseReply } from '../api/domains/sources.ts';
import { ProbeDeckError } from '../util/is.ts';
import { fsError } from './source.ts';

async function inside(path: string, roots: string[]): Promise<{ real: string; root: string }> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    throw fsError(path, err);
  }
  for (const r of roots) {
    const root = await realpath(r).catch(() => null);
    if (root && (real === root || real.startsWith(root + sep))) return { real, root };
  }
  throw new ProbeDeckError('OUTSIDE_DATA_ROOT', `${path} is outside the folders ProbeDeck may browse (${roots.join(', ') || 'none: start with --data-root'})`);
}

export async function browse(path: string | undefined, roots: string[]): Promise<BrowseReply> {
  if (roots.length === 0) throw new ProbeDeckError('NO_DATA_ROOT', 'no folder may be browsed: start ProbeDeck with --data-root FOLDER');
  const { real, root } = await inside(path ?? roots[0], roots);
  let names;
  try {
    names = await readdir(real, { withFileTypes: true });
  } catch (err) {
    throw fsError(real, err);
  }
  const entries: BrowseEntry[] = [];
  for (const e of names) {
    if (e.name.startsWith('.')) continue;
    const p = join(real, e.name);
    let isDir = e.isDirectory();
    if (e.isSymbolicLink()) isDir = (await stat(p).catch(() => null))?.isDirectory() ?? false;
    if (isDir) entries.push({ name: e.name, path: p, kind: 'folder' });
    else if (/\.(ap|lf|nidq)\.bin$/i.test(e.name) || e.name === 'structure.oebin' || e.name === 'continuous.dat') entries.push({ name: e.name, path: p, kind: 'recording' });
    else if (/\.(bin|dat|raw)$/i.test(e.name)) entries.push({ name: e.name, path: p, kind: 'raw' });
  }
  entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
  return { root, path: real, parent: real === root ? null : join(real, '..'), entries };
}
