import { describe, expect, it, vi } from 'vitest';
import { progressLine } from '../../main/cli/progress.ts';
import { formatSpeed } from '../../main/util/speed.ts';

describe('formatSpeed', () => {
  it('keeps the digits that matter: a slow run is not "0×"', () => {
    expect(formatSpeed(0.36)).toBe('0.36');
    expect(formatSpeed(0.004)).toBe('0.0040');
    expect(formatSpeed(2.34)).toBe('2.3');
    expect(formatSpeed(163.4)).toBe('163');
    expect(formatSpeed(Number.NaN)).toBe('–');
  });
});

describe('the command line progress line', () => {
  it('draws the last update even within a quarter second of the one before: it stayed on screen at 94%', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const line = progressLine('export', 30000);
      vi.advanceTimersByTime(1100);
      line.update(94, 100);
      vi.advanceTimersByTime(100);
      line.update(97, 100); // redrawn at most 4 times a second
      line.update(100, 100);
      line.done();
      expect(write.mock.calls.map((c) => String(c[0]).trim().split(' ')[1] ?? 'end of line')).toEqual(['94.0%', '100.0%', 'end of line']);
    } finally {
      write.mockRestore();
      vi.useRealTimers();
    }
  });
});
