// The executor's output file: whole blocks written around the page cache where the file system takes
// O_DIRECT, the rest cached; whatever the mix, order and alignment, the file holds what was written.
import { constants, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alignedView, blockLead, blockSize, openOutputFile } from '../../main/engine/output-file.ts';
import { native } from '../../main/engine/native.ts';
import { tempDir } from './helpers.ts';

const fullDisk = () => new Error('full');
// 4096 bytes, or the memory page where it is larger.
const BLOCK = blockSize();

/** Whether this test's temporary folder takes O_DIRECT (ext4 and xfs do; tmpfs before Linux 6.6 does not). */
async function takesDirect(dir: string): Promise<boolean> {
  if (constants.O_DIRECT === undefined) return false;
  const fh = await open(join(dir, 'probe'), constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT).catch(() => null);
  await fh?.close();
  return fh !== null;
}

describe('output file', () => {
  afterEach(() => {
    delete process.env.PROBEDECK_DIRECT_WRITES;
  });

  it('places views so that a chunk’s first whole block sits on a block boundary in memory', () => {
    for (const pool of [new Int16Array(20000 + BLOCK / 2), new Float32Array(20000 + BLOCK / 4)]) {
      // Chunks start on whole samples: positions are multiples of the element size.
      for (const position of [0, 4, 1000, 4092, 4096, 12340, 5 * BLOCK + 8, 2 * pool.BYTES_PER_ELEMENT * 1001]) {
        const lead = blockLead(position);
        const view = alignedView(pool, 20000, lead);
        expect(view.length).toBe(20000);
        expect((native().addressAlignment(view) + lead) % BLOCK).toBe(0);
        expect((position + lead) % BLOCK).toBe(0);
      }
    }
    // No room to move: the start of the pool, as before.
    const tight = new Float32Array(100);
    expect(alignedView(tight, 100, 0).byteOffset).toBe(0);
  });

  it('holds every byte written, in any order, aligned or not, small or large, with jobs writing at once', async () => {
    const dir = tempDir();
    const path = join(dir, 'out.bin');
    const size = 3 * 2 ** 20 + 1234;
    const want = new Uint8Array(size);
    for (let i = 0; i < size; i++) want[i] = (i * 2654435761) >>> 24;
    // Chunks of odd and block-multiple lengths, including ones shorter than a block.
    const cuts = [0, 100, 4096, 4100, 8192 + 4096 * 30, 200000, 200001, 1048576, 1048576 + 8192, 2500000, 2500010, size];
    const chunks = cuts.slice(1).map((end, i) => [cuts[i], end] as const);
    const file = await openOutputFile(path, fullDisk);
    expect(file.direct).toBe(await takesDirect(dir));
    let pool = new Uint8Array(0);
    let placedBlocks = 0;
    const order = [5, 0, 9, 2, 7, 1, 10, 3, 8, 4, 6];
    await Promise.all(
      [0, 1].map(async (job) => {
        for (const k of order.filter((_, i) => i % 2 === job)) {
          const [s, e] = chunks[k];
          // Half the chunks from a block-placed view (written directly), half from wherever they are.
          let bytes: Uint8Array;
          if (k % 2 === 0) {
            const p = new Int16Array(Math.ceil((e - s) / 2) + BLOCK / 2);
            const view = alignedView(p, Math.ceil((e - s) / 2), blockLead(s));
            bytes = new Uint8Array(view.buffer, view.byteOffset, e - s);
            if ((native().addressAlignment(bytes) + blockLead(s)) % BLOCK === 0) placedBlocks += Math.max(0, Math.floor((e - s - blockLead(s)) / BLOCK)) * BLOCK;
          } else {
            pool = new Uint8Array(e - s + 3);
            bytes = pool.subarray(3);
          }
          bytes.set(want.subarray(s, e));
          await file.write(bytes, s);
        }
      })
    );
    await file.sync();
    await file.close();
    expect(Buffer.compare(readFileSync(path), Buffer.from(want))).toBe(0);
    // Where the file system takes them, every whole block of the placed chunks went around the cache.
    expect(file.direct).toBe(await takesDirect(dir));
    expect(file.directBytes).toBe(file.direct ? placedBlocks : 0);
    if (file.direct) expect(placedBlocks).toBeGreaterThan(2 ** 20);
  });

  it('writes through the page cache only when told to (PROBEDECK_DIRECT_WRITES=off)', async () => {
    process.env.PROBEDECK_DIRECT_WRITES = 'off';
    const path = join(tempDir(), 'cached.bin');
    const file = await openOutputFile(path, fullDisk);
    expect(file.direct).toBe(false);
    const data = new Int16Array(BLOCK * 2 + BLOCK / 2).map((_, i) => i);
    const view = alignedView(data, BLOCK * 2, 0);
    await file.write(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), 0);
    await file.sync();
    await file.close();
    expect(file.directBytes).toBe(0);
    expect(new Int16Array(new Uint8Array(readFileSync(path)).buffer)).toEqual(view);
  });
});
