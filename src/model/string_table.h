// Interned strings. Every name in a trace (kernel, API, NVTX text, thread)
// is stored once and referred to by a StringId. Id 0 is the empty string.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

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
  void reserve(size_t n) { index_.reserve(n); }
  // Looks up without inserting; returns false when absent.
  bool find(std::string_view s, StringId* id) const;

 private:
  std::deque<std::string> values_;  // deque: references stay valid on growth
  std::unordered_map<std::string_view, StringId> index_;
};

}  // namespace gpuscope::model
