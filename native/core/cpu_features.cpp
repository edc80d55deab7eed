#include "cpu_features.hpp"

namespace probedeck {

bool cpu_has_avx2_fma() {
#if defined(PROBEDECK_X86_DISPATCH)
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return yes;
#else
  return false;
#endif
}

}  // namespace probedeck
