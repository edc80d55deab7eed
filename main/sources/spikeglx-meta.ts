// SpikeGLX .meta files: key=value lines; `~key` values are lists of (…) entries whose first entry
// (the header) is kept apart. Gains, saved channels and geometry follow neo and probeinterface
// (reference/spikeinterface-semantics.md §5.1).
export interface Meta {
  values: Map<string, string>;
  lists: Map<string, { header: string; entries: string[] }>;
}

export function parseMeta(text: string): Meta {
  const values = new Map<string, string>();
  const lists = new Map<string, { header: string; entries: string[] }>();
  for (const line of text.split(/\r?\n/)) {
    const parts = line.split('=');
    if (parts.length !== 2) continue; // neo skips lines that don't split into exactly two parts
    const [key, value] = [parts[0].trim(), parts[1].trim()];
    if (key.startsWith('~')) {
      const entries = value.slice(1, -1).split(')(');
      lists.set(key.slice(1), { header: entries[0] ?? '', entries: entries.slice(1) });
    } else values.set(key, value);
  }
  return { values, lists };
}

/**
 * snsSaveChanSubset: "all" or comma-separated indices and inclusive a:b ranges, in ascending order
 * as SpikeGLX saves the columns (a list out of order would give each column another channel's
 * readout, gain and site); null when it is not that. Counting stops past nSaved + 1 (a damaged
 * "0:99999999999" would otherwise fill memory): the caller says the count disagrees with nSavedChans.
 */
export function savedChannels(subset: string | undefined, nSaved: number): number[] | null {
  if (!subset || subset === 'all') return Array.from({ length: nSaved }, (_, i) => i);
  const out: number[] = [];
  for (const part of subset.split(',')) {
    const m = /^\s*(\d+)\s*(?::\s*(\d+)\s*)?$/.exec(part);
    if (!m) return null;
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (b < a || (out.length && a <= out[out.length - 1])) return null;
    for (let c = a; c <= b && out.length <= nSaved; c++) out.push(c);
  }
  return out;
}

type ShankGeometry = [evenRowX: number, oddRowX: number, horizontalPitch: number, verticalPitch: number];

// [even-row x offset, odd-row x offset, horizontal pitch, vertical pitch] by probe family
// (SpikeGLX's ProbeTable as used by SGLXMetaToCoords), for files without ~snsGeomMap.
const SHANK_MAP_GEOMETRY: Record<'np1' | 'np2', ShankGeometry> = {
  np1: [27, 11, 32, 20],
  np2: [27, 27, 32, 15]
};

// Two-column probes whose sites are not their family's (the same ProbeTable, as probeinterface's
// neuropixels_probe_features.json has it): NHP probes, linear or on wider shanks.
const PART_GEOMETRY: Record<string, ShankGeometry> = {
  ...Object.fromEntries(['NP1015', 'NP1016', 'NP1017'].map((pn) => [pn, [27, 27, 32, 20]])),
  ...Object.fromEntries(['NP1020', 'NP1021', 'NP1030', 'NP1031'].map((pn) => [pn, [27, 11, 87, 20]])),
  ...Object.fromEntries(['NP1022', 'NP1032', 'NP1033', 'NP1040', 'NP1041', 'NP1042', 'NP1050', 'NP1051'].map((pn) => [pn, [11, 11, 103, 20]])),
  NP1200: [56.5, 36.5, 32, 31],
  NP1210: [56.5, 36.5, 32, 31],
  NP1300: [11, 11, 48, 20],
  NP2006: [27, 11, 32, 15]
};

/** The site in column `col` of row `row` (from the tip) of a shank laid out as `g`. */
function siteOf(g: ShankGeometry, col: number, row: number): { x: number; y: number } {
  const [even, odd, hp, vp] = g;
  return { x: (row % 2 === 0 ? even : odd) + col * hp, y: row * vp };
}

/** A site's place, and whether SpikeGLX's map marks it used: 0 marks a reference site (NP1.0's channel 191), no neural signal. */
export interface MappedSite {
  x: number;
  y: number;
  shank: number;
  used: boolean;
}

/** Four numbers, as a map entry holds; null for a damaged entry. */
function fields(entry: string): number[] | null {
  const v = entry.split(':').map((f) => (f.trim() === '' ? NaN : Number(f)));
  return v.length >= 4 && v.slice(0, 4).every(Number.isFinite) ? v : null;
}

/** Centre-to-centre distance of a multi-shank Neuropixels probe's shanks (NP2.0 4-shank), as ~snsGeomMap's shankSep says. */
const SHANK_PITCH_UM = 250;

/**
 * ~snsShankMap=(shanks,cols,rows)(shank:col:row:used)…; null for an entry that is not that. Its
 * col/row are within the shank: a site's x is its shank's place plus its column's, as ~snsGeomMap
 * and probeinterface give (shanks laid one on another would be one shank to a sorter).
 */
export function geometryFromShankMap(map: { header: string; entries: string[] }, family: 'np1' | 'np2', partNumber?: string | null): (MappedSite | null)[] {
  const g = PART_GEOMETRY[partNumber ?? ''] ?? SHANK_MAP_GEOMETRY[family];
  return map.entries.map((e) => {
    const f = fields(e);
    if (!f) return null;
    const [shank, col, row, used] = f;
    const site = siteOf(g, col, row);
    return { x: site.x + shank * SHANK_PITCH_UM, y: site.y, shank, used: used !== 0 };
  });
}

/** Channel c's site on a Neuropixels 1.0 probe in bank 0: two staggered columns per 20 µm row, as its shank map would say. */
export function np1Site(c: number): { x: number; y: number } {
  return siteOf(SHANK_MAP_GEOMETRY.np1, c % 2, Math.floor(c / 2));
}

/** ~snsGeomMap=(part,shanks,shankSep,shankWidth)(shank:x:z:use)…: x is within the shank. */
export function geometryFromGeomMap(map: { header: string; entries: string[] }): (MappedSite | null)[] {
  const shankSep = Number(map.header.split(',')[2] ?? 0);
  return map.entries.map((e) => {
    const f = fields(e);
    if (!f || !Number.isFinite(shankSep)) return null;
    const [shank, x, z, use] = f;
    return { x: x + shank * shankSep, y: z, shank, used: use !== 0 };
  });
}
