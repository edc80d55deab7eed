// Which lanes of the traces view (or heatmap: its rows are the same lanes) carry their channel's name,
// and where. Lane k of a column of lanes is drawn from the bottom, (k + 0.5) lane heights up, lanes
// as tall as in the tallest column (trace-renderer.ts); columns of lanes sit side by side.
// A column of lanes as lane-layout.ts's LaneGroup is: not imported from there, which brings the WebGL
// renderer (and the DOM) into the unit tests that run this in Node.
type LaneGroup = { start: number; count: number };

/** A label's box height in CSS pixels (LaneLabels.svelte sets its line height to this). */
export const LABEL_PX = 11;
/** Label centres at least this far apart: a box's height and a pixel between neighbours. */
export const MIN_PITCH_PX = LABEL_PX + 1;
/** How far a box may stick out of the plot: its leading above and below the digits, not the digits. */
const SLACK_PX = 2;

export interface LaneLabel {
  /** Index into the lane order (`traces.lanes`). */
  lane: number;
  /** The channel it shows (an index into the session's channels). */
  channel: number;
  /** The label's centre, as a fraction of the plot's height from its top: the middle of its lane. */
  top: number;
  /** The left edge of its column of lanes, as a fraction of the plot's width. */
  left: number;
}

/**
 * Every how many lanes a label goes: 1, 2, 5, 10, 20, 50… the smallest that keeps label centres
 * `MIN_PITCH_PX` apart on lanes `pxPerLane` tall, so no two labels overlap.
 */
export function labelStep(pxPerLane: number): number {
  if (!(pxPerLane > 0)) return Infinity;
  for (let decade = 1; ; decade *= 10)
    for (const m of [1, 2, 5]) if (m * decade * pxPerLane >= MIN_PITCH_PX) return m * decade;
}

/**
 * The labels for `groups` of `lanes` on a plot `heightPx` tall, each column of lanes `columnWidth`
 * of the plot's width. Stacked, every step-th lane of the whole order is labelled (0, step, 2·step…),
 * so scrolling keeps the same channels labelled; side by side, every step-th of each column from its
 * own first lane. A label that would be cut by the plot's top or bottom edge is left out.
 */
export function laneLabels(lanes: number[], groups: LaneGroup[], heightPx: number, columnWidth: number): LaneLabel[] {
  const rows = Math.max(0, ...groups.map((g) => g.count));
  if (rows === 0 || !(heightPx > 0)) return [];
  const lanePx = heightPx / rows;
  const step = labelStep(lanePx);
  // Stacked, the one column is a range of the whole order; side by side, each is a shank's own.
  const origin = (g: LaneGroup) => (groups.length > 1 ? g.start : 0);
  const out: LaneLabel[] = [];
  groups.forEach((g, col) => {
    const first = Math.ceil((g.start - origin(g)) / step) * step + origin(g);
    for (let lane = first; lane < g.start + g.count; lane += step) {
      const channel = lanes[lane];
      if (channel === undefined) break;
      const fromTop = heightPx - (lane - g.start + 0.5) * lanePx;
      if (fromTop < LABEL_PX / 2 - SLACK_PX || fromTop > heightPx - LABEL_PX / 2 + SLACK_PX) continue;
      out.push({ lane, channel, top: fromTop / heightPx, left: col * columnWidth });
    }
  });
  return out;
}
