import { describe, expect, it } from 'vitest';
import { betterFrameChannels, frameCountProblem, syncFrameChannels } from '../../main/sources/frame-fit.ts';

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
});
