import { describe, expect, it } from 'vitest';
import { autoMarginSamples, designSos, padlen } from '../../main/engine/index.ts';
import { refs } from './engine-refs.ts';

describe('designSos matches scipy.signal.iirfilter(ftype="butter", output="sos")', () => {
  it.each(refs.design.map((d) => [`${d.btype} order ${d.order} fs ${d.fs}`, d] as const))('%s', (_name, d) => {
    const spec =
      d.btype === 'lowpass'
        ? { kind: 'lowpass' as const, order: d.order, highHz: d.band as number }
        : d.btype === 'highpass'
          ? { kind: 'highpass' as const, order: d.order, lowHz: d.band as number }
          : { kind: d.btype, order: d.order, lowHz: (d.band as number[])[0], highHz: (d.band as number[])[1] };
    const sos = designSos(spec, d.fs);
    expect(sos.length).toBe(d.sos.length);
    // Relative to each section's largest coefficient: scipy and we differ only in the last bits.
    for (let s = 0; s < sos.length; s += 6) {
      const scale = Math.max(...d.sos.slice(s, s + 6).map(Math.abs));
      for (let k = 0; k < 6; k++) expect(Math.abs(sos[s + k] - d.sos[s + k]) / scale).toBeLessThan(1e-12);
    }
  });

  it('designs iirnotch', () => {
    const sos = designSos({ kind: 'notch', freqHz: refs.notch.freq, q: refs.notch.q }, refs.notch.fs);
    Array.from(sos).forEach((v, i) => expect(v).toBeCloseTo(refs.notch.sos[i], 14));
  });

  it('gives SpikeInterface auto margins and scipy padlens', () => {
    expect(autoMarginSamples({ kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000 }, 30000)).toBe(500);
    expect(autoMarginSamples({ kind: 'highpass', order: 5, lowHz: 400 }, 30000)).toBe(375);
    expect(autoMarginSamples({ kind: 'notch', freqHz: 3000, q: 30 }, 30000)).toBe(477);
    expect(padlen(designSos({ kind: 'bandpass', order: 5, lowHz: 300, highHz: 6000 }, 30000))).toBe(33);
    expect(padlen(designSos({ kind: 'highpass', order: 5, lowHz: 300 }, 30000))).toBe(18);
  });
});

describe('designSos refuses impossible filters with a specific error', () => {
  it.each([
    [{ kind: 'bandpass', order: 5, lowHz: 300, highHz: 15000 }, 30000, /"highHz" between 0 and Nyquist \(15000 Hz\)/, 'FREQUENCY_OUT_OF_RANGE'],
    [{ kind: 'highpass', order: 5, lowHz: 20000 }, 30000, /"lowHz" between 0 and Nyquist/, 'FREQUENCY_OUT_OF_RANGE'],
    [{ kind: 'bandpass', order: 5, lowHz: 6000, highHz: 300 }, 30000, /"lowHz" \(6000\) below "highHz" \(300\)/, 'FREQUENCY_OUT_OF_RANGE'],
    [{ kind: 'lowpass', order: 11, highHz: 300 }, 30000, /"order" from 1 to 10 but received 11/, 'ORDER_OUT_OF_RANGE'],
    [{ kind: 'lowpass', order: 0, highHz: 300 }, 30000, /"order" from 1 to 10 but received 0/, 'ORDER_OUT_OF_RANGE'],
    [{ kind: 'lowpass', order: 4, highHz: 300 }, 0, /"fs"/, 'INVALID_PARAMETER']
  ] as const)('%j at fs %d', (spec, fs, message, code) => {
    expect(() => designSos(spec as never, fs)).toThrow(message);
    try {
      designSos(spec as never, fs);
    } catch (e) {
      expect((e as { code: string }).code).toBe(code);
    }
  });
});
