// The kernels lab PCs without AVX2 + FMA run (and arm64): PROBEDECK_SIMD=baseline makes the engine
// skip its AVX2 and AVX-512 builds. Set before the engine loads, hence the dynamic imports.
process.env.PROBEDECK_SIMD = 'baseline';
const { describeKernelChecks, digestsWithout } = await import('./kernel-checks.ts');
const { filterOutputDigests } = await import('./filter-outputs.ts');
const { expect, it } = await import('vitest');

describeKernelChecks('baseline', 'baseline');

// float64 keeps scipy's statement order without FMA in every build; float32 uses FMA where it can.
// A CPU without AVX2 has only the baseline build, and nothing to compare.
const best = digestsWithout();
it.skipIf(best.simdUsed === 'baseline')(`the float64 filters give the same output and state, bit for bit, as the best build (this CPU: ${best.simdUsed})`, async () => {
  const only64 = (d: Record<string, string>) => Object.fromEntries(Object.entries(d).filter(([k]) => k.includes('float64')));
  expect(only64(await filterOutputDigests())).toEqual(only64(best.digests));
});
