// A fixed pool of threads that run one parallel region at a time.
//
// The engine owns every core: BLAS runs single-threaded inside each pool thread, so the BLAS
// threads and ours never compete for the same cores (oversubscription costs more than it gains
// on two cores). Workers spin briefly between regions, because a training step issues a few
// hundred regions back to back, then sleep, so an idle engine costs nothing.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace continuum {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return size_; }

  // Runs fn(tid) once on every thread, tid in [0, size()); the calling thread is tid 0.
  // Returns when all have finished. Work is split statically by tid, so results never depend
  // on scheduling: reductions combine per-thread partials in tid order.
  void run(const std::function<void(int)>& fn);

  // fn(begin, end) over a static split of [0, n) into size() contiguous chunks.
  void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn);

 private:
  void worker(int tid);

  int size_;
  std::vector<std::thread> threads_;
  const std::function<void(int)>* job_ = nullptr;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<int> sleeping_{0};
};

// The range [begin, end) of chunk `part` when [0, n) is cut into `parts` near-equal chunks.
inline void split_range(int64_t n, int parts, int part, int64_t* begin, int64_t* end) {
  *begin = n * part / parts;
  *end = n * (part + 1) / parts;
}

}  // namespace continuum
