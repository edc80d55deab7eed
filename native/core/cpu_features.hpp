// Run-time CPU dispatch. Shipped builds target baseline x86-64 (any lab PC) and arm64; the hot
// kernels carry a second build for AVX2 + FMA, chosen here once per process.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define PROBEDECK_X86_DISPATCH 1
#endif

// A kernel body shared by a baseline and an AVX2 + FMA build must inline into each: a call would
// leave the body compiled once, for the baseline.
#define PROBEDECK_INLINE inline __attribute__((always_inline))

namespace probedeck {

/** True when the CPU has AVX2 and FMA (every x86-64 PC since 2013–2015); false off x86-64. */
bool cpu_has_avx2_fma();

}  // namespace probedeck
