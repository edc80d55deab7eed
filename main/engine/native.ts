// Loads the C++ addon. The same relative path works from the sources (main/engine/) and from the
// bundle (out/main/); in a packaged app the .node file is unpacked beside app.asar.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NativeAddon } from '../../native/index.d.ts';

function findAddon(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, '../../native/build/Release/probedeck.node'),
    join(here, '../../../native/build/Release/probedeck.node'),
    join(here, '../../native/build/Debug/probedeck.node')
  ].map((p) => p.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1'));
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`The ProbeDeck engine is not built (looked for ${candidates[0]}). Run "npm run build:native".`);
  }
  return found;
}

let addon: NativeAddon | undefined;

export function native(): NativeAddon {
  addon ??= createRequire(import.meta.url)(findAddon()) as NativeAddon;
  return addon;
}
