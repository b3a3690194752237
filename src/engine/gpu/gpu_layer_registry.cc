#include "engine/gpu/gpu_layer.h"

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

void GpuLayerRegistry::add(std::string_view op, GpuLayerFactory factory) { entries_.emplace_back(op, factory); }

bool isViewOp(std::string_view op) {
  return op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze" || op == "Identity";
}

}  // namespace gpuscope::engine
