// What an export says about its own data beyond the numbers: whether the traces are high-passed (for
// sorters that filter again or not), and a preset run on the other kind of stream. A probe layout
// made up for lack of metadata is the source's own warning (raw files, Open Ephys without settings.xml).
import type { PresetBody } from '../api/domains/presets.ts';
import type { SourceInfo } from '../sources/source.ts';

import { LFP_MAX_FS } from '../presets/source-kinds.ts';

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

/** Every warning an export repeats (README, done message): the source's own, then the export's. */
export function exportWarnings(info: SourceInfo, preset: { name: string; body: PresetBody }): string[] {
  return [...(info.warnings ?? []).map((w) => `the source: ${w}`), ...[bandMismatch(info, preset)].filter((w): w is string => w !== null)];
}
