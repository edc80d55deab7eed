// What this build of the engine is and what the machine under it offers.
#pragma once
#include <string>

namespace probedeck {

struct EngineInfo {
  std::string version;
  std::string simd_compiled;  // the baseline the compiler was allowed to assume
  std::string simd_detected;  // the best level this CPU offers at run time
  std::string simd_used;      // the kernels' builds dispatch chose: avx512vl, avx2 or baseline (PROBEDECK_SIMD caps it)
  unsigned hardware_threads;
};

EngineInfo engine_info();

}  // namespace probedeck
