// Reads the first value of a .npy array (Open Ephys sample_numbers.npy / timestamps.npy) without
// loading the array: t_start is all ProbeDeck needs from it.
import { open } from 'node:fs/promises';
import { SourceError, fsError } from './source.ts';

/** What a .npy header says: where the data start, the dtype, and the length of a 1-D array (null otherwise). */
export interface NpyHeader {
  dataStart: number;
  /** order: '<' little-endian, '>' big-endian, '|' one byte (no order), '=' this machine's. */
  descr: { text: string; order: string; kind: string; itemBytes: number } | null;
  length: number | null;
}

/** The header at the start of `head` (the file's first `bytesRead` bytes), or null when it is no .npy. */
export function parseNpyHeader(head: Buffer, bytesRead: number): NpyHeader | null {
  if (bytesRead < 10 || head.toString('latin1', 1, 6) !== 'NUMPY') return null;
  const v1 = head[6] === 1;
  const dataStart = (v1 ? 10 : 12) + (v1 ? head.readUInt16LE(8) : head.readUInt32LE(8));
  const header = head.toString('latin1', v1 ? 10 : 12, Math.min(dataStart, bytesRead));
  const d = /'descr':\s*'([<>|=]?)([a-z])(\d+)'/.exec(header);
  const shape = /'shape':\s*\((\d+),?\s*\)/.exec(header);
  return { dataStart, descr: d ? { text: d[0], order: d[1] || '=', kind: d[2], itemBytes: Number(d[3]) } : null, length: shape ? Number(shape[1]) : null };
}

export async function firstNpyValue(path: string): Promise<number | null> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw fsError(path, err);
  }
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(head, 0, head.length, 0).catch((err: unknown) => {
      throw fsError(path, err);
    });
    const h = parseNpyHeader(head, bytesRead);
    if (!h) throw new SourceError('BAD_NPY', path, 'is not a .npy file');
    if (!h.descr) throw new SourceError('BAD_NPY', path, 'has no dtype in its header');
    if (h.length === 0) return null; // empty array
    const { order, kind, itemBytes } = h.descr;
    // Sample numbers and timestamps: 2-, 4- or 8-byte integers, or 4- or 8-byte floats, little-endian
    // as every machine Open Ephys runs on writes them. Anything else would be read as garbage.
    const supported = (kind === 'i' || kind === 'u' ? [2, 4, 8] : kind === 'f' ? [4, 8] : []).includes(itemBytes);
    if (!supported || order === '>') throw new SourceError('BAD_NPY', path, `has an unsupported dtype ${h.descr.text} (little-endian 2-, 4- or 8-byte integers, or 4- or 8-byte floats, are read)`);
    const v = Buffer.alloc(8);
    const { bytesRead: got } = await fh.read(v, 0, itemBytes, h.dataStart).catch((err: unknown) => {
      throw fsError(path, err);
    });
    // A header promising values the file does not hold yet (Open Ephys still writing it): none, as an
    // empty array, rather than the zeros of the unread buffer taken for a value.
    if (got < itemBytes) return null;
    if (kind === 'i') return itemBytes === 8 ? Number(v.readBigInt64LE(0)) : itemBytes === 4 ? v.readInt32LE(0) : v.readInt16LE(0);
    if (kind === 'u') return itemBytes === 8 ? Number(v.readBigUInt64LE(0)) : itemBytes === 4 ? v.readUInt32LE(0) : v.readUInt16LE(0);
    return itemBytes === 8 ? v.readDoubleLE(0) : v.readFloatLE(0);
  } finally {
    await fh.close();
  }
}

export type NpyArray = { dtype: '<f8' | '<f4' | '<i8' | '<i4'; shape: number[]; data: ArrayLike<number> } | { dtype: 'unicode'; shape: [number]; data: string[] };

/** A .npy (format 1.0) file for the small per-channel arrays exports carry (gains, positions, ids). */
export function encodeNpy(a: NpyArray): Buffer {
  let descr: string;
  let body: Buffer;
  if (a.dtype === 'unicode') {
    // numpy stores '<U{n}' as n little-endian UTF-32 code points per item, zero padded.
    const n = Math.max(1, ...a.data.map((s) => [...s].length));
    descr = `<U${n}`;
    body = Buffer.alloc(a.data.length * n * 4);
    a.data.forEach((s, i) => [...s].forEach((ch, k) => body.writeUInt32LE(ch.codePointAt(0)!, (i * n + k) * 4)));
  } else {
    descr = a.dtype;
    const Ctor = { '<f8': Float64Array, '<f4': Float32Array, '<i8': BigInt64Array, '<i4': Int32Array }[a.dtype];
    const typed = Ctor === BigInt64Array ? BigInt64Array.from(Array.from(a.data, (v) => BigInt(v))) : (Ctor as Float64ArrayConstructor).from(a.data);
    body = Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength);
  }
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64 bytes.
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  return Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from([header.length & 0xff, header.length >> 8]), Buffer.from(header, 'latin1'), body]);
}
