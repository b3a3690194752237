// The TLB touch after the L2 flush (src/profiler/inject/tlb_touch.h): which
// addresses are read for a launch's arguments, checked against a fake
// address space, and the internal-kernel filter of activity records.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "profiler/inject/flush_ptx.h"
#include "profiler/inject/tlb_touch.h"

namespace gpuscope::profiler::inject {
namespace {

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;

// Two device allocations: 192 KB at 1 GiB (3 pages of 64 KB) and 256 MB at
// 4 GiB; everything else is not device memory.
bool fakeQuery(uint64_t address, DeviceRange& range) {
  const DeviceRange ranges[] = {{1024 * kMiB, 192 * kKiB}, {4096 * kMiB, 256 * kMiB}};
  for (const DeviceRange& r : ranges) {
    if (address >= r.start && address < r.start + r.size) {
      range = r;
      return true;
    }
  }
  return false;
}

TEST(TlbTouchTest, OneAddressPerPageFromThePointerToTheEndOfItsAllocation) {
  // A pointer 100 bytes into the small allocation: its own address (4-byte
  // aligned down), then the starts of pages 2 and 3.
  std::vector<uint64_t> got = touchAddresses({1024 * kMiB + 102}, fakeQuery);
  std::vector<uint64_t> want = {1024 * kMiB + 100, 1024 * kMiB + 64 * kKiB, 1024 * kMiB + 128 * kKiB};
  EXPECT_EQ(got, want);
}

TEST(TlbTouchTest, NonPointersAndNullAreIgnored) {
  // 7 and 3 GiB lie in no allocation; 0 is null.
  EXPECT_TRUE(touchAddresses({0, 7, 3072 * kMiB}, fakeQuery).empty());
}

TEST(TlbTouchTest, PagesSharedByTwoPointersAreTouchedOnce) {
  // Both point into page 1 of the small allocation: page 1 once (the first
  // pointer's address), then pages 2 and 3.
  std::vector<uint64_t> got = touchAddresses({1024 * kMiB + 64 * kKiB + 8, 1024 * kMiB + 64 * kKiB + 512}, fakeQuery);
  std::vector<uint64_t> want = {1024 * kMiB + 64 * kKiB + 8, 1024 * kMiB + 128 * kKiB};
  EXPECT_EQ(got, want);
}

TEST(TlbTouchTest, ALargeAllocationIsTouchedAtMostPerPointerCapPagesAfterThePointer) {
  // 256 MB is 4,096 pages; from its start only kTouchPerPointer (2,048 =
  // 128 MB) are touched, the last one at 128 MB - 64 KB.
  std::vector<uint64_t> got = touchAddresses({4096 * kMiB}, fakeQuery);
  ASSERT_EQ(got.size(), size_t{2048});
  EXPECT_EQ(got.front(), 4096 * kMiB);
  EXPECT_EQ(got.back(), 4096 * kMiB + 128 * kMiB - 64 * kKiB);
}

TEST(TlbTouchTest, TheWholeListIsCappedAtTouchMax) {
  // Eight pointers 32 MB apart into a 1 GiB allocation: each could add 2,048
  // pages, but pages overlap and the total stops at kTouchMax (16,384).
  auto big = [](uint64_t a, DeviceRange& r) {
    if (a < 8192 * kMiB || a >= 9216 * kMiB) return false;
    r = {8192 * kMiB, 1024 * kMiB};
    return true;
  };
  std::vector<uint64_t> words;
  for (uint64_t i = 0; i < 8; ++i) words.push_back(8192 * kMiB + i * 128 * kMiB);
  std::vector<uint64_t> got = touchAddresses(words, big);
  // 8 pointers x 2,048 distinct pages (128 MB apart: no overlap) = 16,384.
  EXPECT_EQ(got.size(), kTouchMax);
  words.push_back(8192 * kMiB + 1000 * kMiB);  // one more pointer: over the cap
  EXPECT_EQ(touchAddresses(words, big).size(), kTouchMax);
}

TEST(TlbTouchTest, ArgumentWordsAreTheAlignedEightByteWords) {
  // A 20-byte argument holds two whole words; the trailing 4 bytes are not
  // a pointer.
  struct {
    uint64_t a = 0x1122334455667788ull;
    uint64_t b = 42;
    uint32_t c = 7;
  } arg;
  std::vector<uint64_t> words;
  appendWords(&arg, 20, words);
  EXPECT_EQ(words, (std::vector<uint64_t>{0x1122334455667788ull, 42}));
  appendWords(nullptr, 16, words);  // no buffer: nothing
  EXPECT_EQ(words.size(), size_t{2});
}

TEST(TlbTouchTest, ActivityRecordsOfTheCacheControlKernelsAreInternal) {
  EXPECT_TRUE(isInternalKernel("gs_l2_read"));
  EXPECT_TRUE(isInternalKernel("gs_l2_discard"));
  EXPECT_TRUE(isInternalKernel("gs_tlb_touch"));
  EXPECT_TRUE(isInternalKernel("gs_icache_evict"));
  EXPECT_FALSE(isInternalKernel("_Z5saxpyifPKfPf"));
  EXPECT_FALSE(isInternalKernel(nullptr));
}

}  // namespace
}  // namespace gpuscope::profiler::inject
