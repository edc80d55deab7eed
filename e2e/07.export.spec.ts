import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { simulatedRecording, zeroRecording } from './simulate.ts';

/** The Export tab with a source, a preset, a format and a destination filled in. */
async function fillExport(app: Page, o: { source: string; preset: string; format: string; out: string }) {
  await app.getByTestId('tab-export').click();
  // The tab suggests a source when it opens; typing that lands between fill's select-all and its
  // insertion appends to the suggestion, so fill until the field holds just ours.
  const source = app.getByTestId('export-source');
  await expect(async () => {
    await source.fill(o.source);
    await expect(source).toHaveValue(o.source, { timeout: 500 });
  }).toPass();
  await app.getByTestId('export-preset').selectOption({ label: o.preset });
  await app.getByTestId(`export-format-${o.format}`).check();
  await app.getByTestId('export-out').fill(o.out);
}

test('exports a recording from the UI: progress, cancel, complete files, history, replace only when confirmed', async ({ app, tempDir }, testInfo) => {
  const dir = tempDir('probedeck-export-e2e-');
  const bin = join(dir, 'rig_g0_t0.imec0.ap.bin');
  simulatedRecording(bin, 30);
  const out = join(dir, 'rig_ks');

  await fillExport(app, { source: bin, preset: 'Neuropixels AP', format: 'kilosort', out });

  // Cancel part-way: nothing may appear at the destination.
  await app.getByTestId('export-start-button').click();
  await expect(app.getByTestId('export-progress')).toBeVisible();
  await app.getByTestId('export-cancel').click();
  await expect(app.getByTestId('export-state')).toHaveText('cancelled');
  expect(existsSync(out)).toBe(false);

  await app.getByTestId('export-start-button').click();
  await expect(app.getByTestId('export-progress')).toBeVisible();
  await expect(app.getByTestId('export-state')).toHaveText('done', { timeout: 60_000 });
  await expect(app.getByTestId('export-percent')).toHaveText('100%');
  expect(readdirSync(out).sort()).toEqual(['README.txt', 'channels.json', 'params.py', 'probe.json', 'probe_kilosort.json', 'recording.bin']);
  expect(statSync(join(out, 'recording.bin')).size).toBe(30 * 30000 * 384 * 2);
  expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  const history = app.getByTestId('export-history');
  await expect(history.locator('tbody tr').first()).toContainText('done');
  await expect(history.locator('tbody tr').nth(1)).toContainText('cancelled');
  // Each row says what was exported: two exports of one file differ by their range and channels.
  await expect(history.locator('tbody tr').first().getByTestId('export-history-range')).toHaveText('0.000–30.000 s');
  await expect(history.locator('tbody tr').first().getByTestId('export-history-channels')).toHaveText('all 384');

  // The same destination again: the UI asks before replacing.
  await app.getByTestId('export-start-button').click();
  await expect(app.getByTestId('export-confirm')).toContainText('already exists');
  await testInfo.attach('export-confirm.png', { body: await app.screenshot(), contentType: 'image/png' });
  await app.getByTestId('export-replace').click();
  await expect(history.locator('tbody tr')).toHaveCount(3, { timeout: 60_000 });
  await expect(app.getByTestId('export-state')).toHaveText('done');
  expect(statSync(join(out, 'recording.bin')).size).toBe(30 * 30000 * 384 * 2);
  await testInfo.attach('export-done.png', { body: await app.screenshot(), contentType: 'image/png' });
});

