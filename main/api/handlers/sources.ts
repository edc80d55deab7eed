import type { SourcesMethods } from '../domains/sources.ts';
import { browse } from '../../sources/browse.ts';
import type { RecentRepo } from '../../sources/recent-repo.ts';
import { invalidParameterError, isPlainObject, isString } from '../../util/is.ts';
import type { HandlersOf } from './types.ts';

export function sourcesHandlers(recent: RecentRepo, dataRoots: string[]): HandlersOf<keyof SourcesMethods> {
  return {
    'sources.recent': () => recent.list(),
    'sources.browse': (p) => {
      const path = isPlainObject(p) ? p.path : undefined;
      if (path !== undefined && !isString(path)) throw invalidParameterError('path', 'a folder path', path);
      return browse(path, dataRoots);
    }
  };
}
