// SpikeGLX recordings: run_g0_t0.imec0.ap.bin (or .lf.bin, NIDQ .nidq.bin) beside its .meta.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { MAX_CHANNELS, MAX_FS } from '../engine/validate.ts';
import { frameFitBytes, dataFrameChannels, firstBytes } from './frame-fit.ts';
import { frameCount, openFrames, partialFrameBytes } from './frame-reader.ts';
import { geometryFromGeomMap, geometryFromShankMap, parseMeta, savedChannels, type Meta } from './spikeglx-meta.ts';
import { SourceError, fsError, type ChannelInfo, type Source, type SourceInfo } from './source.ts';
import { spikeglxStreamName } from './si-channel-ids.ts';

export const metaPathFor = (bin: string) => bin.replace(/\.bin$/i, '.meta');
/** The .bin a SpikeGLX .meta names (any other path as it is). */
export const binPathFor = (meta: string) => meta.replace(/\.meta$/i, '.bin');

function num(meta: Meta, key: string, path: string): number {
  const v = Number(meta.values.get(key));
  if (!meta.values.has(key) || !Number.isFinite(v)) throw new SourceError('BAD_META', path, `"${key}" is missing or not a number`);
  return v;
}

/**
 * NP1.0-class imroTbl entries carry each channel's AP and LF gains: "chan bank refid apgain lfgain
 * apfilt"; Phase 3A's lack apfilt, their five fields told from NP2.0's five ("chan shank bank refid
 * electrode") by the .meta: imProbeOpt and no part number, as neo tells them.
 */
function perChannelGains(meta: Meta): boolean {
  const n = meta.lists.get('imroTbl')?.entries[0]?.trim().split(/\s+/).length;
  return n === 6 || (n === 5 && meta.values.has('imProbeOpt') && !meta.values.has('imDatPrb_pn'));
}

/**
 * The probe's ADC family, which sets the phase shift's cycles (NP1.0: 12 slots + the LFP = 13;
 * NP2.0: 16). The ~muxTbl says it where SpikeGLX writes one, (ADCs,slots): 12 slots on NP1.0-class
 * probes (an NP1110 too, though its imroTbl has no per-channel gains), 16 on NP2.0 (24 ADCs, or 96
 * on a Quad Base).
 */
function probeFamily(meta: Meta): 'np1' | 'np2' | 'other' {
  if (!meta.lists.has('imroTbl')) return 'other';
  const slots = meta.lists.get('muxTbl')?.header.split(',')[1]?.trim();
  if (slots === '12') return 'np1';
  if (slots === '16') return 'np2';
  // Without a ~muxTbl (SpikeGLX before 2023): NP1.0's imroTbl has per-channel gains, an NP1110's (NP1.0-class) its type 1110.
  return perChannelGains(meta) || meta.lists.get('imroTbl')?.header.split(',')[0].trim() === '1110' ? 'np1' : 'np2';
}

/**
 * The AP gain of a probe whose gain is fixed, for a .meta without imChan0apGain (SpikeGLX wrote it
 * from 2023): neo's ProbeTable (neuropixels_probe_features.json, ap_gain_list) by part number, as
 * SpikeInterface scales it, and SpikeGLX's own tools by imro type (21, 24: NP2.0's first probes).
 * The 14-bit NP2.0 probes have 80, the 12-bit ones that followed 100.
 */
const FIXED_AP_GAIN: Record<string, number> = {
  ...Object.fromEntries(['NP2000', 'NP2010', 'PRB2_1_2_0640_0', 'PRB2_4_2_0640_0'].map((pn) => [pn, 80])),
  ...Object.fromEntries(['NP2003', 'NP2004', 'NP2005', 'NP2006', 'NP2013', 'NP2014', 'NP2020', 'NP2021', 'NP2022', 'NP2300', 'NP3010', 'NP3011', 'NP3012', 'NP3020', 'NP3021', 'NP3022', 'NP3023', 'NP3024'].map((pn) => [pn, 100]))
};

