#include "engine/passes/view_algebra.h"

#include <algorithm>
#include <set>

#include "engine/passes/pass_util.h"

namespace gpuscope::engine::views {
namespace {

using namespace pass_util;

std::optional<std::vector<int64_t>> constInts(const Graph& graph, const Node& n, size_t input) {
  if (input >= n.inputs.size() || n.inputs[input] == kNoValue) return std::nullopt;
  const HostTensor* t = graph.constantOf(n.inputs[input]);
  if (!t) return std::nullopt;
  std::vector<int64_t> out;
  for (int64_t i = 0; i < t->elements(); ++i) out.push_back(int64_t(t->getDouble(i)));
  return out;
}

// Slice with step 1 on every axis: offset and extents.
std::optional<View> sliceView(const Graph& graph, const Node& n, const View& v) {
  std::vector<int64_t> starts, ends, axes, steps;
  if (graph.opset > 0 && graph.opset < 10) {
    starts = n.attrs.getInts("starts");
    ends = n.attrs.getInts("ends");
    axes = n.attrs.getInts("axes");
  } else {
    auto s = constInts(graph, n, 1), e = constInts(graph, n, 2);
    if (!s || !e) return std::nullopt;
    starts = *s;
    ends = *e;
    if (n.inputs.size() > 3 && n.inputs[3] != kNoValue) {
      auto a = constInts(graph, n, 3);
      if (!a) return std::nullopt;
      axes = *a;
    }
    if (n.inputs.size() > 4 && n.inputs[4] != kNoValue) {
      auto st = constInts(graph, n, 4);
      if (!st) return std::nullopt;
      steps = *st;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(int64_t(i));
  if (starts.size() != ends.size() || axes.size() != starts.size() || (!steps.empty() && steps.size() != starts.size()))
    return std::nullopt;
  View out = v;
  const int64_t rank = int64_t(v.shape.size());
  std::set<int64_t> seen;
  for (size_t i = 0; i < axes.size(); ++i) {
    if (!steps.empty() && steps[i] != 1) return std::nullopt;
    int64_t a = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (a < 0 || a >= rank || !seen.insert(a).second) return std::nullopt;
    const int64_t dim = v.shape[size_t(a)];
    int64_t s = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t e = ends[i] < 0 ? ends[i] + dim : ends[i];
    s = std::clamp<int64_t>(s, 0, dim);
    e = std::clamp<int64_t>(e, 0, dim);
    if (e <= s) return std::nullopt;
    out.offset += s * v.strides[size_t(a)];
    out.shape[size_t(a)] = e - s;
  }
  return out;
}

}  // namespace

View denseView(const Shape& shape) { return View{shape, contiguousStrides(shape), 0}; }

// The strides that show `v` with shape `to` (same element count) without a
// copy, or nullopt (torch's computeStride: dims split or merge only within
// runs of dims that are contiguous with each other).
std::optional<View> reshapeView(const View& v, const Shape& to) {
  if (shapeElements(v.shape) != shapeElements(to) || shapeElements(to) == 0) return std::nullopt;
  View out{to, std::vector<int64_t>(to.size(), 0), v.offset};
  if (v.shape.empty()) {  // a scalar: every target dim is 1
    for (size_t i = 0; i < to.size(); ++i) out.strides[i] = 1;
    return out;
  }
  int64_t view_d = int64_t(to.size()) - 1;
  int64_t chunk_base = v.strides.back(), tensor_numel = 1, view_numel = 1;
  for (int64_t td = int64_t(v.shape.size()) - 1; td >= 0; --td) {
    tensor_numel *= v.shape[size_t(td)];
    if (td == 0 || (v.shape[size_t(td - 1)] != 1 && v.strides[size_t(td - 1)] != tensor_numel * chunk_base)) {
      while (view_d >= 0 && (view_numel < tensor_numel || to[size_t(view_d)] == 1)) {
        out.strides[size_t(view_d)] = view_numel * chunk_base;
        view_numel *= to[size_t(view_d)];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (td > 0) {
        chunk_base = v.strides[size_t(td - 1)];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return out;
}

// The view of output `out_index` of `n` given the view of its data input.
std::optional<View> stepView(const Graph& graph, const Node& n, size_t out_index, const View& v) {
  const Shape& out_shape = graph.values[size_t(n.outputs[out_index])].desc.shape;
  std::optional<View> r;
  if (n.op == "Reshape" || n.op == "Squeeze" || n.op == "Unsqueeze" || n.op == "Flatten") {
    r = reshapeView(v, out_shape);
  } else if (n.op == "Transpose") {
    std::vector<int64_t> perm = n.attrs.getInts("perm");
    if (perm.empty())
      for (int64_t i = int64_t(v.shape.size()) - 1; i >= 0; --i) perm.push_back(i);
    if (perm.size() != v.shape.size()) return std::nullopt;
    View t{Shape(perm.size()), std::vector<int64_t>(perm.size()), v.offset};
    for (size_t i = 0; i < perm.size(); ++i) {
      if (perm[i] < 0 || perm[i] >= int64_t(perm.size())) return std::nullopt;
      t.shape[i] = v.shape[size_t(perm[i])];
      t.strides[i] = v.strides[size_t(perm[i])];
    }
    r = t;
  } else if (n.op == "Slice") {
    r = sliceView(graph, n, v);
  } else if (n.op == "Gather") {
    auto idx = constInts(graph, n, 1);
    if (!idx || idx->size() != 1 || graph.constantOf(n.inputs[1])->shape().size() > 1) return std::nullopt;
    const HostTensor* it = graph.constantOf(n.inputs[1]);
    const int64_t rank = int64_t(v.shape.size());
    int64_t a = n.attrs.getInt("axis", 0);
    if (a < 0) a += rank;
    if (a < 0 || a >= rank) return std::nullopt;
    int64_t i = (*idx)[0] < 0 ? (*idx)[0] + v.shape[size_t(a)] : (*idx)[0];
    if (i < 0 || i >= v.shape[size_t(a)]) return std::nullopt;
    View g = v;
    g.offset += i * v.strides[size_t(a)];
    if (it->shape().empty()) {  // scalar index: the axis disappears
      g.shape.erase(g.shape.begin() + a);
      g.strides.erase(g.strides.begin() + a);
    } else {
      g.shape[size_t(a)] = 1;
    }
    r = g;
  } else if (n.op == "Split") {
    const int64_t rank = int64_t(v.shape.size());
    int64_t a = n.attrs.getInt("axis", 0);
    if (a < 0) a += rank;
    if (a < 0 || a >= rank) return std::nullopt;
    int64_t start = 0;
    for (size_t o = 0; o < out_index; ++o) {
      if (n.outputs[o] == kNoValue) return std::nullopt;
      const Shape& s = graph.values[size_t(n.outputs[o])].desc.shape;
      if (s.size() != v.shape.size()) return std::nullopt;
      start += s[size_t(a)];
    }
    View s = v;
    s.offset += start * v.strides[size_t(a)];
    if (out_shape.size() != v.shape.size()) return std::nullopt;
    s.shape[size_t(a)] = out_shape[size_t(a)];
    if (start + s.shape[size_t(a)] > v.shape[size_t(a)]) return std::nullopt;
    r = s;
  }
  // Every step must reproduce the shape inference already gave the value.
  if (!r || r->shape != out_shape) return std::nullopt;
  return r;
}

bool isChainOp(const std::string& op) {
  return op == "Reshape" || op == "Squeeze" || op == "Unsqueeze" || op == "Flatten" || op == "Transpose" ||
         op == "Slice" || op == "Gather" || op == "Split";
}

std::optional<View> groupedTransposeView(const Graph& graph, const std::vector<std::pair<NodeId, size_t>>& steps,
                                         size_t i, const View& v) {
  if (i + 2 >= steps.size()) return std::nullopt;
  const Node& r1 = graph.nodes[size_t(steps[i].first)];
  const Node& tr = graph.nodes[size_t(steps[i + 1].first)];
  const Node& r2 = graph.nodes[size_t(steps[i + 2].first)];
  if (r1.op != "Reshape" || tr.op != "Transpose" || r2.op != "Reshape") return std::nullopt;
  const auto shapeOf = [&](size_t k) -> const Shape& {
    const Node& n = graph.nodes[size_t(steps[k].first)];
    return graph.values[size_t(n.outputs[steps[k].second])].desc.shape;
  };
  const Shape& mid = shapeOf(i);
  const Shape& out = shapeOf(i + 2);
  // Runs of v's dims whose products are mid's dims, in order.
  std::vector<std::pair<size_t, size_t>> groups;  // [begin, end) into v.shape
  size_t next = 0;
  for (int64_t m : mid) {
    const size_t begin = next;
    int64_t prod = 1;
    while (next < v.shape.size() && (next == begin || prod < m)) prod *= v.shape[next++];
    if (prod != m) return std::nullopt;
    groups.emplace_back(begin, next);
  }
  if (next != v.shape.size()) return std::nullopt;
  std::vector<int64_t> perm = tr.attrs.getInts("perm");
  if (perm.empty())
    for (int64_t k = int64_t(mid.size()) - 1; k >= 0; --k) perm.push_back(k);
  if (perm.size() != mid.size()) return std::nullopt;
  View t{Shape{}, {}, v.offset};
  std::vector<bool> seen(perm.size(), false);
  for (int64_t p : perm) {
    if (p < 0 || p >= int64_t(perm.size()) || seen[size_t(p)]) return std::nullopt;
    seen[size_t(p)] = true;
    for (size_t d = groups[size_t(p)].first; d < groups[size_t(p)].second; ++d) {
      t.shape.push_back(v.shape[d]);
      t.strides.push_back(v.strides[d]);
    }
  }
  if (t.shape != out) return std::nullopt;  // the second Reshape splits every group back as it was
  return t;
}


}  // namespace gpuscope::engine::views
