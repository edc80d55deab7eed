// Common referencing (SpikeInterface's common_reference): each channel minus the median or mean of
// its reference set at the same sample. Excluded (bad) channels never enter a set.
import { ProbeDeckError, invalidParameterError, isInteger, isNumber } from '../util/is.ts';
import { withCallerStack } from './errors.ts';
import { native } from './native.ts';
import { checkChannels, checkFrames, checkWorkers } from './validate.ts';

export type ReferenceSpec = { operator: 'median' | 'mean'; exclude?: number[]; refChannels?: number[] } & (
  | { mode: 'global' }
  | { mode: 'group'; groups: Int32Array }
  | { mode: 'local'; positions: Float64Array; innerUm: number; outerUm: number; minNeighbors?: number }
  | { mode: 'single'; channel: number }
);

export interface ReferencePlan {
  members: Int32Array;
  offsets: Int32Array;
  setOfChannel: Int32Array;
  operator: 0 | 1;
}

function channelList(name: string, list: unknown, channels: number): number[] {
  if (list === undefined) return [];
  if (!Array.isArray(list) || !list.every((c) => isInteger(c) && c >= 0 && c < channels)) {
    throw invalidParameterError(name, `a list of channel indices below ${channels}`, list);
  }
  return list;
}

/** Turns a spec into flat reference sets; validated once per layout, reused for every chunk. */
export function planReference(spec: ReferenceSpec, channels: number): ReferencePlan {
  checkChannels(channels);
  if (spec.operator !== 'median' && spec.operator !== 'mean') throw invalidParameterError('operator', '"median" or "mean"', spec.operator);
  const excluded = new Set(channelList('exclude', spec.exclude, channels));
  const allowed = spec.refChannels ? new Set(channelList('refChannels', spec.refChannels, channels)) : null;
  const usable = (c: number) => !excluded.has(c) && (!allowed || allowed.has(c));
  const sets: number[][] = [];
  const setOf = new Int32Array(channels).fill(-1);
  const all = Array.from({ length: channels }, (_, c) => c);

  switch (spec.mode) {
    case 'global':
      sets.push(all.filter(usable));
      setOf.fill(0);
      break;
    case 'single': {
      if (!isInteger(spec.channel) || spec.channel < 0 || spec.channel >= channels) throw invalidParameterError('channel', `a channel index below ${channels}`, spec.channel);
      if (excluded.has(spec.channel)) throw new ProbeDeckError('EMPTY_REFERENCE', `the reference channel ${spec.channel} is excluded as bad`);
      sets.push([spec.channel]);
      setOf.fill(0);
      break;
    }
    case 'group': {
      if (!(spec.groups instanceof Int32Array) || spec.groups.length !== channels) throw invalidParameterError('groups', `an Int32Array of ${channels} group numbers`, spec.groups);
      const index = new Map<number, number>();
      for (let c = 0; c < channels; c++) {
        const g = spec.groups[c];
        if (g < 0) continue; // channels outside every group are left as they are
        if (!index.has(g)) {
          index.set(g, sets.length);
          sets.push(all.filter((k) => spec.groups[k] === g && usable(k)));
        }
        setOf[c] = index.get(g)!;
      }
      break;
    }
    case 'local': {
      const { positions, innerUm, outerUm } = spec;
      if (!(positions instanceof Float64Array) || positions.length !== channels * 2) throw invalidParameterError('positions', `a Float64Array of ${channels}×2 µm`, positions);
      if (!isNumber(innerUm) || innerUm < 0) throw invalidParameterError('innerUm', 'a radius of 0 µm or more', innerUm);
      if (!isNumber(outerUm) || outerUm <= innerUm) throw invalidParameterError('outerUm', `a radius above innerUm (${innerUm})`, outerUm);
      const minNeighbors = spec.minNeighbors ?? 1;
      for (let c = 0; c < channels; c++) {
        const set = all.filter((k) => {
          if (!usable(k)) return false;
          const d = Math.hypot(positions[k * 2] - positions[c * 2], positions[k * 2 + 1] - positions[c * 2 + 1]);
          return d > innerUm && d <= outerUm;
        });
        if (set.length < minNeighbors) {
          throw new ProbeDeckError('EMPTY_REFERENCE', `channel ${c} has ${set.length} reference neighbours between ${innerUm} and ${outerUm} µm (at least ${minNeighbors} needed)`);
        }
        setOf[c] = sets.length;
        sets.push(set);
      }
      break;
    }
    default:
      throw invalidParameterError('mode', 'global, group, local or single', (spec as { mode: unknown }).mode);
  }
  const empty = sets.findIndex((s) => s.length === 0);
  if (empty >= 0) {
    const where = spec.mode === 'group' ? `shank ${spec.groups[setOf.indexOf(empty)]}` : 'the probe';
    throw new ProbeDeckError('EMPTY_REFERENCE', `no channel of ${where} is left to reference against: ${excluded.size} of ${channels} channels are excluded as bad${allowed ? ' or outside the reference channels' : ''}`);
  }
  const offsets = new Int32Array(sets.length + 1);
  sets.forEach((s, k) => (offsets[k + 1] = offsets[k] + s.length));
  return { members: Int32Array.from(sets.flat()), offsets, setOfChannel: setOf, operator: spec.operator === 'median' ? 0 : 1 };
}

/** Re-references `data` (time-major float32) in place. Accepts a spec or a plan made once by planReference. */
export async function commonReference(data: Float32Array, channels: number, spec: ReferenceSpec | ReferencePlan, nWorkers?: number): Promise<void> {
  if (!(data instanceof Float32Array)) throw invalidParameterError('data', 'a Float32Array', data);
  checkChannels(channels);
  checkFrames(data, channels, 'data');
  const plan = 'members' in spec ? spec : planReference(spec, channels);
  if (plan.setOfChannel.length !== channels) throw invalidParameterError('plan', `a plan for ${channels} channels`, plan.setOfChannel.length);
  const workers = checkWorkers(nWorkers);
  await withCallerStack(() => native().commonReference(data, channels, plan.operator, plan.members, plan.offsets, plan.setOfChannel, workers));
}
