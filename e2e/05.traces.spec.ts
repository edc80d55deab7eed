import type { Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canvasPixels } from './canvas.ts';
import { expect, test } from './fixtures.ts';
import { zeroRecording } from './simulate.ts';

const litFraction = async (app: Page) => (await canvasPixels(app)).lit;
const snapshot = (app: Page) => app.getByTestId('traces-canvas').screenshot();
/** Away to Presets and back, until the traces view has fetched and drawn its window anew: what it says before is what the last view said. */
async function switchTabAndBack(app: Page): Promise<void> {
  const drawn = Number(await app.getByTestId('perf-window-ms').getAttribute('data-drawn'));
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('tab-traces').click();
  await expect.poll(async () => Number(await app.getByTestId('perf-window-ms').getAttribute('data-drawn'))).toBeGreaterThan(drawn);
}

test('opens on the simulator and draws moving traces; the health panel reports', async ({ app }, testInfo) => {
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toContainText('simulator');
  // The first-run simulator is already labelled so: wait for this open's reply, which resets the view.
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await expect.poll(() => litFraction(app), { timeout: 15_000 }).toBeGreaterThan(0.02);
  // It opens on 64 lanes from the tip, readable as traces; 'a' shows all 384 and, pressed again, goes back.
  const range = app.locator('.controls .muted');
  await expect(range).toContainText('lanes 1–64 of 384 (AP0 … AP63)'); // the ids of the lanes, which count from 1
  await app.keyboard.press('a');
  await expect(range).toContainText('lanes 1–384 of 384');
  await app.keyboard.press('a');
  await expect(range).toContainText('lanes 1–64 of 384');
  const a = await snapshot(app);
  await app.waitForTimeout(700);
  const b = await snapshot(app);
  expect(a.equals(b)).toBe(false);
  await expect.poll(async () => Number(await app.getByTestId('perf-speed-x').textContent())).toBeGreaterThan(1);
  await expect.poll(async () => Number(await app.getByTestId('perf-frame-p95-ms').textContent())).toBeGreaterThan(0);
  await testInfo.attach('live', { body: b, contentType: 'image/png' });

  // Pause: the picture holds still; scrolling back shows older data. Three half-screen steps back
  // need 2.5 s of run before the paused window (on a fast machine the pause came sooner).
  await expect.poll(async () => Number(await app.getByTestId('newest-sample').textContent()), { timeout: 15_000 }).toBeGreaterThan(3 * 30000);
  await app.keyboard.press(' ');
  await app.waitForTimeout(300);
  const paused = await snapshot(app);
  await app.waitForTimeout(400);
  expect((await snapshot(app)).equals(paused)).toBe(true);
  // A paused picture idles: a second after its last fetch the view stops asking for frames (it asked
  // for ~150 in these 2.5 s when it never did), while the acquisition beside it goes on.
  const framesAsked = await app.evaluate(async () => {
    let n = 0;
    const raf = window.requestAnimationFrame;
    window.requestAnimationFrame = (cb) => (n++, raf(cb));
    await new Promise((r) => setTimeout(r, 2500));
    window.requestAnimationFrame = raf;
    return n;
  });
  console.log(`paused: ${framesAsked} frames asked for in 2.5 s`);
  expect(framesAsked).toBeLessThan(60);
  await app.keyboard.press('ArrowLeft');
  await expect.poll(async () => (await snapshot(app)).equals(paused)).toBe(false);
  // Each press goes back half a screen further, while the history lasts (it stopped after the first).
  const right = async () => Number((await app.getByTestId('time-right').textContent())!.split(' ')[0]);
  let t = await right();
  for (let i = 0; i < 2; i++) {
    await app.keyboard.press('ArrowLeft');
    await expect.poll(right).toBeLessThan(t - 0.1);
    t = await right();
  }
  await app.keyboard.press('ArrowRight');
  await expect.poll(right).toBeGreaterThan(t + 0.1);
  await app.keyboard.press('End');
  await expect(app.getByTestId('toggle-follow')).toContainText('pause');
});

