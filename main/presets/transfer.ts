// Preset files: ProbeDeck's own versioned JSON, or a SpikeInterface pipeline dict.
import type { Preset, PresetBody, PresetFormat } from '../api/domains/presets.ts';
import { ProbeDeckError, isPlainObject } from '../util/is.ts';
import { BUILTIN_PRESETS } from './builtins.ts';
import { DEFAULT_FILTER_PRECISION, PRESET_FORMAT, PRESET_VERSION, validateBody } from './schema.ts';
import { fromSpikeInterface, toSpikeInterface } from './si-pipeline.ts';

export function exportPreset(p: Preset, format: PresetFormat): string {
  if (format === 'spikeinterface') return JSON.stringify(toSpikeInterface(p.body), null, 2);
  return JSON.stringify({ format: PRESET_FORMAT, version: PRESET_VERSION, name: p.name, body: writtenBody(p.body) }, null, 2);
}

/**
 * A filter computed in float64 is written as before there was a choice (no precision): a ProbeDeck
 * from before it, which refuses a field it does not know, still reads the file, and means the same.
 */
function writtenBody(body: PresetBody): unknown {
  if (body.pipeline.filter.precision !== DEFAULT_FILTER_PRECISION) return body;
  const { precision: _, ...filter } = body.pipeline.filter;
  return { ...body, pipeline: { ...body.pipeline, filter } };
}

/**
 * A Python literal (dicts, lists, tuples, 'strings', True/False/None) as JSON text. Anything it does
 * not know is left for JSON.parse to refuse.
 */
export function pythonToJson(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'" || ch === '"') {
      let s = '';
      for (i++; i < text.length && text[i] !== ch; i++) s += text[i] === '\\' ? text[++i] : text[i];
      out += JSON.stringify(s);
    } else if (/[A-Za-z_]/.test(ch)) {
      let w = ch;
      while (i + 1 < text.length && /\w/.test(text[i + 1])) w += text[++i];
      out += ({ True: 'true', False: 'false', None: 'null' } as Record<string, string>)[w] ?? w;
    } else out += ch === '(' ? '[' : ch === ')' ? ']' : ch;
  }
  // Python allows a comma before a closing bracket; JSON does not.
  return out.replace(/,(\s*[\]}])/g, '$1');
}

/** Reads either format; the name comes from the file, the caller, or a default. */
export function parsePresetFile(text: string, name?: string): { name: string; body: PresetBody } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    // A dict as Python prints it (a SpikeInterface pipeline copied from a script) reads too.
    try {
      data = JSON.parse(pythonToJson(text));
    } catch {
      // A dict printed from Python may hold values only Python can read back (np.float64(300.0)…).
      // The name's length is bounded: unbounded, each start of a long run of letters was tried
      // against the whole rest of it, and 1 MB of them held the host for an hour.
      const call = /[A-Za-z_][\w.]{0,100}\s*\([^()]*\)/.exec(text.replace(/'[^']*'|"[^"]*"/g, '""'))?.[0];
      if (call) throw new ProbeDeckError('BAD_IMPORT', `the preset file must be JSON (in Python: json.dumps(the_dict)) or a plain Python dict, but it holds ${call}, which neither can carry`);
      throw new ProbeDeckError('BAD_IMPORT', `the preset file is neither JSON nor a Python dict (${(e as Error).message}); in Python, json.dumps(the_dict) gives JSON`);
    }
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
    const body = validateBody(data.body);
    // A field this version does not know is a typo ("marginMS") or a later version's: either way the
    // preset would not do what its file says, so nothing is imported.
    const unknown = unknownFields(data, { format: PRESET_FORMAT, version: PRESET_VERSION, name: null, body }, '');
    if (unknown.length) throw new ProbeDeckError('BAD_IMPORT', `the preset file has ${unknown.length > 1 ? 'fields' : 'a field'} this ProbeDeck does not know: ${unknown.join(', ')}; nothing was imported`);
    return { name: name ?? (data.name as string | undefined) ?? 'Imported preset', body };
  }
  // Anything else is read as a SpikeInterface pipeline dict, on top of the Neuropixels AP display.
  return { name: name ?? 'Imported from SpikeInterface', body: fromSpikeInterface(data, BUILTIN_PRESETS[0].body) };
}

/** Paths of the fields in `given` that the validated `known` does not have (objects only, not lists). */
function unknownFields(given: unknown, known: unknown, path: string): string[] {
  if (!isPlainObject(given) || !isPlainObject(known)) return [];
  return Object.keys(given).flatMap((k) => {
    const at = path ? `${path}.${k}` : k;
    return k in known ? unknownFields(given[k], known[k], at) : [at];
  });
}
