// The executor's output: a file written chunk by chunk at each chunk's own offset, by concurrent jobs.
// Where the system allows it (Linux, a file system that takes O_DIRECT), each chunk's whole disk
// blocks go around the page cache: a cached write costs the CPU a copy and page bookkeeping that,
// on a 2-core lab PC, is taken from the filtering (an export's CPU for 220 MiB: ~0.02 s direct,
// 0.06–0.4 s cached), and the final fsync then has little left to flush. It also leaves the page
// cache to the acquisition writing beside it. The partial blocks at a chunk's edges, and any chunk
// whose memory is not block-aligned, go through the page cache as before: the two never share a block
// (nor a page of the cache: a block is at least a memory page).
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { native } from './native.ts';

let block: number | undefined;

/**
 * Direct writes start, end and sit in memory on these boundaries: 4096 bytes (the largest logical
 * block in use), or the memory page where it is larger (16 or 64 KiB on some arm64 kernels), so that
 * a page of the cache never holds both a cached edge and directly written bytes.
 */
export function blockSize(): number {
  block ??= Math.max(4096, native().pageSize());
  return block;
}

export interface OutputFile {
  /** Whether whole blocks are written around the page cache. */
  readonly direct: boolean;
  /** Bytes written so far around the page cache. */
  readonly directBytes: number;
  /** Writes all of `bytes` at `position`, or fails: a full disk as fullDisk() says it. */
  write(bytes: Uint8Array, position: number): Promise<void>;
  /** Every byte written is on the disk. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Bytes from a chunk's first byte at `position` to the first block boundary of the file. */
export function blockLead(position: number): number {
  const b = blockSize();
  return (b - (position % b)) % b;
}

/**
 * `length` elements of `pool` (allocated blockSize() bytes longer than the longest view taken) placed so
 * that the byte `lead` bytes into the view sits on a block boundary in memory: a chunk's whole blocks
 * can then be written directly from it, with no copy.
 */
export function alignedView<T extends Int16Array | Float32Array>(pool: T, length: number, lead: number): T {
  const b = blockSize();
  const misaligned = (native().addressAlignment(pool) + lead) % b;
  const shift = ((b - misaligned) % b) / pool.BYTES_PER_ELEMENT;
  if (!Number.isInteger(shift) || shift + length > pool.length) return pool.subarray(0, length) as T;
  return pool.subarray(shift, shift + length) as T;
}

/**
 * A write may take fewer bytes than given (a disk filling up takes what fits, then nothing): the rest
 * is written again until none goes, which is a full disk, said as one, never a short file.
 */
async function writeFully(fh: FileHandle, bytes: Uint8Array, position: number, fullDisk: () => Error): Promise<void> {
  for (let at = 0; at < bytes.length; ) {
    const { bytesWritten } = await fh.write(bytes, at, bytes.length - at, position + at).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOSPC' || err.code === 'EDQUOT' ? fullDisk() : err;
    });
    if (bytesWritten === 0) throw fullDisk();
    at += bytesWritten;
  }
}

/** Creates (or truncates) `path` for writing. */
export async function openOutputFile(path: string, fullDisk: () => Error): Promise<OutputFile> {
  const cached = await open(path, 'w');
  // A file system that refuses O_DIRECT (tmpfs before Linux 6.6, some FUSE mounts) says so here: cached writes only.
  const directHandle = constants.O_DIRECT !== undefined && process.env.PROBEDECK_DIRECT_WRITES !== 'off' ? await open(path, constants.O_WRONLY | constants.O_DIRECT).catch(() => null) : null;
  // Cleared for good when the file system refuses a direct write; the handle stays open for writes in flight.
  let direct = directHandle !== null;
  let directBytes = 0;

  // Whole blocks of a block-aligned body; what the file system refuses to take directly (EINVAL: a
  // stricter alignment than a block) goes cached from there on, as does a remainder off the block grid.
  const writeBlocks = async (body: Uint8Array, position: number) => {
    let at = 0;
    while (direct && at < body.length && at % blockSize() === 0) {
      const r = await directHandle!.write(body, at, body.length - at, position + at).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOSPC' || err.code === 'EDQUOT') throw fullDisk();
        if (err.code !== 'EINVAL') throw err;
        direct = false;
        return null;
      });
      if (r === null) break;
      if (r.bytesWritten === 0) throw fullDisk();
      at += r.bytesWritten;
      directBytes += r.bytesWritten;
    }
    if (at < body.length) await writeFully(cached, body.subarray(at), position + at, fullDisk);
  };

  return {
    get direct() {
      return direct;
    },
    get directBytes() {
      return directBytes;
    },
    async write(bytes, position) {
      const b = blockSize();
      const lead = Math.min(blockLead(position), bytes.length);
      const whole = Math.floor((bytes.length - lead) / b) * b;
      if (!direct || whole === 0 || (native().addressAlignment(bytes) + lead) % b !== 0) return writeFully(cached, bytes, position, fullDisk);
      await writeFully(cached, bytes.subarray(0, lead), position, fullDisk);
      await writeBlocks(bytes.subarray(lead, lead + whole), position + lead);
      await writeFully(cached, bytes.subarray(lead + whole), position + lead + whole, fullDisk);
    },
    // fsync is per file, whichever descriptor asks: it flushes the cached edges and the metadata.
    sync: () => cached.sync(),
    async close() {
      await directHandle?.close().catch(() => {});
      await cached.close();
    }
  };
}
