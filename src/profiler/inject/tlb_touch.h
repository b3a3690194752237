// Which addresses to touch after the L2 flush so the measured kernel starts
// with its pages already translated, as under ncu.
//
// The flush (cache_flush.h) reads a scratch buffer 4x the L2 (240 MB on an
// H200), which also replaces the GPU's TLB entries with the scratch
// buffer's. ncu's cache control flushes caches, not TLBs, and its replays
// follow the application's previous kernel, so there the kernel's pages are
// translated already. Run 6 (tests/gpu/evidence/2026-11-29-kernels-run6)
// showed the difference: with DRAM bytes equal to ncu's, saxpy still took
// +11% and a one-block reduction +320 ns (one page walk's worth).
//
// So after the flush, gs_tlb_touch (flush_ptx.h) reads one word per page of
// every allocation the launch's arguments point into: every 8-byte word of
// the argument buffer that is the address of ordinary device memory (not
// managed: a read would migrate it; not host memory) counts as a pointer.
// Each touch leaves one 32-byte sector in L2, at most kTouchMax of them
// (512 KB): saxpy's 192 MB footprint gets 3,072 touches, 0.05% of its DRAM
// reads. Header-only, so tests check the planning without a GPU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <vector>

namespace gpuscope::profiler::inject {

// The driver maps cuMemAlloc memory with 64 KB or 2 MB pages: one touch
// per 64 KB covers both.
inline constexpr uint64_t kTouchStride = uint64_t{64} << 10;
// Pages after each pointer (128 MB): a tensor inside a multi-GB caching
// allocator segment must not expand into the whole segment.
inline constexpr size_t kTouchPerPointer = 2048;
// All touches of one launch (the list buffer holds this many addresses).
inline constexpr size_t kTouchMax = 16384;

struct DeviceRange {
  uint64_t start = 0;
  uint64_t size = 0;
};

// True, with the allocation that contains `address`, when it is ordinary
// device memory of the current context.
using RangeQuery = std::function<bool(uint64_t address, DeviceRange& range)>;

// The addresses gs_tlb_touch reads for a launch whose argument buffer holds
// `words`: per pointer, its own (4-byte aligned) address, then the start of
// each following 64 KB page of its allocation, up to kTouchPerPointer pages;
// one address per page over all pointers (the first wins), in argument
// order, at most kTouchMax.
inline std::vector<uint64_t> touchAddresses(const std::vector<uint64_t>& words, const RangeQuery& query) {
  std::vector<uint64_t> out;
  std::map<uint64_t, bool> pages;  // page index -> touched
  for (uint64_t w : words) {
    if (w == 0 || out.size() >= kTouchMax) continue;
    DeviceRange r;
    if (!query(w, r) || r.size == 0 || w < r.start || w - r.start >= r.size) continue;
    const uint64_t end = r.start + r.size;
    uint64_t addr = w & ~uint64_t{3};
    if (addr < r.start) addr = r.start;
    for (size_t n = 0; n < kTouchPerPointer && addr < end && out.size() < kTouchMax; ++n) {
      if (pages.emplace(addr / kTouchStride, true).second) out.push_back(addr);
      addr = (addr / kTouchStride + 1) * kTouchStride;
    }
  }
  return out;
}

// Every 8-byte-aligned 8-byte word of an argument of `size` bytes at `data`.
inline void appendWords(const void* data, size_t size, std::vector<uint64_t>& words) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (size_t off = 0; data != nullptr && off + 8 <= size; off += 8) {
    uint64_t w = 0;
    std::memcpy(&w, bytes + off, sizeof w);
    words.push_back(w);
  }
}

}  // namespace gpuscope::profiler::inject
