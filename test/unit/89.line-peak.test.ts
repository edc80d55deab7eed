// The line-noise peak the spectrum panel marks, found in spectra the host computes from real files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionManager } from '../../main/sessions/manager.ts';
import { Simulator } from '../../main/sources/simulator.ts';
import { linePeak } from '../../renderer/src/lib/line-peak.ts';
import { tempDir } from './helpers.ts';

async function rawSpectrumOf(bin: string, channels: number, channel: number) {
  const m = new SessionManager(256 * 2 ** 20, () => {});
  await m.open({ kind: 'recording', path: bin, channels, fs: 30000 });
  try {
    const sp = await m.require().spectrum([channel], 2, false, 16384);
    return { psd: sp.psd.subarray(0, sp.bins), df: sp.freqs[1] - sp.freqs[0] };
  } finally {
    await m.close();
  }
}

describe('the spectrum panel’s line-noise peak', () => {
  it('is looked for at 50/60 Hz only: a spectrum rising towards a strong tone at 600 Hz has none (it read "line noise: 1200.0 Hz, 176 dB")', async () => {
    // 32 channels, each a 600 Hz sawtooth: no mains at all, and the PSD climbs from 50 Hz to its harmonics.
    const bin = join(tempDir('probedeck-line-peak-'), 'tone.bin');
    writeFileSync(bin, new Int16Array(32 * 2 * 30000).map((_, i) => ((i * 7919) % 400) - 200));
    const { psd, df } = await rawSpectrumOf(bin, 32, 0);
    expect(linePeak(psd, df)).toBeNull();
  });

  it('finds the simulator’s 50 Hz mains, between bins', async () => {
    const bin = join(tempDir('probedeck-line-peak-'), 'sim.bin');
    writeFileSync(bin, new Simulator().generate(0, 60000));
    const { psd, df } = await rawSpectrumOf(bin, 384, 0);
    const peak = linePeak(psd, df)!;
    expect(peak.hz).toBeGreaterThan(49);
    expect(peak.hz).toBeLessThan(51);
    expect(peak.db).toBeGreaterThan(6);
  });
});
