import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { betterFrameChannels, firstBytes, frameCountProblem, frameFitBytes, multipleFrameChannels, multipleFrameWarning, syncFrameChannels } from '../../main/sources/frame-fit.ts';
import { tempDir } from './helpers.ts';

/** 0.1 s of a wideband probe as SpikeGLX saves it: 384 channels with their own offsets and noise, then the sync channel. */
function withSync(frames: number, seed = 1): Int16Array {
  let v = seed;
  const rand = () => ((v = (v * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  const offsets = Array.from({ length: 384 }, () => Math.round(rand() * 300));
  const x = new Int16Array(frames * 385);
  for (let t = 0; t < frames; t++) {
    const lfp = 80 * Math.sin((2 * Math.PI * 8 * t) / 30000);
    for (let c = 0; c < 384; c++) x[t * 385 + c] = offsets[c] + lfp + Math.round(rand() * 15);
    x[t * 385 + 384] = (t >> 10) & 1 ? 64 : 0;
  }
  return x;
}

describe('a channel count typed one off, told from the data', () => {
  it('384 typed for a file of 384 + sync says 385; 386 says 385; 385 is quiet', () => {
    const x = withSync(3100);
    expect(betterFrameChannels(x, 384)).toBe(385);
    expect(betterFrameChannels(x, 386)).toBe(385);
    expect(betterFrameChannels(x, 385)).toBeNull();
  });
  it('any count, on data that end in a sync word: the frame width where that column stands still', () => {
    let v = 5;
    // White noise channels (no offsets to tell by), then the sync word: only the sync column tells.
    const x = new Int16Array(3100 * 385).map((_, i) => (i % 385 === 384 ? ((Math.floor(i / 385) >> 10) & 1) * 64 : ((v = (v * 1103515245 + 12345) & 0x7fffffff) % 200) - 100));
    expect(syncFrameChannels(x)).toBe(385);
    for (const typed of [32, 384, 386]) expect(frameCountProblem(x.subarray(0, 3000 * (typed + 1)), typed, typed)).toMatch(/^the data look like 385 channels per frame/);
    expect(frameCountProblem(x, 385, 384)).toBeNull();
  });

  it('white noise, silence or too little data never warn', () => {
    let v = 3;
    const noise = new Int16Array(3100 * 385).map(() => ((v = (v * 1103515245 + 12345) & 0x7fffffff) % 200) - 100);
    expect(betterFrameChannels(noise, 384)).toBeNull();
    expect(betterFrameChannels(new Int16Array(3100 * 385), 384)).toBeNull();
    expect(syncFrameChannels(noise)).toBeNull();
    expect(syncFrameChannels(new Int16Array(3100 * 385))).toBeNull();
    expect(betterFrameChannels(withSync(50), 384)).toBeNull();
  });

  it('half or twice the count on data without a sync channel (384 channels typed 192 or 768): told from the data, as a warning', () => {
    // 384 channels with their own offsets, as an Open Ephys .dat or a SpikeGLX file saved without SY.
    const x384 = withSync(6200).filter((_, i) => i % 385 !== 384);
    expect(syncFrameChannels(x384)).toBeNull(); // no sync column to tell by
    for (const typed of [192, 768]) expect(frameCountProblem(x384.subarray(0, 3000 * (typed + 1)), typed, typed)).toBeNull(); // not one off: unseen before
    expect(multipleFrameChannels(x384, 192)).toBe(384);
    expect(multipleFrameChannels(x384, 768)).toBe(384);
    expect(multipleFrameChannels(x384, 384)).toBeNull();
    expect(multipleFrameWarning(x384, 192)).toBe('the data look like 384 channels per frame, not the 192 given (twice as many): if so, each trace alternates between two channels; reopen it with 384');
    expect(multipleFrameWarning(x384, 768)).toBe('the data look like 384 channels per frame, not the 768 given (half as many): if so, each channel is shown twice, at half its rate, and times run twice as slow; reopen it with 384');
    // SpikeGLX's 385 (sync last), typed 770: the same.
    expect(multipleFrameChannels(withSync(6200), 770)).toBe(385);
    expect(multipleFrameChannels(withSync(6200), 385)).toBeNull();
  });

  it('half or twice: white noise, silence or too little data never warn', () => {
    let v = 7;
    const noise = new Int16Array(6200 * 384).map(() => ((v = (v * 1103515245 + 12345) & 0x7fffffff) % 200) - 100);
    for (const typed of [192, 384, 768]) {
      expect(multipleFrameChannels(noise, typed)).toBeNull();
      expect(multipleFrameChannels(new Int16Array(6200 * 384), typed)).toBeNull();
    }
    expect(multipleFrameChannels(withSync(50).filter((_, i) => i % 385 !== 384), 768)).toBeNull();
  });
});

describe('what the checks read', () => {
  it('3000 frames of one channel more, at most 16 MiB: a typed 65,536 channels read 393 MB', () => {
    expect(frameFitBytes(384)).toBe(3000 * 385 * 2);
    expect(frameFitBytes(65536)).toBe(16 * 2 ** 20);
    // Still enough frames for the one-off check (it needs 100).
    expect(Math.floor(frameFitBytes(65536) / 2 / 65537)).toBeGreaterThanOrEqual(100);
  });
  it('a file shorter than asked allocates what it holds, not what was asked', async () => {
    const f = join(tempDir(), 'short.bin');
    writeFileSync(f, Int16Array.from({ length: 1001 }, (_, i) => i));
    const head = (await firstBytes(f, 16 * 2 ** 20, true, 2))!;
    expect(Array.from(head.subarray(0, 3))).toEqual([1, 2, 3]);
    expect(head.length).toBe(1000);
    expect(head.buffer.byteLength).toBe(2000);
    // Without orLess, a short file gives nothing (yet).
    expect(await firstBytes(f, 4000)).toBeNull();
  });
});
