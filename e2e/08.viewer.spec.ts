import type { Page } from '@playwright/test';
import { canvasPixels } from './canvas.ts';
import { expect, test } from './fixtures.ts';

/** Columns lit far more than the typical one (common-mode stripes), and the share of red/blue heat pixels. */
async function canvasStats(app: Page) {
  const { litByColumn, heat } = await canvasPixels(app);
  // A common-mode event deflects every lane at once: its columns are lit well beyond the typical column.
  const median = [...litByColumn].sort((a, b) => a - b)[litByColumn.length >> 1];
  return { stripes: litByColumn.filter((f) => f > median + 0.12).length, heat };
}

/** Saves a screenshot beside the test's other artefacts and attaches it to the report. */
async function keep(testInfo: import('@playwright/test').TestInfo, name: string, shot: Promise<Buffer>) {
  const path = testInfo.outputPath(name);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path, await shot);
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

test('CMR removes the simulator’s common-mode artefacts from the picture; heatmap, probe map, spectrum, help and readout render', async ({ app }, testInfo) => {
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toContainText('simulator');
  // The first-run simulator is already labelled so: wait for this open's reply, which resets the view.
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await app.getByTestId('span').selectOption({ label: '5 s' });

  // Probe map: every contact drawn; clicking the noisy channel shows it with its neighbours (64 lanes).
  await expect(app.getByTestId('probe-map').locator('rect')).toHaveCount(384);
  await app.getByTestId('contact-77').click();
  const lanes = async () => (await app.locator('.controls .muted').textContent())!.match(/lanes (\d+)–(\d+)/)!.slice(1).map(Number);
  await expect.poll(async () => (([a, b]) => b - a + 1)(await lanes())).toBe(64);
  const [first, last] = await lanes();
  expect(first).toBeLessThanOrEqual(77);
  expect(last).toBeGreaterThanOrEqual(79);
  await keep(testInfo, 'probe-map.png', app.getByTestId('probe-map').screenshot());

  // The simulator injects a 400 µV common-mode artefact every 2 s. Without CMR each is a stripe
  // through every lane; with CMR (applied to data processed from then on) none is left.
  // (Measured on 64 lanes: a typical column is ~27 % lit, an artefact's ~47 %; with CMR ≤ 33 %.)
  await app.getByTestId('toggle-cmr').click();
  await expect(app.getByTestId('toggle-cmr')).toContainText('off');
  await app.waitForTimeout(5600);
  const off = await canvasStats(app);
  await keep(testInfo, 'cmr-off.png', app.getByTestId('traces-canvas').screenshot());
  await app.getByTestId('toggle-cmr').click();
  await expect(app.getByTestId('toggle-cmr')).toContainText('on');
  await app.waitForTimeout(5600);
  const on = await canvasStats(app);
  await keep(testInfo, 'cmr-on.png', app.getByTestId('traces-canvas').screenshot());
  console.log(`artefact stripes: CMR off ${off.stripes} columns, on ${on.stripes}`);
  expect(off.stripes).toBeGreaterThan(0);
  expect(on.stripes).toBe(0);

  // Heatmap: the same columns as an image in a diverging map.
  await app.keyboard.press('h');
  await expect(app.getByTestId('toggle-view')).toContainText('heatmap');
  await expect.poll(async () => (await canvasStats(app)).heat).toBeGreaterThan(0.01);
  await keep(testInfo, 'heatmap.png', app.getByTestId('traces-canvas').screenshot());
  await app.keyboard.press('h');
  await app.keyboard.press('a');
  await expect(app.locator('.controls .muted')).toContainText('lanes 1–384');

  // Spectrum of the raw signal: the 50 Hz line noise stands out.
  await app.keyboard.press('f');
  const peak = app.getByTestId('spectrum-peak');
  // Between bins (1.8 Hz apart), not the nearest bin's 49.4 Hz.
  await expect.poll(async () => Math.abs(Number(await peak.getAttribute('data-hz')) - 50), { timeout: 15_000 }).toBeLessThan(0.5);
  expect(Number(await peak.getAttribute('data-db'))).toBeGreaterThan(6);
  await keep(testInfo, 'spectrum.png', app.getByTestId('spectrum').screenshot());

  // Hover readout and the time axis.
  const box = (await app.getByTestId('traces-canvas').boundingBox())!;
  // The readout follows the pointer (one request at a time): keep moving until it answers.
  let step = 0;
  await expect
    .poll(async () => {
      step++;
      await app.getByTestId('traces-canvas').hover({ position: { x: box.width * (0.6 + 0.02 * (step % 10)), y: box.height * 0.5 }, force: true });
      return app.getByTestId('hover-readout').count();
    })
    .toBe(1);
  await expect(app.getByTestId('hover-readout')).toContainText(/AP\d+ · [\d.]+ s · -?\d+…-?\d+ µV/);
  // While following, the readout under a resting pointer moves on with the traces.
  const readoutS = async () => Number(/ · ([\d.]+) s · /.exec((await app.getByTestId('hover-readout').textContent()) ?? '')?.[1]);
  const restingAt = await readoutS();
  await expect.poll(readoutS, { timeout: 5000 }).toBeGreaterThan(restingAt + 0.2);
  // The axis spans the chosen window (whole samples per pixel column round it up a little).
  const seconds = async (id: string) => Number((await app.getByTestId(id).textContent())!.split(' ')[0]);
  await expect.poll(async () => Math.abs((await seconds('time-right')) - (await seconds('time-left')) - 5)).toBeLessThan(0.5);
  // ctrl + wheel zooms in time: one notch in is the next shorter window (5 s → 2 s), one out goes back.
  await app.getByTestId('traces-canvas').hover({ force: true });
  await app.keyboard.down('Control');
  await app.mouse.wheel(0, -100);
  await app.keyboard.up('Control');
  await expect(app.getByTestId('span')).toHaveValue('2');
  await expect.poll(async () => Math.abs((await seconds('time-right')) - (await seconds('time-left')) - 2)).toBeLessThan(0.3);
  await app.keyboard.down('Control');
  await app.mouse.wheel(0, 100);
  await app.keyboard.up('Control');
  await expect(app.getByTestId('span')).toHaveValue('5');

  // Autoscale from each channel's noise: lanes become ±6 σ, each channel to its own (the median σ is a few µV here).
  // The label says so: one µV scale would be false for every channel but the median one.
  await app.keyboard.press('s');
  await expect(app.getByTestId('autoscale')).toHaveClass(/on/);
  await expect(app.getByTestId('lane-scale')).toContainText('±6.0 σ per lane, each channel scaled to its own noise');
  const sigma = Number((await app.getByTestId('lane-scale').getAttribute('title'))!.match(/: ([\d.]+) µV/)![1]);
  expect(sigma).toBeGreaterThan(2);
  expect(sigma).toBeLessThan(25);

  // Bad channels found live (coherence+psd on the newest seconds), shown, kept out of the CMR, and hidden on request.
  await app.keyboard.press('d');
  await expect(app.getByTestId('bad-channels')).toHaveText('bad: AP77 (noise), AP191 (dead)', { timeout: 30_000 });
  await app.keyboard.press('b');
  await expect(app.locator('.controls .muted')).toContainText('lanes 1–382');
  await app.keyboard.press('b');

  await app.keyboard.press('?');
  await expect(app.getByTestId('help-overlay')).toContainText('pause / follow live');
  await keep(testInfo, 'help.png', app.screenshot());
  await app.keyboard.press('Escape');
  await expect(app.getByTestId('help-overlay')).toHaveCount(0);

  // The dead channel's raw spectrum is zero throughout: said in words, no line-noise figure (it was NaN dB).
  await app.getByTestId('contact-191').click();
  await expect(app.getByTestId('spectrum-flat')).toHaveText('flat: no signal on this channel', { timeout: 15_000 });
  await expect(app.getByTestId('spectrum-peak')).toHaveCount(0);
});
