#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "tracer/buffer_pool.h"

namespace gpuscope::tracer {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kSize = 4096;

bool allZero(const uint8_t* b, size_t n) {
  return std::all_of(b, b + n, [](uint8_t v) { return v == 0; });
}

TEST(ActivityBufferPoolTest, CompletedBuffersComeBackZeroedAndAreReused) {
  ActivityBufferPool pool(kSize, 4);
  uint8_t* b = pool.acquire();
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(allZero(b, kSize));
  EXPECT_EQ(pool.allocatedCount(), 1u);
  std::memset(b, 0xAB, 100);  // CUPTI wrote 100 bytes of records
  pool.complete({b, 100, 3});
  EXPECT_EQ(pool.queuedCount(), 1u);
  ActivityBufferPool::Completed c;
  ASSERT_TRUE(pool.takeCompleted(&c));
  EXPECT_EQ(c.data, b);
  EXPECT_EQ(c.valid_size, 100u);
  EXPECT_EQ(c.dropped, 3);
  EXPECT_FALSE(pool.takeCompleted(&c));
  pool.recycle(b, 100);
  EXPECT_EQ(pool.idleCount(), 1u);
  uint8_t* again = pool.acquire();
  EXPECT_EQ(again, b);
  EXPECT_TRUE(allZero(again, kSize));
  EXPECT_EQ(pool.allocatedCount(), 1u);
  pool.recycle(again, 0);
}

TEST(ActivityBufferPoolTest, QueueIsFifoAndIdleBuffersAreCapped) {
  ActivityBufferPool pool(kSize, 2);
  uint8_t* a = pool.acquire();
  uint8_t* b = pool.acquire();
  uint8_t* c = pool.acquire();
  EXPECT_EQ(pool.allocatedCount(), 3u);
  pool.complete({a, 1, 0});
  pool.complete({b, 2, 0});
  pool.complete({c, 3, 0});
  ActivityBufferPool::Completed got;
  for (uint8_t* want : {a, b, c}) {
    ASSERT_TRUE(pool.takeCompleted(&got));
    EXPECT_EQ(got.data, want);
    pool.recycle(got.data, got.valid_size);
  }
  EXPECT_EQ(pool.idleCount(), 2u);       // the third was freed
  EXPECT_EQ(pool.allocatedCount(), 2u);
}

TEST(ActivityBufferPoolTest, PrefillMakesAcquireAllocateNothing) {
  ActivityBufferPool pool(kSize, 8);
  pool.prefill(3);
  EXPECT_EQ(pool.idleCount(), 3u);
  EXPECT_EQ(pool.allocatedCount(), 3u);
  pool.prefill(2);  // already enough
  EXPECT_EQ(pool.allocatedCount(), 3u);
  std::vector<uint8_t*> got;
  for (int i = 0; i < 3; ++i) {
    got.push_back(pool.acquire());
    EXPECT_TRUE(allZero(got.back(), kSize));
  }
  EXPECT_EQ(pool.allocatedCount(), 3u);
  EXPECT_EQ(pool.idleCount(), 0u);
  for (uint8_t* b : got) pool.recycle(b, kSize);
}

TEST(ActivityBufferPoolTest, WaitWakesOnCompletionStopOrDeadline) {
  ActivityBufferPool pool(kSize, 4);
  std::atomic<bool> stop{false};
  // Deadline passes with nothing queued.
  auto t0 = Clock::now();
  EXPECT_FALSE(pool.waitCompleted(t0 + std::chrono::milliseconds(30), stop));
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(29));

  // A completion from another thread wakes the waiter long before its deadline.
  uint8_t* b = pool.acquire();
  std::thread producer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    pool.complete({b, 0, 0});
  });
  t0 = Clock::now();
  EXPECT_TRUE(pool.waitCompleted(t0 + std::chrono::seconds(30), stop));
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(10));
  producer.join();
  ActivityBufferPool::Completed c;
  ASSERT_TRUE(pool.takeCompleted(&c));
  pool.recycle(c.data, 0);

  // stop + wake ends the wait with nothing queued.
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stop.store(true);
    pool.wake();
  });
  t0 = Clock::now();
  EXPECT_FALSE(pool.waitCompleted(t0 + std::chrono::seconds(30), stop));
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(10));
  stopper.join();
}

TEST(ActivityBufferPoolTest, ForkChildDropsTheParentsQueuedRecords) {
  ActivityBufferPool pool(kSize, 4);
  uint8_t* b = pool.acquire();
  std::memset(b, 0x5A, 64);
  pool.complete({b, 64, 0});
  pool.lockForFork();
  pool.dropCompletedLocked();
  pool.unlockAfterFork();
  EXPECT_EQ(pool.queuedCount(), 0u);
  EXPECT_EQ(pool.idleCount(), 1u);
  uint8_t* again = pool.acquire();
  EXPECT_EQ(again, b);
  EXPECT_TRUE(allZero(again, kSize));
  pool.recycle(again, 0);
}

TEST(ActivityBufferPoolTest, ManyThreadsAcquireAndRecycle) {
  ActivityBufferPool pool(kSize, 64);
  std::vector<std::thread> threads;
  std::atomic<int> dirty{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        uint8_t* b = pool.acquire();
        if (!allZero(b, kSize)) dirty.fetch_add(1);
        std::memset(b, t + 1, 256);
        pool.complete({b, 256, 0});
        ActivityBufferPool::Completed c;
        if (pool.takeCompleted(&c)) pool.recycle(c.data, c.valid_size);
      }
    });
  for (auto& t : threads) t.join();
  ActivityBufferPool::Completed c;
  while (pool.takeCompleted(&c)) pool.recycle(c.data, c.valid_size);
  EXPECT_EQ(dirty.load(), 0);
  EXPECT_EQ(pool.queuedCount(), 0u);
  EXPECT_EQ(pool.idleCount(), pool.allocatedCount());
  EXPECT_LE(pool.allocatedCount(), 8u);  // at most two in flight per thread
}

}  // namespace
}  // namespace gpuscope::tracer