/**
 * The one gain of every channel of a probe without per-channel gains: the .meta's imChan0apGain
 * (imChan0lfGain for an LF channel); without it, an NP1110's imroTbl header "(1110,flags,refid,apGain,
 * lfGain,apFilter)" (as SpikeGLX's tools read it), else the probe's fixed AP gain. NaN when none is known.
 */
function uniformGain(meta: Meta, lf: boolean): number {
  const given = meta.values.get(lf ? 'imChan0lfGain' : 'imChan0apGain');
  if (given !== undefined) return Number(given);
  const header = meta.lists.get('imroTbl')?.header.split(',').map((f) => f.trim()) ?? [];
  if (header[0] === '1110') return Number(header[lf ? 4 : 3]);
  if (lf) return NaN; // NP2.0 records no LF band: never guessed
  const pn = meta.values.get('imDatPrb_pn');
  return (pn && FIXED_AP_GAIN[pn]) || (header[0] === '21' || header[0] === '24' ? 80 : NaN);
}

/**
 * The probe contact a readout channel records from, as probeinterface names it (and so the contact
 * ids of SpikeInterface's probe for the same file): "e{electrode}" on a one-shank probe,
 * "s{shank}e{electrode}" on a multi-shank one, from the imroTbl entry of that channel. NP1.0-class
 * entries "chan bank refid apgain lfgain [apfilt]" select electrode bank·384 + chan; NP2.0's
 * "chan bankmask refid electrode" (one shank) and "chan shank bank refid electrode" (four) name it.
 * Null where the entry says no single electrode (an NP1110's groups) or is damaged.
 */
function contactIdOf(meta: Meta, readout: number): string | null {
  const entry = meta.lists.get('imroTbl')?.entries[readout]?.trim().split(/\s+/).map(Number);
  if (!entry || !entry.every(Number.isInteger)) return null;
  if (entry.length === 6 || (entry.length === 5 && perChannelGains(meta))) return `e${entry[1] * 384 + entry[0]}`;
  if (entry.length === 4) return `e${entry[3]}`;
  if (entry.length === 5) return `s${entry[1]}e${entry[4]}`;
  return null;
}