test('a plain binary file without metadata is exported with the channel count and rate typed in', async ({ app, tempDir }) => {
  const dir = tempDir('probedeck-export-raw-');
  const raw = join(dir, 'headstage.dat');
  writeFileSync(raw, new Int16Array(32 * 30000).map((_, i) => ((i * 7919) % 400) - 200));
  const out = join(dir, 'raw_f32');
  await fillExport(app, { source: raw, preset: 'Open Ephys 32-ch headstage', format: 'raw-f32', out });
  // Without them, the error asks for what is missing.
  await app.getByTestId('export-start-button').click();
  await expect(app.getByTestId('export-error')).toContainText('give its channel count and sampling rate');
  await app.getByTestId('export-raw-channels').fill('32');
  await app.getByTestId('export-raw-fs').fill('30000');
  await app.getByTestId('export-start').fill('0.25');
  await app.getByTestId('export-end').fill('0.75');
  await app.getByTestId('export-channels').fill('20-23,2');
  await app.getByTestId('export-start-button').click();
  await expect(app.getByTestId('export-state')).toHaveText('done', { timeout: 60_000 });
  expect(statSync(join(out, 'recording.f32')).size).toBe(5 * 15000 * 4);
  // The layout written for a file without metadata is made up: the done message says so, as its README does.
  await expect(app.getByTestId('export-message')).toContainText('a raw file says nothing of its probe: its channels are placed in a made-up column');
  const row = app.getByTestId('export-history').locator('tbody tr').first();
  await expect(row.getByTestId('export-history-range')).toHaveText('0.250–0.750 s');
  await expect(row.getByTestId('export-history-channels')).toHaveText('20-23,2 (5)');
  // A range past the end is refused by the check, beside the form, and starts nothing.
  await app.getByTestId('export-end').fill('5');
  await app.getByTestId('export-out').fill(join(dir, 'too_long'));
  await app.getByTestId('export-start-button').click();
  await expect(app.getByTestId('export-error')).toContainText("the range ends at 5.000 s, past the recording's end: the recording has 30000 samples (1.000 s)");
  expect(existsSync(join(dir, 'too_long'))).toBe(false);
  await expect(app.getByTestId('export-history').locator('tbody tr').first().getByTestId('export-history-range')).toHaveText('0.250–0.750 s');
});

test('the preset defaults to the one Traces runs on that recording, else the default for its kind, and says which', async ({ app, tempDir }) => {
  const dir = tempDir('probedeck-export-preset-');
  // A 4-shank NP2.0 recording (the .meta SpikeGLX wrote, zeros for data) opens in Traces with the multi-shank default.
  const np2 = join(dir, 'np2_g0_t0.imec0.ap.bin');
  zeroRecording('NP2_2013_g0_t0.imec0.ap.meta', np2);
  const single = join(dir, 'one_g0_t0.imec0.ap.bin');
  simulatedRecording(single, 1);

  // The form follows Traces while its recording was only suggested: another recording opened there replaces it.
  await app.getByTestId('open-path').fill(single);
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toContainText('one_g0_t0');
  await app.getByTestId('tab-export').click();
  const source = app.getByTestId('export-source');
  await expect(source).toHaveValue(single);
  await expect(app.getByTestId('export-preset-why')).toHaveText('as in Traces');
  await app.getByTestId('tab-traces').click();
  await app.getByTestId('open-path').fill(np2);
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toContainText('np2_g0_t0');
  await app.getByTestId('tab-export').click();
  await expect(source).toHaveValue(np2);
  const preset = app.getByTestId('export-preset');
  await expect(preset.locator('option:checked')).toHaveText('Neuropixels AP per shank');
  await expect(app.getByTestId('export-preset-why')).toHaveText('as in Traces');

  // Another recording, not open in Traces: its kind's default.
  await source.fill(single);
  await source.blur();
  await expect(preset.locator('option:checked')).toHaveText('Neuropixels AP');
  await expect(app.getByTestId('export-preset-why')).toHaveText('the default for SpikeGLX');

  // A preset the user picks stays, whatever source is typed next, and is not labelled.
  await preset.selectOption({ label: 'Neuropixels LFP' });
  await expect(app.getByTestId('export-preset-why')).toHaveCount(0);
  await source.fill(np2);
  await source.blur();
  await expect(preset.locator('option:checked')).toHaveText('Neuropixels LFP');
});

