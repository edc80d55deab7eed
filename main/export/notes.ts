// What an export says about its own data beyond the numbers: whether the traces are high-passed (for
// sorters that filter again or not), a preset run on the other kind of stream, and a probe layout
// that was made up rather than read from the recording's metadata.
import type { PresetBody } from '../api/domains/presets.ts';
import type { SourceInfo } from '../sources/source.ts';

/** Streams sampled below this are LFP streams (SpikeGLX .lf 2.5 kHz, Open Ephys LFP); as the view decides. */
export const LFP_MAX_FS = 5000;

/**
 * Spike-band high-passes start at 150–300 Hz (SpikeGLX and Open Ephys at 300, Kilosort's own at 300,
 * SpikeInterface's bandpass default at 300). A lower corner (an LFP band from 0.5 Hz, a 1 Hz DC
 * blocker) leaves slow waves in the data, which is what `hp_filtered = False` must tell a reader.
 */
export const HIGHPASS_MIN_HZ = 150;

export function isHighPassed(f: PresetBody['pipeline']['filter']): boolean {
  return (f.kind === 'bandpass' || f.kind === 'highpass') && f.lowHz !== null && f.lowHz >= HIGHPASS_MIN_HZ;
}

/** The preset's band is the LFP's (a low-pass, or a band that stops by 1 kHz) or the spikes' (high-passed), or neither. */
function presetBand(f: PresetBody['pipeline']['filter']): 'lfp' | 'ap' | null {
  if (isHighPassed(f)) return 'ap';
  if ((f.kind === 'lowpass' || f.kind === 'bandpass') && f.highHz !== null && f.highHz <= 1000) return 'lfp';
  return null;
}

/** A warning when the preset's band is the other stream's: an LFP band on an AP-rate stream, or a spike band on an LFP stream. */
export function bandMismatch(info: SourceInfo, preset: { name: string; body: PresetBody }): string | null {
  const band = presetBand(preset.body.pipeline.filter);
  const stream = info.fs < LFP_MAX_FS ? 'lfp' : 'ap';
  if (band === null || band === stream) return null;
  return band === 'lfp'
    ? `the preset "${preset.name}" keeps an LFP band but ${info.stream} is sampled at ${info.fs} Hz (an AP-rate stream): these data hold no spikes`
    : `the preset "${preset.name}" keeps a spike band but ${info.stream} is sampled at ${info.fs} Hz (an LFP stream)`;
}

/**
 * The sources mark a layout they made up (a raw file; Open Ephys without settings.xml) only by the
 * probe kind 'other'; Open Ephys says so in its own warnings, a raw file does not: say it here.
 */
export function geometryNote(info: SourceInfo): string | null {
  if (info.probe.kind !== 'other') return null;
  if ((info.warnings ?? []).some((w) => w.includes('layout is unknown'))) return null;
  const how = info.channels.every((c) => c.x === 0) ? 'one column, 20 µm apart in file order' : 'a Neuropixels 1.0 layout, guessed from the file name';
  return `the probe's layout is not known (no .meta or settings.xml): the contact positions written (${how}) are made up, and a sorter's channel map built from them may be wrong: give the sorter the real geometry`;
}

/** Every warning an export repeats (README, done message): the source's own, then the export's. */
export function exportWarnings(info: SourceInfo, preset: { name: string; body: PresetBody }): string[] {
  return [...(info.warnings ?? []).map((w) => `the source: ${w}`), ...[bandMismatch(info, preset), geometryNote(info)].filter((w): w is string => w !== null)];
}