export function describeSpikeGLX(binPath: string, meta: Meta, size: number): SourceInfo {
  const metaPath = metaPathFor(binPath);
  const nSaved = num(meta, 'nSavedChans', metaPath);
  if (!Number.isInteger(nSaved) || nSaved < 1 || nSaved > MAX_CHANNELS) throw new SourceError('BAD_META', metaPath, `nSavedChans must be a whole number of channels from 1 to ${MAX_CHANNELS}, got ${nSaved}`);
  const type = meta.values.get('typeThis') ?? 'imec';
  const isLf = /\.lf\.bin$/i.test(binPath);
  const fs = num(meta, type === 'nidq' ? 'niSampRate' : type === 'obx' ? 'obSampRate' : 'imSampRate', metaPath);
  if (!(fs > 0 && fs <= MAX_FS)) throw new SourceError('BAD_META', metaPath, `the sampling rate must be above 0 and at most ${MAX_FS / 1e6} MHz, got ${fs} Hz`);
  const layout = { headerBytes: 0, frameChannels: nSaved, dtype: 'int16', partialLastFrame: true } as const;
  const declared = Number(meta.values.get('fileSizeBytes'));
  const seconds = (bytes: number) => `${(Math.floor(bytes / (2 * nSaved)) / fs).toFixed(3)} s`;
  if (size < 2 * nSaved) throw new SourceError('FILE_TOO_SMALL', binPath, noDataProblem(size, nSaved, fs, meta.values.has('fileSizeBytes') ? declared : null));
  const samples = frameCount(binPath, size, layout);
  const warnings: string[] = [];
  const partial = partialFrameBytes(size, layout);
  // A fileSizeBytes that is no whole number of frames and not the file's size proves the .meta wrong
  // (nSavedChans edited, or another file's): every frame would be read shifted. The same size as the
  // file is a run cut mid-frame (a full disk: SpikeGLX states the size it reached), said below.
  if (Number.isFinite(declared) && declared > 0 && declared !== size && declared % (2 * nSaved) !== 0) {
    throw new SourceError('BAD_META', metaPath, `fileSizeBytes=${declared} is not a whole number of frames of nSavedChans=${nSaved} int16 channels (${2 * nSaved} bytes each): one of the two is wrong`);
  }
  // Shorter than its .meta says: a run cut short, or a copy. What is there is shown (as SpikeInterface
  // reads it, by the file's size), and said, with what to do.
  if (Number.isFinite(declared) && declared > size) {
    warnings.push(
      `the file is ${size} bytes but its .meta says ${declared}: the recording is incomplete, ${seconds(size)} of the ${seconds(declared)} recorded (a crashed run, or a copy cut short: copy the .bin again from the acquisition machine if it holds it whole); the ${seconds(size)} it holds are shown`
    );
  } else if (Number.isFinite(declared) && declared > 0 && declared !== size) {
    throw new SourceError('SIZE_MISMATCH', binPath, `is ${size} bytes but its .meta says ${declared} (nSavedChans=${nSaved}): the .meta belongs to another file (an earlier run's, if this is a new run still being written under its name: move that .meta aside and follow the file live)`);
  } else if (partial > 0) {
    warnings.push(`the file ends in ${partial} bytes of a partial frame, left out: it was cut short`);
  }
  // Channel counts per kind: a probe's AP,LF,SY; an NI board's MN,MA,XA,DW; a OneBox's XA,DW,SY.
  const countsKey = (['snsApLfSy', 'snsMnMaXaDw', 'snsXaDwSy'] as const).find((k) => meta.values.has(k)) ?? null;
  const counts = (countsKey ? meta.values.get(countsKey)! : `${nSaved},0,0`).split(',').map((v) => (v.trim() === '' ? NaN : Number(v)));
  if (counts.length < 3 || !counts.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new SourceError('BAD_META', metaPath, `${countsKey} must be channel counts per kind separated by commas (${countsKey === 'snsMnMaXaDw' ? 'MN,MA,XA,DW' : countsKey === 'snsXaDwSy' ? 'XA,DW,SY' : 'AP,LF,SY'}), got "${meta.values.get(countsKey!)}"`);
  }
  // The counts are the file's own (a subset's too: SpikeGLX writes 151,0,1 for 151 AP channels and SY):
  // counts that add up to another number would split the wrong columns off as sync, or none.
  const counted = counts.reduce((a, b) => a + b, 0);
  if (countsKey && counted !== nSaved) throw new SourceError('BAD_META', metaPath, `${countsKey}=${meta.values.get(countsKey)} adds up to ${counted} channels but nSavedChans is ${nSaved}`);
  const subset = meta.values.get('snsSaveChanSubset');
  const saved = savedChannels(subset, nSaved);
  if (saved === null) throw new SourceError('BAD_META', metaPath, `snsSaveChanSubset must be "all" or channel numbers and a:b ranges in ascending order, separated by commas, got "${subset}"`);
  // The sync channels are acquired last, after the probe's AP and LF channels (acqApLfSy; a OneBox's
  // XA and DW, acqXaDwSy): one per probe, one per shank on a Quad Base (NP2020: SY0–SY3). A subset
  // that does not list them saved none, whatever snsApLfSy says.
  const acq = (meta.values.get(type === 'obx' ? 'acqXaDwSy' : 'acqApLfSy') ?? '').split(',').map(Number);
  const acqKnown = acq.length === 3 && acq.every(Number.isInteger);
  const syncIndex = acqKnown ? acq[0] + acq[1] : counts[0] + counts[1];
  // A probe's channels are numbered AP 0…nAP-1, then LF nAP…: an .lf.bin's snsSaveChanSubset says
  // 384:768, its channel k being readout channel k - nAP with the LF gain (SpikeGLX's GainCorrectIM).
  // (On a OneBox the first kind is its XA analog inputs, then its DW digital words.)
  const nAp = acqKnown ? acq[0] : counts[0];
  const nLf = acqKnown ? acq[1] : counts[1];
  const isLfChannel = (k: number) => type === 'imec' && k >= nAp && k < nAp + nLf;
  const readoutOf = (k: number) => (isLfChannel(k) ? k - nAp : k);
  const nSync = type === 'nidq' ? 0 : !subset || subset === 'all' ? Math.min(counts[2], nSaved) : saved.filter((k) => k >= syncIndex).length;
  if (saved.length !== nSaved) throw new SourceError('BAD_META', metaPath, `snsSaveChanSubset lists ${saved.length > nSaved ? `more than ${nSaved}` : saved.length} channels but nSavedChans is ${nSaved}`);
  const neuralCount = nSaved - nSync;
  const family = probeFamily(meta);
  // Every imec .meta holds its ~imroTbl (the probe's gains and sites) after its other keys: one without
  // it was cut short, and read anyway its samples would be taken for µV, 2–4× off.
  if (type === 'imec' && !meta.lists.has('imroTbl')) {
    throw new SourceError('BAD_META', metaPath, 'has no ~imroTbl, which every probe\'s .meta holds after its other keys: it was cut short (copy it again from the acquisition machine; if SpikeGLX is writing it now, open it again in a moment), so the probe\'s gains and sites are unknown');
  }
  const perChannel = perChannelGains(meta);
  // SpikeGLX's ranges: ±0.6 V on NP1.0-class probes, ±0.5 V on NP2.0 (every .meta since 2020 says it).
  const rangeMax = Number(meta.values.get('imAiRangeMax') ?? (family === 'np2' ? 0.5 : 0.6));
  const imro = meta.lists.get('imroTbl');
  const names = meta.lists.get('snsChanMap')?.entries.map((e) => e.split(';')[0]) ?? [];
  const geomMap = meta.lists.get('snsGeomMap');
  const shankMap = meta.lists.get('snsShankMap');
  let geometry = geomMap ? geometryFromGeomMap(geomMap) : shankMap && family !== 'other' ? geometryFromShankMap(shankMap, family, meta.values.get('imDatPrb_pn')) : [];
  // A damaged map is not mixed with made-up sites: the whole probe is one made-up column, said as such.
  const bad = geometry.length ? geometry.slice(0, neuralCount).findIndex((g) => g === null) : -1;
  if (geometry.length && (bad >= 0 || geometry.length < neuralCount)) {
    const key = geomMap ? '~snsGeomMap' : '~snsShankMap';
    const why = bad >= 0 ? `entry ${bad} is not ${geomMap ? 'shank:x:z:use' : 'shank:col:row:used'} numbers` : `it lists ${geometry.length} sites for ${neuralCount} channels`;
    warnings.push(`its ${key} is damaged (${why}): the channels are placed in a made-up column, 20 µm apart, so a local reference and a sorter's channel map would be wrong`);
    geometry = [];
  }
  const pn = meta.values.get('imDatPrb_pn') ?? null;

  const channels: ChannelInfo[] = [];
  for (let i = 0; i < neuralCount; i++) {
    const readout = readoutOf(saved[i]);
    const lf = isLf || isLfChannel(saved[i]);
    let gainUv = 1;
    if (type === 'imec' && imro && perChannel) {
      // imroTbl is indexed by readout channel (neo uses the saved position: equal for prefix subsets);
      // fields 3/4 are the AP/LF gains; NP1 divides by 512, not imMaxInt.
      const fields = imro.entries[readout]?.trim().split(/\s+/).map(Number) ?? [];
      const g = fields[lf ? 4 : 3];
      gainUv = (rangeMax / 512 / g) * 1e6;
    } else if (type === 'nidq') {
      // NIDQ: MN (multiplexed neural) then MA, XA, XD channels; volts = counts · niAiRangeMax/32768/gain.
      const [mn, ma] = counts;
      const range = Number(meta.values.get('niAiRangeMax') ?? 5) / 32768;
      const g = i < mn ? Number(meta.values.get('niMNGain') ?? 1) : i < mn + ma ? Number(meta.values.get('niMAGain') ?? 1) : 1;
      gainUv = i < mn + ma + (counts[2] ?? 0) ? (range / g) * 1e6 : 1;
    } else if (type === 'obx') {
      // OneBox: its XA analog inputs in volts are counts · obAiRangeMax / obMaxInt (as neo scales them);
      // its DW digital words are not volts.
      gainUv = saved[i] < nAp ? (Number(meta.values.get('obAiRangeMax')) / Number(meta.values.get('obMaxInt'))) * 1e6 : 1;
    } else if (type === 'imec' && family !== 'other') {
      // One gain for every channel. Without imMaxInt, NP1.0's 10 bits (512, as SpikeGLX's tools take
      // it) or NP2.0's 14 (8192, as neo takes it).
      const maxInt = Number(meta.values.get('imMaxInt') ?? (family === 'np1' ? 512 : 8192));
      gainUv = (rangeMax / maxInt / uniformGain(meta, lf)) * 1e6;
    }
    // A gain the .meta lacks or gives as 0 would turn every sample of the channel into NaN or ±∞.
    if (!(Number.isFinite(gainUv) && gainUv > 0)) {
      const where =
        type === 'imec' && perChannel
          ? `imroTbl (${imro?.entries.length ?? 0} entries) for readout channel ${readout}`
          : type === 'imec' && family !== 'other' && !meta.values.has(lf ? 'imChan0lfGain' : 'imChan0apGain')
            ? `the .meta (no ${lf ? 'imChan0lfGain' : 'imChan0apGain'}, and ${pn ? `no fixed ${lf ? 'LF' : 'AP'} gain known for ${pn}` : 'no part number, imDatPrb_pn'})`
            : `the .meta for channel ${i}`;
      const what = type === 'obx' ? 'range (obAiRangeMax, obMaxInt)' : `${lf ? 'LF' : 'AP'} gain`;
      throw new SourceError('BAD_META', metaPath, `${where} gives no usable ${what}, so its µV cannot be known`);
    }
    const geo = geometry[i] ?? { x: 0, y: i * 20, shank: 0, used: true };
    const contactId = type === 'imec' ? contactIdOf(meta, readout) : null;
    channels.push({ id: names[i] ?? `${lf ? 'LF' : 'AP'}${readout}`, index: i, readout, x: geo.x, y: geo.y, shank: geo.shank, gainUv, offsetUv: 0, ...(contactId ? { contactId } : {}), ...(geo.used ? {} : { unused: true as const }) });
  }
  return {
    format: 'spikeglx',
    path: binPath,
    stream: spikeglxStreamName(meta, binPath),
    channels,
    fs,
    dtype: 'int16',
    samples,
    durationS: samples / fs,
    // Where the file starts in its run (a later trigger, a file cut from a longer one), as neo gives
    // SpikeInterface's t_start: firstSample / the .meta's rate; 0 without the tag.
    tStart: firstSampleOf(meta) / fs,
    // The first sync column (SY0): the others, after it, are split off with it.
    syncChannel: nSync > 0 ? { column: nSaved - nSync, gain: 1 } : null,
    live: false,
    probe: { kind: family, partNumber: pn, muxTable: meta.lists.get('muxTbl') },
    frameChannels: nSaved,
    headerBytes: 0,
    wallClockStart: meta.values.get('fileCreateTime') ?? null,
    ...(warnings.length ? { warnings } : {})
  };
}

