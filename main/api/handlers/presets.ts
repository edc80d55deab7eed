import type { Preset, PresetsMethods } from '../domains/presets.ts';
import type { PresetsRepo } from '../../presets/repo.ts';
import { exportPreset, parsePresetFile } from '../../presets/transfer.ts';
import { invalidParameterError, isInteger, isPlainObject, isString } from '../../util/is.ts';
import type { HandlersOf } from './types.ts';

function params(p: unknown): Record<string, unknown> {
  if (!isPlainObject(p)) throw invalidParameterError('params', 'an object', p);
  return p;
}
function id(p: unknown): number {
  const v = params(p).id;
  if (!isInteger(v)) throw invalidParameterError('id', 'a preset id', v);
  return v;
}
function str(p: unknown, key: string): string {
  const v = params(p)[key];
  if (!isString(v) || v.length === 0 || v.length > 200) throw invalidParameterError(key, 'a non-empty string', v);
  return v;
}

/**
 * `onSaved`: told of every edited body (the open view may be running that preset); its note goes back
 * to the editor. `onRenamed`: told of every new name, which the view says of the preset it runs.
 */
export function presetsHandlers(repo: PresetsRepo, onSaved: (p: Preset) => string | null = () => null, onRenamed: (p: Preset) => void = () => {}): HandlersOf<keyof PresetsMethods> {
  return {
    'presets.list': (p) => repo.list(isPlainObject(p) && p.includeDeleted === true),
    'presets.create': (p) => repo.create(str(p, 'name'), params(p).body),
    'presets.update': (p) => {
      const saved = repo.update(id(p), params(p).body);
      return { ...saved, viewNote: onSaved(saved) };
    },
    'presets.rename': (p) => {
      const renamed = repo.rename(id(p), params(p).name as string); // the repository says what a name may be
      onRenamed(renamed);
      return renamed;
    },
    'presets.duplicate': (p) => repo.duplicate(id(p), params(p).name === undefined ? undefined : str(p, 'name')),
    'presets.delete': (p) => repo.remove(id(p)),
    'presets.restore': (p) => repo.restore(id(p)),
    'presets.setDefault': (p) => repo.setDefault(str(p, 'sourceKind'), id(p)),
    'presets.defaults': () => repo.defaults(),
    'presets.markUsed': (p) => repo.markUsed(str(p, 'sourceKey'), id(p)),
    'presets.lastUsed': (p) => repo.lastUsed(str(p, 'sourceKey')),
    'presets.export': (p) => {
      const format = params(p).format;
      if (format !== 'probedeck' && format !== 'spikeinterface') throw invalidParameterError('format', '"probedeck" or "spikeinterface"', format);
      return exportPreset(repo.get(id(p)), format);
    },
    'presets.import': (p) => {
      const text = params(p).text;
      if (!isString(text) || text.length > 1_000_000) throw invalidParameterError('text', 'the preset file as text (at most 1 MB)', text);
      const named = params(p).name === undefined ? undefined : str(p, 'name');
      const file = parsePresetFile(text, named);
      // A name typed in must be free; one from the file (or the default) takes a number when taken,
      // so importing the same file twice, or a second SpikeInterface dict, just works.
      return repo.create(named ?? repo.freeNameLike(file.name), file.body);
    }
  };
}
