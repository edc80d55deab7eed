// Removes the host's data folder that the config made for this run (every run used to leave one in /tmp).
import { rmSync } from 'node:fs';

export default function teardown(): void {
  const dir = process.env.E2E_DATA_DIR;
  if (dir && process.env.E2E_DATA_DIR_MADE === '1') rmSync(dir, { recursive: true, force: true });
}
