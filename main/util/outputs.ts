// Where results are written: checked before anything is, so a mistyped --out can neither replace
// the recording it is made from nor fail half-way with an error about a hidden temporary name.
import { lstat, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ProbeDeckError, isInteger } from './is.ts';
import { pidAlive } from './pid.ts';

/** The real path of `path`, or of its parent joined with its name when it does not exist yet. */
async function realOrPlanned(path: string): Promise<string> {
  const abs = resolve(path);
  return realpath(abs).catch(async () => join(await realpath(dirname(abs)).catch(() => dirname(abs)), basename(abs)));
}

function inside(child: string, parent: string): boolean {
  const r = relative(parent, child);
  // "..rec/x.bin" is inside: only a whole ".." segment leaves the folder.
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

/** The nearest path up from `path` (itself included) that exists. */
export async function existingAncestor(path: string): Promise<string> {
  let p = resolve(path);
  while (!(await stat(p).catch(() => null))) {
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  return p;
}

/**
 * The folder an output goes into exists and is a folder; the output itself is not a folder. A file's
 * folder must exist; an export folder's missing parents are made when it is written (as
 * SpikeInterface's save() makes them), under the nearest folder that exists.
 */
export async function checkDestination(output: string, kind: 'file' | 'folder'): Promise<void> {
  const parent = dirname(resolve(output));
  const base = kind === 'folder' ? await existingAncestor(parent) : parent;
  const st = await stat(base).catch(() => null);
  if (st && !st.isDirectory()) throw new ProbeDeckError('NO_DESTINATION', `${base} is a file: ${kind === 'folder' ? 'an export folder' : 'the output'} cannot be made under it`);
  if (!st) throw new ProbeDeckError('NO_DESTINATION', `${parent} does not exist or is not a folder: create it first`);
  if (kind === 'file' && (await stat(output).catch(() => null))?.isDirectory()) {
    throw new ProbeDeckError('NO_DESTINATION', `${resolve(output)} is a folder: give the path of a file to write`);
  }
}

/**
 * A file output that is not the input file (by path, symbolic link or hard link): the input is read
 * while the output is written, and the output replaces whatever is at its path.
 */
export async function checkFileOutput(output: string, input: string, replace = true): Promise<void> {
  await checkDestination(output, 'file');
  // As bigints: Windows file ids do not fit a double; 0 is "unknown" on some network shares.
  const [o, i] = await Promise.all([stat(output, { bigint: true }).catch(() => null), stat(input, { bigint: true }).catch(() => null)]);
  const sameFile = o !== null && i !== null && o.ino !== 0n && o.dev === i.dev && o.ino === i.ino;
  if (sameFile || (await realOrPlanned(output)) === (await realOrPlanned(input))) {
    throw new ProbeDeckError('OUTPUT_IS_INPUT', `the output ${resolve(output)} is the input file itself: write it to another path`);
  }
  if (!replace && o !== null) throw new ProbeDeckError('EXISTS', `${resolve(output)} already exists: give another path, or --overwrite to replace it`);
}

/** A folder output that neither is nor holds any of `inputs`: replacing it would delete them. */
export async function checkFolderOutput(outDir: string, inputs: string[]): Promise<void> {
  await checkDestination(outDir, 'folder');
  const out = await realOrPlanned(outDir);
  for (const input of inputs) {
    const real = await realOrPlanned(input);
    if (inside(real, out)) {
      const what = real === out ? 'is the recording being read' : `holds the recording being read (${input})`;
      throw new ProbeDeckError('OUTPUT_HOLDS_INPUT', `${resolve(outDir)} ${what}: writing there would replace it; choose another folder`);
    }
  }
}

/** Counts the hidden names this process has made, so no two are the same. */
let hiddenNames = 0;

/**
 * The hidden name an output is written under until it is complete: the process id (a dead process's
 * are removed by settleLeftovers), then a count, so two runs in one process (two exports started
 * from two browser tabs) never share one.
 */
export function partialName(output: string): string {
  return join(dirname(resolve(output)), `.${basename(output)}.partial-${process.pid}-${++hiddenNames}`);
}

/**
 * The hidden name an earlier export is moved to while its replacement is renamed into place: the
 * process id, so a run that dies between the two renames is found (and the old export put back) by
 * settleLeftovers; a count, so that what a replace could not delete stands in no later one's way.
 */
export function replacedName(output: string): string {
  return join(dirname(resolve(output)), `.${basename(output)}.replaced-${process.pid}-${++hiddenNames}`);
}

const missing = (path: string) => lstat(path).then(() => false, (err: NodeJS.ErrnoException) => err.code === 'ENOENT');

/**
 * Settles what runs whose process died (killed, power cut) left beside `output`. Their temporary
 * outputs are removed. An earlier export a replacing run had moved aside is put back only when the
 * run died between its renames: its new export, complete, is still under its temporary name, and
 * nothing is at `output`. Otherwise (it died after them, or while deleting the old one) it is
 * removed: what is at `output`, or what the user did with it since, stands.
 */
export async function settleLeftovers(output: string): Promise<void> {
  const parent = dirname(resolve(output));
  const name = basename(output);
  const deadPid = (entry: string, kind: string) => {
    const prefix = `.${name}.${kind}-`;
    if (!entry.startsWith(prefix)) return null;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    return isInteger(pid) && pid !== process.pid && !pidAlive(pid) ? pid : null;
  };
  const entries = await readdir(parent).catch(() => []);
  const partialOf = new Set(entries.map((e) => deadPid(e, 'partial')).filter((pid) => pid !== null));
  // Of a run's earlier exports moved aside, only its last can be one it died before replacing: the
  // others are what replaces before it could not delete entirely (their counts are lower).
  const count = (entry: string) => Number(entry.split('-').at(-1));
  const lastOf = new Map<number, string>();
  for (const entry of entries) {
    const pid = deadPid(entry, 'replaced');
    if (pid !== null && !(count(lastOf.get(pid) ?? '') >= count(entry))) lastOf.set(pid, entry);
  }
  for (const entry of entries) {
    const pid = deadPid(entry, 'replaced');
    if (pid === null) continue;
    const path = join(parent, entry);
    // Another settling (the startup's and an export's start at once) may have moved it first: then it is settled.
    if (!partialOf.has(pid) || lastOf.get(pid) !== entry || !(await missing(output))) await rm(path, { recursive: true, force: true });
    else
      await rename(path, output).catch((err: NodeJS.ErrnoException) => {
        if (!['ENOENT', 'EEXIST', 'ENOTEMPTY'].includes(err.code ?? '')) throw err;
      });
  }
  for (const entry of entries) if (deadPid(entry, 'partial') !== null) await rm(join(parent, entry), { recursive: true, force: true });
}

/**
 * Settles what runs that died left beside their outputs (settleLeftovers): called with the
 * destinations of exports the history found interrupted, when ProbeDeck starts. A killed export's
 * temporary folder holds the traces written so far (tens of GB for an hour of 384 channels), hidden; it was removed only by a
 * later export to the same folder. Best effort: a folder that cannot be read is left as it is.
 */
export async function settleInterrupted(outputs: string[]): Promise<void> {
  for (const output of new Set(outputs)) await settleLeftovers(output).catch(() => {});
}
