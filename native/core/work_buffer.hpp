// Engine-internal buffers, counted so the planner's memory model can be checked against what the
// engine really allocates (bytes live now, and the peak since the last reset).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace probedeck {

struct MemoryCounters {
  std::atomic<int64_t> live{0};
  std::atomic<int64_t> peak{0};
};
MemoryCounters& memory_counters();

template <class T>
class WorkBuffer {
 public:
  WorkBuffer() = default;
  explicit WorkBuffer(size_t n) { resize(n); }
  ~WorkBuffer() { release(); }
  WorkBuffer(const WorkBuffer&) = delete;
  WorkBuffer& operator=(const WorkBuffer&) = delete;

  void resize(size_t n) {
    if (n == n_) return;
    release();
    data_.reset(new T[n]);
    n_ = n;
    auto& m = memory_counters();
    int64_t now = m.live += int64_t(n * sizeof(T));
    int64_t peak = m.peak.load();
    while (now > peak && !m.peak.compare_exchange_weak(peak, now)) {
    }
  }
  T* data() { return data_.get(); }
  size_t size() const { return n_; }
  T& operator[](size_t i) { return data_[i]; }

 private:
  void release() {
    if (data_) memory_counters().live -= int64_t(n_ * sizeof(T));
    data_.reset();
    n_ = 0;
  }
  std::unique_ptr<T[]> data_;
  size_t n_ = 0;
};

}  // namespace probedeck
