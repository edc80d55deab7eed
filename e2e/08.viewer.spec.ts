import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/** Per canvas: columns where most rows are lit (a common-mode artefact is a vertical stripe), and red/blue heat pixels. */
async function canvasStats(app: Page) {
  return app.getByTestId('traces-canvas').evaluate((c: HTMLCanvasElement) => {
    const off = document.createElement('canvas');
    off.width = c.width;
    off.height = c.height;
    const ctx = off.getContext('2d')!;
    ctx.drawImage(c, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let stripes = 0;
    let heat = 0;
    for (let x = 0; x < c.width; x++) {
      let lit = 0;
      for (let y = 0; y < c.height; y++) {
        const i = (y * c.width + x) * 4;
        if (d[i] + d[i + 1] + d[i + 2] > 300) lit++;
        if (Math.abs(d[i] - d[i + 2]) > 60) heat++;
      }
      if (lit > 0.6 * c.height) stripes++;
    }
    return { stripes, heat: heat / (c.width * c.height) };
  });
}

test('CMR removes the simulator’s common-mode artefacts from the picture; heatmap, probe map, spectrum, help and readout render', async ({ app }, testInfo) => {
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toContainText('simulator');
  await app.getByTestId('span').selectOption({ label: '5 s' });

  // The simulator injects a 400 µV common-mode artefact every 2 s. Without CMR each is a stripe
  // through every lane; with CMR (applied to data processed from then on) none is left.
  await app.getByTestId('toggle-cmr').click();
  await expect(app.getByTestId('toggle-cmr')).toContainText('off');
  await app.waitForTimeout(5600);
  const off = await canvasStats(app);
  await testInfo.attach('cmr-off.png', { body: await app.getByTestId('traces-canvas').screenshot(), contentType: 'image/png' });
  await app.getByTestId('toggle-cmr').click();
  await expect(app.getByTestId('toggle-cmr')).toContainText('on');
  await app.waitForTimeout(5600);
  const on = await canvasStats(app);
  await testInfo.attach('cmr-on.png', { body: await app.getByTestId('traces-canvas').screenshot(), contentType: 'image/png' });
  console.log(`artefact stripes: CMR off ${off.stripes} columns, on ${on.stripes}`);
  expect(off.stripes).toBeGreaterThan(0);
  expect(on.stripes).toBe(0);

  // Heatmap: the same columns as an image in a diverging map.
  await app.keyboard.press('h');
  await expect(app.getByTestId('toggle-view')).toContainText('heatmap');
  await expect.poll(async () => (await canvasStats(app)).heat).toBeGreaterThan(0.01);
  await testInfo.attach('heatmap.png', { body: await app.getByTestId('traces-canvas').screenshot(), contentType: 'image/png' });
  await app.keyboard.press('h');

  // Probe map: every contact drawn; clicking the noisy channel shows it with its neighbours.
  await expect(app.getByTestId('probe-map').locator('rect')).toHaveCount(384);
  await app.getByTestId('contact-77').click();
  const lanes = async () => (await app.locator('.controls .muted').textContent())!.match(/lanes (\d+)–(\d+)/)!.slice(1).map(Number);
  await expect.poll(async () => (([a, b]) => b - a + 1)(await lanes())).toBe(64);
  const [first, last] = await lanes();
  expect(first).toBeLessThanOrEqual(77);
  expect(last).toBeGreaterThanOrEqual(79);
  await testInfo.attach('probe-map.png', { body: await app.getByTestId('probe-map').screenshot(), contentType: 'image/png' });
  await app.keyboard.press('a');

  // Spectrum of the raw signal: the 50 Hz line noise stands out.
  await app.keyboard.press('f');
  const peak = app.getByTestId('spectrum-peak');
  await expect.poll(async () => Math.abs(Number(await peak.getAttribute('data-hz')) - 50), { timeout: 15_000 }).toBeLessThan(2.5);
  expect(Number(await peak.getAttribute('data-db'))).toBeGreaterThan(6);
  await testInfo.attach('spectrum.png', { body: await app.getByTestId('spectrum').screenshot(), contentType: 'image/png' });

  // Hover readout and the time axis.
  const box = (await app.getByTestId('traces-canvas').boundingBox())!;
  await app.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.5);
  await expect(app.getByTestId('hover-readout')).toContainText(/AP\d+ · [\d.]+ s · -?\d+…-?\d+ µV/);
  const [l, r] = [Number((await app.getByTestId('time-left').textContent())!.split(' ')[0]), Number((await app.getByTestId('time-right').textContent())!.split(' ')[0])];
  expect(r - l).toBeCloseTo(5, 0);

  await app.keyboard.press('?');
  await expect(app.getByTestId('help-overlay')).toContainText('pause / follow live');
  await testInfo.attach('help.png', { body: await app.screenshot(), contentType: 'image/png' });
  await app.keyboard.press('Escape');
  await expect(app.getByTestId('help-overlay')).toHaveCount(0);
});
