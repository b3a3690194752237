// What an import skipped or repaired, and why. Nothing is dropped silently:
// importers count every row they cannot use under a named counter, the
// store keeps the counters in the `diagnostics` table, and the CLI prints one
// line per counter at the end of an import.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gpuscope::model {

enum class Severity { kInfo, kDataLoss, kError };
std::string_view severityName(Severity s);

struct Diagnostic {
  std::string name;            // stable tag, e.g. "kernel_end_before_start"
  Severity severity = Severity::kInfo;
  int64_t count = 0;
  std::string first_position;  // where it was first seen: "row 17 of KERNEL", "byte 4096"
  std::string description;     // one human sentence
};

class Diagnostics {
 public:
  // Adds `n` to counter `name`, creating it with the given severity and
  // description; `position` is kept only for the first occurrence.
  void add(std::string_view name, Severity severity, std::string_view description,
           std::string_view position, int64_t n = 1);
  const std::vector<Diagnostic>& all() const { return items_; }
  int64_t count(std::string_view name) const;
  bool empty() const { return items_.empty(); }
  // Restores a counter as stored (used by the store reader).
  void restore(Diagnostic d) { items_.push_back(std::move(d)); }

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace gpuscope::model
