#include "engine/ops/op_def.h"

namespace gpuscope::engine {

const OpRegistry& OpRegistry::instance() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerShapeOps(r);
    registerNnOps(r);
    registerPointwiseOps(r);
    registerFusedOps(r);
    return r;
  }();
  return registry;
}

const OpDef* OpRegistry::find(std::string_view type) const {
  for (const OpDef& d : defs_)
    if (d.type == type) return &d;
  return nullptr;
}

std::vector<std::string_view> OpRegistry::types() const {
  std::vector<std::string_view> out;
  for (const OpDef& d : defs_) out.push_back(d.type);
  return out;
}

void OpRegistry::add(OpDef def) { defs_.push_back(def); }

}  // namespace gpuscope::engine
