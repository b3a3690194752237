#include "engine/ir/attributes.h"

namespace gpuscope::engine {

namespace {
template <typename T>
const T* find(const std::map<std::string, AttrValue>& map, const std::string& name) {
  auto it = map.find(name);
  if (it == map.end()) return nullptr;
  return std::get_if<T>(&it->second);
}
}  // namespace

int64_t Attributes::getInt(const std::string& name, int64_t def) const {
  const auto* v = find<int64_t>(map_, name);
  return v ? *v : def;
}

float Attributes::getFloat(const std::string& name, float def) const {
  if (const auto* v = find<float>(map_, name)) return *v;
  return def;
}

std::string Attributes::getString(const std::string& name, const std::string& def) const {
  const auto* v = find<std::string>(map_, name);
  return v ? *v : def;
}

std::vector<int64_t> Attributes::getInts(const std::string& name, std::vector<int64_t> def) const {
  const auto* v = find<std::vector<int64_t>>(map_, name);
  return v ? *v : def;
}

std::vector<float> Attributes::getFloats(const std::string& name, std::vector<float> def) const {
  const auto* v = find<std::vector<float>>(map_, name);
  return v ? *v : def;
}

std::shared_ptr<const HostTensor> Attributes::getTensor(const std::string& name) const {
  const auto* v = find<std::shared_ptr<const HostTensor>>(map_, name);
  return v ? *v : nullptr;
}

}  // namespace gpuscope::engine
