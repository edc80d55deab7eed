// Two projects run the same specs: `browser` (the built renderer served by `npm run serve`, in
// Chromium) and `electron` (_electron.launch; skipped, and said so, where no Electron binary exists).
import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumPath } from './chromium.ts';

const port = Number(process.env.E2E_PORT ?? 5321);
// A folder made here is removed when the run ends (teardown.ts); one given in E2E_DATA_DIR stays.
if (!process.env.E2E_DATA_DIR) process.env.E2E_DATA_DIR_MADE = '1';
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'probedeck-e2e-'));
process.env.E2E_DATA_DIR = dataDir;

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.spec\.ts/,
  outputDir: 'artifacts',
  globalTeardown: './teardown.ts',
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure'
  },
  webServer: {
    command: `node main/browser/serve.ts --port ${port} --data-dir "${dataDir}"`,
    cwd: join(import.meta.dirname, '..'),
    url: `http://127.0.0.1:${port}/`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe'
  },
  projects: [
    {
      name: 'browser',
      use: {
        browserName: 'chromium',
        viewport: { width: 1920, height: 1080 },
        launchOptions: {
          executablePath: chromiumPath(),
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync']
        }
      }
    },
    { name: 'electron' }
  ]
});
