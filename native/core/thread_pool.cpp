#include "thread_pool.hpp"

#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <string>
#include <system_error>
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

#include "dsp_error.hpp"

namespace probedeck {

static std::atomic<uint64_t> g_created{0}, g_alive{0};

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(_M_X64)
  _mm_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/**
 * Waits up to kSpin for `ready` without sleeping. Engine calls come in bursts (a live arrival is
 * four calls in a row, a chunk three), and waking a sleeping thread (a futex, and on a virtual
 * machine an idle vCPU) took longer than a 20 ms arrival's share of work: two workers were slower
 * than one. The spin costs at most kSpin of one core per call.
 */
template <class F>
bool spin_until(F ready) {
  constexpr auto kSpin = std::chrono::microseconds(100);
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (unsigned i = 1;; i++) {
    if (ready()) return true;
    cpu_relax();
    if (i % 64 == 0 && std::chrono::steady_clock::now() > until) return false;
  }
}

}  // namespace

ThreadPool::ThreadPool(int workers) : workers_(workers < 1 ? 1 : workers), id_(++g_created) {
  // The caller works too, so W-way parallelism needs W-1 extra threads.
  try {
    for (int i = 1; i < workers_; i++) threads_.emplace_back([this] { loop(); });
  } catch (const std::system_error& e) {
    // Out of threads (a process or user limit): the ones started are joined, or their destructors
    // would end the process.
    stop_all();
    throw DspError("NO_THREADS", "could not start " + std::to_string(workers_ - 1) + " worker threads (" + e.what() + "): use fewer workers");
  }
  g_alive++;
}

void ThreadPool::stop_all() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

ThreadPool::~ThreadPool() {
  stop_all();
  g_alive--;
}

void ThreadPool::loop() {
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    lock.unlock();
    spin_until([&] { return stop_ || generation_.load(std::memory_order_acquire) != seen; });
    lock.lock();
    wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
    if (stop_) return;
    seen = generation_;
    running_++;
    while (next_ < count_) {
      int i = next_++;
      lock.unlock();
      (*task_)(i);
      lock.lock();
    }
    if (--running_ == 0) done_.notify_all();
  }
}

void ThreadPool::parallel_for(int n, const std::function<void(int)>& task) {
  if (n <= 0) return;
  if (workers_ == 1 || n == 1) {
    for (int i = 0; i < n; i++) task(i);
    return;
  }
  // Exceptions from tasks are caught here and the first rethrown in the caller.
  std::exception_ptr error;
  std::mutex error_mutex;
  std::function<void(int)> guarded = [&](int i) {
    try {
      task(i);
    } catch (...) {
      std::lock_guard<std::mutex> g(error_mutex);
      if (!error) error = std::current_exception();
    }
  };
  std::unique_lock<std::mutex> lock(mutex_);
  task_ = &guarded;
  next_ = 0;
  count_ = n;
  generation_++;
  running_++;
  wake_.notify_all();
  while (next_ < count_) {
    int i = next_++;
    lock.unlock();
    guarded(i);
    lock.lock();
  }
  running_--;
  lock.unlock();
  spin_until([&] { return running_.load(std::memory_order_acquire) == 0; });
  lock.lock();
  done_.wait(lock, [&] { return running_ == 0; });
  task_ = nullptr;
  lock.unlock();
  if (error) std::rethrow_exception(error);
}

ThreadPool& pool_for_this_thread(int workers) {
  thread_local std::unique_ptr<ThreadPool> pool;
  if (!pool || pool->workers() != (workers < 1 ? 1 : workers)) pool = std::make_unique<ThreadPool>(workers);
  return *pool;
}

PoolStats pool_stats() { return {g_created.load(), g_alive.load()}; }

}  // namespace probedeck
