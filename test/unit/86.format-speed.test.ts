import { describe, expect, it } from 'vitest';
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
