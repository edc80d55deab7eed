// Where the Traces view puts its time window on a recording: its end, its start, a window longer
// than the recording, and zooming out and back in.
import type { Page } from '@playwright/test';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canvasPixels } from './canvas.ts';
import { expect, test } from './fixtures.ts';
import { simulatedRecording } from './simulate.ts';

const FS = 30000;
const C = 4;

/** A raw int16 file of `samples` frames of 4 channels, zeros but for a -2000 deflection on every channel at the samples in `spikes`. */
function rawRecording(dir: string, name: string, samples: number, spikes: number[] = []): string {
  const path = join(dir, name);
  const x = new Int16Array(samples * C);
  for (const t of spikes) x.fill(-2000, t * C, (t + 1) * C);
  writeFileSync(path, x);
  return path;
}

async function openRecording(app: Page, path: string, channels = C): Promise<void> {
  await app.getByTestId('open-path').fill(path);
  await app.getByTestId('open-channels').fill(String(channels));
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toContainText(path);
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await expect(app.getByTestId('time-left')).toContainText(/^0\.000 s/);
}

/** The window's span, picked in the menu; the view's keys then act on the view, not on the menu. */
async function pickSpan(app: Page, seconds: string): Promise<void> {
  await app.getByTestId('span').selectOption(seconds);
  await app.getByTestId('span').blur();
}

const seconds = async (app: Page, id: 'time-left' | 'time-right') => Number((await app.getByTestId(id).textContent())!.split(' ')[0]);

test('"to the end" on a recording no longer than the window starts at its start, as Home does', async ({ app, tempDir }) => {
  const dir = tempDir('probedeck-window-');
  for (const [name, samples, span] of [['short.dat', 0.3 * FS, '1'], ['ten.dat', 10 * FS, '10']] as const) {
    await openRecording(app, rawRecording(dir, name, samples));
    await pickSpan(app, span);
    await app.keyboard.press('End');
    await expect(app.getByTestId('toggle-follow')).toHaveText('at the end');
    // It read -0.716 s … 0.300 s (0.3 s, 1 s window) and -0.017 s … 9.984 s (10 s, 10 s window).
    await expect(app.getByTestId('time-left')).toContainText(/^0\.000 s/);
    expect(await seconds(app, 'time-right')).toBeGreaterThanOrEqual(samples / FS - 0.02);
    // The button too: the window stays where it is.
    await app.getByTestId('toggle-follow').click();
    await app.keyboard.press('Home');
    await expect(app.getByTestId('time-left')).toContainText(/^0\.000 s/);
  }
});

test('zooming out past a recording and back in comes back to the place asked for', async ({ app, tempDir }) => {
  await openRecording(app, rawRecording(tempDir('probedeck-window-'), 'ten.dat', 10 * FS));
  await pickSpan(app, '1');
  await app.getByTestId('scrub').fill('5');
  await app.getByTestId('scrub').blur();
  await expect.poll(() => seconds(app, 'time-right')).toBeCloseTo(5, 1);
  // ] three times: 2 s, 5 s, 10 s (the whole recording); [ three times: back to 1 s, around 5 s
  // again (it came back at 8.975–9.991 s).
  for (const [key, span] of [[']', '2'], [']', '5'], [']', '10'], ['[', '5'], ['[', '2'], ['[', '1']]) {
    await app.keyboard.press(key);
    await expect(app.getByTestId('span')).toHaveValue(span);
  }
  await expect.poll(() => seconds(app, 'time-right')).toBeCloseTo(5, 1);
  // The same through the menu, and with a scroll in between that could not move the whole recording.
  await pickSpan(app, '10');
  await expect(app.getByTestId('time-left')).toContainText(/^0\.000 s/);
  await app.keyboard.press('ArrowLeft');
  await pickSpan(app, '1');
  await expect.poll(() => seconds(app, 'time-right')).toBeCloseTo(5, 1);
  // Home and End are places too, at any span.
  await app.keyboard.press('End');
  await pickSpan(app, '10');
  await pickSpan(app, '2');
  await expect.poll(() => seconds(app, 'time-right')).toBeGreaterThan(9.9);
  await app.keyboard.press('Home');
  await pickSpan(app, '10');
  await pickSpan(app, '1');
  await expect(app.getByTestId('time-left')).toContainText(/^0\.000 s/);
  await expect.poll(() => seconds(app, 'time-right')).toBeLessThan(1.1);
});

test('"to the end" draws a recording\'s last samples, in a last column holding fewer samples than the others', async ({ app, tempDir }) => {
  // A prime number of samples (60.0006 s): at any span, the last column holds what is left over.
  const N = 1_800_017;
  await openRecording(app, rawRecording(tempDir('probedeck-window-'), 'sixty.dat', N, [N - 2, N - 1]));
  await app.keyboard.press('r'); // raw: the spike as written, no filter
  await expect(app.getByTestId('toggle-processed')).toContainText('raw');
  for (const span of ['30', '10', '1']) {
    await pickSpan(app, span);
    await app.keyboard.press('End');
    // The axis and "shown to" reach the last sample (at 10 s they read 59.989 s and 1799680).
    await expect(app.getByTestId('newest-sample')).toHaveText(String(N));
    await expect(app.getByTestId('time-right')).toContainText(`${(N / FS).toFixed(3)} s`);
    // The spike in the last two samples is drawn, in the plot's last pixel columns: a flat trace
    // lights a few % of a column, the spike half of it.
    await expect.poll(async () => Math.max(...(await canvasPixels(app)).litByColumn.slice(-2)), { message: `${span} s window` }).toBeGreaterThan(0.3);
  }
});

