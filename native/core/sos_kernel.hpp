// The cascade loop behind sosfilt.cpp (float64) and sosfilt_f32.cpp (float32). Included only by
// those two files: each compiles it under its own target attributes, so the body must inline.
// One call runs all sections over `rows` rows of one tile of kTile neighbouring channels, reading
// row t at src + t·src_step and writing it at dst + t·dst_step: int16 or float32 input is converted
// in registers and float32 output narrowed on the way out, so no gather or scatter pass touches memory.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "cpu_features.hpp"
#include "sosfilt.hpp"

#if defined(__GNUC__) && !defined(__clang__)
// The vectors never cross a call (every function here inlines), so the ABI note does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace probedeck::kernel {

constexpr std::ptrdiff_t kBlockRows = 64;

// One 32-byte vector: 4 doubles or 8 floats (one AVX2 register, two SSE2 or NEON registers).
template <class T>
struct Vec {
  typedef T type __attribute__((vector_size(32)));
  // The same bits as integers, for sign manipulation.
  typedef std::conditional_t<sizeof(T) == 8, int64_t, int32_t> bits __attribute__((vector_size(32)));
  static constexpr int lanes = int(32 / sizeof(T));
};

/** Avx2: the caller is an AVX2 build, where one instruction widens a row's int16 samples. */
template <class T, bool Avx2 = false, class S>
PROBEDECK_INLINE typename Vec<T>::type load_as(const S* p) {
  using V = typename Vec<T>::type;
  V v;
  if constexpr (std::is_same_v<S, T>) {
    __builtin_memcpy(&v, p, sizeof v);
  } else {
    typedef S SV __attribute__((vector_size(sizeof(S) * Vec<T>::lanes)));
    SV s;
    __builtin_memcpy(&s, p, sizeof s);
#if defined(PROBEDECK_X86_DISPATCH)
    if constexpr (Avx2 && std::is_same_v<S, int16_t>) {
      // Written out: GCC 12 widens and converts in halves and joins them (six instructions for float,
      // ten for double, where two do), and neither intrinsics nor builtins may appear in this body,
      // which is also compiled for the baseline.
      if constexpr (std::is_same_v<T, float>)
        __asm__("vpmovsxwd %1, %0\n\tvcvtdq2ps %0, %0" : "=x"(v) : "m"(*reinterpret_cast<const SV*>(p)));
      else
        __asm__("vpmovsxwd %1, %x0\n\tvcvtdq2pd %x0, %0" : "=x"(v) : "m"(*reinterpret_cast<const SV*>(p)));
      return v;
    }
#endif
    if constexpr (std::is_integral_v<S> && sizeof(S) < 4) {
      // Widened to 32-bit integers first: compilers split int16 → float directly into more halves.
      typedef int32_t IV __attribute__((vector_size(4 * Vec<T>::lanes)));
      v = __builtin_convertvector(__builtin_convertvector(s, IV), V);
    } else {
      v = __builtin_convertvector(s, V);
    }
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

/** How a section is computed. */
enum class Form {
  /** scipy's _sosfilt statement order (transposed direct form II): coef is b0 b1 b2 a1 a2. */
  scipy,
  /**
   * scipy where every section after the first has b0 = 1 and b2 = ±1, as zpk2sos writes a
   * Butterworth band-pass, high-pass or even low-pass: 1·x is x and ±1·x is x with its sign set,
   * exactly, so skipping those two multiplies leaves every rounding as scipy's (bit-equal output)
   * while a section issues three multiplies instead of five.
   */
  scipy_unit,
  /**
   * float32's form (sosfilt_f32.cpp): direct form I with each value carried beside its difference
   * from the value before. coef is b0 B1 b2 A1 a2 with B1 = b0 + b1 + b2 and A1 = 1 + a1 + a2, both
   * summed in float64, and a section is e = a2·e₋₁ + (B1·x₋₁ + b0·dx − b2·dx₋₁) − A1·y₋₁, y = y₋₁ + e.
   * Near z = 1, where the poles of a 300 Hz corner sit, a1 and a2 are near −2 and 1 and the states
   * of the transposed form near the (offset-laden) input: float32 rounds both there, and the poles
   * amplify it, up to 6e-4 of the output RMS for some designs. Here every term of e is small when the
   * signal is slow (B1 and A1 are small or exact, differences are small) and float32 holds 1e-4 for
   * every Butterworth design we make down to 150 Hz corners, at the same cost per section.
   * The row's sum is split at the previous row: q = (B1·x₋₁ − b2·dx₋₁) + (a2 − A1)·e₋₁ − A1·y₋₂ holds
   * everything but b0·dx, so e = b0·dx + q, and the recursion from one row to the next is one add and
   * one multiply-add (7 cycles) where a2·e₋₁ − A1·y₋₁ took five operations (13–16): a 1–2 section
   * cascade runs 2× faster, a 5-section one ~10%.
   * state: per stage (the input, then each section's output) its last value[kTile] then its carry
   * q[kTile] (the input's unused), (n_sections + 1) × 2 rows; zero in a steady state, as the differences.
   */
  delta,
  /**
   * delta where each section's numerator is one of the few a Butterworth low-, high- or band-pass
   * has (its zeros all sit at z = ±1), known at compile time from `Z` (see Numerator): with b0 = 1
   * after section 0 (as zpk2sos gives them), B1/b0 is 4, 2 or 0 and b2/b0 ±1 or 0, so the pass reads
   * only section 0's b0 (the gain) and each section's A1 and a2 − A1, and a numerator is one or two adds. On data in L1 the loads, not the arithmetic, bound the loop (five coefficients a section
   * do not fit in sixteen vector registers beside the states): a pass runs ~1.3× faster than with
   * every coefficient as an operand.
   */
  delta_butterworth,
};

/** A section's numerator in Form::delta_butterworth, b0·(1 + c1·z⁻¹ + c2·z⁻²), 3 bits per section in `Z`. */
enum Numerator : uint32_t {
  two_at_minus_one = 1,  // 1 + 2z⁻¹ + z⁻²: a low-pass pair, or a band-pass's upper half
  two_at_plus_one = 2,   // 1 − 2z⁻¹ + z⁻²: a high-pass pair, or a band-pass's lower half
  one_at_each = 3,       // 1 − z⁻²: an odd-order band-pass's middle section
  one_at_minus_one = 4,  // 1 + z⁻¹: an odd-order low-pass's first-order section
  one_at_plus_one = 5,   // 1 − z⁻¹: an odd-order high-pass's first-order section
};
constexpr uint32_t numerator_of(uint32_t zeros, int s) { return (zeros >> (3 * s)) & 7; }

// A cascade of NS sections in one Form, over one vector of channels: its coefficients broadcast,
// its state in registers (load, step per row, store). run() walks a tile with it.

/** Form::scipy and Form::scipy_unit: state per section z0[kTile] then z1[kTile]. */
template <class T, int NS, Form F, int M>
struct Transposed {
  using V = typename Vec<T>::type;
  using VI = typename Vec<T>::bits;
  static constexpr int L = kTile<T>, N = Vec<T>::lanes;
  V c[NS][5];
  VI c2_sign[NS];  // scipy_unit: the sign bit of each section's b2, to flip x with
  V z0[M][NS], z1[M][NS];

  PROBEDECK_INLINE explicit Transposed(const T* coef) {
    for (int s = 0; s < NS; s++) {
      for (int i = 0; i < 5; i++) c[s][i] = V{} + coef[s * 5 + i];
      c2_sign[s] = (VI)(V{} + coef[s * 5 + 2]) & (VI{} + std::numeric_limits<std::remove_cvref_t<decltype(VI{}[0])>>::min());
    }
  }
  PROBEDECK_INLINE void load(const T* state) {
    for (int m = 0; m < M; m++)
      for (int s = 0; s < NS; s++) z0[m][s] = load_as<T>(state + (s * 2) * L + m * N), z1[m][s] = load_as<T>(state + (s * 2 + 1) * L + m * N);
  }
  PROBEDECK_INLINE void store(T* state) const {
    for (int m = 0; m < M; m++)
      for (int s = 0; s < NS; s++) store_as(state + (s * 2) * L + m * N, z0[m][s]), store_as(state + (s * 2 + 1) * L + m * N, z1[m][s]);
  }
  PROBEDECK_INLINE void step(V (&x)[M]) {
    for (int s = 0; s < NS; s++) {
      for (int m = 0; m < M; m++) {
        if constexpr (F == Form::scipy_unit) {
          const V y = s == 0 ? c[s][0] * x[m] + z0[m][s] : x[m] + z0[m][s];
          z0[m][s] = c[s][1] * x[m] - c[s][3] * y + z1[m][s];
          z1[m][s] = (s == 0 ? c[s][2] * x[m] : (V)((VI)x[m] ^ c2_sign[s])) - c[s][4] * y;
          x[m] = y;
        } else {
          const V y = c[s][0] * x[m] + z0[m][s];
          z0[m][s] = c[s][1] * x[m] - c[s][3] * y + z1[m][s];
          z1[m][s] = c[s][2] * x[m] - c[s][4] * y;
          x[m] = y;
        }
      }
    }
  }
};

/** Form::delta and Form::delta_butterworth (see Form): state per stage its value[kTile] then its carry[kTile]. */
template <class T, int NS, Form F, uint32_t Z, int M>
struct Delta {
  using V = typename Vec<T>::type;
  static constexpr int L = kTile<T>, N = Vec<T>::lanes;
  static constexpr bool butterworth = F == Form::delta_butterworth;
  V c[NS][5];
  V k[NS];                       // a2 − A1
  V y[M][NS + 1], q[M][NS + 1];  // stage 0 is the input (its carry unused), stage s + 1 section s

  PROBEDECK_INLINE explicit Delta(const T* coef) {
    for (int s = 0; s < NS; s++) {
      for (int i = 0; i < 5; i++) c[s][i] = V{} + coef[s * 5 + i];
      k[s] = V{} + (coef[s * 5 + 4] - coef[s * 5 + 3]);
    }
  }
  PROBEDECK_INLINE void load(const T* state) {
    for (int m = 0; m < M; m++)
      for (int s = 0; s <= NS; s++) y[m][s] = load_as<T>(state + (s * 2) * L + m * N), q[m][s] = load_as<T>(state + (s * 2 + 1) * L + m * N);
  }
  PROBEDECK_INLINE void store(T* state) const {
    for (int m = 0; m < M; m++)
      for (int s = 0; s <= NS; s++) store_as(state + (s * 2) * L + m * N, y[m][s]), store_as(state + (s * 2 + 1) * L + m * N, q[m][s]);
  }
  PROBEDECK_INLINE void step(V (&x)[M]) {
    V d[M];
    for (int m = 0; m < M; m++) d[m] = x[m] - y[m][0], y[m][0] = x[m];
#pragma GCC unroll 10
    for (int s = 0; s < NS; s++) {
#pragma GCC unroll 4
      for (int m = 0; m < M; m++) {
        const V e = ((butterworth && s > 0) ? d[m] : c[s][0] * d[m]) + q[m][s + 1];
        // u: the next row's numerator b0·(x' + c1·x + c2·x₋₁) but for b0·dx', from what is known now, the
        // input's value x = y[s] and difference d.
        V u;
        if constexpr (butterworth) {
          switch (numerator_of(Z, s)) {
            case two_at_minus_one: u = T(4) * y[m][s] - d[m]; break;
            case two_at_plus_one: u = -d[m]; break;
            case one_at_each: u = d[m]; break;
            case one_at_minus_one: u = y[m][s] + y[m][s]; break;
            default: u = V{}; break;
          }
          if (s == 0) u = c[0][0] * u;
        } else {
          u = c[s][1] * y[m][s] - c[s][2] * d[m];
        }
        q[m][s + 1] = k[s] * e + (u - c[s][3] * y[m][s + 1]);
        y[m][s + 1] = y[m][s + 1] + e;
        d[m] = e;
      }
    }
    for (int m = 0; m < M; m++) x[m] = y[m][NS];
  }
};

/**
 * Prefetches the line `elements` elements from p. The address is reckoned as an integer: a pointer
 * past the array would be undefined behaviour, and a prefetch of an address nothing holds is a no-op.
 */
template <int Write, class E>
PROBEDECK_INLINE void prefetch_ahead(const E* p, std::ptrdiff_t elements) {
  __builtin_prefetch(reinterpret_cast<const void*>(reinterpret_cast<uintptr_t>(p) + uintptr_t(elements * std::ptrdiff_t(sizeof(E)))), Write);
}

/**
 * coef: 5 per section, state: as the Form says (see Transposed and Delta).
 * M vectors of channels at a time with all their sections' state in registers (a whole tile's state
 * would spill and put a store and a reload into every recursion). M > 1 runs M independent
 * recursions side by side, where one leaves the arithmetic units waiting on its latency; it pays
 * only with 32 vector registers (AVX-512VL), where M = 1 uses 16 and spills beyond. Each lane's
 * arithmetic is the same whatever M: the output is bit for bit the same.
 * The tile is walked in blocks of rows, each block once per M vectors, so a block's rows stay in L1
 * while its columns run.
 * Returns false if a floating-point input held NaN or ±inf (x·0 is NaN exactly for those, and one
 * vector add per row is far cheaper than a separate scan).
 */
template <class T, int NS, Form F, uint32_t Z = 0, bool Avx2 = false, int M = 1, class S, class D>
PROBEDECK_INLINE bool run(const T* coef, const S* src, std::ptrdiff_t ss, D* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, T* state) {
  using V = typename Vec<T>::type;
  constexpr int N = Vec<T>::lanes, L = kTile<T>;
  static_assert((L / N) % M == 0);
  using Cascade = std::conditional_t<F == Form::delta || F == Form::delta_butterworth, Delta<T, NS, F, Z, M>, Transposed<T, NS, F, M>>;
  Cascade cascade(coef);
  V poison{};
  for (std::ptrdiff_t r0 = 0; r0 < rows; r0 += kBlockRows) {
    const std::ptrdiff_t n = std::min(kBlockRows, rows - r0);
    for (int k = 0; k < L / N; k += M) {
      cascade.load(state + N * k);
      const S* x_row = src + r0 * ss + N * k;
      D* y_row = dst + r0 * ds + N * k;
      for (std::ptrdiff_t t = 0; t < n; t++, x_row += ss, y_row += ds) {
        // The next block's rows, a page apart when strided: the hardware prefetchers do not follow.
        // In the passes that hand a tile 64 rows a call, they are the next call's rows: past this
        // call's rows, and past the array after its last block. Without them the float32 stream
        // took 0.068 s at W=1 where it takes 0.037 s (10 s × 384).
        prefetch_ahead<0>(x_row, kBlockRows * ss);
        if (ds != 0) prefetch_ahead<1>(y_row, kBlockRows * ds);
        V x[M];
        for (int m = 0; m < M; m++) {
          x[m] = load_as<T, Avx2>(x_row + N * m);
          if constexpr (std::is_floating_point_v<S>) poison += x[m] * T(0);
        }
        cascade.step(x);
        for (int m = 0; m < M; m++) store_as(y_row + N * m, x[m]);
      }
      cascade.store(state + N * k);
    }
  }
  bool finite = true;
  for (int i = 0; i < N; i++) finite &= poison[i] == poison[i];
  return finite;
}

/** run() for a section count known only at run time (1…kMaxSections). */
template <class T, Form F, bool Avx2 = false, int M = 1, class S, class D>
PROBEDECK_INLINE bool run(const T* coef, int ns, const S* src, std::ptrdiff_t ss, D* dst, std::ptrdiff_t ds, std::ptrdiff_t rows, T* state) {
  switch (ns) {
    case 1: return run<T, 1, F, 0, Avx2, M>(coef, src, ss, dst, ds, rows, state);
    case 2: return run<T, 2, F, 0, Avx2, M>(coef, src, ss, dst, ds, rows, state);
    case 3: return run<T, 3, F, 0, Avx2, M>(coef, src, ss, dst, ds, rows, state);
    case 4: return run<T, 4, F, 0, Avx2, M>(coef, src, ss, dst, ds, rows, state);
    case 5: return run<T, 5, F, 0, Avx2, M>(coef, src, ss, dst, ds, rows, state);
    case 6: return run<T, 6, F, 0, Avx2, M>(coef, src, ss, dst, ds, rows, state);
    case 7: return run<T, 7, F, 0, Avx2, M>(coef, src, ss, dst, ds, rows, state);
    case 8: return run<T, 8, F, 0, Avx2, M>(coef, src, ss, dst, ds, rows, state);
    case 9: return run<T, 9, F, 0, Avx2, M>(coef, src, ss, dst, ds, rows, state);
    default: return run<T, 10, F, 0, Avx2, M>(coef, src, ss, dst, ds, rows, state);
  }
}

}  // namespace probedeck::kernel
