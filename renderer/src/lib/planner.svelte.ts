// The planner panel's state: the request, the plan for it, this machine's calibration and the
// progress of a calibration run.
import type { Calibration, JobKind, Plan, ViewBudget } from '../../../main/api/domains/planner.ts';
import { api } from './api.ts';

export class PlannerState {
  channels = $state(384);
  fs = $state(30000);
  budgetGiB = $state(2);
  job = $state<JobKind>('export');
  plan = $state.raw<Plan | null>(null);
  calibration = $state.raw<Calibration | null>(null);
  progress = $state<{ done: number; total: number } | null>(null);
  error = $state<string | null>(null);
  /** What the next live view runs with; the Planner is where the lab sets it. */
  viewBudget = $state.raw<ViewBudget | null>(null);
  viewBudgetNote = $state<string | null>(null);

  #budgetChosen = false;

  async load(): Promise<void> {
    this.calibration = await api.call('planner.calibration');
    this.viewBudget = await api.call('planner.viewBudget');
    if (!this.#budgetChosen) {
      // Start from the host's default: a share of the RAM free now.
      const p = await api.call('planner.plan', { channels: this.channels, fs: this.fs, dtype: 'int16', job: this.job });
      this.budgetGiB = Math.round((p.ramBudgetBytes / 2 ** 30) * 100) / 100;
      this.#budgetChosen = true;
    }
    await this.replan();
  }

  async replan(): Promise<void> {
    try {
      this.error = null;
      this.plan = await api.call('planner.plan', {
        channels: this.channels,
        fs: this.fs,
        dtype: 'int16',
        job: this.job,
        ramBudgetBytes: Math.round(this.budgetGiB * 2 ** 30)
      });
    } catch (err) {
      this.plan = null;
      this.error = (err as Error).message;
    }
  }

  /** The live view's budget is a setting, not a what-if: switching to it shows the one in force. */
  async jobChanged(): Promise<void> {
    this.viewBudgetNote = null;
    if (this.job === 'live' && this.viewBudget) this.budgetGiB = Math.round((this.viewBudget.bytes / 2 ** 30) * 100) / 100;
    await this.replan();
  }

  /** bytes null: back to automatic. */
  async setViewBudget(bytes: number | null): Promise<void> {
    try {
      this.error = null;
      this.viewBudget = await api.call('planner.setViewBudget', { bytes });
      this.budgetGiB = Math.round((this.viewBudget.bytes / 2 ** 30) * 100) / 100;
      this.viewBudgetNote = 'saved: a live source opened from now on keeps this history';
      await this.replan();
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  async calibrate(): Promise<void> {
    const off = api.on('planner.progress', (p) => (this.progress = { done: p.done, total: p.total }));
    try {
      this.error = null;
      this.progress = { done: 0, total: 1 };
      this.calibration = await api.call('planner.calibrate', { seconds: 2 });
      await this.replan();
    } catch (err) {
      this.error = (err as Error).message;
    } finally {
      off();
      this.progress = null;
    }
  }

  cancel(): void {
    void api.call('planner.cancelCalibration');
  }
}

export const planner = new PlannerState();
