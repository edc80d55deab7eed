#include "filter_ops.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "dsp_error.hpp"
#include "reference.hpp"
#include "sosfilt.hpp"
#include "thread_pool.hpp"
#include "work_buffer.hpp"

namespace probedeck {

namespace {

// Rows a pass runs through each of a worker's tiles before the next rows (the stream, and float32
// zero-phase): a row of the worker's channels is a few contiguous cache lines, read and written
// while still in L1 by all its tiles. Measured on 10 s × 384 float32 at W=1: the stream 0.039 s
// with 64 rows (the kernel's own block), 0.049 s with 512; zero-phase 0.073 s with 64 (32 the same),
// 0.089 s with 256 and 0.097 s with 1024. At W=2, bound by memory bandwidth, within noise.
constexpr size_t kBlockRows = 64;

void check_sections(const SosFilter& f) {
  if (f.n_sections() < 1 || f.n_sections() > kMaxSections)
    throw DspError("TOO_MANY_SECTIONS", "a filter runs 1 to " + std::to_string(kMaxSections) + " second-order sections (an order-10 band-pass), got " +
                                            std::to_string(f.n_sections()));
}

// float32 holds 1e-4 of the float64 result (relative to its RMS) while every pole stays this far
// inside the unit circle; closer poles run in float64 whatever was asked. Measured as the worst
// sample, for Butterworth high- and band-passes of orders 1–10 on int16 input with an offset and a
// slow drift 20× the output's RMS: ≤ 8.4e-5 at 1 − |p| ≥ 0.0093 (an order-5 150 Hz corner at
// 30 kHz), up to 1.5e-4 at 0.0074 (order-2 50 Hz), 1.4e-2 at 2e-4 (1 Hz).
constexpr double kFloat32MinPoleDistance = 0.009;

bool float32_holds(const SosFilter& f) {
  for (int s = 0; s < f.n_sections(); s++) {
    const double a1 = f.sos[s * 6 + 4], a2 = f.sos[s * 6 + 5];
    // Roots of z² + a1·z + a2: a complex pair has |p|² = a2; real roots are read off directly.
    const double disc = a1 * a1 - 4 * a2;
    const double r = disc < 0 ? std::sqrt(a2) : (std::abs(a1) + std::sqrt(disc)) / 2;
    if (!(1.0 - r >= kFloat32MinPoleDistance)) return false;  // NaN coefficients too
  }
  return true;
}

[[noreturn]] void non_finite() { throw DspError("NON_FINITE_INPUT", "the input contains NaN or infinite samples"); }

int tile_blocks(size_t tiles, int workers) { return int(std::min<size_t>(tiles, size_t(std::max(workers, 1)))); }

// Splits the tiles into tile_blocks() contiguous blocks and runs body(block, first_tile, end_tile).
template <class Body>
void over_tile_blocks(size_t tiles, int workers, Body body) {
  const int blocks = tile_blocks(tiles, workers);
  pool_for_this_thread(workers).parallel_for(blocks, [&](int b) { body(b, tiles * b / blocks, tiles * (b + 1) / blocks); });
}

/**
 * float32 zero-phase with a reference: the backward pass ends a block of kept rows (kBlockRows, from
 * the window's end) one task's channels at a time, and the block is re-referenced once every task
 * has ended it, while its rows are still in cache: one pass over the output less than referencing
 * after the filter (10 s × 384, 1 s windows, median CMR: 0.061 s at W=2 where filter then
 * common_reference took 0.065 s; at W=1 0.110 s and 0.113 s: the median is compute-bound). Blocks
 * are dealt to the tasks in turn, so the referencing is shared even when one task always ends its
 * blocks last (first come, first served, that task took them all: at W=2 slower than referencing
 * after). No task ever waits for another, as the pool may run its tasks
 * one after the other: a task's block not yet ended by all is referenced after its next blocks,
 * and the last task to finish references every block left. RowReference is exact whatever rows it
 * saw before, so the output is common_reference's bit for bit, for any worker count.
 */
class BlockReference {
 public:
  BlockReference(const PreparedReference& prepared, float* out, size_t keep, int tasks)
      : prepared_(prepared), out_(out), keep_(keep), blocks_((keep + kBlockRows - 1) / kBlockRows), tasks_(size_t(tasks)), of_(new Task[tasks_]) {}

