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
        contact_ids: channels.map((c) => c.id),
        shank_ids: channels.map((c) => String(c.shank))
      }
    ]
  };
}

/** Kilosort 4's probe dictionary (what `kilosort.io.load_probe` reads from a .json file). */
export function kilosortProbeJson(channels: ChannelInfo[]): object {
  return {
    chanMap: channels.map((_, k) => k),
    xc: channels.map((c) => c.x),
    yc: channels.map((c) => c.y),
    kcoords: channels.map((c) => c.shank),
    n_chan: channels.length
  };
}
