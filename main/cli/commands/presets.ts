// probedeck presets list|export|import|rename|delete|restore|set-default — for rig admins sharing
// settings between machines, and setting them up as the app does.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../db/database.ts';
import { presetsRepo, SOURCE_KINDS, type PresetsRepo } from '../../presets/repo.ts';
import { cornerWarnings } from '../../presets/corners.ts';
import { exportPreset, parsePresetFile } from '../../presets/transfer.ts';
import { settingsDatabase } from '../../util/paths.ts';
import { CliError, type Command } from '../command.ts';

const USAGE = `usage: probedeck presets list [--json]
       probedeck presets export NAME [--format probedeck|spikeinterface] [--out FILE]
       probedeck presets import FILE [--name NAME] [--json]
       probedeck presets rename NAME NEW_NAME
       probedeck presets delete NAME          (restore undoes it)
       probedeck presets restore NAME
       probedeck presets set-default KIND NAME
  KIND: the sources a default is for, as under Presets in the app: ${SOURCE_KINDS.join(', ')}
  common: --data-dir DIR (default: ProbeDeck's data folder)`;

/**
 * A preset by name, as `list` shows them: the exact name first, else the one that name matches in
 * any case; deleted ones only when asked. The database folds only A–Z, so "Über rig" and "über rig"
 * can both exist: a name that matches several of them in any case but none exactly is refused.
 */
function named(repo: PresetsRepo, name: string | undefined, what: string, deleted = false) {
  if (!name) throw new CliError(`${what} needs a preset NAME\n${USAGE}`, 2);
  const candidates = repo.list(deleted).filter((x) => (x.deletedAt !== null) === deleted);
  const exact = candidates.find((x) => x.name === name);
  if (exact) return exact;
  const folded = candidates.filter((x) => x.name.toLowerCase() === name.toLowerCase());
  if (folded.length > 1) throw new CliError(`"${name}" matches ${folded.map((x) => `"${x.name}"`).join(' and ')}: give the name exactly as probedeck presets list shows it`);
  if (!folded.length) throw new CliError(deleted ? `no deleted preset named "${name}"` : `no preset named "${name}" (see probedeck presets list)`);
  return folded[0];
}

export const presetsCommand: Command = {
  summary: 'list, export, import, rename, delete or restore presets, and set the default per source kind',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, 'data-dir': { type: 'string' }, format: { type: 'string', default: 'probedeck' }, out: { type: 'string' }, name: { type: 'string' } }
    });
    const [action, target, second] = positionals;
    const { db, notices } = openDatabase(settingsDatabase(values['data-dir']));
    for (const n of notices) console.error(`probedeck: ${n.message}`);
    try {
      const repo = presetsRepo(db);
      if (action === 'list') {
        const list = repo.list();
        if (values.json) console.log(JSON.stringify(list, null, 2));
        else {
          const defaults = Object.entries(repo.defaults());
          for (const p of list) {
            const kinds = defaults.filter(([, id]) => id === p.id).map(([kind]) => kind);
            console.log(`${String(p.id).padStart(4)}  ${p.name}${p.builtin ? '  (built in)' : ''}${kinds.length ? `  default for ${kinds.join(', ')}` : ''}`);
          }
        }
        return 0;
      }
      if (action === 'export') {
        const p = named(repo, target, 'export');
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
        // The app's editor shows these beside the corner once the preset is open; a file imported here
        // would otherwise first say so at the rig, where the preset will not run.
        for (const w of cornerWarnings(p.body.pipeline.filter, false)) console.error(`probedeck: warning: "${p.name}": ${w}`);
        return 0;
      }
      if (action === 'rename') {
        const p = named(repo, target, 'rename');
        if (second === undefined) throw new CliError(`rename needs the NEW_NAME\n${USAGE}`, 2);
        console.log(`renamed "${p.name}" to "${repo.rename(p.id, second).name}"`);
        return 0;
      }
      if (action === 'delete') {
        const p = repo.remove(named(repo, target, 'delete').id);
        console.log(`deleted "${p.name}" (probedeck presets restore "${p.name}" brings it back)`);
        return 0;
      }
      if (action === 'restore') {
        const p = repo.restore(named(repo, target, 'restore', true).id);
        console.log(`restored "${p.name}"`);
        return 0;
      }
      if (action === 'set-default') {
        if (!target || !SOURCE_KINDS.includes(target)) throw new CliError(`set-default needs a KIND, one of ${SOURCE_KINDS.join(', ')}${target ? `; got "${target}"` : ''}\n${USAGE}`, 2);
        const p = named(repo, second, 'set-default');
        repo.setDefault(target, p.id);
        console.log(`"${p.name}" is the default for ${target} sources`);
        return 0;
      }
      throw new CliError(`unknown action "${action ?? ''}"\n${USAGE}`, 2);
    } finally {
      db.close();
    }
  }
};
