// Channel labels on the trace lanes. Every label is checked against where it stands: its centre must
// be the middle of a lane (lanes are drawn bottom first, as tall as the tallest column's; columns of
// lanes side by side), and it must name the channel that lane shows, found here from the probe's
// geometry, not from the view's lane order. Labels must not overlap, and thin out only as far as needed.
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import { openSource } from '../main/sources/open-source.ts';
import { canvasImage } from './canvas.ts';
import { expect, test } from './fixtures.ts';
import { zeroRecording } from './simulate.ts';

interface ShownLabel {
  id: string;
  /** Its box, CSS pixels from the plot's top-left. */
  left: number;
  top: number;
  bottom: number;
  bad: boolean;
}

/** The plot's size and its labels, read in one go (the labels follow every key at once). */
const shown = (app: Page) =>
  app.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="traces-canvas"]')!;
    const plot = canvas.getBoundingClientRect();
    const labels = [...document.querySelectorAll('[data-testid="lane-label"]')].map((el) => {
      const r = el.getBoundingClientRect();
      return { id: el.textContent ?? '', left: r.left - plot.left, top: r.top - plot.top, bottom: r.bottom - plot.top, bad: el.classList.contains('bad') };
    });
    return { width: plot.width, height: plot.height, canvasWidth: canvas.width, labels };
  });

interface Layout {
  /** Columns of lanes side by side. */
  columns: number;
  /** Lanes in the tallest column: a lane is the plot's height over this. */
  rows: number;
  /** The channel id lane k (from the bottom) of column g shows, undefined past its last lane. */
  idAt: (g: number, k: number) => string | undefined;
}

const SERIES = [1, 2, 5, 10, 20, 50, 100];

/**
 * What is wrong with the labels on screen for `layout` (empty: nothing), and the step between
 * labelled lanes. Each label must sit in the middle of a lane (within half a pixel) at its column's
 * left edge, name that lane's channel, overlap no other, and the labelled lanes of a column must be
 * evenly spaced by a step of the 1-2-5 series no larger than needed to keep them apart.
 */
async function problems(app: Page, layout: Layout): Promise<{ problems: string[]; step: number; count: number }> {
  const { width, height, canvasWidth, labels } = await shown(app);
  const lanePx = height / layout.rows;
  // Columns of lanes are a whole number of canvas pixels wide, as the renderer draws them.
  const colW = (Math.floor(canvasWidth / layout.columns) / canvasWidth) * width;
  const out: string[] = [];
  const lanesOf: number[][] = Array.from({ length: layout.columns }, () => []);
  const boxes: ShownLabel[][] = Array.from({ length: layout.columns }, () => []);
  for (const l of labels) {
    const g = Math.round(l.left / colW);
    if (l.left - g * colW < 0 || l.left - g * colW > 6) out.push(`${l.id} not at a column's left edge (x ${l.left.toFixed(1)})`);
    const pos = (height - (l.top + l.bottom) / 2) / lanePx - 0.5; // lanes from the bottom, at the label's centre
    const k = Math.round(pos);
    if (Math.abs(pos - k) * lanePx > 0.5) out.push(`${l.id} ${((pos - k) * lanePx).toFixed(1)} px off the middle of lane ${k}`);
    if (layout.idAt(g, k) !== l.id) out.push(`${l.id} on lane ${k} of column ${g}, which shows ${layout.idAt(g, k)}`);
    lanesOf[g]?.push(k);
    boxes[g]?.push(l);
  }
  const steps = new Set<number>();
  lanesOf.forEach((lanes, g) => {
    if (lanes.length === 0) out.push(`no label in column ${g}`);
    lanes.sort((a, b) => a - b).forEach((k, i) => i > 0 && steps.add(k - lanes[i - 1]));
    const byTop = boxes[g].sort((a, b) => a.top - b.top);
    byTop.forEach((b, i) => i > 0 && b.top < byTop[i - 1].bottom && out.push(`${byTop[i - 1].id} and ${b.id} overlap`));
  });
  if (steps.size > 1) out.push(`labelled lanes unevenly spaced: steps ${[...steps].join(', ')}`);
  const step = [...steps][0] ?? 1;
  if (!SERIES.includes(step)) out.push(`a label every ${step} lanes, not a 1-2-5 step`);
  // One step down the series would still have kept centres a label's height (+ 1 px) apart: thinned too far.
  const labelPx = labels.length ? labels[0].bottom - labels[0].top : 0;
  const smaller = SERIES[SERIES.indexOf(step) - 1];
  if (smaller && smaller * lanePx >= labelPx + 1) out.push(`a label every ${step} lanes where every ${smaller} would fit (${lanePx.toFixed(1)} px lanes)`);
  return { problems: out, step, count: labels.length };
}

