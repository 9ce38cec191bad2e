#include "pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CONTINUUM_PAUSE() _mm_pause()
#else
#define CONTINUUM_PAUSE() std::this_thread::yield()
#endif

namespace continuum {

// How long an idle worker spins before it sleeps: long enough to bridge the gap between two
// regions of one training step (microseconds), short enough not to burn a core between calls.
static constexpr int kSpinIterations = 200000;

ThreadPool::ThreadPool(int threads) : size_(threads < 1 ? 1 : threads) {
  for (int tid = 1; tid < size_; tid++) threads_.emplace_back(&ThreadPool::worker, this, tid);
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_.store(true);
    generation_.fetch_add(1);
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

void ThreadPool::run(const std::function<void(int)>& fn) {
  if (size_ == 1) {
    fn(0);
    return;
  }
  job_ = &fn;
  pending_.store(size_ - 1, std::memory_order_relaxed);
  // Publish the job, then wake sleepers. Both sides use sequentially consistent operations
  // (here: bump generation, read sleeping_; worker: bump sleeping_, read generation), so either
  // the worker sees the new generation or we see it asleep and notify it under the lock.
  generation_.fetch_add(1);
  if (sleeping_.load() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  fn(0);
  while (pending_.load(std::memory_order_acquire) != 0) CONTINUUM_PAUSE();
  job_ = nullptr;
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  const int parts = n < size_ ? static_cast<int>(n) : size_;
  run([&](int tid) {
    if (tid >= parts) return;
    int64_t begin, end;
    split_range(n, parts, tid, &begin, &end);
    fn(begin, end);
  });
}

void ThreadPool::worker(int tid) {
  uint64_t seen = generation_.load();
  for (;;) {
    int spins = 0;
    uint64_t now;
    while ((now = generation_.load(std::memory_order_acquire)) == seen) {
      if (++spins < kSpinIterations) {
        CONTINUUM_PAUSE();
        continue;
      }
      std::unique_lock<std::mutex> lock(mutex_);
      sleeping_.fetch_add(1);
      wake_.wait(lock, [&] { return generation_.load() != seen; });
      sleeping_.fetch_sub(1);
      spins = 0;
    }
    seen = now;
    if (stop_.load()) return;
    (*job_)(tid);
    pending_.fetch_sub(1, std::memory_order_release);
  }
}

}  // namespace continuum
