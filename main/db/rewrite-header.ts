// A settings file whose first bytes were overwritten (a sync tool, a stray write) is no longer an
// SQLite database to SQLite, though every page behind its 100-byte header may be whole. Everything
// the header says that reading needs is either fixed for every database ProbeDeck writes (UTF-8,
// schema format 4) or can be tried (the page size), so a copy with a header written anew reads again.
import { copyFileSync, openSync, closeSync, writeSync, statSync, rmSync } from 'node:fs';
import { PAGE_SIZES } from './scan-pages.ts';

function header(pageSize: number, pages: number): Buffer {
  const h = Buffer.alloc(100);
  h.write('SQLite format 3\0', 0, 'latin1');
  h.writeUInt16BE(pageSize === 65536 ? 1 : pageSize, 16);
  h[18] = 1; // read and written with a rollback journal: the copy is read alone, without its -wal
  h[19] = 1;
  h[20] = 0; // no reserved bytes per page
  h[21] = 64; // payload fractions, fixed by the format
  h[22] = 32;
  h[23] = 32;
  h.writeUInt32BE(1, 24); // change counter, equal to "valid for" below so the page count is taken
  h.writeUInt32BE(pages, 28);
  h.writeUInt32BE(4, 44); // schema format
  h.writeUInt32BE(1, 56); // UTF-8
  h.writeUInt32BE(1, 92);
  h.writeUInt32BE(3045000, 96);
  return h;
}

/**
 * A copy of `path` (beside it, `.header-rewritten`) with a header for the first page size under
 * which `reads(copy)` is true; null, and no copy left, when there is none. The caller removes it.
 */
export function copyWithNewHeader(path: string, reads: (copy: string) => boolean): string | null {
  const copy = `${path}.header-rewritten`;
  try {
    copyFileSync(path, copy);
    const size = statSync(copy).size;
    for (const pageSize of PAGE_SIZES) {
      if (size < pageSize) break;
      const fd = openSync(copy, 'r+');
      try {
        writeSync(fd, header(pageSize, Math.floor(size / pageSize)), 0, 100, 0);
      } finally {
        closeSync(fd);
      }
      if (reads(copy)) return copy;
    }
  } catch {
    // No room for the copy, or it cannot be written: nothing more to read.
  }
  rmSync(copy, { force: true });
  return null;
}
