#include "engine/gpu/gpu_layer.h"

#include <fmt/format.h>

namespace gpuscope::engine {

const GpuLayerRegistry& GpuLayerRegistry::instance() {
  static const GpuLayerRegistry registry = [] {
    GpuLayerRegistry r;
    registerGpuShapeLayers(r);
    registerGpuNnLayers(r);
    registerGpuPointwiseLayers(r);
    return r;
  }();
  return registry;
}

GpuLayerFactory GpuLayerRegistry::find(std::string_view op) const {
  for (const auto& [name, factory] : entries_)
    if (name == op) return factory;
  return nullptr;
}

StatusOr<std::unique_ptr<GpuLayer>> GpuLayerRegistry::create(const Graph& graph, NodeId n, GpuContext& ctx) const {
  const Node& node = graph.nodes[size_t(n)];
  GpuLayerFactory factory = find(node.op);
  if (!factory) return InvalidInput(fmt::format("{}: op '{}' has no GPU implementation", graph.describe(n), node.op));
  return factory(GpuLayerArgs{graph, n, ctx});
}

void GpuLayerRegistry::add(std::string_view op, GpuLayerFactory factory) { entries_.emplace_back(op, factory); }

bool isViewOp(std::string_view op) {
  return op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze" || op == "Identity";
}

}  // namespace gpuscope::engine
