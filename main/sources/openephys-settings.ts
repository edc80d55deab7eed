// Open Ephys keeps each Neuropixels probe's layout in the Record Node's settings.xml, not in the
// oebin: an NP_PROBE element per probe (or per shank on a Quad Base) with its part number and, per
// readout channel CHn, ELECTRODE_XPOS/YPOS in µm (x includes a multi-shank probe's 250 µm shank
// offset) and CHANNELS "bank" or "bank:shank". Machine-written, one attribute list per element, so
// a scan of elements and attributes reads it; any mismatch leaves the recording without a layout.
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface OpenEphysProbe {
  partNumber: string | null;
  kind: 'np1' | 'np2' | 'other';
  /** Per readout channel: position (µm) and shank. */
  contacts: Map<number, { x: number; y: number; shank: number }>;
}

const SHANK_PITCH_UM = 250;

type Attrs = Record<string, string>;

function attributes(text: string): Attrs {
  const out: Attrs = {};
  for (const m of text.matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

interface ProbeEntry {
  attrs: Attrs;
  children: Map<string, Attrs>;
}

/** The NP_PROBE elements in document order, with their child elements' attributes. */
function probeEntries(xml: string): ProbeEntry[] {
  const entries: ProbeEntry[] = [];
  for (const m of xml.matchAll(/<NP_PROBE\b([^>]*?)(\/?)>/g)) {
    const children = new Map<string, Attrs>();
    if (m[2] !== '/') {
      const end = xml.indexOf('</NP_PROBE>', m.index);
      const body = xml.slice(m.index + m[0].length, end < 0 ? undefined : end);
      for (const c of body.matchAll(/<(\w+)\b([^>]*?)\/?>/g)) children.set(c[1], attributes(c[2]));
    }
    entries.push({ attrs: attributes(m[1]), children });
  }
  return entries;
}

/** ADC family from the probe's ADC count where the plugin wrote it (NP1.0: 32, NP2.0: 24), else its part number. */
function familyOf(a: Attrs): 'np1' | 'np2' | 'other' {
  if (a.num_adcs === '32') return 'np1';
  if (a.num_adcs === '24') return 'np2';
  const pn = a.probe_part_number ?? '';
  if (/^(PRB_1_|NP1)/.test(pn)) return 'np1';
  if (/^(PRB2_|NP2)/.test(pn)) return 'np2';
  return 'other';
}

/**
 * The entry a stream was recorded from: by its custom name, else by letter ("ProbeC" is the third
 * enabled probe; on a Quad Base, entries sharing a serial number are one probe's shanks, "ProbeC-2"
 * its second), else the only probe there is.
 */
function entryFor(entries: ProbeEntry[], stream: string): ProbeEntry | null {
  const enabled = entries.filter((e) => e.attrs.isEnabled !== '0');
  const name = stream.replace(/^[^.]*-\d+\./, '').replace(/-(AP|LFP)$/i, '');
  const named = enabled.filter((e) => e.attrs.custom_probe_name !== undefined && e.attrs.custom_probe_name === name);
  if (named.length === 1) return named[0];
  const groups: ProbeEntry[][] = [];
  for (const e of enabled) {
    const last = groups.at(-1);
    const serial = e.attrs.probe_serial_number;
    if (last && serial && last[0].attrs.probe_serial_number === serial) last.push(e);
    else groups.push([e]);
  }
  const letter = /^Probe([A-Z])(?:-(\d+))?$/.exec(name);
  if (letter) {
    const group = groups[letter[1].charCodeAt(0) - 65];
    if (!group) return null;
    if (letter[2] === undefined) return group.length === 1 ? group[0] : null;
    return group[Number(letter[2]) - 1] ?? null;
  }
  return groups.length === 1 && groups[0].length === 1 ? groups[0][0] : null;
}

function layoutOf(e: ProbeEntry): OpenEphysProbe {
  const xs = e.children.get('ELECTRODE_XPOS') ?? {};
  const ys = e.children.get('ELECTRODE_YPOS') ?? {};
  const banks = e.children.get('CHANNELS') ?? {};
  const contacts = new Map<number, { x: number; y: number; shank: number }>();
  for (const [key, xText] of Object.entries(xs)) {
    const ch = /^CH(\d+)$/.exec(key);
    const x = Number(xText);
    const y = Number(ys[key]);
    if (!ch || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    const bankShank = banks[key]?.split(':');
    const shank = bankShank?.length === 2 ? Number(bankShank[1]) : Math.floor(x / SHANK_PITCH_UM);
    contacts.set(Number(ch[1]), { x, y, shank: Number.isInteger(shank) && shank >= 0 ? shank : 0 });
  }
  return { partNumber: e.attrs.probe_part_number ?? null, kind: familyOf(e.attrs), contacts };
}

/** settings.xml of experiment 1, settings_N.xml of experiment N, beside the experiment folders. */
function settingsPaths(oebin: string): string[] {
  const experiment = dirname(dirname(oebin));
  const node = dirname(experiment);
  const n = /^experiment(\d+)$/.exec(basename(experiment))?.[1];
  return [...(n && n !== '1' ? [join(node, `settings_${n}.xml`)] : []), join(node, 'settings.xml')];
}

/** The probe a stream was recorded from; when none, why not (no settings file, or one that does not describe it). */
export async function findOpenEphysProbe(oebin: string, stream: string): Promise<{ probe: OpenEphysProbe | null; missing: string }> {
  for (const path of settingsPaths(oebin)) {
    let xml: string;
    try {
      xml = await readFile(path, 'utf8');
    } catch {
      continue;
    }
    const entries = probeEntries(xml);
    const entry = entryFor(entries, stream);
    if (entry) return { probe: layoutOf(entry), missing: '' };
    return { probe: null, missing: entries.length ? `${path} describes no probe for stream ${stream}` : `${path} holds no Neuropixels probe entry (damaged, or not the Record Node's settings)` };
  }
  return { probe: null, missing: `no settings.xml beside ${dirname(dirname(dirname(oebin)))}` };
}