test('a raw file reopened with more channels: the probe map follows, the page stays up', async ({ app, tempDir }) => {
  const errors: string[] = [];
  app.on('pageerror', (e) => errors.push(e.message));
  const bin = join(tempDir('probedeck-raw-'), 'raw.bin');
  // 1 s of 384 channels: also a whole number of 192-channel frames.
  writeFileSync(bin, new Int16Array(384 * 30000).map((_, i) => (i * 7919) % 200 - 100));
  await app.getByTestId('open-path').fill(bin);
  for (const channels of [192, 384]) {
    await app.getByTestId('open-channels').fill(String(channels));
    await app.getByTestId('open-recording').click();
    await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
    await expect(app.locator('[data-testid^="contact-"]')).toHaveCount(channels);
    await expect(app.locator('.controls .muted').first()).toContainText('units per lane'); // no gain given: not µV
    // The map's values come back for this source, and each contact's tooltip shows one.
    await expect.poll(() => app.getByTestId(`contact-${channels - 1}`).locator('title').textContent(), { timeout: 10_000 }).toMatch(/^CH\d+: [\d.]+ units$/);
  }
  // The spectrum says the traces' units (it said µV²/Hz), on a bitmap of the canvas's own size (it
  // was 900 × 200 stretched across the panel: its labels distorted, the last one cut off).
  await app.keyboard.press('f');
  await expect(app.getByTestId('spectrum-title')).toHaveText('Spectrum of CH0 (Welch, units²/Hz)');
  const bitmapFits = () => app.getByTestId('spectrum-canvas').evaluate((c: HTMLCanvasElement) => c.width === Math.round(c.clientWidth * devicePixelRatio) && c.height === Math.round(c.clientHeight * devicePixelRatio));
  await expect.poll(bitmapFits, { timeout: 15_000 }).toBe(true);
  // Its gain given, the same file is in µV.
  await app.getByTestId('open-gain').fill('2.34375');
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await expect(app.getByTestId('lane-scale')).toContainText('µV per lane');
  await expect(app.getByTestId('spectrum-title')).toHaveText('Spectrum of CH0 (Welch, µV²/Hz)');
  await expect.poll(() => app.getByTestId('contact-0').locator('title').textContent(), { timeout: 10_000 }).toMatch(/^CH\d+: [\d.]+ µV$/);
  // A window longer than the recording starts at its start, from wherever it was scrubbed to (it
  // used to keep the right edge there: negative times, and the rest of the file out of view).
  await app.getByTestId('span').selectOption('0.5');
  await app.getByTestId('scrub').fill('0.6');
  await expect(app.getByTestId('time-right')).toContainText(/^0\.6\d\d s/);
  await app.getByTestId('span').selectOption('5');
  await expect(app.getByTestId('time-left')).toContainText(/^0\.000 s/);
  await expect(app.getByTestId('time-right')).toContainText(/^5\.\d+ s/);
  expect(Number(await app.getByTestId('scrub').getAttribute('min'))).toBeLessThanOrEqual(1);
  // The recent list fills the path and closes (left open, it covered the toolbar).
  await app.getByTestId('open-path').fill('');
  await app.getByTestId('source-picker').locator('summary').click();
  await app.getByTestId('recent-source').filter({ hasText: bin }).click();
  await expect(app.getByTestId('open-path')).toHaveValue(bin);
  await expect(app.getByTestId('recent-source').first()).toBeHidden();
  expect(errors).toEqual([]);
});

test('the view runs a preset: the source kind’s default on open, another on request', async ({ app }) => {
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  const picker = app.getByTestId('view-preset');
  await expect(picker.locator('option:checked')).toHaveText('Neuropixels AP live');
  await expect(app.getByTestId('view-pipeline')).toHaveText('300–6000 Hz · global median CMR');
  const range = app.locator('.controls .muted');
  await expect(range).toContainText('lanes 1–64 of 384');
  // The LFP preset's display too: a 10 s heatmap of the whole probe.
  await picker.selectOption({ label: 'Neuropixels LFP' });
  await expect(app.getByTestId('view-pipeline')).toHaveText('0.5–500 Hz · no CMR');
  await expect(app.getByTestId('toggle-cmr')).toContainText('CMR off');
  await expect(app.getByTestId('toggle-view')).toContainText('heatmap');
  await expect(app.getByTestId('span')).toHaveValue('10');
  await expect(range).toContainText('lanes 1–384 of 384');
  await picker.selectOption({ label: 'Neuropixels AP live' });
  await expect(app.getByTestId('view-pipeline')).toHaveText('300–6000 Hz · global median CMR');
  await expect(app.getByTestId('toggle-view')).toContainText('traces');
  await expect(app.getByTestId('span')).toHaveValue('1');
  await expect(range).toContainText('lanes 1–64 of 384');
  // After a choice in a menu, the view's keys act on the view again (the menu kept them before).
  await app.getByTestId('span').focus();
  await app.getByTestId('span').selectOption('0.5');
  await app.keyboard.press(' ');
  await expect(app.getByTestId('toggle-follow')).toContainText('follow (space)');
  await expect(app.getByTestId('span')).toHaveValue('0.5');
  // 10 ms on a plot wider than its 300 samples shows more than 10 ms, and says so.
  await app.getByTestId('span').selectOption('0.01');
  await expect(app.getByTestId('window-label')).toContainText(/10 ms window · \d+(\.\d+)? ms shown/);
  await app.getByTestId('span').selectOption('1');
  await expect(app.getByTestId('window-label')).not.toContainText('shown');
});

