// probedeck presets list|export|import — for rig admins sharing settings between machines.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../db/database.ts';
import { presetsRepo } from '../../presets/repo.ts';
import { exportPreset, parsePresetFile } from '../../presets/transfer.ts';
import { DATABASE_FILE, defaultDataDir } from '../../util/paths.ts';
import { CliError, type Command } from '../command.ts';

const USAGE = `usage: probedeck presets list [--json]
       probedeck presets export NAME [--format probedeck|spikeinterface] [--out FILE]
       probedeck presets import FILE [--name NAME] [--json]
  common: --data-dir DIR (default: ProbeDeck's data folder)`;

export const presetsCommand: Command = {
  summary: 'list, export or import presets (ProbeDeck JSON or a SpikeInterface pipeline dict)',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, 'data-dir': { type: 'string' }, format: { type: 'string', default: 'probedeck' }, out: { type: 'string' }, name: { type: 'string' } }
    });
    const [action, target] = positionals;
    const { db, notices } = openDatabase(join(resolve(values['data-dir'] ?? defaultDataDir()), DATABASE_FILE));
    for (const n of notices) console.error(`probedeck: ${n.message}`);
    try {
      const repo = presetsRepo(db);
      if (action === 'list') {
        const list = repo.list();
        if (values.json) console.log(JSON.stringify(list, null, 2));
        else for (const p of list) console.log(`${String(p.id).padStart(4)}  ${p.name}${p.builtin ? '  (built in)' : ''}`);
        return 0;
      }
      if (action === 'export') {
        if (!target) throw new CliError(`export needs a preset NAME\n${USAGE}`, 2);
        const p = repo.list().find((x) => x.name.toLowerCase() === target.toLowerCase());
        if (!p) throw new CliError(`no preset named "${target}" (see probedeck presets list)`);
        if (values.format !== 'probedeck' && values.format !== 'spikeinterface') throw new CliError(`--format must be probedeck or spikeinterface, got "${values.format}"`, 2);
        const text = exportPreset(p, values.format);
        if (values.out) writeFileSync(values.out, text + '\n');
        else console.log(text);
        return 0;
      }
      if (action === 'import') {
        if (!target) throw new CliError(`import needs a FILE\n${USAGE}`, 2);
        let text: string;
        try {
          text = readFileSync(target, 'utf8');
        } catch (e) {
          throw new CliError(`cannot read ${target}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
        }
        const file = parsePresetFile(text, values.name);
        // As the app imports: a name given with --name must be free; the file's own takes a number when taken.
        const p = repo.create(values.name ?? repo.freeNameLike(file.name), file.body);
        const renamed = values.name === undefined && p.name !== file.name ? ` ("${file.name}" is taken; rename with the app, or import again with --name)` : '';
        console.log(values.json ? JSON.stringify(p, null, 2) : `imported "${p.name}" (id ${p.id})${renamed}`);
        return 0;
      }
      throw new CliError(`unknown action "${action ?? ''}"\n${USAGE}`, 2);
    } finally {
      db.close();
    }
  }
};
