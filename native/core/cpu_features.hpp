// Run-time CPU dispatch. Shipped builds target baseline x86-64 (any lab PC) and arm64; the hot
// kernels carry a second build for AVX2 + FMA, and the filters a third for AVX-512VL (32 vector
// registers), chosen here once per process.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PROBEDECK_X86_DISPATCH 1
#endif

// A kernel body shared by a baseline and an AVX2 + FMA build must inline into each: a call would
// leave the body compiled once, for the baseline.
#define PROBEDECK_INLINE inline __attribute__((always_inline))

// The AVX-512 builds ask for VL only to reach 32 registers with 256-bit vectors (EVEX encodings):
// no 512-bit arithmetic, which halves the clock on some Intel parts and gains nothing on AMD's.
#define PROBEDECK_TARGET_AVX512 "avx2,fma,avx512f,avx512vl"

namespace probedeck {

/** True when the CPU has AVX2 and FMA (every x86-64 PC since 2013–2015); false off x86-64. */
bool cpu_has_avx2_fma();

/** True when the CPU also has AVX-512F and VL (Intel since Skylake-SP, AMD since Zen 4). */
bool cpu_has_avx512vl();

/** The best of the builds a dispatched kernel carries that this CPU runs (PROBEDECK_SIMD caps it). */
enum class SimdBuild { baseline, avx2, avx512vl };
SimdBuild simd_build();

}  // namespace probedeck
