// `npm start`: the desktop app when Electron's binary is installed; otherwise one line naming the
// browser-mode equivalent.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './electron-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const exe = electronBinary();
if (!exe) {
  console.error('Electron\'s binary is not installed here (it could not be downloaded): run "npm run serve" to use ProbeDeck in a browser.');
  process.exit(1);
}
await import('./ensure-built.mjs');
const child = spawn(exe, [root, ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 0));
