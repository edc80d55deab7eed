// The kinds of source a default preset is chosen for, as the Presets page and the Export form name them.
export const SOURCE_KINDS = [
  { id: 'spikeglx', label: 'SpikeGLX' },
  { id: 'openephys', label: 'Open Ephys' },
  { id: 'raw', label: 'raw binary' },
  { id: 'live', label: 'live file' },
  { id: 'simulator', label: 'simulator' },
  // Take precedence over the kinds above: an LFP stream (under 5 kHz) first, then a probe with more than one shank.
  { id: 'multishank', label: 'multi-shank probe' },
  { id: 'lfp', label: 'LFP stream' }
];

export const sourceKindLabel = (id: string): string => SOURCE_KINDS.find((k) => k.id === id)?.label ?? id;
