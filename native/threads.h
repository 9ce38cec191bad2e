// A fixed team of threads that run one parallel region at a time.
//
// The engine owns every core: BLAS runs single-threaded inside each team thread, so BLAS threads and
// ours never compete for the same cores. A region is cut into a fixed number of chunks that threads
// claim as they come free: when a core is busy with another process, the threads that are running
// take over the chunks of the one that is not, instead of waiting for it. Results never depend on
// which thread ran a chunk: reductions keep one partial per chunk and combine them in chunk order.
// Idle workers spin briefly (a training step issues hundreds of regions back to back), then sleep.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <type_traits>
#include <mutex>
#include <thread>
#include <vector>

namespace continuum {

// The range [begin, end) of chunk `part` when [0, n) is cut into `parts` near-equal chunks.
inline void split_range(int64_t n, int parts, int part, int64_t* begin, int64_t* end) {
  *begin = n * part / parts;
  *end = n * (part + 1) / parts;
}

class ThreadTeam {
 public:
  explicit ThreadTeam(int threads);
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  int size() const { return size_; }

  // Runs fn(chunk, tid) for every chunk in [0, chunks), on whichever threads are free; tid in
  // [0, size()) names the thread running it (for per-thread scratch). Returns when all are done.
  // fn is called through a plain function pointer: no std::function, so no allocation per region.
  template <typename F>
  void run(int chunks, F&& fn) {
    using Fn = std::remove_reference_t<F>;
    run_task(chunks, [](void* ctx, int chunk, int tid) { (*static_cast<Fn*>(ctx))(chunk, tid); },
             const_cast<void*>(static_cast<const void*>(&fn)));
  }

  // fn(begin, end, tid) over [0, n) cut into near-equal contiguous chunks (a few per thread).
  template <typename F>
  void parallel_for(int64_t n, F&& fn) {
    if (n <= 0) return;
    const int64_t want = int64_t(size_) * 4;
    const int chunks = int(n < want ? n : want);
    run(chunks, [&](int c, int tid) {
      int64_t begin, end;
      split_range(n, chunks, c, &begin, &end);
      fn(begin, end, tid);
    });
  }

 private:
  using Task = void (*)(void* ctx, int chunk, int tid);
  void run_task(int chunks, Task task, void* ctx);
  void worker(int tid);
  // Claims and runs chunks of the region of generation `gen` until none are left.
  void work_on(uint32_t gen, int tid);

  int size_;
  std::vector<std::thread> threads_;
  std::atomic<Task> task_{nullptr};
  std::atomic<void*> ctx_{nullptr};
  // generation (32 bits) | chunks (16) | next unclaimed chunk (16). Claiming a chunk is one
  // compare-and-swap, which fails once a newer region has been published.
  std::atomic<uint64_t> state_{0};
  std::atomic<int> done_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> sleeping_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
};

}  // namespace continuum
