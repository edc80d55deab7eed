// The panels beside and under the traces (spectrum, probe map) as a scientist uses them: what they
// show belongs to the source open now.
import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canvasPixels } from './canvas.ts';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { simulatedRecording } from './simulate.ts';

/** Pixels of the spectrum's curve (#5fb3ff). */
const spectrumCurvePixels = (app: Page) =>
  app.getByTestId('spectrum-canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 200 && d[i] < 140 && d[i + 1] > 140) n++;
    return n;
  });

test('a source opened under the spectrum and the probe map shows nothing of the previous one; no data yet is said plainly', async ({ app, tempDir }) => {
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toContainText('simulator');
  await app.keyboard.press('f');
  // The simulator's 50 Hz, and its channels' RMS.
  await expect(app.getByTestId('spectrum-peak')).toBeVisible({ timeout: 15_000 });
  await expect(app.getByTestId('contact-5').locator('title')).toContainText('µV');
  const curve = () => spectrumCurvePixels(app);
  expect(await curve()).toBeGreaterThan(100);

  // A followed file with nothing in it yet: there is no spectrum or activity to show, and what the
  // simulator showed must not stand for it (it stayed, under the file's channel names, for good).
  const bin = join(tempDir('probedeck-panels-'), 'empty.bin');
  writeFileSync(bin, '');
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-channels').fill('384');
  await app.getByTestId('open-file').click();
  await expect(app.getByTestId('source-label')).toHaveText(bin);
  // A state of a run just begun, said plainly: not an error in red.
  await expect(app.getByTestId('spectrum-note')).toHaveText('not enough data yet for a spectrum');
  await expect(app.getByTestId('probe-note')).toHaveText('no processed data yet');
  await expect(app.getByTestId('spectrum').locator('.error')).toHaveCount(0);
  await expect(app.getByTestId('probe-map').locator('.error')).toHaveCount(0);
  await expect(app.getByTestId('spectrum-peak')).toHaveCount(0);
  expect(await curve()).toBe(0);
  await expect(app.getByTestId('contact-5').locator('title')).toHaveText('AP5: …');
  await expect(app.getByTestId('contact-5')).toHaveAttribute('fill', '#333');
});

test('keyboard only: the probe map names its menus, and its channel menu picks the spectrum’s channel and the lanes, as a click on a contact does', async ({ app }) => {
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toContainText('simulator');
  await app.keyboard.press('f');
  await expect(app.getByTestId('spectrum-title')).toHaveText('Spectrum of AP0 (Welch, µV²/Hz)');
  await expect(app.getByRole('combobox', { name: 'probe map metric' })).toHaveValue('rms');
  await expect(app.getByRole('combobox', { name: 'probe map window' })).toHaveValue('1');
  await expect(app.getByRole('combobox', { name: 'spectrum of' })).toHaveValue('false');
  // Without a pointer there was no way to another channel than AP0: the contacts take no focus.
  const channel = app.getByRole('combobox', { name: 'channel' });
  await channel.focus();
  await channel.selectOption({ label: 'AP300' });
  await expect(app.getByTestId('spectrum-title')).toHaveText('Spectrum of AP300 (Welch, µV²/Hz)');
  await expect(app.getByTestId('lane-scale')).toContainText(/AP2\d\d … AP3\d\d/);
  await expect(app.getByTestId('contact-300')).toHaveAttribute('stroke', '#fff');
  // A contact clicked shows in the menu too.
  await app.getByTestId('contact-77').click();
  await expect(channel).toHaveValue('77');
  await expect(app.getByTestId('spectrum-title')).toHaveText('Spectrum of AP77 (Welch, µV²/Hz)');
});

test('a window half a laptop screen wide draws the live traces: the time axis keeps one height as its labels change', async ({ app }) => {
  await app.setViewportSize({ width: 700, height: 700 });
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toContainText('simulator');
  // The axis's labels wrapped as their digits (and "Processing 1 s…") came and went: each change of
  // height resized the plot, which asked for the whole window again, and the answer, overtaken by the
  // next resize, was never drawn. The plot stayed black.
  const heights = await app.getByTestId('time-axis').evaluate(async (axis) => {
    const seen = new Set<number>();
    for (const t0 = performance.now(); performance.now() - t0 < 2000; ) {
      seen.add(axis.getBoundingClientRect().height);
      await new Promise((r) => requestAnimationFrame(r));
    }
    return [...seen];
  });
  expect(heights).toHaveLength(1);
  await expect.poll(async () => (await canvasPixels(app)).lit, { timeout: 10_000 }).toBeGreaterThan(0.05);
});

