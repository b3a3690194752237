#include "engine/gpu/nn/layer_base.h"

#include <fmt/format.h>

#include <algorithm>

namespace gpuscope::engine::gpu {

Status NodeView::requireInput(size_t i, std::string_view role) const {
  if (!hasInput(i)) return invalid(fmt::format("input {} ({}) is required", i, role));
  return OkStatus();
}

Status NodeView::requireKnown(const TensorDesc& d, std::string_view role) const {
  if (!shapeKnown(d.shape)) return invalid(fmt::format("{} has unknown shape {}", role, shapeText(d.shape)));
  return OkStatus();
}

Status NodeView::requireFloat(const TensorDesc& d, std::string_view role) const {
  GS_RETURN_IF_ERROR(requireKnown(d, role));
  if (d.dtype != DType::kFloat32 && d.dtype != DType::kFloat16 && d.dtype != DType::kBFloat16)
    return invalid(fmt::format("{} has dtype {}; the GPU layer supports fp32, fp16 and bf16", role, dtypeName(d.dtype)));
  return OkStatus();
}

StatusOr<std::vector<int64_t>> NodeView::constInts(size_t i, std::string_view role) const {
  if (!hasInput(i)) return std::vector<int64_t>{};
  const HostTensor* t = constant(i);
  if (!t) return invalid(fmt::format("input {} ({}) must be a constant for the GPU layer (shapes are static)", i, role));
  return t->toInts();
}

StatusOr<int64_t> normalizeAxis(const NodeView& v, int64_t axis, int64_t rank) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= std::max<int64_t>(rank, 1))
    return v.invalid(fmt::format("axis {} out of range for rank {}", axis, rank));
  return a;
}

StatusOr<std::vector<int64_t>> broadcastStrides(const NodeView& v, const Shape& in, const Shape& out) {
  if (in.size() > out.size()) return v.invalid(fmt::format("cannot broadcast {} to {}", shapeText(in), shapeText(out)));
  std::vector<int64_t> in_strides = contiguousStrides(in), s(out.size(), 0);
  size_t off = out.size() - in.size();
  for (size_t k = 0; k < in.size(); ++k) {
    if (in[k] == out[k + off]) s[k + off] = in[k] == 1 ? 0 : in_strides[k];
    else if (in[k] == 1) s[k + off] = 0;
    else return v.invalid(fmt::format("cannot broadcast {} to {}", shapeText(in), shapeText(out)));
  }
  return s;
}

uint64_t tacticIdOf(std::string_view name) {
  uint64_t h = 1469598103934665603ull;
  for (char c : name) {
    h ^= uint8_t(c);
    h *= 1099511628211ull;
  }
  return h;
}

SingleTacticLayer::SingleTacticLayer(std::string where, std::string tactic_name, std::string_view layer_type,
                                     std::string_view parameter_type)
    : where_(std::move(where)),
      tactic_name_(std::move(tactic_name)),
      tactic_id_(tacticIdOf(tactic_name_)),
      layer_type_(layer_type),
      parameter_type_(parameter_type) {}

Status SingleTacticLayer::select(uint64_t tactic_id) {
  if (tactic_id != tactic_id_)
    return InvalidInput(fmt::format("{}: unknown tactic 0x{:016x} (the layer has only 0x{:016x} {})", where_,
                                    tactic_id, tactic_id_, tactic_name_));
  return OkStatus();
}

}  // namespace gpuscope::engine::gpu
