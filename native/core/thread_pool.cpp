#include "thread_pool.hpp"

#include <atomic>
#include <exception>
#include <memory>

namespace probedeck {

static std::atomic<uint64_t> g_created{0}, g_alive{0};

ThreadPool::ThreadPool(int workers) : workers_(workers < 1 ? 1 : workers), id_(++g_created) {
  g_alive++;
  // The caller works too, so W-way parallelism needs W-1 extra threads.
  for (int i = 1; i < workers_; i++) threads_.emplace_back([this] { loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
  g_alive--;
}

void ThreadPool::loop() {
  uint64_t seen = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
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