test('a window 700 px wide shows every page without scrolling sideways', async ({ app }) => {
  await app.setViewportSize({ width: 700, height: 700 });
  for (const tab of ['traces', 'presets', 'planner', 'export']) {
    await app.getByTestId(`tab-${tab}`).click();
    // The header's engine badge does not shrink: it pushed the page to 812 px, its end out of view.
    await expect.poll(() => app.evaluate(() => document.documentElement.scrollWidth), { message: tab }).toBeLessThanOrEqual(700);
  }
  await expect(app.getByTestId('db-roundtrip')).toBeInViewport();
});

test('the health panel never says a sample is shown that is newer than the newest processed', async ({ app }) => {
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toContainText('simulator');
  // The first-run simulator is already labelled so, and drawn: a sample of it shown said nothing of
  // this open, whose reply resets both readings ('shown to' 0, 'newest' unknown).
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await expect.poll(async () => Number(await app.getByTestId('newest-sample').textContent()), { timeout: 10_000 }).toBeGreaterThan(0);
  // "newest" came only from the status the host sends twice a second, "shown to" from each window
  // drawn: the drawn edge read up to 15000 samples past the newest sample processed.
  const behind = await app.getByTestId('health').evaluate(async (panel) => {
    const read = (id: string) => Number(panel.querySelector(`[data-testid="${id}"]`)!.textContent);
    let worst = 0;
    for (const t0 = performance.now(); performance.now() - t0 < 3000; ) {
      worst = Math.max(worst, read('newest-sample') - read('newest-processed'));
      await new Promise((r) => requestAnimationFrame(r));
    }
    return worst;
  });
  expect(behind).toBe(0);
});

test('export: "Replace" replaces the folder it asked about, not one typed in the field since', async ({ app, tempDir }) => {
  const dir = tempDir('probedeck-panels-export-');
  const bin = join(dir, 'rig_g0_t0.imec0.ap.bin');
  simulatedRecording(bin, 1);
  const [a, b] = [join(dir, 'a_ks'), join(dir, 'b_ks')];
  await app.getByTestId('tab-export').click();
  const source = app.getByTestId('export-source');
  await expect(async () => {
    await source.fill(bin);
    await expect(source).toHaveValue(bin, { timeout: 500 });
  }).toPass();
  for (const out of [a, b]) {
    await app.getByTestId('export-out').fill(out);
    await app.getByTestId('export-start-button').click();
    await expect(app.getByTestId('export-state')).toHaveText('done', { timeout: 60_000 });
  }
  // b holds an earlier export (of another session, say): nobody agreed to replace it.
  const bBefore = statSync(join(b, 'recording.bin')).ino;
  await app.getByTestId('export-out').fill(a);
  await app.getByTestId('export-start-button').click();
  await expect(app.getByTestId('export-confirm')).toContainText(`${a} already exists`);
  await app.getByTestId('export-out').fill(b);
  await app.getByTestId('export-replace').click();
  await expect(app.getByTestId('export-state')).toHaveText('done', { timeout: 60_000 });
  await expect(app.getByTestId('export-history').locator('tbody tr').first()).toContainText(a);
  expect(statSync(join(b, 'recording.bin')).ino).toBe(bBefore);
});

test('the heatmap says what its colours mean: the scale is µV at full colour, not per lane', async ({ app }) => {
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toContainText('simulator');
  // The open clicked is done: the label can name the simulator already open on the host, and an
  // open finishing after the key puts the view back to the preset's traces (seen once in a full run).
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await expect(app.getByTestId('lane-scale')).toContainText('±150 µV per lane');
  await app.keyboard.press('h');
  await expect(app.getByTestId('toggle-view')).toContainText('heatmap');
  await expect(app.getByTestId('lane-scale')).toContainText('±150 µV at full colour (− blue, + red)');
  await app.keyboard.press('+');
  await expect(app.getByTestId('lane-scale')).toContainText('±120 µV at full colour');
  await app.keyboard.press('h');
  await expect(app.getByTestId('lane-scale')).toContainText('±120 µV per lane');
});

