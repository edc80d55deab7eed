// Whether Electron's binary is installed (npm installs the package; the binary downloads separately
// and cannot be fetched on machines that reach only the npm registry).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function electronBinary() {
  const pkg = join(dirname(fileURLToPath(import.meta.url)), '../node_modules/electron');
  try {
    const rel = readFileSync(join(pkg, 'path.txt'), 'utf8').trim();
    const exe = join(pkg, 'dist', rel);
    return existsSync(exe) ? exe : null;
  } catch {
    return null;
  }
}
