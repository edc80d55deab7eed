// Which stream a preset's band is for, read off its filter alone (a preset carries no rate): the
// editor's Nyquist warnings, an export's "high-passed" flag and its band-mismatch warning all ask this.
import type { PresetBody } from '../api/domains/presets.ts';

type Filter = PresetBody['pipeline']['filter'];

/**
 * Spike-band high-passes start at 150–300 Hz (SpikeGLX and Open Ephys at 300, Kilosort's own at 300,
 * SpikeInterface's bandpass default at 300). A lower corner (an LFP band from 0.5 Hz, a 1 Hz DC
 * blocker) leaves slow waves in the data.
 */
export const HIGHPASS_MIN_HZ = 150;

/** The LFP band of Neuropixels stops by here (its stream is 2.5 kHz; SpikeGLX's LFP filter is 0.5–500 Hz). */
const LFP_TOP_HZ = 1000;

export function isHighPassed(f: Filter): boolean {
  return (f.kind === 'bandpass' || f.kind === 'highpass') && f.lowHz !== null && f.lowHz >= HIGHPASS_MIN_HZ;
}

/** The spikes' band (high-passed), the LFP's (a low-pass or a band that stops by 1 kHz), or neither (no filter, a wide band). */
export function presetBand(f: Filter): 'ap' | 'lfp' | null {
  if (isHighPassed(f)) return 'ap';
  if ((f.kind === 'lowpass' || f.kind === 'bandpass') && f.highHz !== null && f.highHz <= LFP_TOP_HZ) return 'lfp';
  return null;
}