/**
 * A .bin without one whole frame of data, beside its .meta: what is wrong and what to do. `declared`
 * is the .meta's fileSizeBytes (null when it has none).
 */
function noDataProblem(size: number, nSaved: number, fs: number, declared: number | null): string {
  const frame = 2 * nSaved;
  const held = size === 0 ? 'is empty' : `holds ${size} bytes, less than one frame (${frame} bytes: nSavedChans=${nSaved} int16 values)`;
  if (declared === null || !Number.isFinite(declared)) return `${held}, and its .meta gives no fileSizeBytes: there is nothing to open (if SpikeGLX is recording into it now, follow it live instead)`;
  if (declared < frame) return `${held}, as its .meta says (fileSizeBytes=${declared}): SpikeGLX saved no sample in that run (it stopped before the first), so there is nothing to open`;
  const samples = Math.floor(declared / frame);
  return (
    `${held}, but its .meta says SpikeGLX wrote ${declared} bytes (${samples} samples, ${(samples / fs).toFixed(3)} s): the data did not reach this file. ` +
    `If it is a copy, copy the .bin again from the acquisition machine; if SpikeGLX is recording into it now (a new run under an earlier run's name), follow it live instead`
  );
}

/**
 * SpikeGLX writes a run's .meta when the run ends, so a .meta beside a .bin being written is an
 * earlier run's, left under the name a new run reuses: it describes a finished recording whose
 * fileSizeBytes the new file outgrows (or an empty file that has not begun). Why, and what to do,
 * when `size` shows that; else null.
 */
