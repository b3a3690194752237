// CUPTI activity buffers between the application threads and our writer.
// CUPTI asks for a buffer on the *application* thread (per-thread buffers,
// CUDA 13), so acquire() must never wait for decoding: the pool has its own
// mutex, held only for O(1) list operations, never by the decoder. Completed
// buffers are queued (complete(), O(1), on whatever thread CUPTI uses) and
// decoded by the writer thread, which then recycle()s them: zeroed there,
// off the application thread (CUPTI is told buffers arrive zeroed).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace gpuscope::tracer {

class ActivityBufferPool {
 public:
  struct Completed {
    uint8_t* data = nullptr;
    size_t valid_size = 0;   // bytes of records
    int64_t dropped = 0;     // CUPTI's dropped-record count read at completion
  };

  // Buffers of `buffer_size` bytes; at most `max_free` idle ones are kept.
  ActivityBufferPool(size_t buffer_size, size_t max_free);
  ~ActivityBufferPool();
  ActivityBufferPool(const ActivityBufferPool&) = delete;
  ActivityBufferPool& operator=(const ActivityBufferPool&) = delete;

  size_t bufferSize() const { return size_; }

  // Adds zeroed buffers until `n` are idle, touching every page so the
  // application thread takes no page faults filling them.
  void prefill(size_t n);

  // A zeroed buffer (from the pool, else newly allocated); nullptr if
  // memory is exhausted (CUPTI then drops records and counts them).
  uint8_t* acquire();

  // Queues a completed buffer for the writer and wakes it.
  void complete(const Completed& c);

  // The oldest queued buffer; false when none.
  bool takeCompleted(Completed* out);

  // A decoded buffer: zero its first `valid_size` bytes (the rest was never
  // written) and keep it for reuse, or free it past max_free.
  void recycle(uint8_t* buffer, size_t valid_size);

  // Waits until a buffer is queued, `stop` is set, or `deadline` passes.
  // True when a queued buffer is waiting.
  bool waitCompleted(std::chrono::steady_clock::time_point deadline, const std::atomic<bool>& stop);
  // Wakes waitCompleted (after setting its `stop`).
  void wake();

  // fork(): held across it so the child never inherits a locked mutex.
  void lockForFork() { mu_.lock(); }
  void unlockAfterFork() { mu_.unlock(); }
  // In a fork child (mutex held): the queued buffers hold the parent's
  // records; zero them and keep them as idle buffers.
  void dropCompletedLocked();

  size_t idleCount();
  size_t queuedCount();
  size_t allocatedCount();  // ever allocated and not freed

 private:
  void recycleLocked(uint8_t* buffer);

  const size_t size_;
  const size_t max_free_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<uint8_t*> free_;
  std::deque<Completed> completed_;
  size_t allocated_ = 0;
};

}  // namespace gpuscope::tracer
