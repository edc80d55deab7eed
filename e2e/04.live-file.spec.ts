import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canvasPixels } from './canvas.ts';
import { expect, test } from './fixtures.ts';
import { liveWriter } from './simulate.ts';

test('follows a SpikeGLX file while the simulator writes it; the lag behind the writer is measured', async ({ app, tempDir }, testInfo) => {
  const dir = tempDir('probedeck-live-');
  const bin = join(dir, 'run_g0_t0.imec0.ap.bin');
  const writer = liveWriter(bin, 60);
  try {
    await expect.poll(() => statSync(bin, { throwIfNoEntry: false })?.size ?? 0).toBeGreaterThan(0);
    await app.getByTestId('open-path').fill(bin);
    await app.getByTestId('open-file').click();
    await expect(app.getByTestId('source-label')).toContainText('run_g0_t0.imec0.ap.bin');
    await expect.poll(async () => Number(await app.getByTestId('newest-sample').textContent()), { timeout: 15_000 }).toBeGreaterThan(30000);
    const lags: number[] = [];
    for (let i = 0; i < 60; i++) {
      // What the writer had at the moment the page was read: the midpoint of a size read before and after
      // (reading the page waits for its main thread, so one size alone would count that wait as lag).
      const before = statSync(bin).size;
      const shown = Number(await app.getByTestId('newest-sample').textContent());
      const written = (before + statSync(bin).size) / 2 / (385 * 2); // 384 channels + sync
      lags.push(((written - shown) / 30000) * 1000);
      await app.waitForTimeout(100);
    }
    lags.sort((a, b) => a - b);
    const p50 = lags[Math.floor(lags.length * 0.5)];
    const p95 = lags[Math.floor(lags.length * 0.95)];
    testInfo.annotations.push({ type: 'live lag ms', description: `p50 ${p50.toFixed(0)}, p95 ${p95.toFixed(0)}, max ${lags.at(-1)!.toFixed(0)}` });
    console.log(`live file lag behind the writer: p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${lags.at(-1)!.toFixed(0)} ms`);
    // The figure is the product's (target < 200 ms; p50 seen 160–210 ms here, where the writer, the
    // host and software-rendered Chromium share 2 cores). The assertion only catches a follower that
    // falls behind for good (a stall, a poll of seconds), not the machine's load of the day.
    expect(p50).toBeLessThan(1000);
    // Paused, the window stays where it is while the newest processed sample moves on: the panel says both
    // (the writer runs 60 s, well past the lag readings on a loaded machine).
    await app.getByTestId('toggle-follow').click();
    await expect(app.getByTestId('toggle-follow')).toContainText('follow (space)');
    // Pausing fetches the window whole once more, which completes a last column drawn partial (a few
    // samples on): held is where it settles, read twice alike.
    let held = -1;
    await expect
      .poll(
        async () => {
          const now = Number(await app.getByTestId('newest-sample').textContent());
          const settled = now === held;
          held = now;
          return settled;
        },
        { intervals: [300], timeout: 10_000 }
      )
      .toBe(true);
    await expect.poll(async () => Number(await app.getByTestId('newest-processed').textContent()), { timeout: 10_000 }).toBeGreaterThan(held + 15000);
    expect(Number(await app.getByTestId('newest-sample').textContent())).toBe(held);
  } finally {
    writer.kill();
  }
});