/** The lanes shown, as the toolbar says them: "lanes 33–96 of 384" → first lane 32, 64 lanes. */
async function laneRange(app: Page): Promise<{ first: number; count: number }> {
  const m = /lanes (\d+)–(\d+) of/.exec((await app.getByTestId('lane-scale').textContent()) ?? '')!;
  return { first: Number(m[1]) - 1, count: Number(m[2]) - Number(m[1]) + 1 };
}

/** Stacked lanes of a probe whose lane order (by depth or index: the same on NP1.0) is `ids`. */
async function stacked(app: Page, ids: (lane: number) => string | undefined): Promise<Layout> {
  const { first, count } = await laneRange(app);
  return { columns: 1, rows: count, idAt: (_, k) => (k < count ? ids(first + k) : undefined) };
}

/** Polls until the labels on screen have no problem for the layout `layout()` reads; returns their step and count. */
async function expectRightLabels(app: Page, layout: () => Promise<Layout>): Promise<{ step: number; count: number }> {
  let last = { problems: [] as string[], step: 0, count: 0 };
  await expect
    .poll(async () => {
      last = await problems(app, await layout());
      return last.count > 0 ? last.problems : ['no label shown'];
    }, { timeout: 15_000 })
    .toEqual([]);
  return last;
}

const npId = (lane: number) => `AP${lane}`; // an NP1.0's sites run tip to top in channel order: lane k shows APk

test('the simulator’s lanes are named where they are drawn; dense lanes are thinned, never overlapped', async ({ app }) => {
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await expect(app.getByTestId('lane-scale')).toContainText('lanes 1–64 of 384 (AP0 … AP63)');
  const labels = app.getByTestId('lane-label');
  const first = await expectRightLabels(app, () => stacked(app, npId));

  // The hover readout, which reads the lane under the pointer, names the channel a label names.
  const plot = (await app.getByTestId('traces-canvas').boundingBox())!;
  for (const i of [2, first.count - 3]) {
    const box = (await labels.nth(i).boundingBox())!;
    await app.mouse.move(plot.x + plot.width / 2, box.y + box.height / 2);
    await expect(app.getByTestId('hover-readout')).toContainText(new RegExp(`^${await labels.nth(i).textContent()} · `));
  }
  await app.mouse.move(plot.x + plot.width + 50, plot.y); // off the plot: the readout would cover a label
  await expect(app.getByTestId('hover-readout')).toHaveCount(0);
  await expect(labels.first()).toHaveCSS('pointer-events', 'none');

  // Scrolled half a screen up and back, the labels go with the lanes.
  await app.keyboard.press('PageUp');
  await expect(app.getByTestId('lane-scale')).toContainText('lanes 33–96 of 384');
  await expectRightLabels(app, () => stacked(app, npId));
  await app.keyboard.press('PageDown');
  await expect(app.getByTestId('lane-scale')).toContainText('lanes 1–64 of 384');
  await expectRightLabels(app, () => stacked(app, npId));

  // All 384: a label every few lanes, still from the bottom of the plot to its top.
  await app.keyboard.press('a');
  await expect(app.getByTestId('lane-scale')).toContainText('lanes 1–384 of 384');
  const all = await expectRightLabels(app, () => stacked(app, npId));
  expect(all.step).toBeGreaterThan(first.step);
  expect(all.count).toBeLessThan(384 / 2);
  const { height, labels: spread } = await shown(app);
  expect(Math.min(...spread.map((l) => l.top))).toBeLessThan(height / 10);
  expect(Math.max(...spread.map((l) => l.bottom))).toBeGreaterThan((height * 9) / 10);

  // A shorter plot: fewer labels, further apart, still each in its lane.
  const viewport = app.viewportSize() ?? { width: 1920, height: 1080 }; // null in an Electron window
  await app.setViewportSize({ width: viewport.width, height: viewport.height - 600 });
  await expect.poll(async () => (await shown(app)).height).toBeLessThan(height - 500);
  const short = await expectRightLabels(app, () => stacked(app, npId));
  expect(short.step).toBeGreaterThan(all.step);
  await app.setViewportSize(viewport);

  // The heatmap's rows are the same lanes: the same labels.
  await app.keyboard.press('h');
  await expect(app.getByTestId('toggle-view')).toContainText('heatmap');
  await expectRightLabels(app, () => stacked(app, npId));
  await app.keyboard.press('a');
  await expect(app.getByTestId('lane-scale')).toContainText('lanes 1–64 of 384');
  await expectRightLabels(app, () => stacked(app, npId));
});