test('the scrub bar of a window holding the whole recording reads full, not a thumb at its start', async ({ app, tempDir }) => {
  const dir = tempDir('probedeck-window-');
  const scrub = app.getByTestId('scrub');
  const thumbAt = async () => {
    const [min, max, value] = await scrub.evaluate((el: HTMLInputElement) => [el.min, el.max, el.value].map(Number));
    return max > min ? (value - min) / (max - min) : 0; // equal ends: the browser puts the thumb at the start
  };
  for (const [name, samples, span] of [['short.dat', 0.3 * FS, '1'], ['ten.dat', 10 * FS, '10']] as const) {
    await openRecording(app, rawRecording(dir, name, samples));
    await pickSpan(app, span);
    await expect(scrub).toBeDisabled();
    expect(await thumbAt()).toBe(1);
  }
  // A shorter window: the bar moves the window again, its thumb where the window ends.
  await pickSpan(app, '1');
  await expect(scrub).toBeEnabled();
  await app.keyboard.press('End');
  await expect.poll(thumbAt).toBe(1);
  await app.keyboard.press('Home');
  await expect.poll(thumbAt).toBeLessThan(0.01);
});

test('the wall clock beside a time on the axis says the same milliseconds', async ({ app, tempDir }) => {
  // SpikeGLX's fileCreateTime is to the second: the clock's milliseconds are the time's.
  const bin = join(tempDir('probedeck-clock-'), 'clock_g0_t0.imec0.ap.bin');
  simulatedRecording(bin, 3);
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toContainText('clock_g0_t0');
  await pickSpan(app, '1');
  const readings: string[] = [];
  for (const s of [1.1, 1.23, 1.37, 1.51, 1.64, 1.77, 1.9, 2.13, 2.46, 2.71]) {
    await app.getByTestId('scrub').fill(String(s));
    await expect.poll(() => seconds(app, 'time-right')).toBeCloseTo(s, 1);
    for (const id of ['time-left', 'time-right'] as const) {
      const text = (await app.getByTestId(id).textContent())!;
      const [, ms, clockMs] = /^\d+\.(\d{3}) s · [\d:]+\.(\d{3})$/.exec(text) ?? [];
      expect(ms, text).toBeDefined();
      if (ms !== clockMs) readings.push(text); // it read '1.016 s · 10:35:11.015'
    }
  }
  expect(readings).toEqual([]);
});

test('the health panel\'s processing speed on a recording is the last window\'s, not the one measured when the pipeline changed', async ({ app, tempDir }) => {
  await openRecording(app, rawRecording(tempDir('probedeck-window-'), 'ten.dat', 10 * FS));
  const speed = app.getByTestId('perf-speed-x');
  await expect(app.getByTestId('perf-window-ms')).not.toHaveAttribute('data-drawn', '0');
  // The open measured nothing yet: it read 0.0 until the pipeline next changed, however many windows came.
  await expect.poll(async () => Number(await speed.textContent())).toBeGreaterThan(0);
});

test('a long window says it is being processed until it is drawn; one asked for meanwhile takes its place', async ({ app, tempDir }) => {
  // 384 channels, 10 s of zeros (a sparse file): processing the whole of it takes the host ~0.5 s or more.
  const path = join(tempDir('probedeck-window-'), 'wide.dat');
  writeFileSync(path, '');
  truncateSync(path, 10 * FS * 384 * 2);
  await openRecording(app, path, 384);
  const busy = app.getByRole('status').and(app.getByTestId('traces-busy'));
  await expect(busy).toBeEmpty(); // the first window drawn
  await expect(app.locator('[aria-busy]')).toHaveAttribute('aria-busy', 'false');
  // What the indicator said, and the window the axis showed as it changed; and the windows asked of the host.
  await app.evaluate(() => {
    const w = window as unknown as { said: string[][]; asked: number };
    const text = (id: string) => document.querySelector(`[data-testid="${id}"]`)!.textContent!;
    w.said = [];
    new MutationObserver(() => w.said.push([text('traces-busy'), text('time-left'), text('time-right')])).observe(document.querySelector('[data-testid="traces-busy"]')!, { childList: true, subtree: true, characterData: true });
    w.asked = 0;
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data) {
      if (typeof data === 'string' && data.includes('"session.columns"')) w.asked++;
      return send.call(this, data);
    };
  });
  const asked = () => app.evaluate(() => (window as unknown as { asked: number }).asked);
  await pickSpan(app, '10');
  await expect(busy).toHaveText('Processing 10 s…');
  await expect(app.locator('[aria-busy]')).toHaveAttribute('aria-busy', 'true');
  // Asked of the host, and while it works on it, a shorter window: the indicator says that one.
  // Looked for every 10 ms: at the default intervals the long window was at times drawn before the
  // short one was asked for (a fresh-clone CI run), and nothing was then overtaken.
  await expect.poll(asked, { intervals: [10] }).toBe(1);
  await pickSpan(app, '2');
  await expect(busy).toHaveText('Processing 2 s…');
  await expect(busy).toBeEmpty();
  await expect(app.locator('[aria-busy]')).toHaveAttribute('aria-busy', 'false');
  // It went only once the 2 s window was drawn: the 10 s reply, overtaken, ended nothing.
  const said = (await app.evaluate(() => (window as unknown as { said: string[][] }).said)).filter((x, i, all) => i === 0 || x[0] !== all[i - 1][0]);
  expect(said.map((x) => x[0])).toEqual(['Processing 10 s…', 'Processing 2 s…', '']);
  const [, left, right] = said[2].map((x) => Number(x.split(' ')[0]));
  expect(right - left).toBeCloseTo(2, 1);
  expect(await asked()).toBe(2);
});

