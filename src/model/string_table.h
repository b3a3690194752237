// Interned strings. Every name in a trace (kernel, API, NVTX text, thread)
// is stored once and referred to by a StringId. Id 0 is the empty string.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace gpuscope::model {

using StringId = uint32_t;
inline constexpr StringId kEmptyString = 0;

class StringTable {
 public:
  StringTable();
  StringTable(const StringTable&) = delete;
  StringTable& operator=(const StringTable&) = delete;
  StringTable(StringTable&&) = default;
  StringTable& operator=(StringTable&&) = default;

  StringId intern(std::string_view s);
  std::string_view get(StringId id) const { return values_[id]; }
  size_t size() const { return values_.size(); }
  // Sizes the index for `n` strings in all (loading millions at once).
  void reserve(size_t n);
  // Looks up without inserting; returns false when absent.
  bool find(std::string_view s, StringId* id) const;

 private:
  // Open addressing, linear probing, load <= 1/2. A slot holds id + 1
  // (0 = empty) and 32 bits of the hash, so most mismatches cost no string
  // compare; no node per string (stores carry millions of distinct names).
  struct Slot {
    uint32_t id_plus_1 = 0;
    uint32_t hash = 0;
  };
  // The slot holding `s`, or the empty slot where it would go.
  size_t probe(std::string_view s, uint64_t h) const;
  void grow(size_t capacity);

  std::deque<std::string> values_;  // deque: references stay valid on growth
  std::vector<Slot> slots_;
};

}  // namespace gpuscope::model