export function staleMetaProblem(binPath: string, meta: Meta, size: number): string | null {
  const declared = Number(meta.values.get('fileSizeBytes'));
  const nSaved = Number(meta.values.get('nSavedChans'));
  if (!(Number.isInteger(declared) && declared > 0) || !(size > declared || size === 0)) return null;
  const fs = Number(meta.values.get('imSampRate') ?? meta.values.get('niSampRate') ?? meta.values.get('obSampRate'));
  const samples = nSaved > 0 ? Math.floor(declared / (2 * nSaved)) : NaN;
  const length = Number.isFinite(samples) ? `${samples} samples${fs > 0 ? ` (${(samples / fs).toFixed(1)} s)` : ''}, ` : '';
  return (
    `${basename(metaPathFor(binPath))} describes a finished recording of ${length}${declared} bytes, but this file ${size === 0 ? 'is empty' : `has grown to ${size} bytes`}: ` +
    `it is a new run written under that run's name, and the .meta is the older run's. Move that .meta aside (or give the new run its own name in SpikeGLX) and follow the file again with its channel count and rate; SpikeGLX writes the new run's .meta when it ends`
  );
}

export async function readMeta(binPath: string): Promise<Meta> {
  const metaPath = metaPathFor(binPath);
  let text: string;
  try {
    text = await readFile(metaPath, 'utf8');
  } catch (err) {
    const e = fsError(metaPath, err);
    throw (err as NodeJS.ErrnoException).code === 'ENOENT' ? new SourceError('MISSING_META', binPath, `no ${basename(metaPath)} beside it (SpikeGLX writes one per .bin)`) : e;
  }
  return parseMeta(text);
}

