// FlatIndex: an open-addressing map from a 128-bit key to a dense id
// (0, 1, 2, ... in first-seen order). Grouping tens of millions of events
// by composite keys is the hot loop of several reports; std::unordered_map
// allocates a node per key and chases pointers on every lookup.
#pragma once

#include <cstdint>
#include <vector>

namespace gpuscope::stats {

class FlatIndex {
 public:
  explicit FlatIndex(size_t expected = 16) { rehash(capacityFor(expected)); }

  // The id of (a, b), inserting it if new; *fresh tells which.
  uint32_t intern(uint64_t a, uint64_t b, bool* fresh = nullptr) {
    if ((size_ + 1) * 4 > slots_.size() * 3) rehash(slots_.size() * 2);
    size_t mask = slots_.size() - 1;
    for (size_t i = hash(a, b) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.id == kEmpty) {
        s = Slot{a, b, static_cast<uint32_t>(size_)};
        ++size_;
        if (fresh) *fresh = true;
        return s.id;
      }
      if (s.a == a && s.b == b) {
        if (fresh) *fresh = false;
        return s.id;
      }
    }
  }
  size_t size() const { return size_; }

 private:
  static constexpr uint32_t kEmpty = 0xFFFFFFFFu;
  struct Slot {
    uint64_t a = 0, b = 0;
    uint32_t id = kEmpty;
  };
  static size_t capacityFor(size_t n) {
    size_t c = 16;
    while (c * 3 < n * 4) c *= 2;
    return c;
  }
  static uint64_t hash(uint64_t a, uint64_t b) {
    uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
    return h ^ (h >> 29);
  }
  void rehash(size_t capacity) {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(capacity, Slot{});
    size_t mask = capacity - 1;
    for (const Slot& s : old) {
      if (s.id == kEmpty) continue;
      size_t i = hash(s.a, s.b) & mask;
      while (slots_[i].id != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace gpuscope::stats
