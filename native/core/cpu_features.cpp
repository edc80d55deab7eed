#include "cpu_features.hpp"

#include <cstdlib>
#include <cstring>

namespace probedeck {

namespace {

// PROBEDECK_SIMD=baseline or =avx2 caps the builds chosen on any CPU: how the tests check the
// kernels older lab PCs run, here.
bool allowed(const char* level) {
  const char* cap = std::getenv("PROBEDECK_SIMD");
  if (cap == nullptr) return true;
  if (std::strcmp(cap, "baseline") == 0) return false;
  if (std::strcmp(cap, "avx2") == 0) return std::strcmp(level, "avx2") == 0;
  return true;
}

}  // namespace

bool cpu_has_avx2_fma() {
#if defined(PROBEDECK_X86_DISPATCH)
  static const bool yes = [] {
    __builtin_cpu_init();
    return allowed("avx2") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return yes;
#else
  return false;
#endif
}

bool cpu_has_avx512vl() {
#if defined(PROBEDECK_X86_DISPATCH)
  static const bool yes = [] {
    __builtin_cpu_init();
    return cpu_has_avx2_fma() && allowed("avx512") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
  }();
  return yes;
#else
  return false;
#endif
}

SimdBuild simd_build() {
  if (cpu_has_avx512vl()) return SimdBuild::avx512vl;
  if (cpu_has_avx2_fma()) return SimdBuild::avx2;
  return SimdBuild::baseline;
}

}  // namespace probedeck
