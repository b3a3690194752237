#include "model/string_table.h"

#include <functional>

namespace gpuscope::model {
namespace {

uint64_t hashOf(std::string_view s) { return std::hash<std::string_view>()(s); }

}  // namespace

StringTable::StringTable() {
  grow(64);
  intern("");
}

void StringTable::reserve(size_t n) {
  size_t capacity = slots_.empty() ? 64 : slots_.size();
  while (capacity < 2 * n) capacity *= 2;
  if (capacity > slots_.size()) grow(capacity);
}

void StringTable::grow(size_t capacity) {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(capacity, Slot{});
  size_t mask = capacity - 1;
  for (const Slot& slot : old) {
    if (slot.id_plus_1 == 0) continue;
    // The low bits that pick a slot are the stored ones (capacity <= 2^32).
    size_t i = slot.hash & mask;
    while (slots_[i].id_plus_1 != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

size_t StringTable::probe(std::string_view s, uint64_t h) const {
  size_t mask = slots_.size() - 1;
  auto h32 = static_cast<uint32_t>(h);
  for (size_t i = h32 & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.id_plus_1 == 0) return i;
    if (slot.hash == h32 && values_[slot.id_plus_1 - 1] == s) return i;
  }
}

StringId StringTable::intern(std::string_view s) {
  if (slots_.empty()) grow(64);  // a moved-from table
  uint64_t h = hashOf(s);
  size_t i = probe(s, h);
  if (slots_[i].id_plus_1 != 0) return slots_[i].id_plus_1 - 1;
  auto id = static_cast<StringId>(values_.size());
  values_.emplace_back(s);
  slots_[i] = Slot{id + 1, static_cast<uint32_t>(h)};
  if (2 * values_.size() > slots_.size()) grow(2 * slots_.size());
  return id;
}

bool StringTable::find(std::string_view s, StringId* id) const {
  if (slots_.empty()) return false;
  size_t i = probe(s, hashOf(s));
  if (slots_[i].id_plus_1 == 0) return false;
  *id = slots_[i].id_plus_1 - 1;
  return true;
}

}  // namespace gpuscope::model
