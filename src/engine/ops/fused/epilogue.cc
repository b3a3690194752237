#include <fmt/format.h>

#include "engine/ops/fused/fused_defs.h"

namespace gpuscope::engine::fused {

StatusOr<Epilogue> parseEpilogue(const Attributes& attrs, const std::string& allowed, const std::string& where) {
  Epilogue e;
  std::string name = attrs.getString("activation", "");
  if (name.empty()) return e;
  bool listed = false;
  size_t start = 0;
  while (start <= allowed.size()) {
    size_t comma = allowed.find(',', start);
    if (comma == std::string::npos) comma = allowed.size();
    listed |= allowed.compare(start, comma - start, name) == 0 && comma - start == name.size();
    start = comma + 1;
  }
  if (!listed)
    return InvalidInput(fmt::format("{}: activation '{}' is not one of {}", where, name, allowed));
  if (name == "Relu") e.act = Activation::kRelu;
  else if (name == "Clip") e.act = Activation::kClip;
  else if (name == "Sigmoid") e.act = Activation::kSigmoid;
  else if (name == "Tanh") e.act = Activation::kTanh;
  else if (name == "Gelu") e.act = Activation::kGelu;
  else if (name == "GeluTanh") e.act = Activation::kGeluTanh;
  else return InvalidInput(fmt::format("{}: unknown activation '{}'", where, name));
  if (e.act == Activation::kClip) {
    e.clip_min = attrs.getFloat("clip_min", -INFINITY);
    e.clip_max = attrs.getFloat("clip_max", INFINITY);
  }
  return e;
}

}  // namespace gpuscope::engine::fused