test('paused in live history, a pipeline change redraws that history as the new pipeline makes it', async ({ app }) => {
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await expect.poll(() => litFraction(app), { timeout: 15_000 }).toBeGreaterThan(0.02);
  await app.waitForTimeout(1500); // history to scroll into
  await app.keyboard.press(' ');
  await app.keyboard.press('ArrowLeft');
  await app.waitForTimeout(500);
  const withCmr = await snapshot(app);
  // The session reprocesses its history from the raw samples, then the paused window is fetched anew.
  await app.getByTestId('toggle-cmr').click();
  await expect(app.getByTestId('toggle-cmr')).toContainText('CMR off');
  await expect.poll(async () => (await snapshot(app)).equals(withCmr), { timeout: 10_000 }).toBe(false);
  const withoutCmr = await snapshot(app);
  // Ctrl+C is the browser's copy, not the CMR key.
  await app.keyboard.press('Control+c');
  await app.waitForTimeout(300);
  await expect(app.getByTestId('toggle-cmr')).toContainText('CMR off');
  await app.keyboard.press('c');
  await expect(app.getByTestId('toggle-cmr')).toContainText('CMR on');
  await expect.poll(async () => (await snapshot(app)).equals(withoutCmr), { timeout: 10_000 }).toBe(false);
  await expect(app.getByTestId('toggle-follow')).not.toContainText('pause'); // still paused throughout
});

test('a paused live view keeps its moment after the history has moved past it, across a tab switch', async ({ app }) => {
  test.setTimeout(90_000);
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  // A window of the new run drawn, not the picture of the one it replaced: on a loaded machine the
  // first window can come late, and a pause before it holds nothing of this run.
  await expect.poll(async () => Number(await app.getByTestId('newest-sample').textContent()), { timeout: 15_000 }).toBeGreaterThan(15000);
  await expect.poll(() => litFraction(app), { timeout: 15_000 }).toBeGreaterThan(0.02);
  await app.getByTestId('toggle-follow').click();
  await expect(app.getByTestId('toggle-follow')).toContainText('follow (space)');
  const left = await app.getByTestId('time-left').textContent();
  const history = Number(await app.getByTestId('history-seconds').textContent());
  expect(history).toBeGreaterThan(1);
  // The simulator runs in real time: wait until its history has moved past the paused window, then away to Presets and back.
  await app.waitForTimeout((history + 2) * 1000);
  // Said while sitting paused, with no fetch; and still after a tab switch, which draws anew.
  await expect(app.getByTestId('beyond-history')).toContainText('shown as it was when paused');
  await switchTabAndBack(app);
  await expect(app.getByTestId('beyond-history')).toContainText(/this moment has left the [\d.]+ s history: shown as it was when paused/);
  await expect(app.getByTestId('time-left')).toHaveText(left!);
  await expect.poll(() => litFraction(app)).toBeGreaterThan(0.02);
  // Following again: the live edge, and the note goes.
  await app.keyboard.press('End');
  await expect(app.getByTestId('beyond-history')).toHaveCount(0);
});

test('a pause before a young run has filled the window keeps what it showed, after the history has moved past it', async ({ app }) => {
  test.setTimeout(90_000);
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  // A 10 s window: paused in the run's first seconds, it is drawn only up to the newest sample then.
  await app.getByTestId('span').selectOption('10');
  await app.getByTestId('span').blur();
  await expect.poll(async () => Number(await app.getByTestId('newest-sample').textContent()), { timeout: 15_000 }).toBeGreaterThan(0);
  await app.keyboard.press(' ');
  await expect(app.getByTestId('toggle-follow')).toContainText('follow (space)');
  await expect(app.getByTestId('time-left')).toContainText(/^0\.000 s/);
  const history = Number(await app.getByTestId('history-seconds').textContent());
  // The window's start leaves the history once the run is older than it holds.
  await app.waitForTimeout((history + 2) * 1000);
  await expect(app.getByTestId('beyond-history')).toContainText('shown as it was when paused');
  await switchTabAndBack(app);
  // It said "what it held is gone": the copy, ending at what was the newest sample, was taken for one cut short.
  await expect(app.getByTestId('beyond-history')).toContainText(/this moment has left the [\d.]+ s history: shown as it was when paused/);
  await expect(app.getByTestId('time-left')).toContainText(/^0\.000 s/);
  await expect.poll(() => litFraction(app)).toBeGreaterThan(0.005);
});

