// Opens whatever a lab points ProbeDeck at: a SpikeGLX .bin with its .meta, an Open Ephys
// recording (oebin, recording, experiment or Record Node folder), or a raw file with options.
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { openOpenEphys, splitDatPath } from './openephys.ts';
import { openRaw, type RawOptions } from './raw.ts';
import { SourceError, fsError, type Source } from './source.ts';
import { binPathFor, metaPathFor, openSpikeGLX } from './spikeglx.ts';

export interface OpenOptions {
  raw?: RawOptions;
  stream?: string;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

export async function openSource(path: string, o: OpenOptions = {}): Promise<Source> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw fsError(path, err);
  }
  if (st.isDirectory()) {
    // A SpikeGLX run folder holds a .bin per stream: which one to open is the user's choice.
    const bins = (await readdir(path).catch(() => [] as string[])).filter((n) => /\.(ap|lf|nidq|obx)\.bin$/i.test(n)).sort();
    if (bins.length) throw new SourceError('FOLDER_OF_STREAMS', path, `is a folder of SpikeGLX streams (${bins.slice(0, 3).join(', ')}${bins.length > 3 ? ', …' : ''}): open one of the .bin files`);
    // An Open Ephys stream's own folder (…/continuous/<stream>/): that stream of its recording, as its continuous.dat opens.
    const inside = splitDatPath(join(path, 'continuous.dat'));
    if (inside && (await exists(join(path, 'continuous.dat')))) return openOpenEphys(inside.recording, o.stream ?? inside.stream);
  }
  if (st.isDirectory() || path.endsWith('structure.oebin')) return openOpenEphys(path, o.stream);
  // A SpikeGLX .meta names its .bin: that is the recording (read as raw, its text would be data).
  if (/\.meta$/i.test(path)) {
    const bin = binPathFor(path);
    if (await exists(bin)) return openSpikeGLX(bin);
    throw new SourceError('MISSING_BIN', path, `is a SpikeGLX .meta; the recording it describes, ${basename(bin)}, is not beside it`);
  }
  if (o.raw) return openRaw(path, o.raw);
  if (/\.bin$/i.test(path)) {
    if (await exists(metaPathFor(path))) return openSpikeGLX(path);
    throw new SourceError('MISSING_META', path, 'has no .meta beside it: give its channel count and sampling rate to read it as a raw file');
  }
  const dat = splitDatPath(path);
  if (dat) return openOpenEphys(dat.recording, o.stream ?? dat.stream);
  throw new SourceError('UNKNOWN_FORMAT', path, 'is not a recording ProbeDeck knows: give its channel count and sampling rate to read it as a raw file');
}
