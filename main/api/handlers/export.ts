import type { ExportMethods } from '../domains/export.ts';
import type { ExportManager } from '../../export/manager.ts';
import { invalidParameterError, isInteger, isPlainObject } from '../../util/is.ts';
import type { HandlersOf } from './types.ts';

export function exportHandlers(exports: ExportManager): HandlersOf<keyof ExportMethods> {
  return {
    'export.start': (p) => exports.start(p),
    'export.cancel': (p) => exports.cancel(isPlainObject(p) ? p.id : undefined),
    'export.check': (p) => exports.check(p),
    'export.source': (p) => exports.source(p),
    'export.history': (p) => {
      const limit = isPlainObject(p) ? p.limit : undefined;
      // SQLite said 'datatype mismatch' to 1e300, and took -1 for every export ever made.
      if (limit !== undefined && !(isInteger(limit) && limit >= 1 && limit <= 1000)) throw invalidParameterError('limit', 'a number of exports from 1 to 1000', limit);
      return exports.history(limit);
    }
  };
}
