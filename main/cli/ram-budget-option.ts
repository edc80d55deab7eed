// --ram-budget as the commands that plan take it (export, plan): a size SpikeInterface would read,
// above 0, or a usage error naming the flag.
import { parseBytes } from '../planner/plan.ts';
import { CliError } from './command.ts';

export function ramBudgetOption(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  let n = 0;
  try {
    n = parseBytes(v);
  } catch {} // said below, naming the option
  if (!(n > 0)) throw new CliError(`--ram-budget must be a size above 0 such as 512MiB, 2GiB or 4G, got "${v}"`, 2);
  return n;
}
