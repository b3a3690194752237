#include "analysis/layers/kernel_layer.h"

#include "analysis/iterations.h"
#include "analysis/trace_index.h"

namespace gpuscope::analysis {

bool isWrapperRange(std::string_view name, std::string_view domain, const std::string& iteration_name) {
  if (domain == "myelin-exec") return true;
  if (name == "ExecutionContext::enqueue" || name == "TensorRT:ExecutionContext::enqueue") return true;
  std::string norm = normalizeIterationName(name);
  return norm == "ProfilerStep#N" || (!iteration_name.empty() && norm == iteration_name);
}

KernelLayerResolver::KernelLayerResolver(const model::Trace& t, stats::ReportContext& ctx,
                                         const std::string& iteration_name)
    : t_(t), graph_launch_name_(t.strings.size(), -1) {
  if (!t.nvtx.empty()) {
    ranges_ = &ctx.projectionRanges();
    std::vector<uint8_t> wrapper(ranges_->size());
    for (uint32_t r = 0; r < ranges_->size(); ++r) {
      uint32_t row = ranges_->row[r];
      wrapper[r] = isWrapperRange(t.str(t.nvtx.text[row]), t.str(t.nvtx.domain[row]), iteration_name);
    }
    for (auto [r, a] : ctx.rangeApiPairs()) {
      if (wrapper[r]) continue;
      auto [it, fresh] = range_of_api_.try_emplace(a, r);
      if (!fresh && ranges_->level[r] > ranges_->level[it->second]) it->second = r;
    }
  }
  for (size_t i = 0; i < t.graph_nodes.size(); ++i)
    if (t.graph_nodes.nvtx_text[i] != model::kEmptyString)
      node_text_.emplace(t.graph_nodes.node_id[i], t.graph_nodes.nvtx_text[i]);
  for (size_t i = 0; i < t.cpu_ops.size(); ++i)
    if (t.cpu_ops.external_id[i] != model::kNullI64) cpu_op_by_ext_.emplace(t.cpu_ops.external_id[i], i);
}

bool KernelLayerResolver::isGraphLaunch(model::StringId name) const {
  int8_t& known = graph_launch_name_[name];
  if (known < 0) known = classifyApiName(t_.str(name)) == ApiClass::kGraphLaunch;
  return known == 1;
}

KernelLayerText KernelLayerResolver::resolve(uint32_t k, int32_t launch_api) const {
  if (launch_api >= 0 && ranges_ != nullptr && !isGraphLaunch(t_.api_calls.name[launch_api])) {
    auto r = range_of_api_.find(static_cast<uint32_t>(launch_api));
    // The domain ("TensorRT") is not part of the layer name.
    if (r != range_of_api_.end()) return {LayerSource::kNvtx, t_.nvtx.text[ranges_->row[r->second]]};
  }
  if (t_.kernels.graph_node_id[k] != model::kNullI64) {
    auto n = node_text_.find(t_.kernels.graph_node_id[k]);
    if (n != node_text_.end()) return {LayerSource::kGraphNode, n->second};
  }
  if (t_.kernels.external_id[k] != model::kNullI64) {
    auto c = cpu_op_by_ext_.find(t_.kernels.external_id[k]);
    if (c != cpu_op_by_ext_.end()) return {LayerSource::kCpuOp, t_.cpu_ops.name[c->second]};
  }
  return {};
}

}  // namespace gpuscope::analysis