test('the source bar: an imec .bin is followed as 384 + sync unless a count is typed; what was typed survives a tab switch', async ({ app }) => {
  await app.getByTestId('open-path').fill('/data/run_g0_t0.imec0.ap.bin');
  await expect(app.getByTestId('open-channels')).toHaveValue('385');
  await expect(app.locator('.bar .hint')).toHaveText('384 + sync');
  await app.getByTestId('open-path').fill('/data/headstage.dat');
  await expect(app.getByTestId('open-channels')).toHaveValue('384');
  await app.getByTestId('open-channels').fill('32');
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('tab-traces').click();
  await expect(app.getByTestId('open-path')).toHaveValue('/data/headstage.dat');
  await expect(app.getByTestId('open-channels')).toHaveValue('32');
  // Another file: the count typed for the last one goes.
  await app.getByTestId('open-path').fill('/data/run_g0_t0.imec0.lf.bin');
  await expect(app.getByTestId('open-channels')).toHaveValue('385');
});

test('bad-channel detection from the toolbar: the button says it is at work, then the simulator’s dead and noisy channels are named', async ({ app }) => {
  test.setTimeout(90_000);
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  const button = app.getByTestId('toggle-detect');
  await expect(button).toHaveText('detect bad (d)');
  await button.click();
  await expect(button).toHaveText(/^(detect bad: gathering 4 s…|detecting bad…) \(d\)$/);
  await expect(app.getByTestId('bad-channels')).toContainText('AP77 (noise)', { timeout: 60_000 });
  await expect(app.getByTestId('bad-channels')).toContainText('AP191 (dead)');
  await expect(button).toHaveText('detect bad (d)');
  // Kept in the preset: the built-in default is not edited, a copy takes them and the view runs it.
  await app.getByTestId('keep-bad').click();
  await expect(app.getByTestId('kept-note')).toHaveText('AP77, AP191 now known bad in "Neuropixels AP live (copy)" (a copy of the built-in "Neuropixels AP live", which the view now runs): exports through it leave them out');
  await expect(app.getByTestId('keep-bad')).toHaveCount(0);
  await expect(app.getByTestId('view-preset').locator('option:checked')).toHaveText('Neuropixels AP live (copy) (changed)');
});

test('bad-channel detection that finds none says so: the toolbar does not look as if it never ran', async ({ app, tempDir }) => {
  // The .meta SpikeGLX wrote for an NP1.0 (channel 191 marked unused), zeros for data: detection finds no other.
  const bin = join(tempDir('probedeck-detect-none-'), 'noise_g0_t0.imec0.ap.bin');
  zeroRecording('Noise_g0_t0.imec0.ap.meta', bin);
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toContainText('noise_g0_t0');
  await expect(app.getByTestId('detect-result')).toHaveCount(0);
  await app.keyboard.press('d');
  // Done, it read "detect bad (d)" beside "bad: AP191 (unused)", as before it was pressed.
  await expect(app.getByTestId('detect-result')).toHaveText('detection found no bad channel', { timeout: 30_000 });
  await expect(app.getByTestId('toggle-detect')).toHaveText('detect bad (d)');
  await expect(app.getByTestId('bad-channels')).toHaveText('bad: AP191 (unused)');
  await app.keyboard.press('d');
  await expect(app.getByTestId('detect-result')).toHaveCount(0);
});

test('a recording whose .meta marks a site unused shows it with the bad channels as soon as it opens', async ({ app, tempDir }) => {
  // The .meta SpikeGLX wrote for an NP1.0 (channel 191, the reference site, marked unused), zeros for data.
  const bin = join(tempDir('probedeck-unused-'), 'noise_g0_t0.imec0.ap.bin');
  zeroRecording('Noise_g0_t0.imec0.ap.meta', bin);
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toContainText('noise_g0_t0');
  await expect(app.getByTestId('bad-channels')).toHaveText('bad: AP191 (unused)');
  // Its firstSample=177385: the axis counts from the file's first sample, and says where that is on SpikeInterface's clock.
  await expect(app.getByTestId('time-left')).toHaveAttribute('title', "seconds from the file's first sample; on the acquisition's clock (SpikeInterface's times) that sample is at 5.912833 s");
  // d then c within one round trip (in one task here): both changes hold, the second made on the first's pipeline.
  await expect(app.getByTestId('toggle-cmr')).toContainText('CMR on');
  await app.evaluate(() => ['d', 'c'].forEach((key) => window.dispatchEvent(new KeyboardEvent('keydown', { key }))));
  await expect(app.getByTestId('toggle-cmr')).toContainText('CMR off');
  await expect(app.getByTestId('view-pipeline')).toContainText('no CMR');
  await expect(app.getByTestId('toggle-detect')).toHaveClass(/on/);
  await expect(app.getByTestId('detect-result')).toHaveText('detection found no bad channel', { timeout: 30_000 });
});
