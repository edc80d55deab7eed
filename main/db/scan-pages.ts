// When a damaged settings file no longer says where its tables are (its first page, the schema,
// overwritten), SQL reads nothing, though the pages holding the presets may be whole. Each page is
// then read as SQLite lays out a table's leaf page (a file-format fact, sqlite.org/fileformat2.html),
// and the rows shaped as a preset are taken: seven columns, the id kept as the rowid, a name, 0 or 1
// for built in, the body as JSON, two times and the deletion time or null.
import { existsSync, readFileSync } from 'node:fs';

import type { PresetRow } from '../presets/repo.ts';

/** SQLite's page sizes, the usual first (4096 since SQLite 3.12). */
export const PAGE_SIZES = [4096, 1024, 2048, 8192, 16384, 32768, 65536];
const LEAF_TABLE = 0x0d;
/** The -wal file's header and each frame's, before the page it holds. */
const WAL_HEADER = 32;
const FRAME_HEADER = 24;
/** No preset's row is larger (a preset file is at most 1 MB): a bigger size is garbage. */
const MAX_PAYLOAD = 16 * 2 ** 20;

function varint(b: Uint8Array, at: number): [value: number, next: number] {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const byte = b[at + i];
    v = v * 128 + (byte & 0x7f);
    if (byte < 0x80) return [v, at + i + 1];
  }
  return [v * 256 + b[at + 8], at + 9];
}

/** A record's values (numbers, text, null; blobs as null), or null where it does not parse. */
function record(payload: Uint8Array): (number | string | null)[] | null {
  const [headerSize, first] = varint(payload, 0);
  if (headerSize < 2 || headerSize > payload.length) return null;
  const types: number[] = [];
  for (let at = first; at < headerSize; ) {
    const [t, next] = varint(payload, at);
    types.push(t);
    at = next;
  }
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const values: (number | string | null)[] = [];
  let at = headerSize;
  for (const t of types) {
    const size = t >= 12 ? (t - (t % 2 ? 13 : 12)) / 2 : [0, 1, 2, 3, 4, 6, 8, 8, 0, 0][t];
    if (size === undefined || at + size > payload.length) return null; // 10 and 11 are no column's type
    if (t === 0 || (t >= 12 && t % 2 === 0)) values.push(null);
    else if (t === 8 || t === 9) values.push(t - 8);
    else if (t === 1) values.push(view.getInt8(at));
    else if (t === 2) values.push(view.getInt16(at));
    else if (t === 4) values.push(view.getInt32(at));
    else if (t === 7) values.push(view.getFloat64(at));
    else if (t >= 13) values.push(Buffer.from(payload.subarray(at, at + size)).toString('utf8'));
    else values.push(null); // 24-, 48- and 64-bit integers: no column of a preset holds one but the rowid
    at += size;
  }
  return values;
}

/** The rows of one page read as a table's leaf page, with their payloads whole (overflow pages followed in `file`). */
function* leafRows(file: Uint8Array, page: Uint8Array, pageSize: number, headerAt: number): Generator<{ rowid: number; payload: Uint8Array }> {
  if (page[headerAt] !== LEAF_TABLE) return;
  // Garbage may claim any count: no more cells than their pointers leave room for.
  const cells = Math.min((page[headerAt + 3] << 8) | page[headerAt + 4], (pageSize - headerAt - 8) >> 1);
  const X = pageSize - 35;
  const M = Math.floor(((pageSize - 12) * 32) / 255) - 23;
  for (let i = 0; i < cells; i++) {
    const ptr = headerAt + 8 + 2 * i;
    if (ptr + 2 > pageSize) return;
    let at = (page[ptr] << 8) | page[ptr + 1];
    if (at < headerAt + 8 || at >= pageSize) continue;
    const [size, afterSize] = varint(page, at);
    const [rowid, start] = varint(page, afterSize);
    at = start;
    if (!(size >= 0) || size > MAX_PAYLOAD) continue;
    const K = M + ((size - M) % (pageSize - 4));
    const local = size <= X ? size : K <= X ? K : M;
    if (at + local + (local < size ? 4 : 0) > pageSize) continue;
    // A preset's record starts with a header of its seven types, the first NULL (the id is the
    // rowid): anything else is passed over before its payload is gathered.
    const [headerSize] = varint(page, at);
    if (headerSize < 8 || headerSize > 64 || headerSize > local || page[at + 1] !== 0) continue;
    if (size - local > (file.length / pageSize) * (pageSize - 4)) continue; // more overflow than the file has
    const payload = new Uint8Array(size);
    payload.set(page.subarray(at, at + local));
    let filled = local;
    let next = local < size ? new DataView(page.buffer, page.byteOffset + at + local, 4).getUint32(0) : 0;
    for (let hops = 0; filled < size && next > 0 && hops < 1000; hops++) {
      const o = (next - 1) * pageSize;
      if (o + pageSize > file.length) break;
      const part = file.subarray(o + 4, o + Math.min(pageSize, 4 + size - filled));
      payload.set(part, filled);
      filled += part.length;
      next = new DataView(file.buffer, file.byteOffset + o, 4).getUint32(0);
    }
    if (filled === size) yield { rowid, payload };
  }
}

function asPreset(rowid: number, v: (number | string | null)[] | null): PresetRow | null {
  if (!v || v.length !== 7 || v[0] !== null) return null;
  const [, name, builtin, body, created, updated, deleted] = v;
  if (typeof name !== 'string' || (builtin !== 0 && builtin !== 1) || typeof body !== 'string' || !body.startsWith('{"pipeline"')) return null;
  if (typeof created !== 'string' || typeof updated !== 'string' || (deleted !== null && typeof deleted !== 'string')) return null;
  return { id: rowid, name, builtin, body, created_at: created, updated_at: updated, deleted_at: deleted };
}

/** Every page size's reading of `path` (and its -wal, whose frames are newer): the preset rows found, per id the last written. */
export function scanPresetPages(path: string): PresetRow[] {
  const file = new Uint8Array(readFileSync(path));
  const wal = existsSync(`${path}-wal`) ? new Uint8Array(readFileSync(`${path}-wal`)) : new Uint8Array(0);
  let best: Map<number, PresetRow> = new Map();
  for (const pageSize of PAGE_SIZES) {
    const found = new Map<number, PresetRow>();
    const take = (page: Uint8Array, headerAt: number) => {
      for (const { rowid, payload } of leafRows(file, page, pageSize, headerAt)) {
        const p = asPreset(rowid, record(payload));
        // An older copy of a row can linger on a freed page: the one saved last is kept, and of two
        // saved at the same time (a delete leaves updated_at) the deleted one.
        const had = found.get(rowid);
        if (p && (!had || p.updated_at > had.updated_at || (p.updated_at === had.updated_at && p.deleted_at !== null))) found.set(rowid, p);
      }
    };
    for (let o = 0; o + pageSize <= file.length; o += pageSize) take(file.subarray(o, o + pageSize), o === 0 ? 100 : 0);
    for (let o = WAL_HEADER; o + FRAME_HEADER + pageSize <= wal.length; o += FRAME_HEADER + pageSize) {
      const pageNo = new DataView(wal.buffer, wal.byteOffset + o, 4).getUint32(0);
      take(wal.subarray(o + FRAME_HEADER, o + FRAME_HEADER + pageSize), pageNo === 1 ? 100 : 0);
    }
    if (found.size > best.size) best = found;
  }
  return [...best.values()].sort((a, b) => a.id - b.id);
}
