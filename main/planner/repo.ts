import type { Db } from '../db/database.ts';
import type { Calibration } from '../api/domains/planner.ts';

export type CalibrationRepo = ReturnType<typeof calibrationRepo>;

export function calibrationRepo(db: Db) {
  const get = db.prepare<[string], { machine_key: string; measured_at: string; points: string }>('SELECT * FROM calibrations WHERE machine_key = ?');
  const put = db.prepare<[string, string, string]>(
    'INSERT INTO calibrations (machine_key, measured_at, points) VALUES (?, ?, ?) ON CONFLICT(machine_key) DO UPDATE SET measured_at = excluded.measured_at, points = excluded.points'
  );
  return {
    get(machineKey: string): Calibration | null {
      const r = get.get(machineKey);
      return r ? { machineKey: r.machine_key, measuredAt: r.measured_at, points: JSON.parse(r.points) } : null;
    },
    save(c: Calibration): void {
      put.run(c.machineKey, c.measuredAt, JSON.stringify(c.points));
    }
  };
}
