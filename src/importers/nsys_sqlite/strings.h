// nsys interns every name in StringIds(id, value). We load that table once
// into one arena and intern into the trace's StringTable only the ids that
// rows actually use (a system-wide capture holds many strings no imported
// row refers to), caching nsys id -> model id.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "importers/nsys_sqlite/database.h"
#include "model/string_table.h"

namespace gpuscope::importers::nsys_sqlite {

// The rule nsys's shipped reports use to drop an API version suffix:
// `CASE substr(name, -6, 2) WHEN '_v' THEN substr(name, 1, length(name) - 6)`,
// i.e. when the 6th- and 5th-from-last characters are "_v", the last six
// characters go ("cudaLaunchKernel_v7000" -> "cudaLaunchKernel").
std::string_view stripApiVersionSuffix(std::string_view name);

class NsysStrings {
 public:
  // Reads StringIds (absent table: no strings).
  Status load(const Database& db);

  bool has(int64_t nsys_id) const;
  std::string_view value(int64_t nsys_id) const;

  // Model id for an nsys string id; NULL or unknown ids give kEmptyString.
  model::StringId intern(int64_t nsys_id, model::StringTable& table);
  // Same, with the API version suffix stripped.
  model::StringId internApiName(int64_t nsys_id, model::StringTable& table);

  size_t size() const { return count_; }

 private:
  static constexpr model::StringId kUnset = 0xFFFFFFFFu;
  // Dense: index = nsys id. Sparse ids (never seen in practice) use the map.
  int64_t slot(int64_t nsys_id) const;

  std::string arena_;
  std::vector<uint64_t> begin_;  // per slot: [begin_, ends_) in arena_
  std::vector<uint64_t> ends_;
  std::vector<uint8_t> present_;
  std::unordered_map<int64_t, int64_t> sparse_;  // nsys id -> slot when ids are sparse
  bool dense_ = true;
  size_t count_ = 0;
  std::vector<model::StringId> plain_;
  std::vector<model::StringId> stripped_;
};

}  // namespace gpuscope::importers::nsys_sqlite