test('a followed file that has ended opens whole as a recording, on the preset the view ran', async ({ app, tempDir }) => {
  test.setTimeout(60_000);
  const dir = tempDir('probedeck-ended-');
  const bin = join(dir, 'short_g0_t0.imec0.ap.bin');
  const writer = liveWriter(bin, 3);
  try {
    await expect.poll(() => statSync(bin, { throwIfNoEntry: false })?.size ?? 0).toBeGreaterThan(0);
    await app.getByTestId('open-path').fill(bin);
    await app.getByTestId('open-file').click();
    await expect(app.getByTestId('source-label')).toContainText('short_g0_t0.imec0.ap.bin');
    const preset = await app.getByTestId('view-preset').locator('option:checked').textContent();
    await expect(app.getByTestId('window-label')).toContainText('recording ended', { timeout: 20_000 });
    // Paused, the end is still said (it said only "paused").
    await app.getByTestId('toggle-follow').click();
    await expect(app.getByTestId('window-label')).toContainText('paused · recording ended');
    await app.getByTestId('open-whole-file').click();
    await expect(app.getByTestId('window-label')).toHaveText(/^recording · /);
    await expect(app.getByTestId('view-preset').locator('option:checked')).toHaveText(preset!);
    await expect(app.getByTestId('open-whole-file')).toHaveCount(0);
  } finally {
    writer.kill();
  }
});

test('a file followed before its .meta: once the .meta is written, the toolbar no longer says there is none, and says what the view still assumes', async ({ app, tempDir }) => {
  test.setTimeout(60_000);
  const bin = join(tempDir('probedeck-meta-late-'), 'late_g0_t0.imec0.ap.bin');
  // Long enough to be opened before it ends, on a slow machine too.
  const writer = liveWriter(bin, 8);
  try {
    await expect.poll(() => statSync(bin, { throwIfNoEntry: false })?.size ?? 0).toBeGreaterThan(0);
    await app.getByTestId('open-path').fill(bin);
    await app.getByTestId('open-channels').fill('385');
    await app.getByTestId('open-file').click();
    await expect(app.getByTestId('source-label')).toContainText('late_g0_t0.imec0.ap.bin');
    const warning = app.getByTestId('source-warning');
    await expect(warning).toContainText('no .meta yet');
    await expect(app.getByTestId('window-label')).toContainText('recording ended', { timeout: 20_000 });
    // It went on saying "no .meta yet" beside "the recording ended (its .meta was written)".
    await expect(warning).not.toContainText('no .meta yet');
    await expect(warning).toHaveText('followed before its .meta: µV assume a Neuropixels 1.0 AP gain (2.34375 µV/bit) and its site layout; open the whole file to read them from its .meta');
  } finally {
    writer.kill();
  }
});

test('a followed file\'s newest column is drawn again as it fills: a spike written into a column drawn partial shows', async ({ app, tempDir }) => {
  const bin = join(tempDir('probedeck-partial-'), 'growing.bin');
  writeFileSync(bin, '');
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-channels').fill('4');
  await app.getByTestId('open-file').click();
  await expect(app.getByTestId('source-label')).toContainText('growing.bin');
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await app.getByTestId('span').selectOption('1');
  await app.getByTestId('span').blur();
  await app.keyboard.press('r'); // raw: the spike as written
  await expect(app.getByTestId('toggle-processed')).toContainText('raw');
  // A pixel column holds spc samples (one shank: the plot is the canvas's width).
  const spc = Math.ceil(30000 / (await app.getByTestId('traces-canvas').evaluate((c: HTMLCanvasElement) => c.width)));
  const frames = (n: number, spikeAt = -1) => Buffer.from(Int16Array.from({ length: 4 * n }, (_, i) => (Math.floor(i / 4) === spikeAt ? -2000 : 0)).buffer);
  // Zeros up to half a column: that column is drawn partial, flat.
  const n1 = 20 * spc + (spc >> 1);
  appendFileSync(bin, frames(n1));
  await expect(app.getByTestId('newest-sample')).toHaveText(String(n1), { timeout: 10_000 });
  // The rest of that column, a spike first: the column is drawn again with it (drawn once, it stayed flat).
  appendFileSync(bin, frames(21 * spc - n1, 0));
  await expect(app.getByTestId('newest-sample')).toHaveText(String(21 * spc), { timeout: 10_000 });
  // The run is younger than the window: drawn from its start at the left edge, its 21st column the plot's.
  await expect.poll(async () => Math.max(...(await canvasPixels(app)).litByColumn.slice(19, 22))).toBeGreaterThan(0.3);
});
