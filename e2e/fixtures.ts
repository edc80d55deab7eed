// `app` is the ProbeDeck page in whichever project runs: a Chromium tab on the browser-mode host,
// or the first window of the Electron app. Neither project starts the other's browser.
import { test as base, _electron, type Browser, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { electronBinary } from '../scripts/electron-binary.mjs';

export const test = base.extend<{ app: Page; tempDir: (prefix: string) => string }, { chromiumBrowser: Browser | null }>({
  // Folders for a test's files, removed when it ends (an export test alone writes over a GB).
  tempDir: async ({}, use) => {
    const dirs: string[] = [];
    await use((prefix) => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    });
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  },
  chromiumBrowser: [
    async ({ playwright }, use, workerInfo) => {
      if (workerInfo.project.name !== 'browser') return use(null);
      const browser = await playwright.chromium.launch(workerInfo.project.use.launchOptions);
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' }
  ],
  app: async ({ chromiumBrowser, baseURL, viewport }, use, testInfo) => {
    let page: Page;
    let close: () => Promise<void>;
    if (testInfo.project.name === 'electron') {
      const exe = electronBinary();
      // Not a silent pass: the report lists these as skipped with this reason.
      testInfo.skip(!exe, 'electron project not run: no Electron binary installed on this machine');
      const app = await _electron.launch({
        executablePath: exe!,
        args: [join(import.meta.dirname, '..')],
        env: { ...process.env, PROBEDECK_DATA_DIR: process.env.E2E_DATA_DIR ?? '' }
      });
      page = await app.firstWindow();
      close = () => app.close();
    } else {
      const context = await chromiumBrowser!.newContext({ viewport, baseURL });
      page = await context.newPage();
      await page.goto('/');
      close = () => context.close();
    }
    await use(page);
    // Kept as test artefacts (e2e/artifacts/…/final.png), pass or fail.
    await page.screenshot({ path: testInfo.outputPath('final.png') }).catch(() => {});
    await close();
  }
});

export { expect } from '@playwright/test';