test('on a recording the probe map and the spectrum describe the window on screen, not where the pointer last rested', async ({ app, tempDir }) => {
  // 32 channels at 30 kHz, silent for 2 s, then 2 s of noise: a window across the onset.
  const bin = join(tempDir('probedeck-panels-onset-'), 'onset.bin');
  const fs = 30000;
  writeFileSync(bin, new Int16Array(32 * 4 * fs).map((_, i) => (i < 32 * 2 * fs ? 0 : ((i * 7919) % 400) - 200)));
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-channels').fill('32');
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await app.getByTestId('span').selectOption('1');
  await app.getByTestId('scrub').fill('2.9');
  await app.getByTestId('scrub').blur();
  await expect(app.getByTestId('time-right')).toContainText(/^2\.9\d\d s/);
  await app.keyboard.press('f');
  const rms = async () => Number(/: ([\d.]+) units$/.exec((await app.getByTestId('contact-5').locator('title').textContent()) ?? '')?.[1]);
  // The window holds 0.9 s of noise: its RMS, and a spectrum that is not flat.
  await expect.poll(rms, { timeout: 10_000 }).toBeGreaterThan(50);
  await expect(app.getByTestId('spectrum-no-peak')).toBeVisible({ timeout: 10_000 });
  // The pointer rests at the window's left edge (1.95 s), in the silence: the readout there read a
  // column, and the panels' next poll described the second (map) and two (spectrum) ending at it.
  const box = (await app.getByTestId('traces-canvas').boundingBox())!;
  await app.mouse.move(box.x + box.width * 0.05, box.y + box.height * 0.5);
  await expect(app.getByTestId('hover-readout')).toContainText(/ 1\.9\d\d s /);
  await app.waitForTimeout(4500); // two polls of each
  expect(await rms()).toBeGreaterThan(50);
  await expect(app.getByTestId('spectrum-flat')).toHaveCount(0);
  await expect(app.getByTestId('spectrum-no-peak')).toBeVisible();
});

test('paused live, the probe map and the spectrum describe the paused moment, not the newest seconds', async ({ app, tempDir }) => {
  // A followed file: 2 s of noise, then, once paused on it, 3 s of silence (32 channels at 30 kHz, in µV
  // as a Neuropixels 1.0 AP stream until its .meta comes).
  const bin = join(tempDir('probedeck-panels-paused-'), 'paused.bin');
  const fs = 30000;
  writeFileSync(bin, '');
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-channels').fill('32');
  await app.getByTestId('open-file').click();
  await expect(app.getByTestId('source-label')).toHaveText(bin);
  appendFileSync(bin, new Uint8Array(new Int16Array(32 * 2 * fs).map((_, i) => ((i * 7919) % 400) - 200).buffer));
  await expect.poll(async () => Number(await app.getByTestId('newest-sample').textContent()), { timeout: 10_000 }).toBe(2 * fs);
  await app.keyboard.press('f');
  const rms = async () => Number(/: ([\d.]+) µV$/.exec((await app.getByTestId('contact-5').locator('title').textContent()) ?? '')?.[1]);
  await expect.poll(rms, { timeout: 10_000 }).toBeGreaterThan(50);
  await app.getByTestId('toggle-follow').click();
  await expect(app.getByTestId('toggle-follow')).toContainText('follow (space)');
  appendFileSync(bin, new Uint8Array(32 * 3 * fs * 2));
  await expect.poll(async () => Number(await app.getByTestId('newest-processed').textContent()), { timeout: 10_000 }).toBe(5 * fs);
  // The newest seconds are silent: the map read 0 and the raw spectrum "flat" for the noisy moment on screen.
  await app.waitForTimeout(4500); // two polls of each
  expect(await rms()).toBeGreaterThan(50);
  await expect(app.getByTestId('spectrum-flat')).toHaveCount(0);
  expect(await spectrumCurvePixels(app)).toBeGreaterThan(100);
  // Following again: the newest seconds, silent.
  await app.getByTestId('toggle-follow').click();
  await expect.poll(rms, { timeout: 10_000 }).toBeLessThan(1);
  await expect(app.getByTestId('spectrum-flat')).toBeVisible({ timeout: 10_000 });
});

