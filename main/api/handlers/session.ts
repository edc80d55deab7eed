import type { SessionMethods, SessionSource } from '../domains/session.ts';
import { checkPipeline, type SessionManager } from '../../sessions/manager.ts';
import { invalidParameterError, isInteger, isNumber, isPlainObject, isString } from '../../util/is.ts';
import type { HandlersOf } from './types.ts';

function source(p: unknown): SessionSource {
  if (!isPlainObject(p)) throw invalidParameterError('params', 'an object { source }', p);
  if (!isPlainObject(p.source)) throw invalidParameterError('source', 'an object', p.source);
  const s = p.source;
  if (s.kind === 'simulator') return { kind: 'simulator', seed: isInteger(s.seed) ? s.seed : 1 };
  if (s.kind === 'recording' && isString(s.path)) {
    if (s.dtype !== undefined && s.dtype !== 'int16' && s.dtype !== 'uint16' && s.dtype !== 'float32') throw invalidParameterError('source.dtype', '"int16", "uint16" or "float32"', s.dtype);
    return { kind: s.kind, path: s.path, channels: s.channels as number | undefined, fs: s.fs as number | undefined, gainUv: s.gainUv as number | undefined, ...(s.dtype ? { dtype: s.dtype } : {}) };
  }
  if (s.kind === 'file' && isString(s.path)) return { kind: s.kind, path: s.path, channels: s.channels as number | undefined, fs: s.fs as number | undefined };
  throw invalidParameterError('source', '{kind: "simulator"}, {kind: "file", path} or {kind: "recording", path}', s);
}

export function sessionHandlers(sessions: SessionManager): HandlersOf<keyof SessionMethods> {
  return {
    'session.open': (p) => sessions.open(source(p), isPlainObject(p) && p.pipeline !== undefined ? checkPipeline(p.pipeline) : undefined),
    'session.info': () => sessions.info(),
    'session.close': () => sessions.close(),
    'session.setPipeline': (p) => sessions.setPipeline(checkPipeline(p)),
    'session.setPreset': (p) => {
      if (!isPlainObject(p) || !isInteger(p.id)) throw invalidParameterError('id', 'a preset id', isPlainObject(p) ? p.id : p);
      return sessions.setPreset(p.id);
    },
    'session.keepBadChannels': () => sessions.keepBadChannels(),
    'session.columns': (p) => {
      if (!isPlainObject(p)) throw invalidParameterError('params', 'an object', p);
      const { fromColumn, toColumn, samplesPerColumn, maxColumns, processed } = p;
      if (!isInteger(fromColumn) || !isInteger(samplesPerColumn) || samplesPerColumn < 1 || !isInteger(maxColumns) || maxColumns < 1 || maxColumns > 8192) {
        throw invalidParameterError('columns request', '{fromColumn, samplesPerColumn ≥ 1, maxColumns 1–8192}', p);
      }
      if (toColumn !== undefined && !isInteger(toColumn)) throw invalidParameterError('toColumn', 'a column index', toColumn);
      return sessions.require().columns(fromColumn, samplesPerColumn, maxColumns, processed !== false, toColumn as number | undefined);
    },
    'session.status': () => sessions.status(),
    'session.activity': (p) => {
      if (!isPlainObject(p) || !isNumber(p.seconds) || p.seconds <= 0 || p.seconds > 600) throw invalidParameterError('seconds', 'a window of up to 600 s', isPlainObject(p) ? p.seconds : p);
      const k = p.thresholdSigma ?? 5;
      if (!isNumber(k) || k <= 0) throw invalidParameterError('thresholdSigma', 'a threshold above 0 σ', k);
      if (p.endSample !== undefined && !(isInteger(p.endSample) && p.endSample >= 0)) throw invalidParameterError('endSample', 'a sample index from 0 (where the window ends)', p.endSample);
      return sessions.require().activity(p.seconds, k, p.endSample as number | undefined);
    },
    'session.spectrum': (p) => {
      if (!isPlainObject(p) || !isNumber(p.seconds) || p.seconds <= 0 || p.seconds > 600) throw invalidParameterError('seconds', 'a window of up to 600 s', isPlainObject(p) ? p.seconds : p);
      if (!Array.isArray(p.channels) || p.channels.length === 0 || p.channels.length > 64 || !p.channels.every(isInteger)) throw invalidParameterError('channels', '1 to 64 channel indices', p.channels);
      const nperseg = p.nperseg ?? 4096;
      if (!isInteger(nperseg) || nperseg < 8 || nperseg > 65536) throw invalidParameterError('nperseg', 'a segment of 8 to 65536 samples', nperseg);
      if (p.endSample !== undefined && !(isInteger(p.endSample) && p.endSample >= 0)) throw invalidParameterError('endSample', 'a sample index from 0 (where the window ends)', p.endSample);
      return sessions.require().spectrum(p.channels as number[], p.seconds, p.processed !== false, nperseg, p.endSample as number | undefined);
    }
  };
}
