// Which layer each kernel belongs to, and the "layers" band rows that group
// consecutive kernels of one stream in one layer.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analysis/iterations.h"
#include "analysis/layers/layer_name.h"
#include "report/timeline_builder.h"

namespace gpuscope::report::internal {
namespace {

using model::kNullI64;

bool isWrapperRange(std::string_view name, std::string_view domain, const std::string& iteration_name) {
  if (domain == "myelin-exec") return true;
  if (name == "ExecutionContext::enqueue" || name == "TensorRT:ExecutionContext::enqueue") return true;
  std::string norm = analysis::normalizeIterationName(name);
  return norm == "ProfilerStep#N" || (!iteration_name.empty() && norm == iteration_name);
}

}  // namespace

// The layer of each kernel row, as analysis::buildLayerTable assigns it:
// the innermost non-wrapper NVTX range around the launch call, else the
// NVTX text of its CUDA-graph node, else the framework op with its
// External id. The same rule keeps the timeline's layer rows and the
// Layers page's table in agreement.
std::vector<uint32_t> TimelineBuilder::kernelLayers() {
  std::vector<uint32_t> layer(t_.kernels.size(), 0);
  const std::vector<int32_t>& kapi = ctx_.kernelApi();
  std::unordered_map<uint32_t, uint32_t> range_of_api;
  if (!t_.nvtx.empty()) {
    const stats::NvtxRangeSet& ranges = ctx_.projectionRanges();
    std::vector<uint8_t> wrapper(ranges.size());
    for (uint32_t r = 0; r < ranges.size(); ++r) {
      uint32_t row = ranges.row[r];
      wrapper[r] = isWrapperRange(t_.str(t_.nvtx.text[row]), t_.str(t_.nvtx.domain[row]), o_.iteration_name);
    }
    for (auto [r, a] : ctx_.rangeApiPairs()) {
      if (wrapper[r]) continue;
      auto [it, fresh] = range_of_api.try_emplace(a, r);
      if (!fresh && ranges.level[r] > ranges.level[it->second]) it->second = r;
    }
  }
  std::unordered_map<model::StringId, uint32_t> nvtx_layer;  // NVTX text -> layer name
  auto fromNvtx = [&](model::StringId text) {
    auto [it, fresh] = nvtx_layer.try_emplace(text, 0);
    if (fresh) it->second = strings_.text(analysis::layerNameFromNvtx(t_.str(text)));
    return it->second;
  };
  std::unordered_map<int64_t, model::StringId> node_text;
  for (size_t i = 0; i < t_.graph_nodes.size(); ++i)
    if (t_.graph_nodes.nvtx_text[i] != model::kEmptyString)
      node_text.emplace(t_.graph_nodes.node_id[i], t_.graph_nodes.nvtx_text[i]);
  std::unordered_map<int64_t, uint32_t> cpu_op_by_ext;
  for (size_t i = 0; i < t_.cpu_ops.size(); ++i)
    if (t_.cpu_ops.external_id[i] != kNullI64) cpu_op_by_ext.emplace(t_.cpu_ops.external_id[i], i);
  for (size_t k = 0; k < t_.kernels.size(); ++k) {
    int32_t api = kapi.empty() ? -1 : kapi[k];
    if (api >= 0) {
      auto r = range_of_api.find(static_cast<uint32_t>(api));
      if (r != range_of_api.end()) {
        layer[k] = fromNvtx(t_.nvtx.text[ctx_.projectionRanges().row[r->second]]);
        continue;
      }
    }
    if (t_.kernels.graph_node_id[k] != kNullI64) {
      auto n = node_text.find(t_.kernels.graph_node_id[k]);
      if (n != node_text.end()) { layer[k] = fromNvtx(n->second); continue; }
    }
    if (t_.kernels.external_id[k] != kNullI64) {
      auto c = cpu_op_by_ext.find(t_.kernels.external_id[k]);
      if (c != cpu_op_by_ext.end()) layer[k] = strings_.traceId(t_.cpu_ops.name[c->second]);
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
    if (k.start[i] == kNullI64) continue;
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
