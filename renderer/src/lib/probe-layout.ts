// Where the probe map draws each contact: its place on the probe (µm), width and height each fitted
// to the panel. A probe is a few tens of µm wide and millimetres long, and drawn to one scale its
// contacts were specks too small to click.
import type { SessionChannel } from '../../../main/api/domains/session.ts';

export interface ProbeLayout {
  /** A contact's size on the panel (px). */
  w: number;
  h: number;
  /** Each channel's contact, top-left corner (px), the tip at the bottom. */
  pos: { x: number; y: number }[];
}

/** A contact's nominal size (µm): Neuropixels sites are 12 µm square. */
const SITE_UM = 12;
const MARGIN_PX = 10;

/**
 * Contacts as the source places them: a multi-shank probe's x already holds its shank's place (as
 * SpikeGLX's geometry map, Open Ephys and probeinterface give it), so shanks stand as far apart as on the probe.
 */
export function probeLayout(channels: Pick<SessionChannel, 'x' | 'y'>[], width: number, height: number): ProbeLayout | null {
  if (!channels.length) return null;
  const xs = channels.map((c) => c.x), ys = channels.map((c) => c.y);
  const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
  const sx = (width - 2 * MARGIN_PX) / Math.max(1, maxX - minX + SITE_UM), sy = (height - 2 * MARGIN_PX) / Math.max(1, maxY - minY + SITE_UM);
  const w = Math.max(2, Math.min(SITE_UM * sx, 40)), h = Math.max(1.5, SITE_UM * sy);
  return { w, h, pos: channels.map((c, i) => ({ x: MARGIN_PX + (xs[i] - minX) * sx, y: height - MARGIN_PX - (c.y - minY) * sy - h })) };
}
