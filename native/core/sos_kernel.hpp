// The cascade loop behind sosfilt.cpp (float64) and sosfilt_f32.cpp (float32). Included only by
// those two files: each compiles it under its own target attributes, so the body must inline.
// One call runs all sections over `rows` rows of one tile of L neighbouring channels, reading row t
// at src + t·src_step and writing it at dst + t·dst_step: int16 or float32 input is converted in
// registers and float32 output narrowed on the way out, so no gather or scatter pass touches memory.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#if defined(__GNUC__) && !defined(__clang__)
// The vectors never cross a call (every function here inlines), so the ABI note does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace probedeck::kernel {

constexpr int kMaxSections = 10;  // order 10 band-pass
constexpr int kPrefetchRows = 32;

#define PROBEDECK_INLINE inline __attribute__((always_inline))

// One 32-byte vector: 4 doubles or 8 floats (one AVX2 register, two SSE2 or NEON registers).
template <class T>
struct Vec {
  typedef T type __attribute__((vector_size(32)));
  static constexpr int lanes = int(32 / sizeof(T));
};

template <class T, class S>
PROBEDECK_INLINE typename Vec<T>::type load_as(const S* p) {
  using V = typename Vec<T>::type;
  V v;
  if constexpr (std::is_same_v<S, T>) {
    __builtin_memcpy(&v, p, sizeof v);
  } else {
    typedef S SV __attribute__((vector_size(sizeof(S) * Vec<T>::lanes)));
    SV s;
    __builtin_memcpy(&s, p, sizeof s);
    v = __builtin_convertvector(s, V);
  }
  return v;
}

template <class D, class V>
PROBEDECK_INLINE void store_as(D* p, V v) {
  using T = std::remove_reference_t<decltype(v[0])>;
  if constexpr (std::is_same_v<D, T>) {
    __builtin_memcpy(p, &v, sizeof v);
  } else {
    typedef D DV __attribute__((vector_size(sizeof(D) * Vec<T>::lanes)));
    const DV d = __builtin_convertvector(v, DV);
    __builtin_memcpy(p, &d, sizeof d);
  }
}

/**
 * coef: per section b0 b1 b2 a1 a2 (a0 = 1); state: per section z0[L] then z1[L].
 * Returns false if a floating-point input held NaN or ±inf (x·0 is NaN exactly for those, and one
 * vector add per row is far cheaper than a separate scan).
 */
template <class T, int L, class S, class D>
PROBEDECK_INLINE bool run(const T* coef, int ns, const S* src, std::ptrdiff_t src_step, D* dst, std::ptrdiff_t dst_step, std::ptrdiff_t rows,
                          T* state) {
  using V = typename Vec<T>::type;
  constexpr int N = Vec<T>::lanes;
  constexpr int K = L / N;
  V c[kMaxSections][5];
  V z0[kMaxSections][K], z1[kMaxSections][K];
  for (int s = 0; s < ns; s++) {
    for (int i = 0; i < 5; i++) c[s][i] = V{} + coef[s * 5 + i];
    for (int k = 0; k < K; k++) {
      z0[s][k] = load_as<T>(state + (s * 2) * L + N * k);
      z1[s][k] = load_as<T>(state + (s * 2 + 1) * L + N * k);
    }
  }
  V poison{};
  for (std::ptrdiff_t t = 0; t < rows; t++, src += src_step, dst += dst_step) {
    // Strided rows cross a page every few samples, which the hardware prefetchers do not follow;
    // without this the loop waits on memory for every row (6× slower than on a dense tile).
    if (src_step != L) {
      for (size_t b = 0; b < L * sizeof(S); b += 64) __builtin_prefetch(reinterpret_cast<const char*>(src + kPrefetchRows * src_step) + b);
    }
    if (dst_step != L && dst_step != 0) {
      for (size_t b = 0; b < L * sizeof(D); b += 64) __builtin_prefetch(reinterpret_cast<const char*>(dst + kPrefetchRows * dst_step) + b, 1);
    }
    for (int k = 0; k < K; k++) {
      V xc = load_as<T>(src + N * k);
      if constexpr (std::is_floating_point_v<S>) poison += xc * T(0);
      // scipy's _sosfilt statement order (transposed direct form II).
      for (int s = 0; s < ns; s++) {
        const V y = c[s][0] * xc + z0[s][k];
        z0[s][k] = c[s][1] * xc - c[s][3] * y + z1[s][k];
        z1[s][k] = c[s][2] * xc - c[s][4] * y;
        xc = y;
      }
      store_as(dst + N * k, xc);
    }
  }
  for (int s = 0; s < ns; s++)
    for (int k = 0; k < K; k++) {
      store_as(state + (s * 2) * L + N * k, z0[s][k]);
      store_as(state + (s * 2 + 1) * L + N * k, z1[s][k]);
    }
  bool finite = true;
  for (int i = 0; i < N; i++) finite &= poison[i] == poison[i];
  return finite;
}

}  // namespace probedeck::kernel