test('paused live past the history, the probe map and the spectrum say the moment has left it, plainly, and keep what they showed of it', async ({ app }) => {
  test.setTimeout(90_000);
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await expect.poll(async () => Number(await app.getByTestId('newest-sample').textContent()), { timeout: 15_000 }).toBeGreaterThan(45000);
  await app.keyboard.press('f');
  await expect(app.getByTestId('spectrum-peak')).toBeVisible({ timeout: 15_000 });
  await app.getByTestId('toggle-follow').click();
  await expect(app.getByTestId('toggle-follow')).toContainText('follow (space)');
  await expect(app.getByTestId('beyond-history')).toContainText('shown as it was when paused', { timeout: 60_000 });
  await app.waitForTimeout(4500); // two polls of each, after the moment has left
  const left = /this moment has left the history: shown as it was when paused/;
  await expect(app.getByTestId('probe-note')).toHaveText(left);
  await expect(app.getByTestId('spectrum-note')).toHaveText(left);
  await expect(app.getByTestId('probe-map').locator('.error')).toHaveCount(0);
  await expect(app.getByTestId('spectrum').locator('.error')).toHaveCount(0);
  await expect(app.getByTestId('contact-5').locator('title')).toContainText(/: [\d.]+ µV$/);
  await expect(app.getByTestId('spectrum-peak')).toBeVisible();
  // Another pipeline while paused there: what was kept is the old pipeline's, and goes, as the traces' kept copy does.
  await app.getByTestId('toggle-cmr').click();
  const gone = 'this moment has left the history: what it held is gone';
  await expect(app.getByTestId('probe-note')).toHaveText(gone, { timeout: 5000 });
  await expect(app.getByTestId('spectrum-note')).toHaveText(gone, { timeout: 5000 });
  await expect(app.getByTestId('contact-5').locator('title')).toHaveText('AP5: …');
  await expect(app.getByTestId('spectrum-peak')).toHaveCount(0);
  // Asked about more of it than was kept: nothing stands for it.
  await app.getByRole('combobox', { name: 'probe map window' }).selectOption('2');
  await expect(app.getByTestId('probe-note')).toHaveText(gone, { timeout: 5000 });
  await expect(app.getByTestId('contact-5').locator('title')).toHaveText('AP5: …');
  await app.keyboard.press('End');
  await expect(app.getByTestId('probe-note')).toHaveCount(0, { timeout: 5000 });
  await expect(app.getByTestId('contact-5').locator('title')).toContainText(/: [\d.]+ µV$/);
});

test('live, the time axis never reads a time before the run began: a window longer than the run starts at 0', async ({ app, tempDir }) => {
  const bin = join(tempDir('probedeck-panels-axis-'), 'axis.bin');
  writeFileSync(bin, '');
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-channels').fill('32');
  await app.getByTestId('open-file').click();
  await expect(app.getByTestId('source-label')).toHaveText(bin);
  // Nothing yet: the axis read "-1.006 s … 0.000 s".
  await expect(app.getByTestId('time-left')).toHaveText(/^0\.000 s/);
  await expect(app.getByTestId('time-right')).toHaveText(/^1\.0\d\d s/);
  // The run's first 0.3 s: drawn from the left edge, at 0 s, not right-aligned under negative times.
  appendFileSync(bin, new Uint8Array(new Int16Array(32 * 9000).map((_, i) => ((i * 7919) % 400) - 200).buffer));
  await expect.poll(async () => Number(await app.getByTestId('newest-sample').textContent()), { timeout: 10_000 }).toBe(9000);
  await expect(app.getByTestId('time-left')).toHaveText(/^0\.000 s/);
  await expect.poll(async () => {
    const { litByColumn } = await canvasPixels(app);
    const share = (a: number, b: number) => litByColumn.slice(Math.floor(a * litByColumn.length), Math.floor(b * litByColumn.length)).filter((x) => x > 0).length;
    return [share(0.02, 0.2) > 0, share(0.5, 1)];
  }).toEqual([true, 0]);
  // Paused there, it stays so.
  await app.getByTestId('toggle-follow').click();
  await expect(app.getByTestId('toggle-follow')).toContainText('follow (space)');
  await expect(app.getByTestId('time-left')).toHaveText(/^0\.000 s/);
  await expect(app.getByTestId('time-right')).toHaveText(/^1\.0\d\d s/);
});

test('on a recording’s first seconds the probe map and the spectrum say how much they describe when it is less than asked', async ({ app, tempDir }) => {
  const bin = join(tempDir('probedeck-panels-span-'), 'span.bin');
  writeFileSync(bin, new Int16Array(32 * 3 * 30000).map((_, i) => ((i * 7919) % 400) - 200));
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-channels').fill('32');
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await app.getByTestId('span').selectOption('1');
  await expect(app.getByTestId('time-left')).toHaveText(/^0\.000 s/);
  await app.keyboard.press('f');
  // The window ends about 1 s in: "last 10 s" were the 1 s there is, and the spectrum's 2 s too.
  await app.getByRole('combobox', { name: 'probe map window' }).selectOption('10');
  await expect(app.getByTestId('probe-span')).toHaveText(/^only 1\.\d+ s used: the recording starts there$/, { timeout: 10_000 });
  await expect(app.getByTestId('spectrum-span')).toHaveText(/^only 1\.\d+ s used: the recording starts there$/, { timeout: 10_000 });
  await app.getByRole('combobox', { name: 'probe map window' }).selectOption('1');
  await expect(app.getByTestId('probe-span')).toHaveCount(0, { timeout: 10_000 });
});