/**
 * The .meta decides how the data are read; a .meta of another file (or edited) reads every frame
 * shifted, which the first 0.1 s of data already show: said as a warning, else null.
 */
export async function metaMisfit(binPath: string, frameChannels: number): Promise<string | null> {
  const head = await firstBytes(binPath, frameFitBytes(frameChannels), true);
  const seen = head && dataFrameChannels(head, frameChannels);
  return seen ? `its data look like ${seen} channels per frame, but its .meta says nSavedChans=${frameChannels}: read as the .meta says, every trace mixes channels; check that the .meta belongs to this file` : null;
}

export async function openSpikeGLX(binPath: string): Promise<Source> {
  const meta = await readMeta(binPath);
  let size: number;
  try {
    size = (await stat(binPath)).size;
  } catch (err) {
    throw fsError(binPath, err);
  }
  const info = describeSpikeGLX(binPath, meta, size);
  const misfit = await metaMisfit(binPath, info.frameChannels);
  if (misfit) info.warnings = [...(info.warnings ?? []), misfit];
  const frames = await openFrames({ path: binPath, headerBytes: 0, frameChannels: info.frameChannels, dtype: 'int16', columns: info.channels.map((_, i) => i), partialLastFrame: true });
  return { info, layout: frames.layout, read: frames.read, close: frames.close };
}

function firstSampleOf(meta: Meta): number {
  const n = Number(meta.values.get('firstSample') ?? 0);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}
