import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/db/database.ts';
import { browse } from '../../main/sources/browse.ts';
import { recentRepo } from '../../main/sources/recent-repo.ts';
import { tempDir } from './helpers.ts';

describe('source browser (browser mode)', () => {
  it('lists folders and recordings under an allowed root', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'mouse1'));
    writeFileSync(join(root, 'mouse1', 'run_g0_t0.imec0.ap.bin'), '');
    writeFileSync(join(root, 'notes.txt'), '');
    const top = await browse(undefined, [root]);
    expect(top.entries.map((e) => [e.name, e.kind])).toEqual([['mouse1', 'folder']]);
    const inner = await browse(join(root, 'mouse1'), [root]);
    expect(inner.entries).toEqual([{ name: 'run_g0_t0.imec0.ap.bin', path: join(inner.path, 'run_g0_t0.imec0.ap.bin'), kind: 'recording' }]);
    expect(inner.parent).not.toBeNull();
  });

  it('never leaves the roots, not through .. nor through a symlink', async () => {
    const root = tempDir();
    const outside = tempDir();
    symlinkSync(outside, join(root, 'escape'));
    await expect(browse(join(root, '..'), [root])).rejects.toThrow(/is outside the folders ProbeDeck may browse/);
    await expect(browse(join(root, 'escape'), [root])).rejects.toThrow(/is outside the folders/);
    await expect(browse('/', [root])).rejects.toMatchObject({ code: 'OUTSIDE_DATA_ROOT' });
    await expect(browse(undefined, [])).rejects.toThrow(/--data-root/);
  });
});

describe('recent sources', () => {
  it('remembers the newest first, once per path', () => {
    const { db } = openDatabase(join(tempDir(), 'probedeck.db'));
    const r = recentRepo(db, 3);
    for (const p of ['/a', '/b', '/c', '/a', '/d']) r.remember(p, 'live-file');
    expect(r.list().map((x) => x.path)).toEqual(['/d', '/a', '/c']);
  });
});
