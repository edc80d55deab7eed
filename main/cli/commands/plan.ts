// probedeck plan: what the planner would choose for a job on this machine.
import { parseArgs } from 'node:util';
import { openDatabase } from '../../db/database.ts';
import { machineKey } from '../../planner/calibrate.ts';
import { formatBytes } from '../../util/byte-size.ts';
import { plan } from '../../planner/plan.ts';
import { ramBudgetOption } from '../ram-budget-option.ts';
import { calibrationRepo } from '../../planner/repo.ts';
import { viewBudgetSetting } from '../../planner/view-budget.ts';
import { settingsRepo } from '../../db/settings-repo.ts';
import { settingsDatabase } from '../../util/paths.ts';
import { CliError, type Command } from '../command.ts';
import { MAX_MARGIN_MS } from '../../presets/schema.ts';

const USAGE = `usage: probedeck plan --channels C --fs HZ [--dtype int16|float32] [--ram-budget 2GiB] [--job live|scrub|export]
                     [--margin-ms M] [--n-workers auto|W] [--json] [--data-dir DIR]`;

export const planCommand: Command = {
  summary: 'print how many jobs × workers and what chunk fit a RAM budget',
  usage: USAGE,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        channels: { type: 'string' },
        fs: { type: 'string' },
        dtype: { type: 'string', default: 'int16' },
        'ram-budget': { type: 'string' },
        job: { type: 'string', default: 'export' },
        'margin-ms': { type: 'string' },
        'n-workers': { type: 'string', default: 'auto' },
        json: { type: 'boolean' },
        'data-dir': { type: 'string' }
      }
    });
    if (!values.channels || !values.fs) throw new CliError(`--channels and --fs are required\n${USAGE}`, 2);
    const fs = Number(values.fs);
    if (values.dtype !== 'int16' && values.dtype !== 'float32') throw new CliError(`--dtype must be int16 or float32 (a uint16 file plans as int16), got "${values.dtype}"`, 2);
    const marginMs = values['margin-ms'] === undefined ? undefined : Number(values['margin-ms']);
    if (marginMs !== undefined && !(values['margin-ms']!.trim() !== '' && marginMs >= 0)) throw new CliError(`--margin-ms must be 0 or more (ms of real neighbours each side), got "${values['margin-ms']}"`, 2);
    if (marginMs !== undefined && marginMs > MAX_MARGIN_MS) throw new CliError(`--margin-ms must be at most ${MAX_MARGIN_MS} (ms of real neighbours each side of every chunk, as a preset's marginMs), got "${values['margin-ms']}"`, 2);
    const { db } = openDatabase(settingsDatabase(values['data-dir']));
    const calibration = calibrationRepo(db).get(machineKey());
    // A live view's budget, unless given, is the one set in the Planner, as the app plans it.
    const viewBytes = viewBudgetSetting(settingsRepo(db)).get().bytes;
    db.close();
    const p = plan(
      {
        channels: Number(values.channels),
        fs,
        dtype: values.dtype,
        job: values.job as 'export',
        ramBudgetBytes: ramBudgetOption(values['ram-budget']) ?? (values.job === 'live' ? viewBytes : undefined),
        marginSamples: marginMs === undefined ? undefined : Math.trunc((marginMs * fs) / 1000),
        nWorkers: values['n-workers'] === 'auto' ? 'auto' : Number(values['n-workers'])
      },
      calibration
    );
    if (values.json) console.log(JSON.stringify(p, null, 2));
    else {
      console.log(p.reason);
      console.log(`jobs ${p.nJobs} · workers ${p.nWorkers} · chunk ${p.chunkSamples} samples · predicted peak ${formatBytes(p.predictedPeakBytes)} (${p.basis})`);
    }
    return 0;
  }
};
