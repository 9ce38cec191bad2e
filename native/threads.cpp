#include "threads.h"

#include <sched.h>

#include <stdexcept>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CONTINUUM_PAUSE() _mm_pause()
#else
#define CONTINUUM_PAUSE() std::this_thread::yield()
#endif

#if defined(__EMSCRIPTEN__)
#include <emscripten/threading.h>
#endif

// Gives the core away while waiting for `word` to change from `seen`. In WebAssembly sched_yield does
// nothing, so a waiter would spin through its whole time slice while the thread it waits for is off
// the core (the machine busy with other processes); a 50 us futex wait sleeps instead.
static inline void yield_core(std::atomic<int>& word, int seen) {
#if defined(__EMSCRIPTEN__)
  emscripten_futex_wait(&word, uint32_t(seen), 0.05);
#else
  (void)word, (void)seen;
  sched_yield();
#endif
}

namespace continuum {

// How long an idle worker spins before it sleeps (pause iterations, ~50 us): long enough to bridge
// the gap between two regions of one training step, short enough not to burn a core between calls.
static constexpr int kSpinIterations = 2000;
// How long the caller spins on chunks still running elsewhere before yielding its core, in case the
// thread running them waits for that core.
static constexpr int kWaitSpins = 2000;

static inline uint32_t generation_of(uint64_t s) { return uint32_t(s >> 32); }
static inline int chunks_of(uint64_t s) { return int((s >> 16) & 0xffff); }
static inline int next_of(uint64_t s) { return int(s & 0xffff); }
static constexpr int kMaxChunks = 0xffff;

ThreadTeam::ThreadTeam(int threads) : size_(threads < 1 ? 1 : threads) {
  for (int tid = 1; tid < size_; tid++) threads_.emplace_back(&ThreadTeam::worker, this, tid);
}

ThreadTeam::~ThreadTeam() {
  stop_.store(true);
  state_.fetch_add(uint64_t(1) << 32);  // a new generation wakes every worker, which then sees stop_
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  for (auto& t : threads_) t.join();
}

void ThreadTeam::run_task(int chunks, Task task, void* ctx) {
  if (chunks <= 0) return;
  if (size_ == 1 || chunks == 1) {
    for (int c = 0; c < chunks; c++) task(ctx, c, 0);
    return;
  }
  if (chunks > kMaxChunks) throw std::length_error("ThreadTeam::run: too many chunks");
  // Publish the region under a new generation: the task first, then the state. A worker that read
  // an older task cannot claim a chunk with it: its compare-and-swap fails.
  const uint32_t gen = generation_of(state_.load()) + 1;
  task_.store(task);
  ctx_.store(ctx);
  done_.store(0);
  state_.store((uint64_t(gen) << 32) | (uint64_t(chunks) << 16));  // pairs with sleeping_ below
  if (sleeping_.load() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  work_on(gen, 0);
  for (int spins = 0, done; (done = done_.load(std::memory_order_acquire)) != chunks; spins++) {
    if (spins < kWaitSpins) CONTINUUM_PAUSE();
    else yield_core(done_, done);
  }
}

void ThreadTeam::work_on(uint32_t gen, int tid) {
  const Task task = task_.load();
  void* const ctx = ctx_.load();
  uint64_t s = state_.load();
  while (generation_of(s) == gen && next_of(s) < chunks_of(s)) {
    if (state_.compare_exchange_weak(s, s + 1)) {
      task(ctx, next_of(s), tid);
      done_.fetch_add(1);
      s = state_.load();
    }
  }
}

void ThreadTeam::worker(int tid) {
  // Generation 0 is the one the constructor made, before any region. Reading the state here instead
  // would race with a region or a destructor published before this thread first ran: the worker would
  // take that newer generation as already seen and sleep through it (a destructor would then wait in
  // join() forever).
  uint32_t seen = 0;
  for (;;) {
    int spins = 0;
    uint32_t gen;
    while ((gen = generation_of(state_.load(std::memory_order_acquire))) == seen) {
      if (++spins < kSpinIterations) {
        CONTINUUM_PAUSE();
        continue;
      }
      // Sleep. Both sides use sequentially consistent operations (here: bump sleeping_, read the
      // state; run(): store the state, read sleeping_), so either we see the new generation or
      // run() sees us asleep and notifies under the lock.
      std::unique_lock<std::mutex> lock(mutex_);
      sleeping_.fetch_add(1);
      wake_.wait(lock, [&] { return generation_of(state_.load()) != seen; });
      sleeping_.fetch_sub(1);
      spins = 0;
    }
    seen = gen;
    if (stop_.load()) return;
    work_on(gen, tid);
  }
}

}  // namespace continuum