test('the preset editor names the gain by what it means for the preset’s view: a heatmap’s is µV at full colour', async ({ app }) => {
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('preset-item').filter({ hasText: 'Neuropixels LFP' }).first().click();
  await expect(app.getByTestId('display-view')).toHaveValue('heatmap');
  await expect(app.getByTestId('display-gain-label')).toHaveText(/^Colour scale \(± µV at full colour, empty = keep\)/);
  await app.getByTestId('preset-item').filter({ hasText: 'Neuropixels AP' }).first().click();
  await expect(app.getByTestId('display-view')).toHaveValue('traces');
  await expect(app.getByTestId('display-gain-label')).toHaveText(/^Gain \(± µV per lane, empty = keep\)/);
});

test('the probe map and the spectrum ask again only once answered: scrubbing a long recording piles up no requests on the host', async ({ app, tempDir }, testInfo) => {
  test.skip(testInfo.project.name === 'electron', 'counts the requests on the WebSocket of browser mode');
  // Requests in flight per method, from the frames the page sends and receives.
  const waiting = new Map<number, string>();
  const most: Record<string, number> = {};
  const asked: Record<string, number> = {};
  const idOf = (payload: string | Buffer) => {
    const text = typeof payload === 'string' ? payload : payload.subarray(4, 4 + payload.readUInt32LE(0)).toString();
    return JSON.parse(text) as { t: string; id?: number; method?: string };
  };
  app.on('websocket', (ws) => {
    ws.on('framesent', (f) => {
      const m = idOf(f.payload);
      if (m.t !== 'call' || !m.method?.startsWith('session.')) return;
      waiting.set(m.id!, m.method);
      asked[m.method] = (asked[m.method] ?? 0) + 1;
      const n = [...waiting.values()].filter((x) => x === m.method).length;
      most[m.method] = Math.max(most[m.method] ?? 0, n);
    });
    ws.on('framereceived', (f) => {
      const m = idOf(f.payload);
      if (m.t === 'result' || m.t === 'error') waiting.delete(m.id!);
    });
  });
  await app.reload();
  // 384 channels: a 30 s window is seconds of work here, longer than the panels' 2 s between polls.
  const bin = join(tempDir('probedeck-panels-backlog-'), 'rec_g0_t0.imec0.ap.bin');
  simulatedRecording(bin, 40);
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await app.keyboard.press('f');
  await app.getByRole('combobox', { name: 'probe map window' }).selectOption('10');
  await app.getByTestId('span').selectOption('30');
  // A scrub back and forth for 12 s: each place is a new window for the traces and both panels.
  for (let i = 0; i < 24; i++) {
    await app.getByTestId('scrub').fill(String(30 + (i % 5) * 2));
    await app.waitForTimeout(500);
  }
  expect(asked['session.activity']).toBeGreaterThan(2);
  expect(asked['session.spectrum']).toBeGreaterThan(2);
  expect(most['session.activity']).toBe(1);
  expect(most['session.spectrum']).toBe(1);
  // And the last place is described once the host has caught up.
  await expect(app.getByTestId('traces-busy')).toBeEmpty({ timeout: 60_000 });
  await expect.poll(() => waiting.size, { timeout: 60_000 }).toBe(0);
});

test('the probe map says what its colours mean: from 0 to the value at full colour, in the metric’s unit', async ({ app }) => {
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toContainText('simulator');
  await expect(app.getByTestId('contact-5').locator('title')).toContainText('µV');
  // Coloured from dark blue to yellow with no scale: yellow was "more", of what was not said.
  const scale = app.getByTestId('probe-scale');
  await expect(scale).toHaveText(/^0 … \d+(\.\d)? µV RMS$/);
  // The value at full colour is the one the contacts are coloured against: a channel at it or above is yellow.
  // Read at once: both change with each update.
  const [scaleText, titles] = await app.getByTestId('probe-map').evaluate((map) => [
    map.querySelector('[data-testid="probe-scale"]')!.textContent!,
    [...map.querySelectorAll('rect title')].map((t) => t.textContent!)
  ] as const);
  const top = Number(scaleText.match(/… ([\d.]+)/)![1]);
  const rms = titles.map((t) => Number(t.match(/: ([\d.]+) µV/)![1])).sort((a, b) => a - b);
  expect(top).toBeCloseTo(rms[Math.floor(rms.length * 0.98)], 0);
  await app.getByTestId('probe-metric').selectOption('rate');
  await expect(scale).toHaveText(/^0 … \d+(\.\d)? \/s crossings$/);
});
