// Shanks as columns on a real NP2.0 4-shank recording (the .meta SpikeGLX wrote; the data are zeros,
// drawn as flat traces). Traces are coloured by shank, so where each shank is drawn can be read from
// the pixels' colours.
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { openSource } from '../main/sources/open-source.ts';
import { canvasImage } from './canvas.ts';
import { expect, test } from './fixtures.ts';
import { zeroRecording } from './simulate.ts';

/** Lit pixels in each quarter of the canvas by shank colour: white-grey, blue, orange, green (shanks 0–3). */
async function shankColoursByQuarter(app: Page): Promise<number[][]> {
  const { width, height, data: d } = await canvasImage(app);
  const q = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
      if (r + g + b < 300) continue;
      const k = r > 200 && g > 200 && b > 200 ? 0 : b > r + 60 ? 1 : r > b + 60 ? 2 : g > r + 40 && g > b + 40 ? 3 : -1;
      if (k >= 0) q[Math.min(3, Math.floor((4 * x) / width))][k]++;
    }
  return q;
}

test('a 4-shank probe drawn as 4 columns of lanes, each shank in its own column, hover names the shank’s channel', async ({ app, tempDir }, testInfo) => {
  const dir = tempDir('probedeck-np2-');
  const bin = join(dir, 'np2_g0_t0.imec0.ap.bin');
  zeroRecording('NP2_2013_g0_t0.imec0.ap.meta', bin);
  const src = await openSource(bin);
  const { channels } = src.info;
  await src.close();

  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toContainText('np2_g0_t0');
  await app.getByTestId('span').selectOption({ label: '1 s' });
  await app.getByTestId('scrub').evaluate((el: HTMLInputElement) => {
    el.value = '2';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  // A multi-shank probe opens as it looks: side by side, quarter g is shank g's colour.
  await expect(app.getByTestId('toggle-shank-columns')).toHaveClass(/on/);
  await expect
    .poll(async () => (await shankColoursByQuarter(app)).map((q) => q.indexOf(Math.max(...q))))
    .toEqual([0, 1, 2, 3]);

  // Stacked: every quarter of the canvas (a stretch of time) shows all four shanks.
  await app.keyboard.press('k');
  await expect(app.getByTestId('toggle-shank-columns')).not.toHaveClass(/on/);
  await expect.poll(async () => (await shankColoursByQuarter(app)).every((q) => q.every((n) => n > 0))).toBe(true);

  await app.getByTestId('toggle-shank-columns').click();
  await expect(app.getByTestId('toggle-shank-columns')).toHaveClass(/on/);
  // Side by side again, and the window stayed where it was.
  await expect
    .poll(async () => (await shankColoursByQuarter(app)).map((q) => q.indexOf(Math.max(...q))))
    .toEqual([0, 1, 2, 3]);
  expect(Number((await app.getByTestId('time-right').textContent())!.split(' ')[0])).toBeCloseTo(2, 1);
  const shot = testInfo.outputPath('shank-columns.png');
  await app.getByTestId('traces-canvas').screenshot({ path: shot });
  await testInfo.attach('shank-columns.png', { path: shot, contentType: 'image/png' });

  // Hovering the third column, low down (every shank has lanes there), names a channel of shank 2.
  const box = (await app.getByTestId('traces-canvas').boundingBox())!;
  await app.mouse.move(box.x + box.width * 0.625, box.y + box.height * 0.9);
  await expect(app.getByTestId('hover-readout')).toBeVisible();
  const id = (await app.getByTestId('hover-readout').textContent())!.split(' · ')[0];
  expect(channels.find((c) => c.id === id)?.shank).toBe(2);

  // And back to stacked with one key.
  await app.keyboard.press('k');
  await expect(app.getByTestId('toggle-shank-columns')).not.toHaveClass(/on/);
  await expect.poll(async () => (await shankColoursByQuarter(app)).every((q) => q.every((n) => n > 0))).toBe(true);

  // Each shank its own reference: the per-shank preset runs in the view, and the CMR key turns it
  // off and back on as it was (not as a global median).
  // A multi-shank probe opens with the multi-shank default (the per-shank built-in).
  const pipeline = app.getByTestId('view-pipeline');
  await expect(pipeline).toHaveText('300–6000 Hz · per-shank median CMR');
  await app.getByTestId('view-preset').selectOption({ label: 'Neuropixels AP' });
  await expect(pipeline).toHaveText('300–6000 Hz · global median CMR');
  await app.getByTestId('view-preset').selectOption({ label: 'Neuropixels AP per shank' });
  await expect(pipeline).toHaveText('300–6000 Hz · per-shank median CMR');
  await app.keyboard.press('c');
  await expect(pipeline).toHaveText('300–6000 Hz · no CMR');
  await app.keyboard.press('c');
  await expect(pipeline).toHaveText('300–6000 Hz · per-shank median CMR');
  // Back to what the preset says: not "changed".
  await expect(app.getByTestId('view-preset').locator('option:checked')).toHaveText('Neuropixels AP per shank');
  await expect(app.getByTestId('preset-reset')).toHaveCount(0);
  // Changed by hand, the menu still names the preset, and reset runs it as saved again.
  await app.keyboard.press('c');
  await expect(pipeline).toHaveText('300–6000 Hz · no CMR');
  await expect(app.getByTestId('view-preset').locator('option:checked')).toHaveText('Neuropixels AP per shank (changed)');
  await app.getByTestId('preset-reset').click();
  await expect(pipeline).toHaveText('300–6000 Hz · per-shank median CMR');
  await expect(app.getByTestId('preset-reset')).toHaveCount(0);
});

test('shanks as columns: each column is named by its shank, over it; stacked, no column is named', async ({ app, tempDir }) => {
  const dir = tempDir('probedeck-np2-');
  const bin = join(dir, 'np2_g0_t0.imec0.ap.bin');
  zeroRecording('NP2_2013_g0_t0.imec0.ap.meta', bin);
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toContainText('np2_g0_t0');
  await expect(app.getByTestId('toggle-shank-columns')).toHaveClass(/on/);
  // Four columns told apart by colour only: which one was shank 2 took a hover over each.
  const labels = app.getByTestId('shank-label');
  await expect(labels).toHaveText(['shank 0', 'shank 1', 'shank 2', 'shank 3']);
  const plot = (await app.getByTestId('traces-canvas').boundingBox())!;
  for (let g = 0; g < 4; g++) {
    const box = (await labels.nth(g).boundingBox())!;
    const mid = (box.x + box.width / 2 - plot.x) / plot.width;
    expect(mid, `label ${g}`).toBeGreaterThan(g / 4);
    expect(mid, `label ${g}`).toBeLessThan((g + 1) / 4);
  }
  await app.keyboard.press('k');
  await expect(app.getByTestId('toggle-shank-columns')).not.toHaveClass(/on/);
  await expect(labels).toHaveCount(0);
});
