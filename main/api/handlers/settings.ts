import type { SettingsMethods } from '../domains/settings.ts';
import type { SettingsRepo } from '../../db/settings-repo.ts';
import { invalidParameterError, isPlainObject, isString } from '../../util/is.ts';
import type { HandlersOf } from './types.ts';

const KEY = /^[a-zA-Z0-9_.:-]{1,128}$/;

function checkKey(params: unknown): string {
  if (!isPlainObject(params)) throw invalidParameterError('params', 'an object', params);
  if (!isString(params.key) || !KEY.test(params.key)) throw invalidParameterError('key', 'a name of 1–128 letters, digits or ._:-', params.key);
  return params.key;
}

export function settingsHandlers(repo: SettingsRepo): HandlersOf<keyof SettingsMethods> {
  return {
    'settings.get': (params) => repo.get(checkKey(params)),
    'settings.set': (params) => {
      const key = checkKey(params);
      if (!isString(params.value) || params.value.length > 1_000_000) throw invalidParameterError('value', 'a string of at most 1 MB', params.value);
      return repo.set(key, params.value);
    }
  };
}
