// `npm run serve`: the same host as the Electron app, in plain Node, for a browser.
import '../util/threadpool.ts';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createHost } from '../api/host.ts';
import { defaultDataDir } from '../util/paths.ts';
import { startServer } from './server.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '5173' },
      token: { type: 'string' },
      'data-dir': { type: 'string' },
      'data-root': { type: 'string', multiple: true },
      'static-dir': { type: 'string', default: join(root, 'out/renderer') }
    }
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got "${values.port}"`);
  const staticDir = resolve(values['static-dir']);
  if (!existsSync(join(staticDir, 'index.html'))) throw new Error(`No built renderer in ${staticDir}: run "npm run build" first.`);
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());

  const dataRoots = (values['data-root'] ?? []).map((r) => resolve(r));
  const host = createHost({ dataDir, transport: 'websocket', dataRoots });
  const running = await startServer(host, { host: values.host, port, token: values.token, staticDir });
  console.log(`ProbeDeck (browser mode) at ${running.url}`);
  console.log(`data: ${dataDir}`);
  console.log(dataRoots.length ? `browsable: ${dataRoots.join(', ')}` : 'no --data-root: the file browser is off (paths can still be typed)');
  // A running export is cancelled and its temporary folder removed before the process goes.
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await running.close();
    await host.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // `npm run serve` starts it through a shell; a SIGTERM to npm ends npm and the shell but does not
  // reach it. Orphaned (its parent gone), it stops as if signalled rather than run on alone.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && void stop(), 1000).unref();
}

main().catch((err: Error) => {
  console.error(`probedeck serve: ${err.message}`);
  process.exit(1);
});