  /** Task `task` has ended the backward pass over its channels of the last `ended` rows. */
  void ended(int task, size_t ended, RowReference& r) {
    Task& t = of_[size_t(task)];
    t.ended.store(ended, std::memory_order_release);
    for (; block(task, t.referenced) < blocks_ && ready(block(task, t.referenced)); t.referenced++) apply(block(task, t.referenced), r);
  }
  /** Task's end: the last one sees every block ended (the counter orders the others' progress before it) and no other still referencing. */
  void finished(RowReference& r) {
    if (finished_.fetch_add(1, std::memory_order_acq_rel) != tasks_ - 1) return;
    for (size_t task = 0; task < tasks_; task++)
      for (size_t& i = of_[task].referenced; block(task, i) < blocks_; i++) apply(block(task, i), r);
  }

 private:
  struct alignas(64) Task {
    std::atomic<size_t> ended{0};
    size_t referenced = 0;  // the task's own blocks referenced, in order; read by the last task only after the others finished
  };
  size_t block(size_t task, size_t i) const { return task + i * tasks_; }
  bool ready(size_t block) const {
    const size_t rows = std::min(keep_, (block + 1) * kBlockRows);
    for (size_t t = 0; t < tasks_; t++)
      if (of_[t].ended.load(std::memory_order_acquire) < rows) return false;
    return true;
  }
  void apply(size_t block, RowReference& r) const {
    const size_t r1 = keep_ - block * kBlockRows, r0 = r1 - std::min(r1, kBlockRows);
    r.apply(out_ + r0 * prepared_.channels, r1 - r0, prepared_.channels);
  }
  const PreparedReference& prepared_;
  float* out_;
  size_t keep_, blocks_, tasks_;
  std::unique_ptr<Task[]> of_;
  alignas(64) std::atomic<size_t> finished_{0};
};

// The passes always see whole tiles. When the channel count is not a multiple of the tile, the last
// tile's columns are copied into a zero-padded dense block and its output rows copied back.
template <class In, int L>
struct PartialTile {
  WorkBuffer<In> in;
  WorkBuffer<float> out;
  size_t c0, width;
  PartialTile(size_t in_rows, size_t out_rows, size_t channels, size_t first_channel)
      : in(in_rows * L), out(out_rows * L), c0(first_channel), width(channels - first_channel) {}
  /** Input rows [0, rows) of src. */
  void load(const In* src, size_t rows, size_t channels) {
    for (size_t t = 0; t < rows; t++)
      for (size_t j = 0; j < L; j++) in[t * L + j] = j < width ? src[t * channels + c0 + j] : In(0);
  }
  /** Output rows [r0, r1) into dst. */
  void copy_out(float* dst, size_t r0, size_t r1, size_t channels) {
    for (size_t t = r0; t < r1; t++)
      for (size_t j = 0; j < width; j++) dst[t * channels + c0 + j] = out[t * L + j];
  }
};

template <class T>
struct WindowJob {
  std::vector<T> coef;
  std::vector<double> zi;
  int ns, padlen;
  size_t rows, left, keep;
};

// Sets the state to zi · x (the steady state of a step to the first sample, scipy's sosfilt_zi · x).
template <class T, int L>
void init_state(const WindowJob<T>& w, const T* x, T* state) {
  for (size_t k = 0; k < w.zi.size(); k++)
    for (int j = 0; j < L; j++) state[k * L + j] = T(w.zi[k] * double(x[j]));
}

// scipy sosfiltfilt on one tile but the kept rows' backward pass, in three steps so that the kept
// rows' forward pass can go block by block: odd extension by padlen rows each side; the forward pass
// (the kept rows into `fwd`, the right margin and tail into `side`); the backward pass over the tail
// and right margin, which leaves `state` at the kept rows' end. Forward rows left of the kept range
// are never read back (their backward rows are cropped). side: (2·padlen + right) × L.
template <class T, class In>
struct ZeroPhaseTile {
  static constexpr int L = kTile<T>;
  // scipy's odd_ext keeps the input's dtype: float32 input is extended in float32 (int16 is exact in T).
  using Ext = std::conditional_t<std::is_floating_point_v<In>, In, T>;
  const WindowJob<T>& w;
  const In* x;
  std::ptrdiff_t xs;
  T* side;
  T* state;
  T* sink;

