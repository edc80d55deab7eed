import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEB_PREFERENCES, isAllowedExternal } from '../../main/electron/security.ts';
import { repoRoot } from './helpers.ts';

// electronegativity misses nodeIntegration when a sandbox key is present, so the baseline is asserted here.
describe('Electron security baseline', () => {
  it('isolates and sandboxes the renderer', () => {
    expect(WEB_PREFERENCES).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
  });
  it('opens only allow-listed https links outside the app', () => {
    expect(isAllowedExternal('https://spikeinterface.readthedocs.io/en/latest/')).toBe(true);
    expect(isAllowedExternal('http://spikeinterface.readthedocs.io/')).toBe(false);
    expect(isAllowedExternal('https://evil.example/')).toBe(false);
    expect(isAllowedExternal('file:///etc/passwd')).toBe(false);
  });
  it('ships a strict CSP in the renderer page', () => {
    const html = readFileSync(join(repoRoot, 'renderer/index.html'), 'utf8');
    expect(html).toMatch(/script-src 'self';/);
    expect(html).not.toMatch(/unsafe-eval/);
    expect(html).toMatch(/object-src 'none'/);
  });
  it('keeps electron imports inside main/electron/', () => {
    const out = execSync("git grep -lE \"from ['\\\"]electron['\\\"]\" -- main renderer || true", { cwd: repoRoot }).toString();
    for (const f of out.split('\n').filter(Boolean)) expect(f.startsWith('main/electron/')).toBe(true);
  });
});
