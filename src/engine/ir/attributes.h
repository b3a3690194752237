// Node attributes: ONNX's AttributeProto kinds the engine uses, plus the
// engine's own attributes on fused nodes (activation, pointwise program, ...).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "engine/ir/tensor.h"

namespace gpuscope::engine {

using AttrValue = std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>,
                               std::vector<std::string>, std::shared_ptr<const HostTensor>>;

class Attributes {
 public:
  bool has(const std::string& name) const { return map_.count(name) != 0; }
  void set(const std::string& name, AttrValue value) { map_[name] = std::move(value); }
  void erase(const std::string& name) { map_.erase(name); }

  // Typed getters: the default when absent (ONNX semantics). A present
  // attribute of another kind also yields the default; the ONNX importer
  // checks kinds where an op needs them.
  int64_t getInt(const std::string& name, int64_t def) const;
  float getFloat(const std::string& name, float def) const;
  std::string getString(const std::string& name, const std::string& def = "") const;
  std::vector<int64_t> getInts(const std::string& name, std::vector<int64_t> def = {}) const;
  std::vector<float> getFloats(const std::string& name, std::vector<float> def = {}) const;
  std::shared_ptr<const HostTensor> getTensor(const std::string& name) const;

  const std::map<std::string, AttrValue>& all() const { return map_; }

 private:
  std::map<std::string, AttrValue> map_;
};

}  // namespace gpuscope::engine
