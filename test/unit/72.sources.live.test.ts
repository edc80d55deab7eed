import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileFollower } from '../../main/sources/live-file.ts';
import { stallCauseOf } from '../../main/sources/stall-cause.ts';
import { openSource } from '../../main/sources/open-source.ts';
import { Simulator } from '../../main/sources/simulator.ts';
import { withSyncColumn, writeGrowingSpikeGLX } from '../../main/sources/spikeglx-writer.ts';
import { tempDir } from './helpers.ts';

const FRAME = 385 * 2; // 384 channels + the sync channel, as SpikeGLX saves them

describe('following a file that is being written', () => {
  it('sees a real-time SpikeGLX writer within milliseconds, in whole frames, then its .meta', async () => {
    const dir = tempDir();
    const bin = join(dir, 'run_g0_t0.imec0.ap.bin');
    writeFileSync(bin, '');
    const follower = new FileFollower(bin, { frameBytes: FRAME });
    await follower.start();
    const writtenAt = new Map<number, number>();
    const lags: number[] = [];
    follower.on('grow', (frames) => {
      const t = writtenAt.get(frames);
      if (t !== undefined) lags.push(performance.now() - t);
    });
    const startedAt = Date.now();
    const total = await writeGrowingSpikeGLX({ out: bin, seconds: 1.5, blockMs: 10, onBlock: (n) => writtenAt.set(n, performance.now()) });
    await new Promise((r) => setTimeout(r, 100));
    expect(follower.frames).toBe(total);
    // Whole frames, exactly the simulator's samples.
    const buf = new Int16Array(await follower.readFrames(total - 5, total));
    expect(Array.from(buf)).toEqual(Array.from(withSyncColumn(new Simulator({ seed: 1 }).generate(total - 5, 5), total - 5, 384, 30000)));
    await follower.close();
    lags.sort((a, b) => a - b);
    expect(lags.length).toBeGreaterThan(20);
    // Growth is seen within a poll or an fs event (10 ms here); the bound leaves room for a loaded CI.
    expect(lags[Math.floor(lags.length * 0.5)]).toBeLessThan(200);
    // The .meta arrived at the end: now it opens as a finished SpikeGLX recording.
    const src = await openSource(bin);
    expect(src.info.samples).toBe(total);
    // Its start on the wall clock is when the run began, in local time as SpikeGLX writes it (it was the end, in UTC).
    expect(Math.abs(Date.parse(src.info.wallClockStart!) - startedAt)).toBeLessThan(1500);
    await src.close();
  });

  it('never reports a partial frame', async () => {
    const dir = tempDir();
    const f = join(dir, 'x.bin');
    writeFileSync(f, Buffer.alloc(FRAME * 3 + 100));
    const follower = new FileFollower(f, { frameBytes: FRAME });
    await follower.start();
    expect(follower.frames).toBe(3);
    appendFileSync(f, Buffer.alloc(FRAME - 100));
    await new Promise((r) => setTimeout(r, 80));
    expect(follower.frames).toBe(4);
    await follower.close();
  });

  it('says "stalled" after the configured silence, and "resumed"', async () => {
    const dir = tempDir();
    const f = join(dir, 'x.bin');
    writeFileSync(f, Buffer.alloc(FRAME));
    const follower = new FileFollower(f, { frameBytes: FRAME, stallMs: 150 });
    const events: string[] = [];
    follower.on('stalled', () => events.push('stalled'));
    follower.on('resumed', () => events.push('resumed'));
    await follower.start();
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(f, Buffer.alloc(FRAME));
    await new Promise((r) => setTimeout(r, 80));
    expect(events).toEqual(['stalled', 'resumed']);
    await follower.close();
  });

  it('reports a truncated or replaced file as an error, without crashing', async () => {
    const dir = tempDir();
    const f = join(dir, 'x.bin');
    writeFileSync(f, Buffer.alloc(FRAME * 10));
    const a = new FileFollower(f, { frameBytes: FRAME });
    const errA = new Promise<Error>((r) => a.once('error', r));
    await a.start();
    truncateSync(f, FRAME * 2);
    expect((await errA).message).toMatch(/x\.bin: shrank from 7700 to 1540 bytes/);

    const b = new FileFollower(f, { frameBytes: FRAME });
    const errB = new Promise<Error>((r) => b.once('error', r));
    await b.start();
    writeFileSync(join(dir, 'y.bin'), Buffer.alloc(FRAME * 20));
    renameSync(join(dir, 'y.bin'), f);
    expect((await errB).message).toMatch(/x\.bin: was replaced by another file/);
  });

  it('a silence on a full disk is said as one, with what the file shows', () => {
    const second = 385 * 2 * 30000;
    expect(stallCauseOf({ partialBytes: 0, frameBytes: FRAME, freeBytes: 0, bytesPerSecond: second })).toBe('the disk holding it is full (0.0 MiB free): free some space on it');
    expect(stallCauseOf({ partialBytes: 96, frameBytes: FRAME, freeBytes: 4096, bytesPerSecond: second })).toBe(
      'the disk holding it is full (0.0 MiB free); the file ends 96 bytes into a frame of 770, so its writer stopped mid-write: free some space on it'
    );
    // Room for seconds more, whole frames: a paused acquisition, nothing more to say.
    expect(stallCauseOf({ partialBytes: 0, frameBytes: FRAME, freeBytes: 50 * second, bytesPerSecond: second })).toBeNull();
    expect(stallCauseOf({ partialBytes: 0, frameBytes: FRAME, freeBytes: null, bytesPerSecond: second })).toBeNull();
  });
});
