import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineInfo } from '../../main/engine/index.ts';
import { repoRoot } from './helpers.ts';

describe('engine.info (the real addon)', () => {
  it('reports its version equal to package.json', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    expect(engineInfo().version).toBe(pkg.version);
  });

  it('reports SIMD levels and hardware threads of this machine', () => {
    const info = engineInfo();
    expect(['sse2', 'sse4.2', 'avx2', 'avx512', 'neon', 'scalar']).toContain(info.simdDetected);
    expect(info.simdCompiled).not.toBe('');
    // The best build this CPU runs, unless PROBEDECK_SIMD caps it (the 59.* tests set it in their own processes).
    const best = info.simdDetected === 'avx512' ? 'avx512vl' : info.simdDetected === 'avx2' ? 'avx2' : 'baseline';
    expect(info.simdUsed).toBe(process.env.PROBEDECK_SIMD === 'baseline' ? 'baseline' : process.env.PROBEDECK_SIMD === 'avx2' && best === 'avx512vl' ? 'avx2' : best);
    expect(info.hardwareThreads).toBeGreaterThanOrEqual(1);
    expect(info.napiVersion).toBeLessThanOrEqual(9);
  });
});
