import type { EngineMethods } from '../domains/engine.ts';
import { engineInfo } from '../../engine/index.ts';
import type { HandlersOf } from './types.ts';

export function engineHandlers(): HandlersOf<keyof EngineMethods> {
  return { 'engine.info': () => engineInfo() };
}
