// The presets every install starts with. They cannot be edited or deleted, only duplicated.
import type { PresetBody } from '../api/domains/presets.ts';
import { validateBody } from './schema.ts';

const display = { view: 'traces', gainUvPerDiv: null, windowS: 1, colormap: 'RdBu', channelOrder: 'depth' } as const;
const resources = { ramBudgetBytes: null, nWorkers: 'auto' } as const;
const noExtras = { phaseShift: { method: 'none', taps: 16 }, badChannels: { detect: 'none', manual: [] } } as const;

export const BUILTIN_PRESETS: { name: string; sourceKinds: string[]; body: PresetBody }[] = [
  {
    name: 'Neuropixels AP',
    sourceKinds: ['spikeglx', 'openephys'],
    body: validateBody({
      pipeline: { filter: { kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000, phase: 'zero' }, ...noExtras, reference: { mode: 'global', operator: 'median' } },
      display,
      resources
    })
  },
  {
    name: 'Neuropixels AP live',
    sourceKinds: ['simulator', 'live'],
    body: validateBody({
      pipeline: { filter: { kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000, phase: 'stream' }, ...noExtras, reference: { mode: 'global', operator: 'median' } },
      display,
      resources
    })
  },
  {
    // Each shank its own reference (SpikeInterface's "group" by shank): a multi-shank probe's shanks
    // sit in different tissue, and a global median mixes their common modes.
    name: 'Neuropixels AP per shank',
    sourceKinds: ['multishank'],
    body: validateBody({
      pipeline: { filter: { kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000, phase: 'zero' }, ...noExtras, reference: { mode: 'group', operator: 'median' } },
      display,
      resources
    })
  },
  {
    name: 'Neuropixels LFP',
    sourceKinds: ['lfp'],
    body: validateBody({
      pipeline: { filter: { kind: 'bandpass', order: 3, lowHz: 0.5, highHz: 500, phase: 'zero' }, ...noExtras, reference: { mode: 'none', operator: 'median' } },
      display: { ...display, windowS: 10, view: 'heatmap' },
      resources
    })
  },
  {
    name: 'Open Ephys 32-ch headstage',
    sourceKinds: ['raw'],
    body: validateBody({
      pipeline: { filter: { kind: 'bandpass', order: 3, lowHz: 300, highHz: 6000, phase: 'zero' }, ...noExtras, reference: { mode: 'global', operator: 'median' } },
      display: { ...display, channelOrder: 'index' },
      resources
    })
  }
];
