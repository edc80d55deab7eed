// What a preset holds, and the one validator every way in (API, JSON import, SpikeInterface import)
// goes through. Messages name the field at fault.
import { invalidParameterError, isInteger, isNumber, isPlainObject, isString, ProbeDeckError } from '../util/is.ts';
import type { PresetBody, ReferenceChoice } from '../api/domains/presets.ts';
import { MAX_CHANNELS, MAX_WORKERS } from '../engine/validate.ts';

export const PRESET_FORMAT = 'probedeck-preset';
/** What a filter without a precision (a preset saved before there was a choice) computes in: SpikeInterface's float64. */
export const DEFAULT_FILTER_PRECISION = 'float64';
export const PRESET_VERSION = 1;

/**
 * The longest filter margin a preset may ask for. SpikeInterface's filters take 5 ms and its phase
 * shift 40 ms; its "auto" margin, 5 periods of the low corner, is 50 s only for a 0.1 Hz corner.
 * Every chunk reads and holds the margin on both sides, so more than a minute is a value typed in
 * the wrong unit (µs, samples), never a margin.
 */
export const MAX_MARGIN_MS = 60_000;

function oneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) throw invalidParameterError(name, allowed.map((a) => `"${a}"`).join(', '), v);
  return v as T;
}
function positive(name: string, v: unknown): number {
  if (!isNumber(v) || v <= 0) throw invalidParameterError(name, 'a number above 0', v);
  return v;
}
function notNegative(name: string, v: unknown): number {
  if (!isNumber(v) || v < 0) throw invalidParameterError(name, 'a number of 0 or more', v);
  return v;
}
function obj(name: string, v: unknown): Record<string, unknown> {
  if (!isPlainObject(v)) throw invalidParameterError(name, 'an object', v);
  return v;
}

export function validateBody(input: unknown): PresetBody {
  const b = obj('body', input);
  const p = obj('pipeline', b.pipeline);
  const f = obj('pipeline.filter', p.filter);
  const kind = oneOf('pipeline.filter.kind', f.kind, ['none', 'bandpass', 'highpass', 'lowpass'] as const);
  const order = f.order ?? 5;
  if (!isInteger(order) || order < 1 || order > 10) throw invalidParameterError('pipeline.filter.order', 'an integer from 1 to 10', order);
  const lowHz = kind === 'bandpass' || kind === 'highpass' ? positive('pipeline.filter.lowHz', f.lowHz) : null;
  const highHz = kind === 'bandpass' || kind === 'lowpass' ? positive('pipeline.filter.highHz', f.highHz) : null;
  if (lowHz !== null && highHz !== null && lowHz >= highHz)
    throw new ProbeDeckError('INVALID_PARAMETER', `The low corner (${lowHz} Hz) must be below the high corner (${highHz} Hz) in "pipeline.filter"`);
  const phase = oneOf('pipeline.filter.phase', f.phase ?? 'zero', ['zero', 'causal', 'stream'] as const);
  const marginMs = f.marginMs === undefined || f.marginMs === null ? null : notNegative('pipeline.filter.marginMs', f.marginMs);
  if (marginMs !== null && marginMs > MAX_MARGIN_MS) throw invalidParameterError('pipeline.filter.marginMs', `a margin of 0 to ${MAX_MARGIN_MS} ms (${MAX_MARGIN_MS / 1000} s of real neighbours read on each side of every chunk)`, marginMs);
  const precision = oneOf('pipeline.filter.precision', f.precision ?? DEFAULT_FILTER_PRECISION, ['float64', 'float32'] as const);

  const ps = obj('pipeline.phaseShift', p.phaseShift ?? { method: 'none' });
  const method = oneOf('pipeline.phaseShift.method', ps.method, ['none', 'fir', 'fft'] as const);
  const taps = ps.taps ?? 16;
  if (![16, 32, 64].includes(taps as number)) throw invalidParameterError('pipeline.phaseShift.taps', '16, 32 or 64', taps);

  const bc = obj('pipeline.badChannels', p.badChannels ?? { detect: 'none', manual: [] });
  const detect = oneOf('pipeline.badChannels.detect', bc.detect, ['none', 'coherence+psd', 'std', 'mad'] as const);
  const manual = bc.manual ?? [];
  if (!Array.isArray(manual)) throw invalidParameterError('pipeline.badChannels.manual', 'a list of channel indices', manual);
  // The entry at fault, by place: "an array of length 3" did not say which of a hand-written list.
  // No probe has more channels than the engine takes: two million 'bad channels' were stored, and sent with every list of presets.
  const wrong = manual.findIndex((c) => !(isInteger(c) && c >= 0 && c < MAX_CHANNELS));
  if (wrong >= 0) throw invalidParameterError(`pipeline.badChannels.manual[${wrong}]`, `a channel index (a whole number from 0 to ${MAX_CHANNELS - 1}; AP12 is 12)`, manual[wrong]);

  const reference = validateReference('pipeline.reference', p.reference);

  const d = obj('display', b.display);
  const view = oneOf('display.view', d.view ?? 'traces', ['traces', 'heatmap'] as const);
  const gain = d.gainUvPerDiv ?? null;
  if (gain !== null && (!isNumber(gain) || gain <= 0)) throw invalidParameterError('display.gainUvPerDiv', 'a number above 0, or null to keep the view’s gain', gain);
  const windowS = d.windowS ?? 1;
  if (!isNumber(windowS) || windowS < 0.01 || windowS > 30) throw invalidParameterError('display.windowS', 'a window of 0.01 to 30 s', windowS);
  const colormap = oneOf('display.colormap', d.colormap ?? 'RdBu', ['RdBu', 'viridis', 'gray'] as const);
  const channelOrder = oneOf('display.channelOrder', d.channelOrder ?? 'depth', ['depth', 'index'] as const);

  const res = obj('resources', b.resources ?? {});
  const ram = res.ramBudgetBytes ?? null;
  if (ram !== null && (!isInteger(ram) || (ram as number) < 64 * 2 ** 20)) throw invalidParameterError('resources.ramBudgetBytes', 'at least 64 MiB in bytes, or null for automatic', ram);
  const nWorkers = res.nWorkers ?? 'auto';
  if (nWorkers !== 'auto' && (!isInteger(nWorkers) || (nWorkers as number) < 1 || (nWorkers as number) > MAX_WORKERS)) throw invalidParameterError('resources.nWorkers', `"auto" or 1–${MAX_WORKERS}`, nWorkers);

  return {
    pipeline: {
      filter: { kind, order, lowHz, highHz, phase, marginMs, precision },
      phaseShift: { method, taps: taps as 16 | 32 | 64 },
      badChannels: { detect, manual: [...new Set(manual as number[])] }, // each once
      reference
    },
    display: { view, gainUvPerDiv: gain as number | null, windowS, colormap, channelOrder },
    resources: { ramBudgetBytes: ram as number | null, nWorkers: nWorkers as 'auto' | number }
  };
}

