import { expect, test } from './fixtures.ts';

test('the page shows engine info from the addon and a value read back from SQLite', async ({ app }) => {
  await expect(app.getByTestId('engine-version')).toHaveText(/^\d+\.\d+\.\d+$/);
  await expect(app.getByTestId('engine-threads')).toHaveText(/^\d+$/);
  // The kernels' build in use (the CPU's best, as nothing caps it here).
  await expect(app.getByTestId('engine-simd')).toHaveText(/^(avx512vl|avx2|baseline)$/);
  // The app wrote the time it opened through the API into SQLite and read it back.
  await expect(app.getByTestId('db-roundtrip')).toHaveText('settings ✓');
  const stored = await app.getByTestId('db-roundtrip').getAttribute('data-value');
  expect(Date.now() - Date.parse(stored!)).toBeLessThan(60_000);
  await expect(app.getByTestId('host-error')).toHaveCount(0);
});
