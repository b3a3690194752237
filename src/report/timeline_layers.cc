// Which layer each kernel belongs to, and the "layers" band rows that group
// consecutive kernels of one stream in one layer.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analysis/iterations.h"
#include "analysis/layers/kernel_layer.h"
#include "analysis/layers/layer_name.h"
#include "report/timeline_builder.h"

namespace gpuscope::report::internal {

// The layer of each kernel row (0: none), by the rule the Layers page's
// table uses (analysis/layers/kernel_layer.h), so the two agree.
std::vector<uint32_t> TimelineBuilder::kernelLayers() {
  std::vector<uint32_t> layer(t_.kernels.size(), 0);
  const std::vector<int32_t>& kapi = ctx_.kernelApi();
  const analysis::KernelLayerResolver resolver(t_, ctx_, o_.iteration_name);
  std::unordered_map<model::StringId, uint32_t> nvtx_layer;  // NVTX text -> layer name
  for (size_t k = 0; k < t_.kernels.size(); ++k) {
    const analysis::KernelLayerText named = resolver.resolve(uint32_t(k), kapi.empty() ? -1 : kapi[k]);
    switch (named.source) {
      case analysis::LayerSource::kNvtx:
      case analysis::LayerSource::kGraphNode: {
        auto [it, fresh] = nvtx_layer.try_emplace(named.text, 0);
        if (fresh) it->second = strings_.text(analysis::layerNameFromNvtx(t_.str(named.text)));
        layer[k] = it->second;
        break;
      }
      case analysis::LayerSource::kCpuOp: layer[k] = strings_.traceId(named.text); break;
      case analysis::LayerSource::kNone: break;
    }
  }
  return layer;
}

// Layer bands: consecutive kernels of one stream in one layer (`layer` is
// kernelLayers()' result).
void TimelineBuilder::addLayerBands(const std::vector<uint32_t>& layer) {
  const model::KernelTable& k = t_.kernels;
  std::map<std::pair<int32_t, int64_t>, std::vector<uint32_t>> by_stream;
  bool any_layer = false;
  for (uint32_t i = 0; i < k.size(); ++i) {
    if (k.start[i] == model::kNullI64) continue;
    by_stream[{k.device_id[i], k.stream_id[i]}].push_back(i);
    any_layer |= layer[i] != 0;
  }
  if (!any_layer) return;
  for (auto& [key, rows] : by_stream) {
    std::sort(rows.begin(), rows.end(), [&](uint32_t a, uint32_t b) { return k.start[a] < k.start[b]; });
    auto bandTrack = [&, key = key] {
      return track({0, key.first, key.second, 1}, deviceGroup(key.first),
                   "stream " + std::to_string(key.second) + " layers", EventKind::kLayer);
    };
    size_t i = 0;
    while (i < rows.size()) {
      size_t j = i;
      int64_t end = k.end[rows[i]];
      while (j + 1 < rows.size() && layer[rows[j + 1]] == layer[rows[i]]) end = std::max(end, k.end[rows[++j]]);
      if (layer[rows[i]] != 0) {
        uint32_t n = static_cast<uint32_t>(j - i + 1);
        add(bandTrack(), k.start[rows[i]], end, layer[rows[i]],
            strings_.text(std::to_string(n) + (n == 1 ? " kernel" : " kernels")), EventKind::kLayer);
      }
      i = j + 1;
    }
  }
}

}  // namespace gpuscope::report::internal
