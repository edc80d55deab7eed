// The live view's RAM budget as the lab set it in the Planner, kept among the settings. Unset (or
// set back to automatic), a view takes the default share of the free RAM, at most 1 GiB.
import type { SettingsRepo } from '../db/settings-repo.ts';
import type { ViewBudget } from '../api/domains/planner.ts';
import { checkViewRamBudget, MIN_VIEW_BUDGET, viewBudgetLimit, viewRamBudget } from './plan.ts';

const KEY = 'views.ramBudgetBytes';

export interface ViewBudgetSetting {
  get(): ViewBudget;
  set(bytes: number | null): ViewBudget;
}

export function viewBudgetSetting(settings: SettingsRepo): ViewBudgetSetting {
  const chosen = (): number | null => {
    const n = Number(settings.get(KEY));
    return Number.isInteger(n) && n > 0 ? n : null; // 'auto', absent or damaged: automatic
  };
  const get = (): ViewBudget => {
    const c = chosen();
    // A setting made on a bigger machine (a copied data folder) is held to this one's limit; one
    // written past set() (settings.set takes any key) to the least a view runs in.
    return { bytes: viewRamBudget(c === null ? null : Math.max(MIN_VIEW_BUDGET, Math.min(c, viewBudgetLimit()))), automatic: c === null, minBytes: MIN_VIEW_BUDGET, maxBytes: viewBudgetLimit() };
  };
  return {
    get,
    set(bytes) {
      settings.set(KEY, bytes === null ? 'auto' : String(checkViewRamBudget(bytes)));
      return get();
    }
  };
}
