#include "analysis/layers/layer_table.h"

#include <algorithm>
#include <unordered_map>

#include "analysis/iterations.h"
#include "analysis/myelin/kernel_name_decoder.h"

namespace gpuscope::analysis {
namespace {

bool isWrapperRange(std::string_view name, std::string_view domain, const std::string& iteration_name) {
  if (domain == "myelin-exec") return true;
  if (name == "ExecutionContext::enqueue" || name == "TensorRT:ExecutionContext::enqueue") return true;
  std::string norm = normalizeIterationName(name);
  return norm == iteration_name || norm == "ProfilerStep#N";
}

}  // namespace

LayerTable buildLayerTable(TraceIndex& index, const IterationSet& iterations) {
  const model::Trace& t = index.trace();
  stats::ReportContext& ctx = index.context();
  LayerTable table;
  table.iterations = std::max<size_t>(1, iterations.items.size());
  table.iteration_name = iterations.name;

  // Kernels in scope.
  std::vector<uint32_t> kernels;
  if (!iterations.items.empty()) {
    for (const Iteration& it : iterations.items)
      for (uint32_t op : it.ops)
        if (index.isKernel(op)) kernels.push_back(stats::gpuOpRow(op));
  } else {
    for (uint32_t i = 0; i < t.kernels.size(); ++i)
      if (t.kernels.start[i] > 0 && t.kernels.end[i] >= t.kernels.start[i]) kernels.push_back(i);
  }

  // Innermost non-wrapper NVTX range per launch call.
  const stats::NvtxRangeSet& ranges = ctx.projectionRanges();
  std::vector<uint8_t> wrapper(ranges.size(), 0);
  for (uint32_t r = 0; r < ranges.size(); ++r) {
    uint32_t row = ranges.row[r];
    wrapper[r] = isWrapperRange(t.str(t.nvtx.text[row]), t.str(t.nvtx.domain[row]), iterations.name);
  }
  std::unordered_map<uint32_t, uint32_t> range_of_api;
  for (auto [r, a] : ctx.rangeApiPairs()) {
    if (wrapper[r]) continue;
    auto [it, fresh] = range_of_api.try_emplace(a, r);
    if (!fresh && ranges.level[r] > ranges.level[it->second]) it->second = r;
  }
  // Graph nodes -> NVTX text recorded at capture.
  std::unordered_map<int64_t, model::StringId> node_text;
  for (size_t i = 0; i < t.graph_nodes.size(); ++i)
    if (t.graph_nodes.nvtx_text[i] != model::kEmptyString)
      node_text.emplace(t.graph_nodes.node_id[i], t.graph_nodes.nvtx_text[i]);
  std::unordered_map<int64_t, uint32_t> cpu_op_by_ext;
  for (size_t i = 0; i < t.cpu_ops.size(); ++i)
    if (t.cpu_ops.external_id[i] != model::kNullI64) cpu_op_by_ext.emplace(t.cpu_ops.external_id[i], i);

  // Kernels are grouped by the StringId of the text that names their layer
  // (no string work per kernel); texts naming the same layer merge below.
  enum Source : uint8_t { kNvtx, kGraphNode, kCpuOp, kNone };
  static const char* kSourceName[] = {"nvtx", "graph_node", "cpu_op", "none"};
  struct Acc {
    Source source = kNone;
    std::vector<int64_t> durations;
    std::unordered_map<model::StringId, int64_t> by_kernel;
  };
  std::unordered_map<uint64_t, Acc> groups;  // (source << 32) | StringId
  for (uint32_t k : kernels) {
    Source source = kNone;
    model::StringId text = model::kEmptyString;
    int32_t api = index.launchApi(stats::packGpuOp(stats::GpuOpTable::kKernel, k));
    if (api >= 0 && index.apiClass(api) != ApiClass::kGraphLaunch) {
      auto r = range_of_api.find(static_cast<uint32_t>(api));
      // The domain ("TensorRT") is not part of the layer name.
      if (r != range_of_api.end()) text = t.nvtx.text[ranges.row[r->second]], source = kNvtx;
    }
    if (source == kNone && t.kernels.graph_node_id[k] != model::kNullI64) {
      auto n = node_text.find(t.kernels.graph_node_id[k]);
      if (n != node_text.end()) text = n->second, source = kGraphNode;
    }
    if (source == kNone && t.kernels.external_id[k] != model::kNullI64) {
      auto c = cpu_op_by_ext.find(t.kernels.external_id[k]);
      if (c != cpu_op_by_ext.end()) text = t.cpu_ops.name[c->second], source = kCpuOp;
    }
    Acc& a = groups[(static_cast<uint64_t>(source) << 32) | text];
    a.source = source;
    int64_t d = t.kernels.end[k] - t.kernels.start[k];
    a.durations.push_back(d);
    a.by_kernel[t.kernels.name[k]] += d;
    table.total += d;
  }
  std::unordered_map<std::string, Acc> acc;
  for (auto& [key, g] : groups) {
    model::StringId text = static_cast<model::StringId>(key & 0xFFFFFFFFu);
    std::string layer = g.source == kNone ? std::string(kNoLayer)
                        : g.source == kCpuOp ? std::string(t.str(text))
                                             : layerNameFromNvtx(t.str(text));
    Acc& a = acc[layer];
    if (a.durations.empty()) a.source = g.source;
    a.durations.insert(a.durations.end(), g.durations.begin(), g.durations.end());
    for (auto& [name, time] : g.by_kernel) a.by_kernel[name] += time;
  }
  for (auto& [layer, a] : acc) {
    LayerRow r;
    r.layer = layer;
    r.parsed = parseLayerName(layer);
    r.source = kSourceName[a.source];
    r.kernels = a.by_kernel.size();
    r.calls = a.durations.size();
    for (int64_t d : a.durations) r.total += d;
    std::sort(a.durations.begin(), a.durations.end());
    size_t n = a.durations.size();
    r.median = n % 2 ? a.durations[n / 2] : (a.durations[n / 2 - 1] + a.durations[n / 2]) / 2;
    r.avg = static_cast<double>(r.total) / static_cast<double>(n);
    r.pct = table.total > 0 ? 100.0 * static_cast<double>(r.total) / static_cast<double>(table.total) : 0;
    r.per_iteration = static_cast<double>(r.total) / static_cast<double>(table.iterations);
    int64_t best = -1;
    for (auto& [name, time] : a.by_kernel) {
      if (time > best) best = time, r.top_kernel = t.str(name);
      DecodedKernel dk = decodeKernelName(t.str(name));
      for (const std::string& p : dk.patterns)
        if (std::find(r.patterns.begin(), r.patterns.end(), p) == r.patterns.end()) r.patterns.push_back(p);
    }
    table.rows.push_back(std::move(r));
  }
  std::sort(table.rows.begin(), table.rows.end(), [](const LayerRow& x, const LayerRow& y) {
    return x.total != y.total ? x.total > y.total : x.layer < y.layer;
  });
  return table;
}

}  // namespace gpuscope::analysis
