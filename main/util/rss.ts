import { readFileSync } from 'node:fs';

/** The process's peak resident memory (Linux VmHWM); elsewhere the current RSS, a lower bound. */
export function peakRssBytes(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss;
}
