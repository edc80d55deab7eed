// Which channel each lane of the traces view shows, and the columns of lanes drawn side by side.
import type { SessionChannel } from '../../../main/api/domains/session.ts';
import { MAX_GROUPS } from './trace-renderer.ts';

/** Lanes a source opens with: 384 lanes on a screen are ~2 px each, a solid block; 64 read as traces. */
export const DEFAULT_LANES = 64;

/** A column of lanes: lanes [start, start + count) of the lane order. */
export interface LaneGroup {
  start: number;
  count: number;
}

/**
 * The channels in lane order, bottom first: by depth (shank, then tip to top) or by index, without
 * the `hidden` ones; `byShank` groups them by shank, each group keeping that order.
 */
export function laneOrder(ch: SessionChannel[], order: 'depth' | 'index', hidden: Set<number> | null, byShank: boolean): number[] {
  const idx = ch.map((_, i) => i).filter((i) => !hidden?.has(i));
  if (order === 'depth') idx.sort((a, b) => ch[a].shank - ch[b].shank || ch[a].y - ch[b].y || ch[a].x - ch[b].x);
  // Shanks as columns: grouped by shank, each group keeping the order chosen above (sort is stable).
  if (byShank) idx.sort((a, b) => ch[a].shank - ch[b].shank);
  return idx;
}

/** One column per shank of `lanes` (ordered by shank), as many as the renderer draws. */
export function shankGroups(ch: SessionChannel[], lanes: number[]): LaneGroup[] {
  const out: LaneGroup[] = [];
  lanes.forEach((c, i) => {
    if (i === 0 || ch[c].shank !== ch[lanes[i - 1]].shank) out.push({ start: i, count: 0 });
    out[out.length - 1].count++;
  });
  return out.slice(0, MAX_GROUPS);
}
