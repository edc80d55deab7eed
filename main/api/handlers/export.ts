import type { ExportMethods } from '../domains/export.ts';
import type { ExportManager } from '../../export/manager.ts';
import { isInteger, isPlainObject } from '../../util/is.ts';
import type { HandlersOf } from './types.ts';

export function exportHandlers(exports: ExportManager): HandlersOf<keyof ExportMethods> {
  return {
    'export.start': (p) => exports.start(p),
    'export.cancel': (p) => exports.cancel(isPlainObject(p) ? p.id : undefined),
    'export.check': (p) => exports.check(p),
    'export.sourceKinds': (p) => exports.sourceKinds(p),
    'export.history': (p) => exports.history(isPlainObject(p) && isInteger(p.limit) ? p.limit : undefined)
  };
}