  /** The head's extension and the left margin. */
  void start() const {
    const int p = w.padlen;
    T* head = side;
    for (int i = 1; i <= p; i++)
      for (int j = 0; j < L; j++) head[(p - i) * L + j] = T(2 * Ext(x[j]) - Ext(x[i * xs + j]));
    init_state<T, L>(w, head, state);
    bool ok = sos_pass(w.coef.data(), w.ns, head, L, sink, 0, p, state);
    ok &= sos_pass(w.coef.data(), w.ns, x, xs, sink, 0, std::ptrdiff_t(w.left), state);
    if (!ok) non_finite();
  }
  /** Kept rows [b0, b1), after those before them. */
  void kept(size_t b0, size_t b1, T* fwd, std::ptrdiff_t fs) const {
    if (!sos_pass(w.coef.data(), w.ns, x + std::ptrdiff_t(w.left + b0) * xs, xs, fwd + std::ptrdiff_t(b0) * fs, fs, std::ptrdiff_t(b1 - b0), state))
      non_finite();
  }
  /** The right margin, the tail's extension, and back over both. */
  void finish() const {
    const int p = w.padlen;
    const size_t right = w.rows - w.left - w.keep;
    T* after = side + std::ptrdiff_t(p) * L;  // the right margin's forward rows, then the tail's
    T* tail = after + std::ptrdiff_t(right) * L;
    const In* last = x + std::ptrdiff_t(w.rows - 1) * xs;
    for (int i = 1; i <= p; i++)
      for (int j = 0; j < L; j++) tail[(i - 1) * L + j] = T(2 * Ext(last[j]) - Ext(last[-i * xs + j]));
    bool ok = sos_pass(w.coef.data(), w.ns, x + std::ptrdiff_t(w.left + w.keep) * xs, xs, after, L, std::ptrdiff_t(right), state);
    ok &= sos_pass(w.coef.data(), w.ns, tail, L, tail, L, p, state);
    if (!ok) non_finite();
    const T* end = tail + std::ptrdiff_t(p - 1) * L;
    init_state<T, L>(w, end, state);
    sos_pass(w.coef.data(), w.ns, end, -L, sink, 0, std::ptrdiff_t(p + right), state);
  }
};

/**
 * filter_window's work, each task on its block of channel tiles. float64 zero-phase runs a tile at
 * a time, its forward pass through a float64 tile buffer. float32 zero-phase writes the forward
 * pass's kept rows into the output and the backward pass overwrites them there, both across the
 * task's tiles by blocks of kBlockRows: a row's lines are used by all the task's tiles while in L1,
 * and what the backward pass reads first was written last, still in L3 (a tile at a time, the first
 * tile's rows were long evicted). 10 s × 384 at W=1: 0.073 s where the tile buffer took 0.095 s.
 */
template <class T, class In>
void run_window(const In* in, size_t rows, size_t channels, const SosFilter& f, FilterMode mode, size_t left, size_t right, float* out, int workers,
                const PreparedReference* reference) {
  constexpr int L = kTile<T>;
  const bool zero = mode == FilterMode::zero_phase;
  const bool by_blocks = zero && std::is_same_v<T, float>;
  WindowJob<T> w{sos_coefs<T>(f.sos), step_state<T>(f.sos.data(), f.n_sections()), f.n_sections(), 0, rows, left, rows - left - right};
  if (zero) w.padlen = sosfiltfilt_padlen(f.sos.data(), w.ns);
  const size_t keep = w.keep, tiles = (channels + L - 1) / L;
  const std::ptrdiff_t C = std::ptrdiff_t(channels);
  const size_t state_size = size_t(state_rows<T>(w.ns)) * L;
  std::optional<BlockReference> by_block_reference;
  if (reference && by_blocks) by_block_reference.emplace(*reference, out, keep, tile_blocks(tiles, workers));

  over_tile_blocks(tiles, workers, [&](int task, size_t t0, size_t t1) {
    WorkBuffer<T> side(zero ? (2 * size_t(w.padlen) + right) * L : 0);
    WorkBuffer<T> own_fwd(zero && !by_blocks ? keep * L : 0);
    WorkBuffer<T> states((by_blocks ? t1 - t0 : 1) * state_size);  // by blocks, every tile's is kept between its blocks
    T sink[L];
    std::optional<PartialTile<In, L>> part;

    struct Io {
      const In* x;
      std::ptrdiff_t xs;
      float* o;
      std::ptrdiff_t os;
      T* fwd;
      std::ptrdiff_t fs;
      T* state;
      bool partial;  // x and o are the PartialTile's, o copied back to `out` row by row
    };
    const auto io = [&](size_t tile) {
      const size_t c0 = tile * L;
      Io r{in + c0, C, out + c0, C, own_fwd.data(), L, states.data() + (by_blocks ? tile - t0 : 0) * state_size, c0 + L > channels};
      if (r.partial) {
        if (!part) part.emplace(rows, keep, channels, c0), part->load(in, rows, channels);
        r.x = part->in.data(), r.xs = L, r.o = part->out.data(), r.os = L;
      }
      if constexpr (std::is_same_v<T, float>)
        if (by_blocks) r.fwd = r.o, r.fs = r.os;
      return r;
    };
    const auto zero_phase = [&](const Io& r) { return ZeroPhaseTile<T, In>{w, r.x, r.xs, side.data(), r.state, sink}; };
    const auto copy_back = [&](const Io& r, size_t b0, size_t b1) {
      if (r.partial) part->copy_out(out, b0, b1, channels);
    };
    // Zero-phase's backward pass over the kept rows [b0, b1), after those after them.
    const auto backward = [&](size_t tile, size_t b0, size_t b1) {
      if (b0 == b1) return;
      const Io r = io(tile);
      const std::ptrdiff_t at = std::ptrdiff_t(b1) - 1;
      sos_pass(w.coef.data(), w.ns, r.fwd + at * r.fs, -r.fs, r.o + at * r.os, -r.os, std::ptrdiff_t(b1 - b0), r.state);
      copy_back(r, b0, b1);
    };

    if (!zero) {
      // sosfilt from zero state: the left margin only warms the state up; the right margin cannot
      // affect earlier outputs, so it is skipped.
      for (size_t tile = t0; tile < t1; tile++) {
        const Io r = io(tile);
        std::fill(r.state, r.state + state_size, T(0));
        bool ok = sos_pass(w.coef.data(), w.ns, r.x, r.xs, sink, 0, std::ptrdiff_t(left), r.state);
        ok &= sos_pass(w.coef.data(), w.ns, r.x + std::ptrdiff_t(left) * r.xs, r.xs, r.o, r.os, std::ptrdiff_t(keep), r.state);
        if (!ok) non_finite();
        copy_back(r, 0, keep);
      }
      return;
    }
    if (!by_blocks) {
      for (size_t tile = t0; tile < t1; tile++) {
        const Io r = io(tile);
        const auto z = zero_phase(r);
        z.start(), z.kept(0, keep, r.fwd, r.fs), z.finish();
        backward(tile, 0, keep);
      }
      return;
    }
    for (size_t tile = t0; tile < t1; tile++) zero_phase(io(tile)).start();
    for (size_t b0 = 0; b0 < keep; b0 += kBlockRows)
      for (size_t tile = t0; tile < t1; tile++) {
        const Io r = io(tile);
        zero_phase(r).kept(b0, std::min(keep, b0 + kBlockRows), r.fwd, r.fs);
      }
    for (size_t tile = t0; tile < t1; tile++) zero_phase(io(tile)).finish();
    std::optional<RowReference> row_reference;
    if (by_block_reference) row_reference.emplace(*reference);
    for (size_t b1 = keep; b1 > 0; b1 -= std::min(b1, kBlockRows)) {
      for (size_t tile = t0; tile < t1; tile++) backward(tile, b1 - std::min(b1, kBlockRows), b1);
      if (by_block_reference) by_block_reference->ended(task, keep - (b1 - std::min(b1, kBlockRows)), *row_reference);
    }
    if (by_block_reference) by_block_reference->finished(*row_reference);
  });
  if (reference && !by_block_reference) common_reference(out, keep, channels, reference->plan, workers);
}

template <class T, class In>
void run_stream(const In* in, size_t rows, size_t channels, const SosFilter& f, double* state, float* out, int workers) {
  constexpr int L = kTile<T>;
  const int ns = f.n_sections();
  const std::vector<T> coef = sos_coefs<T>(f.sos);
  const size_t tiles = (channels + L - 1) / L;
  const std::ptrdiff_t C = std::ptrdiff_t(channels);
  over_tile_blocks(tiles, workers, [&](int, size_t t0, size_t t1) {
    // Row blocks outside, tiles inside: a block of all this worker's channels stays in cache while
    // each tile filters its part of it, with its own carried state.
    const size_t nt = t1 - t0;
    const int rows_of_state = state_rows<T>(ns);
    const size_t state_size = size_t(rows_of_state) * L;
    WorkBuffer<T> tile_state(nt * state_size);
    std::optional<PartialTile<In, L>> part;
    if (channels % L != 0 && t1 == tiles) part.emplace(kBlockRows, kBlockRows, channels, (tiles - 1) * L);
    for (size_t i = 0; i < nt; i++) {
      const size_t c0 = (t0 + i) * L;
      for (int k = 0; k < rows_of_state; k++)
        for (size_t j = 0; j < L; j++) tile_state[i * state_size + k * L + j] = c0 + j < channels ? T(state[k * channels + c0 + j]) : T(0);
    }
    for (size_t r0 = 0; r0 < rows; r0 += kBlockRows) {
      const size_t n = std::min(kBlockRows, rows - r0);
      for (size_t i = 0; i < nt; i++) {
        const size_t c0 = (t0 + i) * L;
        T* st = tile_state.data() + i * state_size;
        bool ok;
        if (c0 + L <= channels) {
          ok = sos_pass(coef.data(), ns, in + r0 * channels + c0, C, out + r0 * channels + c0, C, std::ptrdiff_t(n), st);
        } else {
          part->load(in + r0 * channels, n, channels);
          ok = sos_pass(coef.data(), ns, part->in.data(), L, part->out.data(), L, std::ptrdiff_t(n), st);
          part->copy_out(out + r0 * channels, 0, n, channels);
        }
        if (!ok) non_finite();
      }
    }
    for (size_t i = 0; i < nt; i++) {
      const size_t c0 = (t0 + i) * L;
      for (int k = 0; k < rows_of_state; k++)
        for (size_t j = 0; j < L && c0 + j < channels; j++) state[k * channels + c0 + j] = double(tile_state[i * state_size + k * L + j]);
    }
  });
}

}  // namespace

template <class In>
void filter_window(const In* in, size_t rows, size_t channels, const SosFilter& f, FilterMode mode, size_t left, size_t right, float* out,
                   int workers, Precision precision, const ReferencePlan* reference) {
  if (left + right > rows) throw DspError("BAD_WINDOW", "the margins are longer than the window");
  check_sections(f);
  const int padlen = mode == FilterMode::zero_phase ? sosfiltfilt_padlen(f.sos.data(), f.n_sections()) : 0;
  if (mode == FilterMode::zero_phase && rows <= size_t(padlen)) {
    throw DspError("WINDOW_TOO_SHORT", "a zero-phase window (with margins) must be longer than scipy's padlen of " + std::to_string(padlen) +
                                           " samples, got " + std::to_string(rows));
  }
  const std::optional<PreparedReference> prepared = reference ? std::optional<PreparedReference>(std::in_place, *reference, channels) : std::nullopt;
  const PreparedReference* ref = prepared ? &*prepared : nullptr;
  if (precision == Precision::f32 && float32_holds(f))
    run_window<float>(in, rows, channels, f, mode, left, right, out, workers, ref);
  else
    run_window<double>(in, rows, channels, f, mode, left, right, out, workers, ref);
}

template <class In>
void filter_stream(const In* in, size_t rows, size_t channels, const SosFilter& f, double* state, float* out, int workers, Precision precision) {
  check_sections(f);
  if (precision == Precision::f32 && float32_holds(f))
    run_stream<float>(in, rows, channels, f, state, out, workers);
  else
    run_stream<double>(in, rows, channels, f, state, out, workers);
}

template void filter_window<int16_t>(const int16_t*, size_t, size_t, const SosFilter&, FilterMode, size_t, size_t, float*, int, Precision, const ReferencePlan*);
template void filter_window<float>(const float*, size_t, size_t, const SosFilter&, FilterMode, size_t, size_t, float*, int, Precision, const ReferencePlan*);
template void filter_stream<int16_t>(const int16_t*, size_t, size_t, const SosFilter&, double*, float*, int, Precision);
template void filter_stream<float>(const float*, size_t, size_t, const SosFilter&, double*, float*, int, Precision);

}  // namespace probedeck
