// Filter corners for the preset editor: what a new filter type starts with, and a warning when a
// corner cannot run at the rate the preset usually meets. A preset carries no sampling rate (one
// preset serves many rigs), so these are warnings beside the field, never refusals.
import type { PresetBody } from '../api/domains/presets.ts';
import { presetBand } from './bands.ts';

type Filter = PresetBody['pipeline']['filter'];

/** Neuropixels streams: AP at 30 kHz, LFP at 2.5 kHz. */
const AP_RATE_HZ = 30_000;
const LFP_RATE_HZ = 2_500;
/** The built-in presets' bands (builtins.ts): spikes 300–6000 Hz, LFP 0.5–500 Hz. */
const AP_BAND = { lowHz: 300, highHz: 6000 };
const LFP_BAND = { lowHz: 0.5, highHz: 500 };

/** Whether a preset is for LFP streams: it is the LFP default, or its band is the LFP's (bands.ts); a wide band is for AP-rate data. */
export function isLfpPreset(filter: Filter, isLfpDefault: boolean): boolean {
  return isLfpDefault || presetBand(filter) === 'lfp';
}

/**
 * The filter with another type. A corner the new type needs and the old one lacked (a preset saved
 * with no filter has none) starts at the usual band; corners that would cross take the band whole.
 */
export function withFilterKind(filter: Filter, kind: Filter['kind'], lfp: boolean): Filter {
  const band = lfp ? LFP_BAND : AP_BAND;
  const lowHz = kind === 'bandpass' || kind === 'highpass' ? (filter.lowHz ?? band.lowHz) : filter.lowHz;
  const highHz = kind === 'bandpass' || kind === 'lowpass' ? (filter.highHz ?? band.highHz) : filter.highHz;
  if (kind === 'bandpass' && lowHz !== null && highHz !== null && lowHz >= highHz) return { ...filter, kind, ...band };
  return { ...filter, kind, lowHz, highHz };
}

/** What to say beside a corner at or above the Nyquist frequency of the rate the preset usually meets; null when it runs there. */
export function nyquistWarning(hz: number | null, lfp: boolean): string | null {
  const rate = lfp ? LFP_RATE_HZ : AP_RATE_HZ;
  if (hz === null || !(hz >= rate / 2)) return null;
  const kHz = (v: number) => `${v / 1000} kHz`;
  const nyquist = lfp ? `${rate / 2} Hz` : kHz(rate / 2);
  const source = lfp ? `a ${kHz(rate)} LFP stream` : `a ${kHz(rate)} recording`;
  return `${hz === rate / 2 ? 'at' : 'above'} the Nyquist frequency of ${source} (${nyquist}): ${source} cannot run this filter (it opens unprocessed, and exports refuse it)`;
}

/** The warnings of nyquistWarning for each corner `filter` uses, named ("the high corner, 20000 Hz, is above…"), as the editor shows them beside its fields. */
export function cornerWarnings(filter: Filter, isLfpDefault: boolean): string[] {
  const lfp = isLfpPreset(filter, isLfpDefault);
  const corners: [string, number | null][] = [
    ['low', filter.kind === 'bandpass' || filter.kind === 'highpass' ? filter.lowHz : null],
    ['high', filter.kind === 'bandpass' || filter.kind === 'lowpass' ? filter.highHz : null]
  ];
  return corners.flatMap(([which, hz]) => {
    const w = nyquistWarning(hz, lfp);
    return w ? [`the ${which} corner, ${hz} Hz, is ${w}`] : [];
  });
}
