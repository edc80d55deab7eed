// The kernels most lab PCs run (AVX2 + FMA, no AVX-512): PROBEDECK_SIMD=avx2 makes the engine skip
// its AVX-512 builds on a CPU that has them. Set before the engine loads, hence the dynamic imports.
process.env.PROBEDECK_SIMD = 'avx2';
const { describeKernelChecks, digestsWithout } = await import('./kernel-checks.ts');
const { engineInfo } = await import('../../main/engine/index.ts');
const { filterOutputDigests } = await import('./filter-outputs.ts');
const { expect, it } = await import('vitest');

describeKernelChecks('avx2', ['avx2', 'avx512'].includes(engineInfo().simdDetected) ? 'avx2' : 'baseline');

// The AVX-512 builds run two channel vectors side by side with the same arithmetic per lane. Only a
// CPU with AVX-512 has two builds to compare here (this workplace's machines and CI have it).
const best = digestsWithout();
it.skipIf(best.simdUsed !== 'avx512vl')(`the filters give the same output, bit for bit, as the AVX-512 build (this CPU: ${best.simdUsed})`, async () => {
  expect(await filterOutputDigests()).toEqual(best.digests);
});
