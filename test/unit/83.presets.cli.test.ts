import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './cli.ts';
import { tempDir } from './helpers.ts';

describe('probedeck presets / plan command line', () => {
  it('lists, exports as SpikeInterface, imports back', () => {
    const dir = tempDir();
    const d = ['--data-dir', dir];
    expect(cli(['presets', 'list', ...d]).stdout).toMatch(/Neuropixels AP {2}\(built in\)/);
    const out = join(dir, 'si.json');
    expect(cli(['presets', 'export', 'neuropixels ap', '--format', 'spikeinterface', '--out', out, ...d]).code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toHaveProperty('bandpass_filter.freq_min', 300);
    const r = cli(['presets', 'import', out, '--name', 'From SI', '--json', ...d]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).body.pipeline.filter.highHz).toBe(6000);
    // The same SpikeInterface file twice: its default name takes a number, and says so; a --name that is taken is refused.
    expect(cli(['presets', 'import', out, ...d]).stdout).toBe('imported "Imported from SpikeInterface" (id 7)\n');
    expect(cli(['presets', 'import', out, ...d]).stdout).toMatch(/^imported "Imported from SpikeInterface \(2\)" \(id 8\) \("Imported from SpikeInterface" is taken; rename with the app, or import again with --name\)\n$/);
    expect(cli(['presets', 'import', out, '--name', 'From SI', ...d]).stderr).toMatch(/^probedeck: A preset named "From SI" already exists/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ whiten: {} }));
    expect(cli(['presets', 'import', bad, ...d]).stderr).toMatch(/^probedeck: the SpikeInterface step "whiten" is not supported/);
  });

  it('plans within a budget', () => {
    const r = cli(['plan', '--channels', '384', '--fs', '30000', '--ram-budget', '2GiB', '--job', 'export', '--json', '--data-dir', tempDir()]);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.predictedPeakBytes).toBeLessThanOrEqual(2 * 2 ** 30);
    expect(p.nJobs * p.nWorkers).toBeGreaterThanOrEqual(1);
  });
});
