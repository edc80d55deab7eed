// What each export format writes beside the traces: the sorter-facing descriptions. The traces file
// itself comes from the executor; these are small files built from the source's metadata.
import { siChunkSamples } from '../planner/plan.ts';
import type { PresetBody } from '../api/domains/presets.ts';
import type { ExportFormat } from '../api/domains/export.ts';
import { encodeNpy } from '../sources/npy.ts';
import type { ChannelInfo, SourceInfo } from '../sources/source.ts';
import { exportWarnings } from './notes.ts';
import { isHighPassed } from '../presets/bands.ts';
import { kilosortProbeJson, probeinterfaceJson } from './probe-files.ts';
import { adcSampleShifts, hasAdcLayout } from '../sources/adc-shifts.ts';
import { spikeInterfaceChannelIds } from '../sources/si-channel-ids.ts';

export interface ExportContext {
  info: SourceInfo;
  channels: ChannelInfo[];
  startSample: number;
  endSample: number;
  preset: { name: string; body: PresetBody };
  createdAt: string;
  version: string;
  /** Channels (export rows) found bad by detection or listed in the preset, with their labels. */
  badChannels: { row: number; id: string; code: BadCode; label: string }[];
  /** The windows [i·chunk, (i+1)·chunk) each step ran on, and the filter's real neighbours each side of one. */
  chunkSamples: number;
  marginSamples: number;
  /** A float32 file written as int16 in µV (its channels' gainUv are then 1). */
  floatInUv: boolean;
  /** Values outside int16, written as −32768 or 32767: said in the README, where the export is read later. */
  clamped: number;
}

