#include "cpu_features.hpp"

#include <cstdlib>
#include <cstring>

namespace probedeck {

bool cpu_has_avx2_fma() {
#if defined(PROBEDECK_X86_DISPATCH)
  static const bool yes = [] {
    // PROBEDECK_SIMD=baseline runs the baseline kernels on any CPU: how the tests check them here.
    const char* force = std::getenv("PROBEDECK_SIMD");
    if (force != nullptr && std::strcmp(force, "baseline") == 0) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return yes;
#else
  return false;
#endif
}

}  // namespace probedeck