test('a bad channel’s label is in the warning colour; hidden, its lane goes and the labels above move down one', async ({ app, tempDir }) => {
  // The .meta SpikeGLX wrote for an NP1.0, zeros for data: channel 191 (the reference site) marked unused, so bad from the open.
  const bin = join(tempDir('probedeck-labels-'), 'noise_g0_t0.imec0.ap.bin');
  zeroRecording('Noise_g0_t0.imec0.ap.meta', bin);
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toContainText('noise_g0_t0');
  await expect(app.getByTestId('bad-channels')).toHaveText('bad: AP191 (unused)');
  // Its lanes, 160–223.
  await app.getByTestId('contact-191').click();
  await expect(app.getByTestId('lane-scale')).toContainText('lanes 160–223 of 384');
  const { step } = await expectRightLabels(app, () => stacked(app, npId));
  expect(step, 'every lane labelled on this plot (each over 12 px)').toBe(1);
  const ap191 = app.getByTestId('lane-label').filter({ hasText: /^AP191$/ });
  await expect(ap191).toHaveClass(/bad/);
  await expect(ap191).toHaveCSS('color', 'rgb(240, 180, 76)'); // --warn, as the toolbar's list of bad channels
  await expect(app.getByTestId('lane-label').filter({ hasText: /^AP190$/ })).not.toHaveClass(/bad/);
  expect((await shown(app)).labels.filter((l) => l.bad).map((l) => l.id)).toEqual(['AP191']);

  await app.keyboard.press('b');
  await expect(app.getByTestId('lane-scale')).toContainText('of 383');
  await expect(ap191).toHaveCount(0);
  await expectRightLabels(app, () => stacked(app, (lane) => npId(lane < 191 ? lane : lane + 1)));
  await app.keyboard.press('b');
  await expect(app.getByTestId('lane-scale')).toContainText('of 384');
  await expectRightLabels(app, () => stacked(app, npId));
});

/** The stacked lane (from the bottom, of `rows`) with the most lit pixels, and how many times the median lane's it has. */
async function busiestLane(app: Page, rows: number): Promise<{ lane: number; ratio: number }> {
  const { width, height, data } = await canvasImage(app);
  const lit = Array.from({ length: rows }, (_, k) => {
    let n = 0;
    for (let y = Math.ceil(height - ((k + 1) * height) / rows); y < height - (k * height) / rows; y++)
      for (let x = 0; x < width; x++) n += data[(y * width + x) * 4] + data[(y * width + x) * 4 + 1] + data[(y * width + x) * 4 + 2] > 300 ? 1 : 0;
    return n;
  });
  const lane = lit.indexOf(Math.max(...lit));
  const median = lit.slice().sort((a, b) => a - b)[rows >> 1];
  return { lane, ratio: lit[lane] / Math.max(1, median) };
}

