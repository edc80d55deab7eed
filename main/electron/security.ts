// The window's security baseline, in one place so a test can read it.
import type { WebPreferences } from 'electron';

export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false
} as const satisfies WebPreferences;

const EXTERNAL_ALLOW = [/^https:\/\/github\.com\/[\w.-]+\/probedeck(\/|$)/, /^https:\/\/spikeinterface\.readthedocs\.io\//];

export function isAllowedExternal(url: string): boolean {
  return EXTERNAL_ALLOW.some((re) => re.test(url));
}
