// Neuropixels ADC sample shifts (SpikeInterface's get_neuropixels_sample_shifts_from_probe): each
// readout channel is sampled at its ADC slot, so its shift is slot / cycles of a sample period —
// NP1.0: 12 slots + the multiplexed LFP = 13 cycles; NP2.0: 16 slots, 16 cycles. Slots come from
// the .meta's ~muxTbl when present, else from the probe family's known table. Shifts belong to
// readout channel numbers, so a saved subset keeps each channel's own shift.
import { ProbeDeckError } from '../util/is.ts';

const FAMILY = {
  np1: { adcs: 32, slots: 12, cycles: 13 },
  np2: { adcs: 24, slots: 16, cycles: 16 }
} as const;

/** ~muxTbl=(nADC,nSlots)(ch ch …)(…): entry k lists the readout channels sampled in slot k. */
function slotsFromMuxTable(mux: { header: string; entries: string[] }): Map<number, number> {
  const slotOf = new Map<number, number>();
  mux.entries.forEach((e, slot) => {
    for (const ch of e.trim().split(/\s+/)) if (ch !== '') slotOf.set(Number(ch), slot);
  });
  return slotOf;
}

export function adcSampleShifts(probe: 'np1' | 'np2' | 'other', readouts: number[], muxTable?: { header: string; entries: string[] }): Float64Array {
  if (probe === 'other') throw new ProbeDeckError('NO_ADC_LAYOUT', 'the phase shift needs a Neuropixels 1.0 or 2.0 probe (its ADC multiplexing table)');
  const f = FAMILY[probe];
  const table = muxTable ? slotsFromMuxTable(muxTable) : null;
  return Float64Array.from(readouts, (ch) => {
    // Known tables: pairs of neighbouring channels share a slot, the pattern repeats every 2·slots channels.
    const slot = table ? table.get(ch) : Math.floor((ch % (2 * f.slots)) / 2);
    if (slot === undefined) throw new ProbeDeckError('NO_ADC_LAYOUT', `readout channel ${ch} is not in the probe's ~muxTbl`);
    return slot / f.cycles;
  });
}

type Probe = { kind: 'np1' | 'np2' | 'other'; muxTable?: { header: string; entries: string[] } };

/** Whether a source's probe says its ADC order, so that the phase shift can run (absent: not known yet). */
export function hasAdcLayout(probe: Probe | undefined): boolean {
  return probe?.kind === 'np1' || probe?.kind === 'np2';
}

/** adcSampleShifts for a source's probe, with its ~muxTbl when it has one. */
export function probeSampleShifts(probe: Probe | undefined, readouts: number[]): Float64Array {
  return adcSampleShifts(probe?.kind ?? 'other', readouts, probe?.muxTable);
}
