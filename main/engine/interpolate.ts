// SpikeInterface's interpolate_bad_channels: each bad channel becomes a weighted sum of the good
// ones, with IBL's kriging kernel exp(−(d/σ)^p) (σ = the most common vertical pitch, p = 1.3),
// weights under 0.005 dropped before and after normalising per bad channel.
import { invalidParameterError, isInteger, isNumber } from '../util/is.ts';
import { withCallerStack } from './errors.ts';
import { native } from './native.ts';
import { checkChannels, checkFrames, checkWorkers } from './validate.ts';

export interface InterpolationPlan {
  targets: Int32Array;
  offsets: Int32Array;
  sources: Int32Array;
  weights: Float32Array;
  channels: number;
}

const WEIGHT_THRESHOLD = 0.005;

/** SI's estimate_recommended_sigma_um: the most common gap between distinct y positions (smallest on a tie). */
export function recommendedSigmaUm(positions: { y: number }[]): number {
  const ys = [...new Set(positions.map((p) => p.y))].sort((a, b) => a - b);
  const counts = new Map<number, number>();
  for (let i = 1; i < ys.length; i++) counts.set(ys[i] - ys[i - 1], (counts.get(ys[i] - ys[i - 1]) ?? 0) + 1);
  let best = NaN;
  let n = 0;
  for (const [d, k] of [...counts].sort((a, b) => a[0] - b[0])) if (k > n) [best, n] = [d, k];
  return best;
}

export function planInterpolation(positions: { x: number; y: number }[], bad: number[], o: { sigmaUm?: number; p?: number } = {}): InterpolationPlan {
  const C = checkChannels(positions.length);
  if (!Array.isArray(bad) || !bad.every((c) => isInteger(c) && c >= 0 && c < C)) throw invalidParameterError('bad', `a list of channel indices below ${C}`, bad);
  const badSet = new Set(bad);
  const good = positions.map((_, c) => c).filter((c) => !badSet.has(c));
  const sigma = o.sigmaUm ?? recommendedSigmaUm(positions);
  const p = o.p ?? 1.3;
  if (!isNumber(sigma) || sigma <= 0) throw invalidParameterError('sigmaUm', 'a kernel width above 0 µm', sigma);
  const targets = [...badSet].sort((a, b) => a - b);
  const offsets = [0];
  const sources: number[] = [];
  const weights: number[] = [];
  for (const b of targets) {
    const w = good.map((g) => {
      const k = Math.exp(-((Math.hypot(positions[g].x - positions[b].x, positions[g].y - positions[b].y) / sigma) ** p));
      return k < WEIGHT_THRESHOLD ? 0 : k;
    });
    const sum = w.reduce((a, v) => a + v, 0);
    w.forEach((v, i) => {
      const n = v / sum;
      if (n >= WEIGHT_THRESHOLD && Number.isFinite(n)) {
        sources.push(good[i]);
        weights.push(n);
      }
    });
    offsets.push(sources.length);
  }
  return { targets: Int32Array.from(targets), offsets: Int32Array.from(offsets), sources: Int32Array.from(sources), weights: Float32Array.from(weights), channels: C };
}

/** Replaces the plan's bad channels in `data` (time-major float32), in place. */
export async function interpolateChannels(data: Float32Array, plan: InterpolationPlan, nWorkers?: number): Promise<void> {
  if (!(data instanceof Float32Array)) throw invalidParameterError('data', 'a Float32Array', data);
  checkFrames(data, checkChannels(plan.channels), 'data');
  const workers = checkWorkers(nWorkers);
  await withCallerStack(() => native().interpolateChannels(data, plan.channels, plan.targets, plan.offsets, plan.sources, plan.weights, workers));
}
