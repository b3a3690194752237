#include "model/diagnostics.h"

namespace gpuscope::model {

std::string_view severityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kDataLoss: return "data_loss";
    case Severity::kError: return "error";
  }
  return "info";
}

void Diagnostics::add(std::string_view name, Severity severity, std::string_view description,
                      std::string_view position, int64_t n) {
  for (auto& d : items_) {
    if (d.name == name) {
      d.count += n;
      return;
    }
  }
  items_.push_back(Diagnostic{std::string(name), severity, n, std::string(position),
                              std::string(description)});
}

int64_t Diagnostics::count(std::string_view name) const {
  for (const auto& d : items_) {
    if (d.name == name) return d.count;
  }
  return 0;
}

}  // namespace gpuscope::model
