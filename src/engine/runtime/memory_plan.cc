#include "engine/runtime/memory_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "engine/gpu/gpu_layer.h"

namespace gpuscope::engine {

int64_t alignUp(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

ArenaPlan planArena(std::span<const BufferRequest> requests) {
  ArenaPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (requests[a].bytes != requests[b].bytes) return requests[a].bytes > requests[b].bytes;
    return requests[a].first < requests[b].first;
  });
  struct Placed {
    int64_t offset, end;
    size_t request;
  };
  std::vector<Placed> placed;  // kept sorted by offset
  std::vector<const Placed*> clashing;
  for (size_t r : order) {
    const BufferRequest& req = requests[r];
    if (req.bytes <= 0) continue;
    int64_t size = alignUp(req.bytes, kArenaAlignment);
    int64_t candidate = 0;
    // placed is sorted by offset, so one sweep finds the lowest gap that is
    // free of every buffer alive at the same time.
    for (const Placed& p : placed) {
      const BufferRequest& other = requests[p.request];
      bool overlap = other.first <= req.last && req.first <= other.last;
      if (!overlap) continue;
      if (candidate + size <= p.offset) break;
      candidate = std::max(candidate, p.end);
    }
    plan.offsets[r] = candidate;
    plan.bytes = std::max(plan.bytes, candidate + size);
    Placed np{candidate, candidate + size, r};
    auto at = std::upper_bound(placed.begin(), placed.end(), np,
                               [](const Placed& a, const Placed& b) { return a.offset < b.offset; });
    placed.insert(at, np);
  }
  return plan;
}

StatusOr<GraphMemoryPlan> planGraphMemory(const Graph& graph, std::span<const NodeId> steps) {
  const size_t nv = graph.values.size();
  GraphMemoryPlan plan;
  plan.values.assign(nv, {});
  std::vector<ValueId> root(nv);
  std::iota(root.begin(), root.end(), ValueId(0));
  std::vector<int> produced_at(nv, -1), last_use(nv, -1);
  std::vector<int> input_index(nv, -1);
  for (size_t i = 0; i < graph.inputs.size(); ++i) input_index[size_t(graph.inputs[i])] = int(i);

  auto place_constant = [&](ValueId v) {
    ValueLocation& loc = plan.values[size_t(v)];
    if (loc.storage == Storage::kWeights) return;
    loc = {Storage::kWeights, plan.weight_bytes};
    plan.weight_bytes = alignUp(plan.weight_bytes + graph.values[size_t(v)].desc.bytes(), kArenaAlignment);
  };

  for (size_t i = 0; i < steps.size(); ++i) {
    const Node& node = graph.nodes[size_t(steps[i])];
    for (ValueId in : node.inputs) {
      if (in == kNoValue) continue;
      ValueId r = root[size_t(in)];
      if (graph.isConstant(r)) {
        place_constant(r);
      } else if (input_index[size_t(r)] < 0 && (produced_at[size_t(r)] < 0 || produced_at[size_t(r)] >= int(i))) {
        return InvalidInput(fmt::format("{}: input '{}' is read before any layer produces it",
                                        graph.describe(steps[i]), graph.values[size_t(in)].name));
      }
      last_use[size_t(r)] = std::max(last_use[size_t(r)], int(i));
    }
    if (isViewOp(node.op) && !node.inputs.empty() && node.inputs[0] != kNoValue && node.outputs.size() == 1) {
      root[size_t(node.outputs[0])] = root[size_t(node.inputs[0])];
      continue;
    }
    for (ValueId out : node.outputs) produced_at[size_t(out)] = int(i);
  }

  // Graph outputs: the producing layer writes straight into the output
  // binding when it can; otherwise the output is copied at the end.
  std::vector<bool> claimed(nv, false);
  for (size_t o = 0; o < graph.outputs.size(); ++o) {
    ValueId r = root[size_t(graph.outputs[o])];
    if (graph.isConstant(r)) place_constant(r);
    bool activation = !graph.isConstant(r) && input_index[size_t(r)] < 0 && produced_at[size_t(r)] >= 0;
    if (activation && !claimed[size_t(r)]) {
      claimed[size_t(r)] = true;
      plan.values[size_t(r)] = {Storage::kOutput, int64_t(o)};
      continue;
    }
    plan.output_copies.push_back({{}, int(o), graph.values[size_t(graph.outputs[o])].desc.bytes()});
  }

  std::vector<BufferRequest> requests;
  std::vector<ValueId> request_value;
  for (size_t v = 0; v < nv; ++v) {
    if (root[v] != ValueId(v) || produced_at[v] < 0 || claimed[v] || graph.isConstant(ValueId(v))) continue;
    int64_t bytes = graph.values[v].desc.bytes();
    if (bytes < 0) return InvalidInput(fmt::format("value '{}' has an unknown shape", graph.values[v].name));
    requests.push_back({bytes, produced_at[v], std::max(produced_at[v], last_use[v])});
    request_value.push_back(ValueId(v));
    plan.sum_activation_bytes += alignUp(bytes, kArenaAlignment);
  }
  ArenaPlan arena = planArena(requests);
  plan.arena_bytes = arena.bytes;
  for (size_t i = 0; i < requests.size(); ++i)
    plan.values[size_t(request_value[i])] = {Storage::kArena, arena.offsets[i]};
  for (size_t i = 0; i < graph.inputs.size(); ++i)
    plan.values[size_t(graph.inputs[i])] = {Storage::kInput, int64_t(i)};
  // Aliases take their root's location.
  for (size_t v = 0; v < nv; ++v)
    if (root[v] != ValueId(v)) plan.values[v] = plan.values[size_t(root[v])];
  for (OutputCopy& c : plan.output_copies) c.from = plan.values[size_t(root[size_t(graph.outputs[size_t(c.output)])])];
  return plan;
}

}  // namespace gpuscope::engine
