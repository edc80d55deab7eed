// Export history: one row per export, written when it starts and completed when it ends, so an
// export cut short by a crash shows up as interrupted rather than vanishing.
import type { Db } from '../db/database.ts';
import { pidAlive } from '../util/pid.ts';
import type { ExportFormat, ExportRecord, ExportState } from '../api/domains/export.ts';

interface Row {
  id: number;
  started_at: string;
  finished_at: string | null;
  source: string;
  format: string;
  preset_name: string;
  out_dir: string;
  channels: number;
  samples: number;
  start_s: number | null;
  end_s: number | null;
  channel_list: string | null;
  seconds: number | null;
  state: string;
  message: string | null;
}

export type ExportHistory = ReturnType<typeof exportHistory>;

export function exportHistory(db: Db) {
  const insert = db.prepare<[string, string, string, string, string, number, number, number, number, string | null]>(
    `INSERT INTO export_history (started_at, source, format, preset_name, out_dir, channels, samples, start_s, end_s, channel_list, state, pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ${process.pid})`
  );
  const finish = db.prepare<[string, number | null, string, string | null, number]>('UPDATE export_history SET finished_at = ?, seconds = ?, state = ?, message = ? WHERE id = ?');
  const list = db.prepare<[number], Row>('SELECT * FROM export_history ORDER BY id DESC LIMIT ?');
  const running = db.prepare<[], { id: number; pid: number; out_dir: string }>(`SELECT id, pid, out_dir FROM export_history WHERE state = 'running'`);
  const interrupted = db.prepare<[string, number]>(`UPDATE export_history SET state = 'interrupted', message = ? WHERE id = ?`);
  return {
    /** `channelList` as the user gave it ("0-63,70"), null for all channels. */
    start(e: { source: string; format: ExportFormat; presetName: string; outDir: string; channels: number; samples: number; startS: number; endS: number; channelList: string | null }): number {
      return Number(insert.run(new Date().toISOString(), e.source, e.format, e.presetName, e.outDir, e.channels, e.samples, e.startS, e.endS, e.channelList).lastInsertRowid);
    },
    finish(id: number, state: Exclude<ExportState, 'running'>, seconds: number | null, message: string | null) {
      finish.run(new Date().toISOString(), seconds, state, message, id);
    },
    /**
     * Rows left 'running' by a process that is gone (a crash, a kill): another process may still be
     * exporting. Returns their destinations, beside which their temporary folders were left.
     */
    markInterrupted(): string[] {
      const gone = running.all().filter((r) => !pidAlive(r.pid));
      for (const r of gone) interrupted.run('ProbeDeck stopped before this export was recorded as finished; its temporary files are removed. What is at the destination, if anything, is the export it was replacing, or this one, complete, if it had just been put in place (its README.txt says when it was made)', r.id);
      return gone.map((r) => r.out_dir);
    },
    list: (limit = 50): ExportRecord[] =>
      list.all(limit).map((r) => ({
        id: r.id,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        source: r.source,
        format: r.format as ExportFormat,
        presetName: r.preset_name,
        outDir: r.out_dir,
        channels: r.channels,
        samples: r.samples,
        startS: r.start_s,
        endS: r.end_s,
        channelList: r.channel_list,
        seconds: r.seconds,
        state: r.state as ExportState,
        message: r.message
      }))
  };
}
