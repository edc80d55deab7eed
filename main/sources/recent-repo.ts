// Sources opened recently, newest first, for the source picker.
import type { Db } from '../db/database.ts';
import type { RecentSource } from '../api/domains/sources.ts';

export type RecentRepo = ReturnType<typeof recentRepo>;

export function recentRepo(db: Db, keep = 20) {
  const put = db.prepare<[string, string, string, string]>(
    // seq orders opens that share a millisecond.
    `INSERT INTO recent_sources (path, kind, options, opened_at, seq) VALUES (?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM recent_sources))
     ON CONFLICT(path) DO UPDATE SET kind = excluded.kind, options = excluded.options, opened_at = excluded.opened_at, seq = excluded.seq`
  );
  const list = db.prepare<[number], { path: string; kind: string; options: string; opened_at: string }>('SELECT * FROM recent_sources ORDER BY seq DESC LIMIT ?');
  const trim = db.prepare<[number]>('DELETE FROM recent_sources WHERE path NOT IN (SELECT path FROM recent_sources ORDER BY seq DESC LIMIT ?)');
  return {
    remember(path: string, kind: string, options: Record<string, unknown> = {}) {
      put.run(path, kind, JSON.stringify(options), new Date().toISOString());
      trim.run(keep);
    },
    list: (): RecentSource[] => list.all(keep).map((r) => ({ path: r.path, kind: r.kind, options: JSON.parse(r.options), openedAt: r.opened_at }))
  };
}
