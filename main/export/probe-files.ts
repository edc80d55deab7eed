// Probe descriptions that sorters read: probeinterface JSON (SpikeInterface, Kilosort 4's probe
// loader via probeinterface) and Kilosort 4's own channel-map dictionary.
import type { ChannelInfo, SourceInfo } from '../sources/source.ts';

/** Neuropixels contacts are 12 µm squares; other probes get the same nominal size. */
const CONTACT_WIDTH_UM = 12;

export function probeinterfaceJson(info: SourceInfo, channels: ChannelInfo[]): object {
  const model = info.probe.partNumber ?? (info.probe.kind === 'other' ? null : info.probe.kind.toUpperCase());
  return {
    specification: 'probeinterface',
    version: '0.2.24',
    probes: [
      {
        ndim: 2,
        si_units: 'um',
        annotations: { name: model ?? info.stream, manufacturer: info.probe.kind === 'other' ? '' : 'IMEC', model_name: model ?? '' },
        contact_annotations: {},
        contact_positions: channels.map((c) => [c.x, c.y]),
        contact_plane_axes: channels.map(() => [
          [1, 0],
          [0, 1]
        ]),
        contact_shapes: channels.map(() => 'square'),
        contact_shape_params: channels.map(() => ({ width: CONTACT_WIDTH_UM })),
        // Row k of the exported file is contact k.
        device_channel_indices: channels.map((_, k) => k),
        // probeinterface's ids for the contacts (e0, s1e42: the electrode, as SpikeInterface's probe
        // for the same file has them); the channel's name where the metadata names no electrode.
        contact_ids: channels.map((c) => c.contactId ?? c.id),
        shank_ids: channels.map((c) => String(c.shank))
      }
    ]
  };
}

/**
 * Kilosort 4's probe dictionary (what `kilosort.io.load_probe` reads from a .json file). Rows listed
 * in `leaveOut` (the bad channels) are not in chanMap: Kilosort 4 then sorts without them, as its own
 * `bad_channels` option does (`io.remove_bad_channels` deletes them from this dictionary and lowers
 * n_chan), while n_chan_bin stays the file's column count. Every array must keep one length: a list
 * of another length here would make load_probe refuse the file.
 */
export function kilosortProbeJson(channels: ChannelInfo[], leaveOut: ReadonlySet<number> = new Set()): object {
  const rows = channels.flatMap((c, k) => (leaveOut.has(k) ? [] : [{ c, k }]));
  return {
    chanMap: rows.map((r) => r.k),
    xc: rows.map((r) => r.c.x),
    yc: rows.map((r) => r.c.y),
    kcoords: rows.map((r) => r.c.shank),
    n_chan: rows.length
  };
}
