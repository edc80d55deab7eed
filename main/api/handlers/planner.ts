import type { PlannerMethods, PlanRequest } from '../domains/planner.ts';
import type { HostEvents } from '../events.ts';
import { calibrate, machineKey } from '../../planner/calibrate.ts';
import { plan } from '../../planner/plan.ts';
import type { CalibrationRepo } from '../../planner/repo.ts';
import { ProbeDeckError, invalidParameterError, isPlainObject } from '../../util/is.ts';
import type { HandlersOf } from './types.ts';
import type { ViewBudgetSetting } from '../../planner/view-budget.ts';

export function plannerHandlers(repo: CalibrationRepo, events: HostEvents, viewBudget: ViewBudgetSetting): HandlersOf<keyof PlannerMethods> {
  let running: AbortController | null = null;
  return {
    'planner.plan': (p) => {
      if (!isPlainObject(p)) throw invalidParameterError('params', 'an object', p);
      const req = p as unknown as PlanRequest;
      // A live plan without a budget is the one the next live view will run with.
      return plan(req.job === 'live' && req.ramBudgetBytes === undefined ? { ...req, ramBudgetBytes: viewBudget.get().bytes } : req, repo.get(machineKey()));
    },
    'planner.calibration': () => repo.get(machineKey()),
    'planner.calibrate': async (p) => {
      if (running) throw new ProbeDeckError('BUSY', 'a calibration is already running');
      if (p !== undefined && !isPlainObject(p)) throw invalidParameterError('params', 'nothing, or an object { seconds }', p);
      running = new AbortController();
      try {
        const c = await calibrate({ seconds: p?.seconds as number | undefined, signal: running.signal, onPoint: (done, total, point) => events.emit('planner.progress', { done, total, point }) });
        repo.save(c);
        return c;
      } catch (err) {
        if (running.signal.aborted) throw new ProbeDeckError('CANCELLED', 'the calibration was cancelled; the previous one (if any) is kept');
        throw err;
      } finally {
        running = null;
      }
    },
    'planner.cancelCalibration': () => {
      running?.abort();
    },
    'planner.viewBudget': () => viewBudget.get(),
    'planner.setViewBudget': (p) => {
      if (!isPlainObject(p) || !('bytes' in p)) throw invalidParameterError('params', 'an object { bytes }', p);
      return viewBudget.set(p.bytes === null ? null : (p.bytes as number));
    }
  };
}
