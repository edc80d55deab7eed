// The panels beside and under the traces (spectrum, probe map) as a scientist uses them: what they
// show belongs to the source open now.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures.ts';

test('a source opened under the spectrum and the probe map shows nothing of the previous one', async ({ app, tempDir }) => {
  await expect(app.getByTestId('source-label')).toContainText('simulator');
  await app.keyboard.press('f');
  // The simulator's 50 Hz, and its channels' RMS.
  await expect(app.getByTestId('spectrum-peak')).toBeVisible({ timeout: 15_000 });
  await expect(app.getByTestId('contact-5').locator('title')).toContainText('µV');
  // Pixels of the spectrum's curve (#5fb3ff).
  const curve = () =>
    app.getByTestId('spectrum-canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 200 && d[i] < 140 && d[i + 1] > 140) n++;
      return n;
    });
  expect(await curve()).toBeGreaterThan(100);

  // A followed file with nothing in it yet: there is no spectrum or activity to show, and what the
  // simulator showed must not stand for it (it stayed, under the file's channel names, for good).
  const bin = join(tempDir('probedeck-panels-'), 'empty.bin');
  writeFileSync(bin, '');
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-channels').fill('384');
  await app.getByTestId('open-file').click();
  await expect(app.getByTestId('source-label')).toHaveText(bin);
  await expect(app.getByTestId('spectrum').locator('.error')).toContainText('not enough data yet');
  await expect(app.getByTestId('spectrum-peak')).toHaveCount(0);
  expect(await curve()).toBe(0);
  await expect(app.getByTestId('contact-5').locator('title')).toHaveText('AP5: …');
  await expect(app.getByTestId('contact-5')).toHaveAttribute('fill', '#333');
});
