import { expect, test } from './fixtures.ts';

test('a preset edited in the UI is saved: after a reload the edit is there', async ({ app }) => {
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('preset-item').filter({ hasText: 'Neuropixels AP' }).first().click();
  // Built-ins are locked; a duplicate is editable.
  await expect(app.getByTestId('filter-low')).toBeDisabled();
  await app.getByTestId('preset-duplicate').click();
  await expect(app.getByTestId('preset-name')).toHaveValue(/Neuropixels AP \(copy/);
  await app.getByTestId('preset-name').fill('Rig 2 AP');
  await app.getByTestId('preset-name').press('Enter');
  // Saved before the next name is typed: the saved name's reply redraws the field, and would
  // otherwise overwrite what is typed next (on a loaded CI the reply came after it).
  await expect(app.getByTestId('preset-item').filter({ hasText: 'Rig 2 AP' })).toHaveCount(1);
  // A name that is taken is refused, and the field goes back to the saved name.
  await app.getByTestId('preset-name').fill('Neuropixels AP');
  await app.getByTestId('preset-name').press('Enter');
  await expect(app.getByTestId('preset-error')).toContainText('A preset named "Neuropixels AP" already exists');
  await expect(app.getByTestId('preset-name')).toHaveValue('Rig 2 AP');
  await app.getByTestId('filter-low').fill('350');
  await app.getByTestId('filter-low').press('Enter');
  // Exports compute as SpikeInterface unless asked to go faster.
  await expect(app.getByTestId('filter-precision')).toHaveValue('float64');
  await app.getByTestId('filter-precision').selectOption('float32');
  // A single-channel reference offers its channel (it starts at 0 rather than being refused for having none).
  await app.getByTestId('reference-mode').selectOption('single');
  await expect(app.getByTestId('reference-channel')).toHaveValue('0');
  await app.getByTestId('reference-channel').fill('100');
  await app.getByTestId('reference-channel').press('Enter');
  await expect(app.getByTestId('preset-error')).toHaveCount(0);
  await app.getByTestId('reference-mode').selectOption('local');
  await app.getByTestId('display-view').selectOption('heatmap');
  // Known bad channels, as ranges; a list that does not read is said beside the field, and not sent.
  await app.getByTestId('bad-manual').fill('9-7');
  await app.getByTestId('bad-manual').press('Enter');
  await expect(app.getByTestId('bad-manual-error')).toContainText('runs backwards');
  await app.getByTestId('bad-manual').fill('192, 5,190-191');
  await app.getByTestId('bad-manual').press('Enter');
  await expect(app.getByTestId('bad-manual-error')).toHaveCount(0);
  await expect(app.getByTestId('preset-error')).toHaveCount(0);
  await expect(app.getByTestId('preset-item').filter({ hasText: 'Rig 2 AP' })).toHaveCount(1);

  await app.reload();
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('preset-item').filter({ hasText: 'Rig 2 AP' }).click();
  await expect(app.getByTestId('filter-low')).toHaveValue('350');
  await expect(app.getByTestId('filter-precision')).toHaveValue('float32');
  await expect(app.getByTestId('reference-mode')).toHaveValue('local');
  await expect(app.getByTestId('display-view')).toHaveValue('heatmap');
  await expect(app.getByTestId('bad-manual')).toHaveValue('5,190-192');

  // The default for Open Ephys sources survives the reload too.
  await app.getByTestId('default-openephys').click();
  await expect(app.getByTestId('default-openephys')).toHaveAttribute('aria-pressed', 'true');
  await app.reload();
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('preset-item').filter({ hasText: 'Rig 2 AP' }).click();
  await expect(app.getByTestId('default-openephys')).toHaveAttribute('aria-pressed', 'true');

  // An impossible value is refused with what is wrong; the field goes back to the saved value, and the
  // next edits save (before, the refused value rode along with each of them and sank them all).
  await app.getByTestId('filter-low').fill('9000');
  await app.getByTestId('filter-low').press('Enter');
  await expect(app.getByTestId('preset-error')).toContainText('The low corner (9000 Hz) must be below the high corner (6000 Hz)');
  await expect(app.getByTestId('filter-low')).toHaveValue('350');
  await app.getByTestId('reference-mode').selectOption('global');
  await expect(app.getByTestId('preset-error')).toHaveCount(0);
  await app.reload();
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('preset-item').filter({ hasText: 'Rig 2 AP' }).click();
  await expect(app.getByTestId('filter-low')).toHaveValue('350');
  await expect(app.getByTestId('reference-mode')).toHaveValue('global');

  // Delete with undo.
  await app.getByTestId('preset-delete').click();
  await expect(app.getByTestId('preset-item').filter({ hasText: 'Rig 2 AP' })).toHaveCount(0);
  // Its Open Ephys default falls back to the built-in, which is what opens: that one is marked.
  await app.getByTestId('preset-item').filter({ hasText: 'Neuropixels AP' }).first().click();
  await expect(app.getByTestId('default-openephys')).toHaveAttribute('aria-pressed', 'true');
  await app.getByTestId('preset-undo').click();
  await expect(app.getByTestId('preset-item').filter({ hasText: 'Rig 2 AP' })).toHaveCount(1);
  await expect(app.getByTestId('default-openephys')).toHaveAttribute('aria-pressed', 'true'); // the restored preset, selected
});

test('a filter type brings its corners back; a corner above Nyquist is warned of, not refused; a name saves trimmed', async ({ app }) => {
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('preset-item').filter({ hasText: 'Neuropixels AP' }).first().click();
  await app.getByTestId('preset-duplicate').click();
  await expect(app.getByTestId('preset-name')).toHaveValue(/Neuropixels AP \(copy/);
  // The field shows the name as saved, without the spaces typed around it.
  await app.getByTestId('preset-name').fill('Rig 6 AP');
  await app.getByTestId('preset-name').press('Enter');
  await expect(app.getByTestId('preset-item').filter({ hasText: 'Rig 6 AP' })).toHaveCount(1);
  await app.getByTestId('preset-name').fill('  Rig 6 AP  ');
  await app.getByTestId('preset-name').press('Enter');
  await expect(app.getByTestId('preset-name')).toHaveValue('Rig 6 AP');
  // Saved with no filter, the preset keeps no corners; a type chosen later starts at the usual band.
  await app.getByTestId('filter-kind').selectOption('none');
  await expect(app.getByTestId('filter-low')).toHaveCount(0);
  await app.reload();
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('preset-item').filter({ hasText: 'Rig 6 AP' }).click();
  await app.getByTestId('filter-kind').selectOption('bandpass');
  await expect(app.getByTestId('filter-low')).toHaveValue('300');
  await expect(app.getByTestId('filter-high')).toHaveValue('6000');
  await expect(app.getByTestId('filter-kind')).toHaveValue('bandpass');
  await expect(app.getByTestId('preset-error')).toHaveCount(0);
  await app.getByTestId('filter-high').fill('20000');
  await app.getByTestId('filter-high').press('Enter');
  await expect(app.getByTestId('filter-high-warning')).toContainText('above the Nyquist frequency of a 30 kHz recording (15 kHz)');
  await expect(app.getByTestId('preset-error')).toHaveCount(0);
  await app.reload();
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('preset-item').filter({ hasText: 'Rig 6 AP' }).click();
  await expect(app.getByTestId('filter-kind')).toHaveValue('bandpass');
  await expect(app.getByTestId('filter-high')).toHaveValue('20000');
  await expect(app.getByTestId('filter-high-warning')).toBeVisible();
});

test('the planner explains its plan and plots the calibration with the frontier and the chosen point', async ({ app }) => {
  await app.getByTestId('tab-planner').click();
  await expect(app.getByTestId('planner-reason')).toContainText(/jobs? × \d+ workers?/);
  await app.getByTestId('calibrate').click();
  await expect(app.getByTestId('pareto-plot')).toBeVisible({ timeout: 90_000 });
  await expect(app.getByTestId('pareto-point').or(app.getByTestId('pareto-chosen'))).not.toHaveCount(0);
  await expect(app.getByTestId('pareto-chosen')).toHaveCount(1);
  await expect(app.getByTestId('planner-reason')).toContainText('measured');
  await app.getByTestId('planner-budget').fill('0.01');
  await app.getByTestId('planner-budget').press('Enter');
  await expect(app.getByTestId('planner-error')).toContainText('too small');
});

test('the live view keeps the history the Planner gives it', async ({ app }) => {
  await app.getByTestId('tab-planner').click();
  await expect(app.getByTestId('planner-reason')).toContainText(/jobs? × \d+ workers?/);
  await app.getByTestId('planner-job').selectOption('live');
  await expect(app.getByTestId('view-budget')).toContainText('(automatic: a quarter of the free RAM, at most 1 GiB)');
  // A budget the view cannot take is said with the range this machine allows, not offered.
  await app.getByTestId('planner-budget').fill('0.01');
  await app.getByTestId('planner-budget').press('Enter');
  await expect(app.getByTestId('view-budget-range')).toContainText(/the live view takes 64 MiB to [\d.]+ GiB on this machine/);
  await expect(app.getByTestId('view-budget-use')).toHaveCount(0);
  await app.getByTestId('planner-budget').fill('0.25');
  await app.getByTestId('planner-budget').press('Enter');
  await expect(app.getByTestId('planner-reason')).toContainText("of history: the view's whole 256 MiB budget");
  const promised = Number(/for (\d+) s of history/.exec((await app.getByTestId('planner-reason').textContent())!)![1]);
  await app.getByTestId('view-budget-use').click();
  await expect(app.getByTestId('view-budget')).toContainText('0.25 GiB (set here)');
  await app.getByTestId('tab-traces').click();
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await expect.poll(async () => Math.round(Number(await app.getByTestId('history-seconds').textContent()))).toBe(promised);
  // Back to automatic, for the views of the specs after this one.
  await app.getByTestId('tab-planner').click();
  await app.getByTestId('planner-job').selectOption('live');
  await app.getByTestId('view-budget-auto').click();
  await expect(app.getByTestId('view-budget')).toContainText('(automatic');
});

test('an edit saved to the preset the view runs shows in the view at once', async ({ app }) => {
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await app.getByTestId('tab-presets').click();
  // A copy kept with bad channels (05.traces) may be listed too.
  await app.getByTestId('preset-item').filter({ hasText: 'Neuropixels AP live', hasNotText: '(copy)' }).click();
  await app.getByTestId('preset-duplicate').click();
  await app.getByTestId('preset-name').fill('Rig 5 live');
  await app.getByTestId('preset-name').press('Enter');
  await app.getByTestId('tab-traces').click();
  await app.getByTestId('view-preset').selectOption({ label: 'Rig 5 live' });
  await expect(app.getByTestId('view-pipeline')).toHaveText('300–6000 Hz · global median CMR');
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('preset-item').filter({ hasText: 'Rig 5 live' }).click();
  await app.getByTestId('filter-high').fill('5000');
  await app.getByTestId('filter-high').press('Enter');
  await expect(app.getByTestId('preset-error')).toHaveCount(0);
  await app.getByTestId('tab-traces').click();
  await expect(app.getByTestId('view-pipeline')).toHaveText('300–5000 Hz · global median CMR');
  await expect(app.getByTestId('view-preset').locator('option:checked')).toHaveText('Rig 5 live');
});

test('an edit the open view cannot run is said in the editor and in the view; the view keeps its pipeline', async ({ app }) => {
  await app.getByTestId('open-simulator').click();
  await expect(app.getByTestId('source-label')).toHaveAttribute('data-opening', 'false');
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('preset-item').filter({ hasText: 'Neuropixels AP' }).first().click();
  await app.getByTestId('preset-duplicate').click();
  await app.getByTestId('preset-name').fill('Rig 7 AP');
  await app.getByTestId('preset-name').press('Enter');
  await expect(app.getByTestId('preset-item').filter({ hasText: 'Rig 7 AP' })).toHaveCount(1);
  await app.getByTestId('tab-traces').click();
  await app.getByTestId('view-preset').selectOption({ label: 'Rig 7 AP' });
  const pipeline = await app.getByTestId('view-pipeline').textContent();
  await app.getByTestId('tab-presets').click();
  await app.getByTestId('preset-item').filter({ hasText: 'Rig 7 AP' }).click();
  // 20 kHz is above the simulator's Nyquist (15 kHz): saved, but the view cannot run it.
  await app.getByTestId('filter-high').fill('20000');
  await app.getByTestId('filter-high').press('Enter');
  await expect(app.getByTestId('preset-view-note')).toContainText(/"Rig 7 AP" as saved cannot run on this source \(.*Nyquist \(15000 Hz\).*\); the view keeps the pipeline it had/);
  await app.getByTestId('tab-traces').click();
  await expect(app.getByTestId('preset-note')).toContainText('cannot run on this source');
  await expect(app.getByTestId('view-pipeline')).toHaveText(pipeline!);
});
