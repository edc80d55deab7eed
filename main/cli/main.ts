// `probedeck <command> …`: one module per command in commands/, listed here.
import '../util/threadpool.ts';
import { busyMessage } from '../db/database.ts';
import { settingsDatabase } from '../util/paths.ts';
import { CliError, type Command } from './command.ts';
import { engineCommand } from './commands/engine.ts';
import { exportCommand } from './commands/export.ts';
import { infoCommand } from './commands/info.ts';
import { planCommand } from './commands/plan.ts';
import { simulateCommand } from './commands/simulate.ts';
import { presetsCommand } from './commands/presets.ts';
import { processCommand } from './commands/process.ts';

// `npm run cli -- …` runs in the package's folder: paths typed there are meant from where npm was called.
if (process.env.npm_lifecycle_event === 'cli' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

const COMMANDS: Record<string, Command> = {
  engine: engineCommand,
  process: processCommand,
  export: exportCommand,
  presets: presetsCommand,
  plan: planCommand,
  info: infoCommand,
  simulate: simulateCommand
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: probedeck <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nprobedeck <command> --help for a command's options`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) throw new CliError(`unknown command "${name}"\n${usage()}`, 2);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(negativeValues(rest));
  } catch (err) {
    // An option the command does not take, or a value it cannot parse, is a usage error like any other: exit 2.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) throw new CliError(`${(err as Error).message} (probedeck ${name} --help for its options)`, 2);
    throw err;
  }
}

/** The settings database a command opened: its --data-dir's, else the data folder's. */
function settingsPath(args: string[]): string {
  const i = args.findIndex((a) => a === '--data-dir' || a.startsWith('--data-dir='));
  return settingsDatabase(i < 0 ? undefined : args[i].includes('=') ? args[i].slice('--data-dir='.length) : args[i + 1]);
}

/** "--start -1" as "--start=-1": parseArgs would read "-1" as an unknown option, not as the value it is meant to be. */
function negativeValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (/^--[^=]+$/.test(args[i]) && /^-\d/.test(args[i + 1] ?? '')) out.push(`${args[i]}=${args[++i]}`);
    else out.push(args[i]);
  }
  return out;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: Error & { exitCode?: number }) => {
    // One clear line (the message), never a stack, for anything the user can fix.
    const busy = (err as { code?: unknown }).code === 'SQLITE_BUSY';
    console.error(`probedeck: ${busy ? busyMessage(settingsPath(process.argv.slice(2))) : err.message}`);
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  }
);
