// What an export says about its own data beyond the numbers: whether the traces are high-passed (for
// sorters that filter again or not), and a preset run on the other kind of stream. A probe layout
// made up for lack of metadata is the source's own warning (raw files, Open Ephys without settings.xml).
import type { PresetBody } from '../api/domains/presets.ts';
import type { SourceInfo } from '../sources/source.ts';

import { LFP_MAX_FS } from '../presets/source-kinds.ts';
import { presetBand } from '../presets/bands.ts';

/** A warning when the preset's band is the other stream's: an LFP band on an AP-rate stream, or a spike band on an LFP stream. */
function bandMismatch(info: SourceInfo, preset: { name: string; body: PresetBody }): string | null {
  const band = presetBand(preset.body.pipeline.filter);
  const stream = info.fs < LFP_MAX_FS ? 'lfp' : 'ap';
  if (band === null || band === stream) return null;
  return band === 'lfp'
    ? `the preset "${preset.name}" keeps an LFP band but ${info.stream} is sampled at ${info.fs} Hz (an AP-rate stream): these data hold no spikes`
    : `the preset "${preset.name}" keeps a spike band but ${info.stream} is sampled at ${info.fs} Hz (an LFP stream)`;
}

/** Known bad channels the preset names that this recording does not have (a preset from a bigger probe, a typo). */
function missingBadChannels(info: SourceInfo, preset: { name: string; body: PresetBody }): string | null {
  const have = new Set(info.channels.map((c) => c.index));
  const missing = preset.body.pipeline.badChannels.manual.filter((i) => !have.has(i));
  if (missing.length === 0) return null;
  return `the preset "${preset.name}" names bad channel${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which ${info.stream} does not have (channels 0–${info.channels.length - 1}): left aside`;
}

/** What the export itself warns of: the preset met with this recording. */
export function presetWarnings(info: SourceInfo, preset: { name: string; body: PresetBody }): string[] {
  return [bandMismatch(info, preset), missingBadChannels(info, preset)].filter((w): w is string => w !== null);
}

/** Every warning an export repeats (README, done message): the source's own, then the export's. */
export function exportWarnings(info: SourceInfo, preset: { name: string; body: PresetBody }): string[] {
  return [...(info.warnings ?? []).map((w) => `the source: ${w}`), ...presetWarnings(info, preset)];
}
