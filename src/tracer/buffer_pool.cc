#include "tracer/buffer_pool.h"

#include <cstdlib>
#include <cstring>

namespace gpuscope::tracer {

ActivityBufferPool::ActivityBufferPool(size_t buffer_size, size_t max_free)
    : size_(buffer_size), max_free_(max_free) {}

ActivityBufferPool::~ActivityBufferPool() {
  for (uint8_t* b : free_) std::free(b);
  for (const Completed& c : completed_) std::free(c.data);
}

void ActivityBufferPool::prefill(size_t n) {
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (free_.size() >= n) return;
    }
    // Allocated and touched outside the lock: acquire() stays O(1).
    auto* b = static_cast<uint8_t*>(std::malloc(size_));
    if (b == nullptr) return;
    std::memset(b, 0, size_);
    std::lock_guard<std::mutex> lock(mu_);
    ++allocated_;
    free_.push_back(b);
  }
}

uint8_t* ActivityBufferPool::acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      uint8_t* b = free_.back();
      free_.pop_back();
      return b;
    }
  }
  auto* b = static_cast<uint8_t*>(std::calloc(1, size_));
  if (b != nullptr) {
    std::lock_guard<std::mutex> lock(mu_);
    ++allocated_;
  }
  return b;
}

void ActivityBufferPool::complete(const Completed& c) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    completed_.push_back(c);
  }
  cv_.notify_all();
}

bool ActivityBufferPool::takeCompleted(Completed* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (completed_.empty()) return false;
  *out = completed_.front();
  completed_.pop_front();
  return true;
}

void ActivityBufferPool::recycleLocked(uint8_t* buffer) {
  if (free_.size() < max_free_) {
    free_.push_back(buffer);
  } else {
    std::free(buffer);
    --allocated_;
  }
}

void ActivityBufferPool::recycle(uint8_t* buffer, size_t valid_size) {
  if (buffer == nullptr) return;
  // Zeroed outside the lock: it is the costly part.
  std::memset(buffer, 0, valid_size < size_ ? valid_size : size_);
  std::lock_guard<std::mutex> lock(mu_);
  recycleLocked(buffer);
}

bool ActivityBufferPool::waitCompleted(std::chrono::steady_clock::time_point deadline,
                                       const std::atomic<bool>& stop) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_until(lock, deadline, [&] { return stop.load() || !completed_.empty(); });
  return !completed_.empty();
}

void ActivityBufferPool::wake() {
  // Taking the mutex orders this after a waiter's predicate check: no lost wake-up.
  std::lock_guard<std::mutex> lock(mu_);
  cv_.notify_all();
}

void ActivityBufferPool::dropCompletedLocked() {
  for (const Completed& c : completed_) {
    std::memset(c.data, 0, c.valid_size < size_ ? c.valid_size : size_);
    recycleLocked(c.data);
  }
  completed_.clear();
}

size_t ActivityBufferPool::idleCount() {
  std::lock_guard<std::mutex> lock(mu_);
  return free_.size();
}

size_t ActivityBufferPool::queuedCount() {
  std::lock_guard<std::mutex> lock(mu_);
  return completed_.size();
}

size_t ActivityBufferPool::allocatedCount() {
  std::lock_guard<std::mutex> lock(mu_);
  return allocated_;
}

}  // namespace gpuscope::tracer