test('space plays a recording at real time and stops it; played to its end, it stops there; played from the end, it starts over', async ({ app, tempDir }) => {
  await openRecording(app, simulatedRecording384(tempDir('probedeck-play-')), 384);
  await pickSpan(app, '1');
  const play = app.getByTestId('toggle-play');
  await expect(play).toHaveText('play (space)');
  const t0 = Date.now();
  await app.keyboard.press(' ');
  await expect(play).toHaveText('pause (space)');
  // It moves on, and at the clock's pace: no faster than the time gone by (a slow machine draws fewer steps, each later).
  await expect.poll(() => seconds(app, 'time-right'), { timeout: 15_000 }).toBeGreaterThan(2.5);
  const played = (await seconds(app, 'time-right')) - 1;
  expect(played).toBeLessThanOrEqual((Date.now() - t0) / 1000 + 0.1);
  await play.click();
  await expect(play).toHaveText('play (space)');
  // A step the play asked for just before is still drawn (the view says it is at work until then): then the window stays where it is.
  await expect(app.getByTestId('traces-busy')).toBeEmpty();
  const stopped = await seconds(app, 'time-right');
  await app.waitForTimeout(1000);
  expect(await seconds(app, 'time-right')).toBe(stopped);
  // The button has the focus now: space toggles once, not the button's and the key's both.
  await app.keyboard.press(' ');
  await expect(play).toHaveText('pause (space)');
  // Home while playing: it plays on from the start (a window in), not held there.
  await app.keyboard.press('Home');
  await expect.poll(() => seconds(app, 'time-right')).toBeLessThan(1.6);
  // CMR off and on while playing, to compare: the play goes on (the view's pipeline changed, not its source).
  await app.keyboard.press('c');
  await expect(app.getByTestId('toggle-cmr')).toContainText('CMR off');
  await app.keyboard.press('c');
  await expect(app.getByTestId('toggle-cmr')).toContainText('CMR on');
  await app.waitForTimeout(300); // the session's new info has come back
  await expect(play).toHaveText('pause (space)');
  await expect.poll(() => seconds(app, 'time-right'), { timeout: 10_000 }).toBeGreaterThan(1.8);
  await app.keyboard.press(' ');
  await expect(play).toHaveText('play (space)');
  // Dragged on the scrub bar, which keeps the focus: space still plays and pauses.
  await app.getByTestId('scrub').fill('2');
  await app.getByTestId('scrub').focus();
  await app.keyboard.press(' ');
  await expect(play).toHaveText('pause (space)');
  await app.keyboard.press(' ');
  await expect(play).toHaveText('play (space)');
  // Scrubbed near the end and played: it stops at the end, its last sample shown.
  await app.getByTestId('scrub').fill('4.5');
  await app.getByTestId('scrub').blur();
  await expect.poll(() => seconds(app, 'time-right')).toBeCloseTo(4.5, 1);
  await app.keyboard.press(' ');
  await expect(app.getByTestId('toggle-follow')).toHaveText('at the end', { timeout: 10_000 });
  await expect(play).toHaveText('play (space)');
  await expect(app.getByTestId('time-right')).toContainText('5.000 s');
  // From the end, a play starts over.
  await app.keyboard.press(' ');
  await expect(play).toHaveText('pause (space)');
  await expect.poll(() => seconds(app, 'time-right')).toBeLessThan(3);
  await app.keyboard.press(' ');
  // Live sources pause and follow with space, as before; they have no play button.
  await app.getByTestId('open-simulator').click();
  await expect(play).toHaveCount(0);
  await expect(app.getByTestId('toggle-follow')).toHaveText('pause (space)');
});

function simulatedRecording384(dir: string): string {
  const bin = join(dir, 'play_g0_t0.imec0.ap.bin');
  simulatedRecording(bin, 5);
  return bin;
}
