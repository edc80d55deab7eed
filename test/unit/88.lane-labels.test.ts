// Where the traces view names its lanes (renderer/src/lib/lane-labels.ts): every k-th lane of a
// 1-2-5 step, in the middle of its lane. e2e 13 checks the same on the drawn view.
import { describe, expect, it } from 'vitest';
import { labelStep, laneLabels, MIN_PITCH_PX } from '../../renderer/src/lib/lane-labels.ts';

describe('lane labels', () => {
  it('placement: every k-th lane of a 1-2-5 step, in the middle of its lane, the same lanes as they scroll', () => {
    const all = Array.from({ length: 384 }, (_, c) => c);
    // 384 lanes on 700 px, 1.8 px each: every 10th; lane 0 (its label's box half below the plot) is left out.
    expect(labelStep(700 / 384)).toBe(10);
    const dense = laneLabels(all, [{ start: 0, count: 384 }], 700, 1);
    expect(dense.map((l) => l.lane)).toEqual(Array.from({ length: 38 }, (_, i) => 10 * (i + 1)));
    for (const l of dense) expect(l.top * 700).toBeCloseTo(700 - (l.lane + 0.5) * (700 / 384), 6);
    // Lanes of 12 px and more are each labelled; 5.9 px: every other one.
    expect(labelStep(MIN_PITCH_PX)).toBe(1);
    expect(labelStep(5.9)).toBe(5);
    expect(labelStep(6)).toBe(2);
    // Scrolled by 32 lanes at every 5th: still the lanes 5, 10… of the order, not 32, 37…
    expect(laneLabels(all, [{ start: 32, count: 64 }], 350, 1).map((l) => l.lane).slice(0, 3)).toEqual([35, 40, 45]);
    // Columns side by side: each labelled from its own first lane, at its own left edge.
    const cols = laneLabels(all, [{ start: 0, count: 100 }, { start: 100, count: 90 }], 800, 0.5);
    expect(cols.filter((l) => l.left === 0.5).map((l) => l.lane).slice(0, 2)).toEqual([100, 102]);
    expect(cols.every((l) => (l.lane < 100 ? l.left === 0 : l.left === 0.5))).toBe(true);
    expect(laneLabels(all, [{ start: 0, count: 0 }], 600, 1)).toEqual([]);
  });
});
