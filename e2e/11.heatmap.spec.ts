// The heatmap shows the whole probe at any height: with fewer pixel rows than lanes, each row
// shows every lane it covers. It sampled one lane a row, so a spike on a lane between two rows'
// samples was never drawn (42 of 384 channels on 342 rows).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canvasImage } from './canvas.ts';
import { expect, test } from './fixtures.ts';

const CHANNELS = 384;
const FS = 30000;
/** Channel c spikes alone in its lane's neighbourhood: at slot c mod SLOTS, with the channels SLOTS lanes away. */
const SLOTS = 48;
const spikeSample = (c: number) => 200 + (c % SLOTS) * 300;
/** Units at a spike's minimum: far past the view's ±150 units at full colour. */
const SPIKE = -3000;

test('a heatmap with fewer pixel rows than lanes shows a single-channel spike on every channel', async ({ app, tempDir }) => {
  // 1 s of silence, each channel with one one-sample spike; a raw file's CH channels are a column, so lane k is channel k.
  const bin = join(tempDir('probedeck-heat-'), 'spikes.bin');
  const data = new Int16Array(CHANNELS * FS);
  for (let c = 0; c < CHANNELS; c++) data[spikeSample(c) * CHANNELS + c] = SPIKE;
  writeFileSync(bin, data);
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-channels').fill(String(CHANNELS));
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await app.getByTestId('span').selectOption('0.5'); // every spike in the window at any plot width
  await app.keyboard.press('Home');
  await app.keyboard.press('a');
  await app.keyboard.press('h');
  await app.keyboard.press('r'); // raw: a spike stays one sample, so one pixel column
  await expect(app.locator('.controls .muted').first()).toContainText('lanes 1–384 of 384');
  await expect(app.getByTestId('toggle-view')).toContainText('heatmap');
  await expect(app.getByTestId('toggle-processed')).toContainText('raw');

  // About 300 pixel rows (the canvas is half the box on software WebGL), not a whole number of lanes each.
  const canvas = app.getByTestId('traces-canvas');
  const size = () => canvas.evaluate((c: HTMLCanvasElement) => ({ rows: c.height, css: c.clientHeight }));
  const { rows, css } = await size();
  const viewport = app.viewportSize() ?? { width: 1920, height: 1080 };
  await app.setViewportSize({ width: viewport.width, height: Math.round(viewport.height - css + (300 * css) / rows) });
  await expect.poll(async () => (await size()).rows).toBeLessThan(CHANNELS);
  const height = (await size()).rows;

  /** Channels whose spike has no spike-blue pixel in the rows of its lane (±1) in the column it is drawn in. */
  const missing = async () => {
    const { width, height: H, data: d } = await canvasImage(app);
    const blue = (x: number, imgY: number) => {
      const i = (imgY * width + x) * 4;
      return d[i + 2] - d[i] > 100;
    };
    // The spike columns, left to right: one per slot, where any pixel is spike-blue.
    const columns: number[] = [];
    for (let x = 0; x < width; x++)
      for (let y = 0; y < H; y++)
        if (blue(x, y)) {
          columns.push(x);
          break;
        }
    if (columns.length !== SLOTS) return [`${columns.length} spike columns, not ${SLOTS}`];
    const out: string[] = [];
    for (let c = 0; c < CHANNELS; c++) {
      // Lane c covers GL rows [c·H/N, (c+1)·H/N), counted from the bottom; the image's rows from the top.
      const lo = Math.floor((c * H) / CHANNELS) - 1, hi = Math.ceil(((c + 1) * H) / CHANNELS);
      let seen = false;
      for (let row = Math.max(0, lo); row <= Math.min(H - 1, hi); row++) seen ||= blue(columns[c % SLOTS], H - 1 - row);
      if (!seen) out.push(`CH${c}`);
    }
    return out;
  };
  await expect.poll(missing, { message: `spikes not drawn on ${height} pixel rows`, timeout: 15_000 }).toEqual([]);
});
