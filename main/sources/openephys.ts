// Open Ephys binary format: Record Node N/experimentE/recordingR/structure.oebin describing one or
// more continuous streams, each continuous/<folder>/continuous.dat (int16, time-major).
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { firstNpyValue } from './npy.ts';
import { findOpenEphysProbe } from './openephys-settings.ts';
import { frameFitBytes, betterFrameChannels, firstBytes } from './frame-fit.ts';
import { frameCount, openFrames, partialFrameBytes } from './frame-reader.ts';
import { SourceError, fsError, fsProblem, type ChannelInfo, type Source, type SourceInfo } from './source.ts';
import { MAX_CHANNELS, MAX_FS } from '../engine/validate.ts';

interface OebinChannel {
  channel_name: string;
  bit_volts: number;
  units?: string;
}
interface OebinStream {
  folder_name: string;
  sample_rate: number;
  stream_name?: string;
  num_channels: number;
  channels: OebinChannel[];
}

/**
 * Finds structure.oebin files from an oebin, a recording, an experiment or a Record Node folder.
 * A folder below it that cannot be listed (a drive's lost+found, another user's folder, /proc/1/fdinfo
 * under /) is passed over, and returned in `unreadable`: it stopped the whole search.
 */
export async function findOebins(path: string): Promise<{ oebins: string[]; unreadable: string[] }> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw fsError(path, err);
  }
  if (st.isFile()) return { oebins: basename(path) === 'structure.oebin' ? [path] : [], unreadable: [] };
  const found: string[] = [];
  const unreadable: string[] = [];
  const walk = async (dir: string, depth: number) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (depth === 0) throw fsError(dir, err); // the folder asked for
      unreadable.push(`${dir} (${fsProblem(err)})`);
      return;
    }
    for (const e of entries) {
      if (e.isFile() && e.name === 'structure.oebin') found.push(join(dir, e.name));
      else if (e.isDirectory() && depth < 3 && !e.name.startsWith('.')) await walk(join(dir, e.name), depth + 1);
    }
  };
  await walk(path, 0);
  return { oebins: found.sort(), unreadable };
}

/** The fields ProbeDeck reads from a stream entry, each of the type it needs, or an error naming the field. */
function checkStream(oebin: string, s: unknown, k: number): OebinStream {
  const bad = (what: string): never => {
    throw new SourceError('BAD_OEBIN', oebin, `continuous stream ${k}: ${what}`);
  };
  if (!s || typeof s !== 'object') bad('is not an object');
  const o = s as Record<string, unknown>;
  if (typeof o.folder_name !== 'string' || o.folder_name === '') bad('"folder_name" is missing or not a text');
  // A stream's folder lies under the recording's continuous/ folder: a name that climbs out of it
  // ("../../…") would read a file elsewhere on the disk (outside the folders a browser may open).
  if ((o.folder_name as string).split(/[\\/]/).some((part) => part === '..') || isAbsolute(o.folder_name as string)) bad(`"folder_name" ${JSON.stringify(o.folder_name)} leaves the recording's continuous folder`);
  // JSON's 1e999 parses as Infinity: bounded as a SpikeGLX rate is.
  if (typeof o.sample_rate !== 'number' || !(o.sample_rate > 0 && o.sample_rate <= MAX_FS)) bad(`"sample_rate" must be a rate above 0 and at most ${MAX_FS / 1e6} MHz (${typeof o.sample_rate === 'number' ? o.sample_rate : JSON.stringify(o.sample_rate)})`);
  // 0 channels made a source of no channels and infinitely many samples (its size over 0-byte frames).
  if (typeof o.num_channels !== 'number' || !Number.isInteger(o.num_channels) || o.num_channels < 1 || o.num_channels > MAX_CHANNELS) bad(`"num_channels" must be a whole number from 1 to ${MAX_CHANNELS} (${JSON.stringify(o.num_channels)})`);
  if (!Array.isArray(o.channels)) bad('"channels" is missing or not a list');
  (o.channels as unknown[]).forEach((c, i) => {
    const ch = c as Record<string, unknown> | null;
    if (!ch || typeof ch !== 'object' || typeof ch.channel_name !== 'string') bad(`channel ${i} has no "channel_name"`);
    // Neural channels only: their µV come from bit_volts (the sync and ADC channels are split off).
    const neural = !/_SYNC$/.test(ch!.channel_name as string) && !/ADC/.test(ch!.channel_name as string);
    if (neural && (typeof ch!.bit_volts !== 'number' || !(Number.isFinite(ch!.bit_volts) && ch!.bit_volts > 0))) bad(`channel ${i} ("${String(ch!.channel_name)}") has no usable "bit_volts", so its µV cannot be known`);
    // The sync channel's is its gain as a separate stream.
    if (!neural && typeof ch!.bit_volts !== 'number') bad(`channel ${i} ("${String(ch!.channel_name)}") has no "bit_volts" number`);
  });
  return o as unknown as OebinStream;
}

