#include "engine/ops/fused/attention_layout.h"

#include <algorithm>
#include <numeric>

#include <fmt/format.h>

namespace gpuscope::engine::fused {
namespace {

std::array<int64_t, 4> denseStrides(const Shape& s) {
  return {s[1] * s[2] * s[3], s[2] * s[3], s[3], 1};
}

StatusOr<AttentionView> readView(const Attributes& attrs, const std::string& x, const Shape& buffer,
                                 const std::string& where) {
  AttentionView v;
  if (!attrs.has(x + "_strides")) {
    if (attrs.has(x + "_shape") || attrs.has(x + "_offset"))
      return InvalidInput(fmt::format("{}: {}_shape/{}_offset need {}_strides", where, x, x, x));
    if (buffer.size() != 4)
      return InvalidInput(fmt::format("{}: {} {} must be rank 4 (or a view given by {}_strides)", where,
                                      x == "q" ? "Q" : x == "k" ? "K" : "V", shapeText(buffer), x));
    v.shape = buffer;
    v.strides = denseStrides(buffer);
    return v;
  }
  std::vector<int64_t> shape = attrs.getInts(x + "_shape"), strides = attrs.getInts(x + "_strides");
  if (shape.size() != 4 || strides.size() != 4)
    return InvalidInput(fmt::format("{}: {}_shape and {}_strides must have 4 values, got {} and {}", where, x, x,
                                    shape.size(), strides.size()));
  v.dense = false;
  v.shape = Shape(shape.begin(), shape.end());
  v.offset = attrs.getInt(x + "_offset", 0);
  int64_t last = v.offset;
  for (size_t i = 0; i < 4; ++i) {
    if (shape[i] < 0 || strides[i] < 0)
      return InvalidInput(fmt::format("{}: {}_shape/{}_strides must not be negative", where, x, x));
    v.strides[i] = strides[i];
    if (shape[i] > 0) last += (shape[i] - 1) * strides[i];
  }
  const int64_t n = shapeElements(buffer);
  if (shapeElements(v.shape) > 0 && (v.offset < 0 || last >= n))
    return InvalidInput(fmt::format("{}: view {} (offset {}, strides [{}]) of {} reaches element {} of a {}-element buffer",
                                    where, x, v.offset, fmt::join(strides, ","), shapeText(buffer), last, n));
  return v;
}

}  // namespace

bool isPermutedDense(const Shape& shape, const std::array<int64_t, 4>& strides) {
  std::array<int, 4> order{0, 1, 2, 3};
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return strides[size_t(a)] < strides[size_t(b)]; });
  int64_t expect = 1;
  for (int i : order) {
    if (shape[size_t(i)] == 1) continue;  // any stride addresses the single index 0
    if (strides[size_t(i)] != expect) return false;
    expect *= shape[size_t(i)];
  }
  return true;
}

StatusOr<AttentionLayout> attentionLayout(const Attributes& attrs, const Shape& q_buffer, const Shape& k_buffer,
                                          const Shape& v_buffer, const std::string& where) {
  AttentionLayout l;
  l.k_transposed = attrs.getInt("k_transposed", 0) != 0;
  GS_ASSIGN_OR_RETURN(l.q, readView(attrs, "q", q_buffer, where));
  GS_ASSIGN_OR_RETURN(l.k, readView(attrs, "k", k_buffer, where));
  GS_ASSIGN_OR_RETURN(l.v, readView(attrs, "v", v_buffer, where));
  const Shape &q = l.q.shape, &k = l.k.shape, &v = l.v.shape;
  l.b = q[0];
  l.h = q[1];
  l.sq = q[2];
  l.d = q[3];
  l.sk = l.k_transposed ? k[3] : k[2];
  l.dv = v[3];
  const int64_t kd = l.k_transposed ? k[2] : k[3];
  if (k[0] != l.b || k[1] != l.h || v[0] != l.b || v[1] != l.h || kd != l.d || v[2] != l.sk)
    return InvalidInput(fmt::format("{}: Q {}, K {} (k_transposed={}), V {} do not agree", where, shapeText(q),
                                    shapeText(k), int(l.k_transposed), shapeText(v)));
  const Shape logical_y{l.b, l.h, l.sq, l.dv};
  l.out_shape = logical_y;
  l.y_strides = denseStrides(logical_y);
  if (attrs.has("out_shape")) {
    std::vector<int64_t> os = attrs.getInts("out_shape");
    l.out_shape = Shape(os.begin(), os.end());
    if (shapeElements(l.out_shape) != shapeElements(logical_y) ||
        std::any_of(os.begin(), os.end(), [](int64_t x) { return x < 0; }))
      return InvalidInput(fmt::format("{}: out_shape {} does not hold the {} elements of Y {}", where,
                                      shapeText(l.out_shape), shapeElements(logical_y), shapeText(logical_y)));
  }
  if (attrs.has("y_strides")) {
    std::vector<int64_t> ys = attrs.getInts("y_strides");
    if (ys.size() != 4) return InvalidInput(fmt::format("{}: y_strides must have 4 values, got {}", where, ys.size()));
    std::copy(ys.begin(), ys.end(), l.y_strides.begin());
    l.y_dense = l.y_strides == denseStrides(logical_y);
    if (!isPermutedDense(logical_y, l.y_strides))
      return InvalidInput(fmt::format("{}: y_strides [{}] do not write each element of Y {} exactly once", where,
                                      fmt::join(ys, ","), shapeText(logical_y)));
  }
  return l;
}

}  // namespace gpuscope::engine::fused