/** A reference as presets and the view describe it; `name` is where it sits, for messages. */
export function validateReference(name: string, value: unknown): ReferenceChoice {
  const r = obj(name, value);
  const mode = oneOf(`${name}.mode`, r.mode, ['none', 'global', 'group', 'local', 'single'] as const);
  const operator = oneOf(`${name}.operator`, r.operator ?? 'median', ['median', 'mean'] as const);
  const innerUm = r.innerUm ?? 30;
  const outerUm = r.outerUm ?? 55;
  if (!isNumber(innerUm) || innerUm < 0) throw invalidParameterError(`${name}.innerUm`, 'a radius of 0 µm or more', innerUm);
  if (!isNumber(outerUm) || outerUm <= innerUm) throw invalidParameterError(`${name}.outerUm`, `a radius above innerUm (${innerUm})`, outerUm);
  const channel = r.channel ?? null;
  if (mode === 'single' && (!isInteger(channel) || (channel as number) < 0)) throw invalidParameterError(`${name}.channel`, 'a channel index', channel);
  // The channel stays when another mode is chosen (or CMR is turned off), so switching back restores it.
  return { mode, operator, innerUm, outerUm, channel: isInteger(channel) && (channel as number) >= 0 ? (channel as number) : null };
}

export function validateName(v: unknown): string {
  if (!isString(v)) throw invalidParameterError('name', 'a name of 1–80 characters', v);
  if (v.trim().length === 0 || v.length > 80) throw new ProbeDeckError('INVALID_PARAMETER', `A preset's name has 1 to 80 characters; "${v.length > 80 ? `${v.slice(0, 40)}…` : v}" has ${v.trim().length === 0 ? 'none' : v.length}`);
  // Control characters and direction overrides: a name shown in menus, files and terminals must read as it is.
  const hidden = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.exec(v);
  if (hidden) throw new ProbeDeckError('INVALID_PARAMETER', `A preset's name is printable text on one line; this one holds the control character U+${hidden[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
  return v.trim();
}