/** `live`: the .dat is still being written, so a trailing partial frame is expected (and not counted). */
export async function describeOpenEphys(oebin: string, wanted?: string, live = false): Promise<SourceInfo & { dat: string }> {
  let doc: { continuous?: OebinStream[] };
  try {
    doc = JSON.parse(await readFile(oebin, 'utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) throw new SourceError('BAD_OEBIN', oebin, `is not valid JSON (${err.message})`);
    throw fsError(oebin, err);
  }
  const listed = doc && typeof doc === 'object' ? doc.continuous : undefined;
  if (listed !== undefined && !Array.isArray(listed)) throw new SourceError('BAD_OEBIN', oebin, '"continuous" is not a list of streams');
  // Every entry needs a name to be chosen by; only the chosen stream is read, so only it is checked whole.
  const streams = (listed ?? []).map((s, k) => {
    if (!s || typeof s !== 'object' || typeof (s as OebinStream).folder_name !== 'string') throw new SourceError('BAD_OEBIN', oebin, `continuous stream ${k}: ${!s || typeof s !== 'object' ? 'is not an object' : '"folder_name" is missing or not a text'}`);
    return s as OebinStream;
  });
  if (streams.length === 0) throw new SourceError('NO_CONTINUOUS', oebin, 'describes no continuous stream');
  // A stream_name that is not a text (a hand-edited oebin) is passed over for the folder's name.
  const name = (s: OebinStream) => (typeof s.stream_name === 'string' ? s.stream_name : s.folder_name.replace(/\/$/, ''));
  // A probe's AP stream: not an analog board's, not an LFP; the folder names the processor (NI-DAQmx-104.PXIe-6341) where the stream name may not.
  const probeStreams = streams.filter((s) => !/ADC|NI-DAQ|LFP/i.test(`${s.folder_name} ${name(s)}`));
  const stream = wanted ? streams.find((s) => name(s) === wanted || s.folder_name.replace(/\/$/, '') === wanted) : (probeStreams[0] ?? streams[0]);
  if (!stream) throw new SourceError('NO_SUCH_STREAM', oebin, `has no stream "${wanted}" (it has ${streams.map(name).join(', ')})`);
  checkStream(oebin, stream, streams.indexOf(stream));
  if (stream.channels.length !== stream.num_channels) throw new SourceError('BAD_OEBIN', oebin, `stream "${name(stream)}" lists ${stream.channels.length} channels but num_channels is ${stream.num_channels}`);
  const dir = join(dirname(oebin), 'continuous', stream.folder_name.replace(/\/$/, ''));
  const dat = join(dir, 'continuous.dat');
  let size: number;
  try {
    size = (await stat(dat)).size;
  } catch (err) {
    throw fsError(dat, err);
  }
  // The channel count is the oebin's: a partial last frame means a run cut short, left out and said.
  const layout = { headerBytes: 0, frameChannels: stream.num_channels, dtype: 'int16', partialLastFrame: true } as const;
  const samples = live ? Math.floor(size / (stream.num_channels * 2)) : frameCount(dat, size, layout);
  // t_start as neo gives it to SpikeInterface: the first of sample_numbers.npy where that file is
  // (GUI 0.6 on; its timestamps.npy are seconds then), else of timestamps.npy (sample numbers before
  // 0.6), over the rate; 0 for an empty one, never the other file's.
  const numbers = join(dir, 'sample_numbers.npy');
  const first = (await firstNpyValue((await stat(numbers).then(() => true, () => false)) ? numbers : join(dir, 'timestamps.npy'))) ?? 0;
  // Neural channels only: ADC channels and a trailing _SYNC channel are separate streams in SpikeInterface.
  const channels: ChannelInfo[] = [];
  let sync: SourceInfo['syncChannel'] = null;
  stream.channels.forEach((c, col) => {
    if (/_SYNC$/.test(c.channel_name)) sync = { column: col, gain: c.bit_volts };
    else if (!/ADC/.test(c.channel_name)) {
      // Newer Open Ephys leaves "units" empty: a probe's bit_volts are µV, an analog input's (NI-DAQ
      // AI0…, ±10 V in 16 bits: 0.000305) are volts.
      const volts = c.units === 'V' || (!c.units && (/^AI\d+$/.test(c.channel_name) || /NI-DAQ/i.test(name(stream))));
      const toUv = volts ? 1e6 : c.units === 'mV' ? 1e3 : 1;
      channels.push({ id: c.channel_name, index: channels.length, readout: col, x: 0, y: channels.length * 20, shank: 0, gainUv: c.bit_volts * toUv, offsetUv: 0 });
    }
  });
  // The layout applies to a stream of the whole probe, its readout channel k in column k; a stream of
  // other channels (NI-DAQ, a subset) keeps a plain column.
  const { probe, missing } = await findOpenEphysProbe(oebin, name(stream));
  const laidOut = probe !== null && probe.contacts.size === channels.length && channels.every((c) => probe.contacts.has(c.readout));
  if (laidOut) for (const c of channels) Object.assign(c, probe.contacts.get(c.readout));
  // A Neuropixels stream without its layout is shown, referenced and exported as a made-up column:
  // say so wherever it is used, rather than hand a sorter invented positions.
  const warnings: string[] = [];
  // Several probes in one recording, none asked for: the first is taken, as SpikeGLX's folder of
  // streams is not; say which, so that a second probe's data are not taken for the first's.
  if (!wanted && probeStreams.length > 1) {
    warnings.push(`the recording holds ${probeStreams.length} probe streams (${probeStreams.map(name).join(', ')}): this is ${name(stream)}; open another by its stream name or its own continuous/ folder`);
  }
  const partial = live ? 0 : partialFrameBytes(size, layout);
  if (partial > 0) warnings.push(`continuous.dat ends in ${partial} bytes of a partial frame, left out: it was cut short, or num_channels (${stream.num_channels}) is not the data's`);
  if (!laidOut && /probe/i.test(name(stream))) {
    const why = probe === null ? missing : `the settings file's probe has ${probe.contacts.size} channels, this stream ${channels.length}`;
    warnings.push(`the probe's layout is unknown (${why}): its channels are placed in a made-up column, so a per-shank or local reference and a sorter's channel map would be wrong`);
  }
  return {
    format: 'openephys',
    path: oebin,
    dat,
    stream: name(stream),
    channels,
    fs: stream.sample_rate,
    dtype: 'int16',
    samples,
    durationS: samples / stream.sample_rate,
    tStart: first / stream.sample_rate,
    syncChannel: sync,
    live,
    probe: laidOut && probe ? { kind: probe.kind, partNumber: probe.partNumber } : { kind: 'other', partNumber: probe?.partNumber ?? null },
    frameChannels: stream.num_channels,
    headerBytes: 0,
    wallClockStart: null,
    ...(warnings.length ? { warnings } : {})
  };
}

/**
 * The one recording (structure.oebin) under `path`. A folder of several (experiments, recordings)
 * says which it holds rather than taking the first: each is a different stretch of time.
 */
export async function theOebin(path: string): Promise<string> {
  const { oebins, unreadable } = await findOebins(path);
  if (oebins.length === 0) {
    const passed = unreadable.length ? `; ${unreadable.length} folder${unreadable.length > 1 ? 's' : ''} in it could not be looked into: ${unreadable.slice(0, 3).join(', ')}${unreadable.length > 3 ? ', …' : ''}` : '';
    throw new SourceError('NO_RECORDING', path, `holds no Open Ephys recording (no structure.oebin found${passed})`);
  }
  if (oebins.length > 1) {
    const names = oebins.map((o) => relative(path, dirname(o)) || '.');
    throw new SourceError('SEVERAL_RECORDINGS', path, `holds ${oebins.length} Open Ephys recordings (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}): open the folder of one`);
  }
  return oebins[0];
}

export async function openOpenEphys(path: string, stream?: string): Promise<Source> {
  const { dat, ...described } = await describeOpenEphys(await theOebin(path), stream);
  // The stream's own file names the source: opened again (an export, the recent list) it is that
  // stream, where the oebin would be its first one.
  const info = { ...described, path: dat };
  // num_channels decides how the data are read; one that is not the data's reads every frame shifted.
  const head = await firstBytes(dat, frameFitBytes(info.frameChannels), true);
  const seen = head && betterFrameChannels(head, info.frameChannels);
  if (seen) info.warnings = [...(info.warnings ?? []), `its data look like ${seen} channels per frame, but the oebin says num_channels=${info.frameChannels}: read as the oebin says, every trace mixes channels`];
  const frames = await openFrames({ path: dat, headerBytes: 0, frameChannels: info.frameChannels, dtype: 'int16', columns: info.channels.map((c) => c.readout), partialLastFrame: true });
  return { info, layout: frames.layout, read: frames.read, close: frames.close };
}

/**
 * A stream's own continuous.dat names both the recording (the folder above continuous/) and the
 * stream (its folder): opening that file opens that stream, not the recording's first one.
 */
export function splitDatPath(path: string): { recording: string; stream: string } | null {
  const m = /^(.*?)continuous[\\/]([^\\/]+)[\\/]continuous\.dat$/.exec(path);
  return m ? { recording: m[1], stream: m[2] } : null;
}
