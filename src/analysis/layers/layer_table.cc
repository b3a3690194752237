#include "analysis/layers/layer_table.h"

#include <algorithm>
#include <unordered_map>

#include "analysis/iterations.h"
#include "analysis/layers/kernel_layer.h"
#include "analysis/myelin/kernel_name_decoder.h"

namespace gpuscope::analysis {

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

  const KernelLayerResolver resolver(t, ctx, iterations.name);

  // Kernels are grouped by the StringId of the text that names their layer
  // (no string work per kernel); texts naming the same layer merge below.
  static const char* kSourceName[] = {"nvtx", "graph_node", "cpu_op", "none"};
  struct Acc {
    LayerSource source = LayerSource::kNone;
    std::vector<int64_t> durations;
    std::unordered_map<model::StringId, int64_t> by_kernel;
  };
  std::unordered_map<uint64_t, Acc> groups;  // (source << 32) | StringId
  for (uint32_t k : kernels) {
    const KernelLayerText named = resolver.resolve(k, index.launchApi(stats::packGpuOp(stats::GpuOpTable::kKernel, k)));
    Acc& a = groups[(static_cast<uint64_t>(named.source) << 32) | named.text];
    a.source = named.source;
    int64_t d = t.kernels.end[k] - t.kernels.start[k];
    a.durations.push_back(d);
    a.by_kernel[t.kernels.name[k]] += d;
    table.total += d;
  }
  std::unordered_map<std::string, Acc> acc;
  for (auto& [key, g] : groups) {
    model::StringId text = static_cast<model::StringId>(key & 0xFFFFFFFFu);
    std::string layer = g.source == LayerSource::kNone    ? std::string(kNoLayer)
                        : g.source == LayerSource::kCpuOp ? std::string(t.str(text))
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
    r.source = kSourceName[static_cast<size_t>(a.source)];
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
