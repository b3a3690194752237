#include "model/string_table.h"

namespace gpuscope::model {

StringTable::StringTable() { intern(""); }

StringId StringTable::intern(std::string_view s) {
  auto it = index_.find(s);
  if (it != index_.end()) return it->second;
  auto id = static_cast<StringId>(values_.size());
  values_.emplace_back(s);
  index_.emplace(values_.back(), id);
  return id;
}

bool StringTable::find(std::string_view s, StringId* id) const {
  auto it = index_.find(s);
  if (it == index_.end()) return false;
  *id = it->second;
  return true;
}

}  // namespace gpuscope::model
