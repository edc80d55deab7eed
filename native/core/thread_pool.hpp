// The inner pool: W-way parallel-for inside one engine call. Each calling thread owns its own pool
// (created on first use, reused by that thread, destroyed when the thread exits), so N outer
// callers never queue behind one shared pool — the contract of SpikeInterface PR #4564.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace probedeck {

class ThreadPool {
 public:
  explicit ThreadPool(int workers);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int workers() const { return workers_; }
  uint64_t id() const { return id_; }

  /** Runs task(i) for i in [0, n) on the pool's threads and the caller; returns when all are done. */
  void parallel_for(int n, const std::function<void(int)>& task);

 private:
  void loop();
  void stop_all();
  int workers_;
  uint64_t id_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* task_ = nullptr;
  int next_ = 0, count_ = 0;
  // Written under mutex_; atomic so the spins before sleeping can read them without it.
  std::atomic<int> running_{0};
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
};

/** The calling thread's pool with `workers` threads (recreated if the count changes). */
ThreadPool& pool_for_this_thread(int workers);

struct PoolStats {
  uint64_t created;
  uint64_t alive;
};
PoolStats pool_stats();

}  // namespace probedeck
