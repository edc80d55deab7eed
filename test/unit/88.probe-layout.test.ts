// The probe map's contacts, placed from a real NP2.0 4-shank .meta (the data file is sparse: only its
// size matters to opening it).
import { closeSync, copyFileSync, openSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../main/sources/open-source.ts';
import { probeLayout } from '../../renderer/src/lib/probe-layout.ts';
import { repoRoot, tempDir } from './helpers.ts';

async function np2FourShankChannels() {
  const meta = join(repoRoot, 'test/fixtures/spikeglx/NP2_2013_g0_t0.imec0.ap.meta');
  const bin = join(tempDir('probedeck-layout-'), 'np2_g0_t0.imec0.ap.bin');
  copyFileSync(meta, bin.replace(/\.bin$/, '.meta'));
  closeSync(openSync(bin, 'w'));
  truncateSync(bin, Number(/fileSizeBytes=(\d+)/.exec(readFileSync(meta, 'utf8'))![1]));
  const src = await openSource(bin);
  await src.close();
  return src.info.channels;
}

describe('the probe map', () => {
  it('draws a 4-shank probe with its shanks 250 µm apart, as on the probe, not twice that', async () => {
    const ch = await np2FourShankChannels();
    const layout = probeLayout(ch, 190, 300)!;
    const at = (shank: number, col: number) => layout.pos[ch.findIndex((c) => c.shank === shank && c.x === Math.min(...ch.filter((d) => d.shank === shank).map((d) => d.x)) + col)].x;
    // One µm is as wide across the probe's shanks as between a shank's two columns (32 µm apart).
    const perUm = (at(0, 32) - at(0, 0)) / 32;
    expect(perUm).toBeGreaterThan(0);
    expect((at(1, 0) - at(0, 0)) / perUm).toBeCloseTo(250, 0);
    expect((at(3, 0) - at(0, 0)) / perUm).toBeCloseTo(750, 0);
    // The whole probe spans the panel's width, margins aside: contacts as wide as the panel allows.
    expect(Math.max(...layout.pos.map((p) => p.x)) + layout.w).toBeCloseTo(180, 0);
  });

  it('a single-shank probe keeps its two columns and its tip at the bottom', () => {
    const ch = [{ x: 27, y: 0 }, { x: 59, y: 0 }, { x: 11, y: 20 }, { x: 43, y: 20 }];
    const layout = probeLayout(ch, 190, 300)!;
    expect(layout.pos[0].y).toBeGreaterThan(layout.pos[2].y);
    expect(layout.pos[2].x).toBeCloseTo(10, 5);
    expect(probeLayout([], 190, 300)).toBeNull();
  });
});
