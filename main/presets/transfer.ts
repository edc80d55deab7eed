// Preset files: ProbeDeck's own versioned JSON, or a SpikeInterface pipeline dict.
import type { Preset, PresetBody, PresetFormat } from '../api/domains/presets.ts';
import { ProbeDeckError, isPlainObject } from '../util/is.ts';
import { BUILTIN_PRESETS } from './builtins.ts';
import { PRESET_FORMAT, PRESET_VERSION, validateBody } from './schema.ts';
import { fromSpikeInterface, toSpikeInterface } from './si-pipeline.ts';

export function exportPreset(p: Preset, format: PresetFormat): string {
  if (format === 'spikeinterface') return JSON.stringify(toSpikeInterface(p.body), null, 2);
  return JSON.stringify({ format: PRESET_FORMAT, version: PRESET_VERSION, name: p.name, body: p.body }, null, 2);
}

/** Reads either format; the name comes from the file, the caller, or a default. */
export function parsePresetFile(text: string, name?: string): { name: string; body: PresetBody } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ProbeDeckError('BAD_IMPORT', `the preset file is not valid JSON (${(e as Error).message})`);
  }
  // A SpikeInterface pipeline dict has steps for keys, never "format".
  if (isPlainObject(data) && 'format' in data && data.format !== PRESET_FORMAT) {
    throw new ProbeDeckError('BAD_IMPORT', `the preset file's "format" is ${JSON.stringify(data.format)}; a ProbeDeck preset file says "${PRESET_FORMAT}"`);
  }
  if (isPlainObject(data) && data.format === PRESET_FORMAT) {
    if (!Number.isInteger(data.version) || (data.version as number) < 1) {
      throw new ProbeDeckError('BAD_IMPORT', `the preset file's "version" must be a whole number such as ${PRESET_VERSION}, got ${JSON.stringify(data.version)}`);
    }
    if ((data.version as number) > PRESET_VERSION) {
      throw new ProbeDeckError('BAD_IMPORT', `the preset file is version ${String(data.version)}; this ProbeDeck reads up to version ${PRESET_VERSION}`);
    }
    if (data.name !== undefined && typeof data.name !== 'string') throw new ProbeDeckError('BAD_IMPORT', `the preset file's "name" must be a text, got ${JSON.stringify(data.name)}`);
    return { name: name ?? (data.name as string | undefined) ?? 'Imported preset', body: validateBody(data.body) };
  }
  // Anything else is read as a SpikeInterface pipeline dict, on top of the Neuropixels AP display.
  return { name: name ?? 'Imported from SpikeInterface', body: fromSpikeInterface(data, BUILTIN_PRESETS[0].body) };
}
