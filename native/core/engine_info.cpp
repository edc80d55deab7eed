#include "engine_info.hpp"

#include <thread>

#include "cpu_features.hpp"
#include "version.hpp"

namespace probedeck {

static const char* compiled_simd() {
#if defined(__AVX512F__)
  return "avx512";
#elif defined(__AVX2__)
  return "avx2";
#elif defined(__SSE4_2__)
  return "sse4.2";
#elif defined(__SSE2__) || defined(_M_X64)
  return "sse2";
#elif defined(__ARM_NEON) || defined(__aarch64__)
  return "neon";
#else
  return "scalar";
#endif
}

static const char* detected_simd() {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return "avx512";
  if (__builtin_cpu_supports("avx2")) return "avx2";
  if (__builtin_cpu_supports("sse4.2")) return "sse4.2";
  return "sse2";
#else
  return compiled_simd();
#endif
}

static const char* used_simd() {
  switch (simd_build()) {
    case SimdBuild::avx512vl: return "avx512vl";
    case SimdBuild::avx2: return "avx2";
    default: return "baseline";
  }
}

EngineInfo engine_info() {
  unsigned n = std::thread::hardware_concurrency();
  return EngineInfo{PROBEDECK_ENGINE_VERSION, compiled_simd(), detected_simd(), used_simd(), n == 0 ? 1u : n};
}

}  // namespace probedeck