test('a label names the trace drawn there: the simulator’s noisy AP77, and, once found bad while hidden, no lane draws it', async ({ app }) => {
  test.setTimeout(120_000);
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await app.keyboard.press('PageUp');
  await expect(app.getByTestId('lane-scale')).toContainText('lanes 33–96 of 384');
  await app.keyboard.press('b'); // hidden as they are found: none is yet
  await expect(app.getByTestId('toggle-hide-bad')).toHaveClass(/on/);
  // AP77 is 8× as noisy as the rest: the lane drawn busiest is the one its label names.
  await expectRightLabels(app, () => stacked(app, npId));
  await expect.poll(async () => (await busiestLane(app, 64)).lane, { timeout: 15_000 }).toBe(77 - 32);
  await expect(app.getByTestId('lane-label').filter({ hasText: /^AP77$/ })).toHaveCount(1);
  // Found with no key pressed: the labels come from the view's lane order, the traces from the
  // order the renderer holds; both must lose AP77 (AP78 is drawn and named in its lane).
  await app.keyboard.press('d');
  await expect(app.getByTestId('bad-channels')).toContainText('AP77 (noise)', { timeout: 60_000 });
  await expect(app.getByTestId('bad-channels')).toContainText('AP191 (dead)');
  await expect(app.getByTestId('lane-scale')).toContainText('of 382');
  const shownIds = Array.from({ length: 384 }, (_, c) => c).filter((c) => c !== 77 && c !== 191);
  await expectRightLabels(app, () => stacked(app, (lane) => (shownIds[lane] === undefined ? undefined : npId(shownIds[lane]))));
  await expect.poll(async () => (await busiestLane(app, 64)).ratio, { timeout: 15_000 }).toBeLessThan(1.6);
});

test('shanks as columns: each column’s lanes are labelled at its left edge; o and k change which channel each lane is, and the labels follow', async ({ app, tempDir }) => {
  // An NP2.0 4-shank map, whose channels by index are not in depth order.
  const bin = join(tempDir('probedeck-labels-np2-'), 'np2_g0_t0.imec0.ap.bin');
  zeroRecording('NP2_2013_g0_t0.imec0.ap.meta', bin);
  const src = await openSource(bin);
  const ch = src.info.channels;
  await src.close();
  const index = ch.map((_, i) => i);
  const byDepth = (a: number, b: number) => ch[a].shank - ch[b].shank || ch[a].y - ch[b].y || ch[a].x - ch[b].x;
  const shanks = [...new Set(ch.map((c) => c.shank))].sort((a, b) => a - b);
  const perShank = (sort?: typeof byDepth): Layout => {
    const cols = shanks.map((s) => index.filter((i) => ch[i].shank === s)).map((c) => (sort ? c.sort(sort) : c));
    return { columns: cols.length, rows: Math.max(...cols.map((c) => c.length)), idAt: (g, k) => (cols[g][k] === undefined ? undefined : ch[cols[g][k]].id) };
  };
  const texts = () => app.getByTestId('lane-label').allTextContents();

  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toContainText('np2_g0_t0');
  await expect(app.getByTestId('toggle-shank-columns')).toHaveClass(/on/);
  await expect(app.getByTestId('toggle-order')).toContainText('depth');
  expect(shanks).toHaveLength(4);
  await expectRightLabels(app, async () => perShank(byDepth));
  const depthColumns = await texts();

  await app.keyboard.press('o');
  await expect(app.getByTestId('toggle-order')).toContainText('index');
  await expectRightLabels(app, async () => perShank());
  expect(await texts()).not.toEqual(depthColumns);

  // Stacked, by index: the whole probe in one column, channel 0 at the bottom.
  await app.keyboard.press('k');
  await expect(app.getByTestId('toggle-shank-columns')).not.toHaveClass(/on/);
  await expectRightLabels(app, () => stacked(app, (lane) => ch[lane]?.id));
  const indexStacked = await texts();
  // By depth: shank 0's sites tip to top, then shank 1's…
  await app.keyboard.press('o');
  await expect(app.getByTestId('toggle-order')).toContainText('depth');
  const depth = index.slice().sort(byDepth);
  await expectRightLabels(app, () => stacked(app, (lane) => ch[depth[lane]]?.id));
  expect(await texts()).not.toEqual(indexStacked);
});