test('the preset Traces runs, deleted since: the form says so and takes the kind’s default, not silently the first preset', async ({ app, tempDir }) => {
  const dir = tempDir('probedeck-export-deleted-');
  const rec = join(dir, 'rig4_g0_t0.imec0.ap.bin');
  simulatedRecording(rec, 1);
  // A lab preset (a copy of the Neuropixels AP one) runs in Traces on the recording…
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('preset-item').filter({ hasText: 'Neuropixels AP' }).first().click();
  await app.getByTestId('preset-duplicate').click();
  await app.getByTestId('preset-name').fill('Rig 4 reviewed');
  await app.getByTestId('preset-name').press('Enter');
  await expect(app.getByTestId('preset-item').filter({ hasText: 'Rig 4 reviewed' })).toHaveCount(1);
  await app.getByTestId('tab-traces').click();
  await app.getByTestId('open-path').fill(rec);
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toContainText('rig4_g0_t0');
  await app.getByTestId('view-preset').selectOption({ label: 'Rig 4 reviewed' });
  await expect(app.getByTestId('view-preset').locator('option:checked')).toHaveText('Rig 4 reviewed');
  // … and is deleted in the Presets page.
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('preset-item').filter({ hasText: 'Rig 4 reviewed' }).click();
  await app.getByTestId('preset-delete').click();
  await expect(app.getByTestId('preset-item').filter({ hasText: 'Rig 4 reviewed' })).toHaveCount(0);
  await app.getByTestId('tab-export').click();
  await expect(app.getByTestId('export-source')).toHaveValue(rec);
  // It showed the list's first preset with no word of why, as if it were the one reviewed.
  await expect(app.getByTestId('export-preset').locator('option:checked')).toHaveText('Neuropixels AP');
  await expect(app.getByTestId('export-preset-why')).toHaveText('the default for SpikeGLX: "Rig 4 reviewed", which Traces runs, is deleted (restore it under Presets to export through it)');
});

test('bad channels found in Traces that the preset does not name are said on the Export page; a causal preset is said too', async ({ app, tempDir }) => {
  test.setTimeout(90_000);
  const dir = tempDir('probedeck-export-bad-');
  const bin = join(dir, 'bad_g0_t0.imec0.ap.bin');
  simulatedRecording(bin, 4);
  await app.getByTestId('open-path').fill(bin);
  await app.getByTestId('open-recording').click();
  await expect(app.getByTestId('source-label')).toContainText('bad_g0_t0');
  await app.getByTestId('toggle-detect').click();
  await expect(app.getByTestId('bad-channels')).toContainText('AP77 (noise)', { timeout: 60_000 });
  await app.getByTestId('tab-export').click();
  await expect(app.getByTestId('export-source')).toHaveValue(bin);
  await expect(app.getByTestId('export-unnamed-bad')).toContainText('Traces found AP77 (noise), AP191 (dead) bad on this recording, which this preset does not name');
  await expect(app.getByTestId('export-causal')).toHaveCount(0);
  // A preset that finds bad channels itself needs no word; a live (causal) one gets one.
  await app.getByTestId('export-preset').selectOption({ label: 'Neuropixels AP live' });
  await expect(app.getByTestId('export-causal')).toContainText('This preset filters causally');

  // Kept in the preset from Traces: the Export page has nothing more to say about them.
  await app.getByTestId('tab-traces').click();
  await app.getByTestId('keep-bad').click();
  await expect(app.getByTestId('kept-note')).toContainText('AP77, AP191 now known bad in "Neuropixels AP (copy)"');
  await app.getByTestId('tab-export').click();
  await app.getByTestId('export-preset').selectOption({ label: 'Neuropixels AP (copy)' });
  await expect(app.getByTestId('export-unnamed-bad')).toHaveCount(0);
});

