// The engine's TS facade: validates, then calls the addon. Nothing else in main/ touches native().
import type { EngineInfo } from '../api/domains/engine.ts';
import { native } from './native.ts';

export function engineInfo(): EngineInfo {
  return native().engineInfo();
}