interface FormatSpec {
  traces: string;
  outDtype: 'int16' | 'float32';
  /** Traces in µV (scaled before the pipeline) rather than the acquisition's own units. */
  microvolts: boolean;
  sidecars(x: ExportContext): Record<string, string | Buffer>;
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

/** `hasBad`: bad channels were kept out of the reference that the preset does not name (sites the .meta marks unused). */
export function describePipeline(p: PresetBody['pipeline'], hasBad = false): string {
  const steps: string[] = [];
  const f = p.filter;
  if (f.kind !== 'none') {
    const band = f.kind === 'bandpass' ? `${f.lowHz}–${f.highHz} Hz` : f.kind === 'highpass' ? `above ${f.lowHz} Hz` : `below ${f.highHz} Hz`;
    const phase = { zero: 'zero-phase (sosfiltfilt)', causal: 'causal (sosfilt, state from the margin)', stream: 'causal streaming (one sosfilt over the whole range)' }[f.phase];
    // float64 is scipy's arithmetic, bit for bit. The engine runs a float32 request in float64 where
    // float32 would not hold 1e-4 (poles near z = 1: a corner near 0 Hz), which only it decides.
    const precision = f.precision === 'float32' ? ', computed in float32 (within 1e-4 of float64 relative to the RMS; a corner too near 0 Hz for float32 to hold that runs in float64)' : ', computed in float64 as scipy';
    steps.push(`Butterworth ${f.kind} ${band}, order ${f.order}, ${phase}${f.marginMs !== null ? `, margin ${f.marginMs} ms` : ''}${precision}`);
  }
  if (p.phaseShift.method !== 'none') steps.push(`Neuropixels ADC phase shift (${p.phaseShift.method === 'fir' ? `FIR, ${p.phaseShift.taps} taps` : 'FFT, as SpikeInterface'})`);
  if (p.badChannels.detect !== 'none') steps.push(`bad-channel detection (${p.badChannels.detect})`);
  if (p.reference.mode !== 'none') {
    const where = { global: "all the recording's channels", group: 'each whole shank', local: `an annulus of ${p.reference.innerUm}–${p.reference.outerUm} µm`, single: `channel ${p.reference.channel}` }[p.reference.mode];
    steps.push(`common ${p.reference.operator} reference over ${where}${hasBad || p.badChannels.manual.length || p.badChannels.detect !== 'none' ? ', excluding the bad channels' : ''}`);
  }
  return steps.length ? steps.join('; then ') : 'no processing (a copy of the selected channels)';
}

/** "AP0 … AP383" for a run of neighbours; otherwise the ids in their written order, which is not a range. */
function channelRun(channels: ChannelInfo[]): string {
  const run = channels.every((c, i) => i === 0 || c.index === channels[i - 1].index + 1);
  if (run) return `${channels[0]?.id} … ${channels.at(-1)?.id}`;
  const ids = channels.map((c) => c.id);
  return `in this order: ${ids.length <= 12 ? ids.join(', ') : `${ids.slice(0, 10).join(', ')}, … ${ids.at(-1)}`}`;
}

// The chunk is part of the result: each is filtered with its own margins, as SpikeInterface's save() does.
function chunksLine(x: ExportContext): string {
  const fs = x.info.fs;
  const si = siChunkSamples(fs);
  return (
    `Chunks: ${x.chunkSamples} samples (${(x.chunkSamples / fs).toFixed(3)} s), windows [i·${x.chunkSamples}, (i+1)·${x.chunkSamples})${x.startSample > 0 ? ` counted from the range's start (sample ${x.startSample})` : ''}` +
    (x.marginSamples > 0 ? `, each filtered with ${x.marginSamples} samples (${((1000 * x.marginSamples) / fs).toFixed(1)} ms) of real neighbours each side` : '') +
    (x.chunkSamples === si ? ", as SpikeInterface's save() with chunk_duration='1s'" : x.chunkSamples < si ? "; shorter than SpikeInterface's 1 s (the RAM budget held no 1 s chunk), so the output differs from SpikeInterface's at chunk edges" : '')
  );
}

/**
 * ProbeDeck's range counts from the file's first sample; SpikeInterface's times (time_slice, t_start)
 * from the source's own start (SpikeGLX's firstSample, Open Ephys' first sample number): a range
 * given to time_slice in ProbeDeck's seconds would be another stretch, so both are said.
 */
function sourceTimes(x: ExportContext): string {
  const t0 = x.info.tStart;
  if (t0 === 0) return '';
  const at = (n: number) => (t0 + n / x.info.fs).toFixed(6);
  return `, counted from the file's first sample; in the source's own times, which start at t_start = ${t0.toFixed(6)} s as SpikeInterface reads it, ${at(x.startSample)}–${at(x.endSample)} s (recording.time_slice(${at(x.startSample)}, ${at(x.endSample)}), or frame_slice(${x.startSample}, ${x.endSample}))`;
}

function readme(x: ExportContext, format: ExportFormat, traces: string, units: string): string {
  const fs = x.info.fs;
  return [
    `Exported by ProbeDeck ${x.version} on ${x.createdAt} (${format}).`,
    '',
    `Source: ${x.info.path} (${x.info.format}, stream ${x.info.stream})`,
    `Range: samples ${x.startSample}–${x.endSample} (${(x.startSample / fs).toFixed(3)}–${(x.endSample / fs).toFixed(3)} s) at ${fs} Hz${sourceTimes(x)}`,
    `Channels: ${x.channels.length < x.info.channels.length ? `${x.channels.length} of the recording's ${x.info.channels.length}` : x.channels.length} (${channelRun(x.channels)})${x.channels.length < x.info.channels.length ? ', processed with all of them and written alone' : ''}${x.info.format === 'raw' ? (x.info.syncChannel ? '; the sync channel (the last column) is not included' : '; every column of the file') : '; sync and auxiliary channels are not included'}`,
    `Preset: ${x.preset.name}`,
    `Processing: ${describePipeline(x.preset.body.pipeline, x.badChannels.length > 0)}`,
    chunksLine(x),
    `Bad channels written (kept out of the reference): ${x.badChannels.length ? x.badChannels.map((b) => `${b.id} (${b.label})`).join(', ') : 'none'}`,
    ...exportWarnings(x.info, x.preset).map((w) => `WARNING: ${w}`),
    ...(x.clamped ? [`WARNING: ${clampedNote(x.clamped)}`] : []),
    '',
    `${traces}: little-endian, time-major (samples × ${x.channels.length} channels), ${units}`,
    ''
  ].join('\n');
}

/** Saturated values (int16 formats): a sorter sees them as flat tops, so the export says how many. */
export function clampedNote(n: number): string {
  return `${n} values were clamped to the int16 range (−32768…32767)`;
}

/** Why a channel is bad, as SpikeInterface's channel labels say it ('known': the preset lists it). */
export type BadCode = 'dead' | 'noise' | 'out' | 'known' | 'unused';

/** The same, as an export's README and channels.json say it to a reader. */
export function badLabel(code: BadCode): string {
  return code === 'known' ? 'listed in the preset' : code === 'unused' ? 'marked unused in the .meta' : code;
}

/** Per row: why it is bad ('dead', 'noise', 'out' as detection labels it, 'listed in the preset', or unused), else null. */
/** Per row: SpikeInterface's label ('good', or the bad channel's code). */
const badCodes = (x: ExportContext) => {
  const codes: string[] = x.channels.map(() => 'good');
  for (const b of x.badChannels) codes[b.row] = b.code;
  return codes;
};

const badLabels = (x: ExportContext) => {
  const labels: (string | null)[] = x.channels.map(() => null);
  for (const b of x.badChannels) labels[b.row] = b.label;
  return labels;
};

/**
 * Per row (channels.json, recording.json): the short name ProbeDeck shows (AP0) and, beside it, the id
 * SpikeInterface gives the same channel (imec0.ap#AP0), which bad-channel lists and sorter outputs
 * made there are keyed by, as the SpikeInterface folder's channel ids are.
 */
const channelTable = (x: ExportContext) => {
  const bad = badLabels(x);
  const siIds = spikeInterfaceChannelIds(x.info, x.channels);
  return x.channels.map((c, k) => ({ row: k, id: c.id, siChannelId: siIds[k], sourceIndex: c.index, readout: c.readout, x: c.x, y: c.y, shank: c.shank, gainUv: c.gainUv, offsetUv: c.offsetUv, bad: bad[k] }));
};

/**
 * Rows Kilosort is not to sort: the bad channels, unless every written channel is bad (an empty
 * channel map would only make Kilosort fail; the README says they are all bad).
 */
const kilosortLeaveOut = (x: ExportContext) => new Set(x.badChannels.length < x.channels.length ? x.badChannels.map((b) => b.row) : []);

function kilosortNotes(x: ExportContext): string {
  const rows = [...kilosortLeaveOut(x)];
  const bad = rows.length
    ? `Bad channels: rows ${rows.join(', ')} of recording.bin are left out of probe_kilosort.json's chanMap, so Kilosort 4 does not sort them (as its bad_channels option would; do not pass them again, they are no longer in the map); recording.bin still holds all ${x.channels.length} columns. They are listed in params.py (bad_channels) and channels.json ("bad"); probe.json keeps every contact.\n`
    : x.badChannels.length
      ? `Bad channels: every written channel is bad, so none is left out of probe_kilosort.json.\n`
      : '';
  return `Kilosort 4: n_chan_bin = ${x.channels.length}, fs = ${x.info.fs}, probe = probe_kilosort.json (or probe.json through probeinterface).\n${bad}`;
}

/**
 * Every name an export writes at the top of its folder, whatever the format: a folder holding
 * anything else (a sorter's output written beside the data, say) is not replaced. Tests check each
 * format's folder against this list.
 */
export const EXPORT_FILES = new Set([
  'README.txt',
  'recording.bin',
  'probe.json',
  'probe_kilosort.json',
  'params.py',
  'channels.json',
  'traces_cached_seg0.raw',
  'binary.json',
  'si_folder.json',
  'probegroup.json',
  'properties',
  'recording.f32',
  'recording.json'
]);

/**
 * SpikeInterface's inter_sample_shift property (its SpikeGLX and Open Ephys readers set it, and
 * phase_shift() reads it): each channel's ADC delay in samples, 0 once this export has shifted them,
 * so a phase_shift() run on the folder does not shift twice. Null when the probe says no ADC order.
 */
function interSampleShifts(x: ExportContext): number[] | null {
  if (!hasAdcLayout(x.info.probe)) return null;
  if (x.preset.body.pipeline.phaseShift.method !== 'none') return x.channels.map(() => 0);
  try {
    return Array.from(adcSampleShifts(x.info.probe.kind, x.channels.map((c) => c.readout), x.info.probe.muxTable));
  } catch {
    return null; // a ~muxTbl that lacks a channel: no delay known
  }
}

function siNotes(x: ExportContext): string {
  const lines = ['The probe is in probegroup.json (SpikeInterface 0.105 on) and probe.json (up to 0.104), the same file.'];
  const ids = spikeInterfaceChannelIds(x.info, x.channels);
  if (ids.some((id, k) => id !== x.channels[k].id))
    lines.push(`Channel ids are SpikeInterface's for this source (${ids[0]} …), as read_spikeglx(stream_id="${x.info.stream}") names them, so lists keyed by them (bad channels, sorter outputs) apply; the channel property "channel_name" holds SpikeGLX's names (${x.channels[0].id} …).`);
  const shifts = interSampleShifts(x);
  if (shifts)
    lines.push(
      x.preset.body.pipeline.phaseShift.method !== 'none'
        ? 'The channel property "inter_sample_shift" is 0: the ADC phase shift is already applied, so phase_shift() has nothing left to shift.'
        : 'The channel property "inter_sample_shift" holds each channel\'s ADC delay (a fraction of a sample), as SpikeInterface\'s Neuropixels readers set it: phase_shift() can run on this folder.'
    );
  if (x.badChannels.length)
    lines.push(
      `Bad channels are kept in the traces and labelled in the channel property "channel_labels" ('good', or 'dead', 'noise', 'out' as detect_bad_channels labels them, 'known' when the preset lists them, 'unused' for a site SpikeGLX marks unused); to sort without them: rec.remove_channels(rec.channel_ids[rec.get_property("channel_labels") != "good"])`
    );
  return lines.join('\n') + '\n';
}

export const FORMATS: Record<ExportFormat, FormatSpec> = {
  kilosort: {
    traces: 'recording.bin',
    outDtype: 'int16',
    microvolts: false,
    sidecars: (x) => ({
      'probe.json': json(probeinterfaceJson(x.info, x.channels)),
      'probe_kilosort.json': json(kilosortProbeJson(x.channels, kilosortLeaveOut(x))),
      'params.py': [
        `dat_path = 'recording.bin'`,
        `n_channels_dat = ${x.channels.length}`,
        `dtype = 'int16'`,
        `offset = 0`,
        `sample_rate = ${x.info.fs.toFixed(6)}`,
        `hp_filtered = ${isHighPassed(x.preset.body.pipeline.filter) ? 'True' : 'False'}`,
        `# rows of recording.bin found bad, listed bad in the preset or marked unused in the .meta${kilosortLeaveOut(x).size ? " (already left out of probe_kilosort.json's chanMap)" : x.badChannels.length ? ' (all rows: kept in the chanMap, or Kilosort would have none)' : ''}`,
        `bad_channels = [${x.badChannels.map((b) => b.row).join(', ')}]`,
        ''
      ].join('\n'),
      'channels.json': json(channelTable(x)),
      'README.txt':
        readme(x, 'kilosort', 'recording.bin', x.floatInUv ? 'int16 in µV: the float32 file scaled by its gain, then rounded half-to-even and clamped to int16 (channels.json gainUv is 1)' : x.info.uncalibrated ? "int16 in the file's own units: no µV gain was given for this raw file (--raw-gain-uv), so channels.json's gainUv of 1 is not µV (rounded half-to-even, clamped to int16)" : 'int16 in the acquisition units: multiply row k by channels.json[k].gainUv for µV (rounded half-to-even, clamped to int16)') +
        kilosortNotes(x)
    })
  },
  'si-binary': {
    traces: 'traces_cached_seg0.raw',
    outDtype: 'float32',
    microvolts: false,
    sidecars: (x) => {
      const C = x.channels.length;
      // SpikeInterface's ids for the same source (imec0.ap#AP0), its channel_name the acquisition's (AP0), as its readers set both.
      const ids = spikeInterfaceChannelIds(x.info, x.channels);
      const names = x.channels.map((c) => c.id);
      const shifts = interSampleShifts(x);
      // No gain given (a raw file): none written, as SpikeInterface saves a recording without one; a gain
      // of 1 would have it take the file's units for µV.
      const scaled = !x.info.uncalibrated;
      const gains = x.channels.map((c) => c.gainUv);
      const offsets = x.channels.map((c) => c.offsetUv);
      const t0 = x.info.tStart + x.startSample / x.info.fs;
      const filtered = x.preset.body.pipeline.filter.kind !== 'none';
      // The version is the layout this folder follows, 0.103's (probe.json, every property in
      // properties/); SpikeInterface reads it only to translate an older release's kwargs (num_chan), and
      // ours carry today's names. probegroup.json is 0.105's name for the same file: it reads that first.
      const probe = json(probeinterfaceJson(x.info, x.channels));
      const binary = {
        class: 'spikeinterface.core.binaryrecordingextractor.BinaryRecordingExtractor',
        module: 'spikeinterface',
        version: '0.103.0',
        kwargs: {
          file_paths: ['traces_cached_seg0.raw'],
          sampling_frequency: x.info.fs,
          t_starts: t0 === 0 ? null : [t0],
          num_channels: C,
          dtype: 'float32',
          channel_ids: ids,
          time_axis: 0,
          file_offset: 0,
          gain_to_uV: scaled ? gains : null,
          offset_to_uV: scaled ? offsets : null,
          is_filtered: filtered
        },
        annotations: { is_filtered: filtered },
        properties: {},
        relative_paths: true
      };
      const folder = {
        class: 'spikeinterface.core.binaryfolder.BinaryFolderRecording',
        module: 'spikeinterface',
        version: '0.103.0',
        kwargs: { folder_path: '.' },
        annotations: { is_filtered: filtered },
        properties: {},
        relative_paths: true
      };
      return {
        'binary.json': json(binary),
        'si_folder.json': json(folder),
        'probegroup.json': probe,
        'probe.json': probe,
        ...(scaled && {
          'properties/gain_to_uV.npy': encodeNpy({ dtype: '<f4', shape: [C], data: gains }),
          'properties/offset_to_uV.npy': encodeNpy({ dtype: '<f4', shape: [C], data: offsets })
        }),
        'properties/location.npy': encodeNpy({ dtype: '<f8', shape: [C, 2], data: x.channels.flatMap((c) => [c.x, c.y]) }),
        'properties/group.npy': encodeNpy({ dtype: '<i8', shape: [C], data: x.channels.map((c) => c.shank) }),
        'properties/channel_name.npy': encodeNpy({ dtype: 'unicode', shape: [C], data: names }),
        ...(shifts && { 'properties/inter_sample_shift.npy': encodeNpy({ dtype: '<f8', shape: [C], data: shifts }) }),
        // detect_bad_channels' labels ('good', 'dead', 'noise', 'out'; 'known' for those the preset lists, 'unused' for a site the .meta marks unused),
        // which SpikeInterface loads as a channel property: no SI release sets one of its own.
        'properties/channel_labels.npy': encodeNpy({ dtype: 'unicode', shape: [C], data: badCodes(x) }),
        'README.txt': readme(x, 'si-binary', 'traces_cached_seg0.raw', x.info.uncalibrated ? "float32 in the file's own units: no µV gain was given for this raw file (--raw-gain-uv), so binary.json gives no gain_to_uV: SpikeInterface reads the traces as unscaled. Open with spikeinterface.load(this folder)" : 'float32 in the acquisition units (gain_to_uV in binary.json). Open with spikeinterface.load(this folder)') + siNotes(x)
      };
    }
  },
  'raw-f32': {
    traces: 'recording.f32',
    outDtype: 'float32',
    microvolts: true,
    sidecars: (x) => ({
      'recording.json': json({
        format: 'probedeck-raw-f32',
        file: 'recording.f32',
        dtype: 'float32',
        byteOrder: 'little',
        layout: 'time-major',
        units: x.info.uncalibrated ? 'file units (no gain given)' : 'uV',
        samplingFrequency: x.info.fs,
        numChannels: x.channels.length,
        numSamples: x.endSample - x.startSample,
        tStart: x.info.tStart + x.startSample / x.info.fs,
        source: { path: x.info.path, format: x.info.format, stream: x.info.stream, startSample: x.startSample, endSample: x.endSample },
        preset: x.preset,
        processing: describePipeline(x.preset.body.pipeline, x.badChannels.length > 0),
        badChannels: x.badChannels,
        channels: channelTable(x)
      }),
      'probe.json': json(probeinterfaceJson(x.info, x.channels)),
      'README.txt': readme(x, 'raw-f32', 'recording.f32', x.info.uncalibrated ? "float32 in the file's own units: no µV gain was given for this raw file (--raw-gain-uv)" : 'float32 in µV (each channel scaled by its gain before processing)')
    })
  }
};