test('the form says what the recording is, what the export would write and where it cannot, before Export is clicked', async ({ app, tempDir }) => {
  const dir = tempDir('probedeck-export-summary-');
  const bin = join(dir, 'rig_g0_t0.imec0.ap.bin');
  simulatedRecording(bin, 2);
  await fillExport(app, { source: bin, preset: 'Neuropixels AP', format: 'kilosort', out: join(dir, 'rig_ks') });
  await app.getByTestId('export-source').dispatchEvent('change');
  await expect(app.getByTestId('export-recording')).toHaveText('SpikeGLX imec0.ap · PRB_1_4_0480_1 · 384 channels at 30 kHz · 2.0 s');
  await expect(app.getByTestId('export-end')).toHaveAttribute('placeholder', 'end (2.0)');
  // 2 s × 384 channels of int16 for Kilosort (44 MiB) and the sidecars' allowance, said rounded.
  await app.getByTestId('export-out').dispatchEvent('change');
  await expect(app.getByTestId('export-destination')).toHaveText(/^writes 48 MiB of [\d.]+ (MiB|GiB) free$/);
  // Said again as the fields change: float32 doubles it, half the channels halve it back; a second halves it again.
  await app.getByTestId('export-format-raw-f32').check();
  await expect(app.getByTestId('export-destination')).toHaveText(/^writes 92 MiB of/);
  await app.getByTestId('export-channels').fill('0-191');
  await app.getByTestId('export-channels').dispatchEvent('change');
  await expect(app.getByTestId('export-destination')).toHaveText(/^writes 48 MiB of/);
  await app.getByTestId('export-end').fill('1');
  await app.getByTestId('export-end').dispatchEvent('change');
  await expect(app.getByTestId('export-destination')).toHaveText(/^writes 26 MiB of/);
  await app.getByTestId('export-end').fill('9');
  await app.getByTestId('export-end').dispatchEvent('change');
  await expect(app.getByTestId('export-destination-error')).toHaveText("the range ends at 9.000 s, past the recording's end: the recording has 60000 samples (2.000 s)");
  await expect(app.getByTestId('export-destination')).toHaveCount(0);
  // A file that is not there, and one a .meta does not describe, are said as soon as they are typed.
  for (const [path, why] of [
    [join(dir, 'gone.bin'), 'gone.bin: no such file or folder'],
    [join(dir, 'rig_g0_t0.imec0.ap.meta.txt'), 'give its channel count and sampling rate']
  ]) {
    if (!path.endsWith('gone.bin')) writeFileSync(path, new Int16Array(1000));
    await app.getByTestId('export-source').fill(path);
    await app.getByTestId('export-source').dispatchEvent('change');
    await expect(app.getByTestId('export-recording-error')).toContainText(why);
    await expect(app.getByTestId('export-recording')).toHaveCount(0);
    // Said once, beside the recording: the destination's check would only say it again.
    await expect(app.getByTestId('export-destination-error')).toHaveCount(0);
    await expect(app.getByTestId('export-destination')).toHaveCount(0);
  }
  expect(existsSync(join(dir, 'rig_ks'))).toBe(false);
  // Exported, the destination holds an export now, and the form says so without another change.
  await app.getByTestId('export-source').fill(bin);
  await app.getByTestId('export-source').dispatchEvent('change');
  await expect(app.getByTestId('export-destination-error')).toContainText('past the recording');
  await app.getByTestId('export-end').fill('0.5');
  await app.getByTestId('export-end').dispatchEvent('change');
  await expect(app.getByTestId('export-destination')).toHaveText(/^writes 15 MiB of/);
  await app.getByTestId('export-start-button').click();
  await expect(app.getByTestId('export-state')).toHaveText('done', { timeout: 60_000 });
  await expect(app.getByTestId('export-destination')).toHaveText(/^holds an earlier export, replaced only if you confirm · writes 15 MiB of/);
});
