// EngineImpl: layer bookkeeping shared by CPU and GPU engines, saving and
// loading the engine file.
#include <fmt/format.h>

#include <algorithm>

#include "base/file.h"
#include "base/version.h"
#include "engine/ops/op_def.h"
#include "engine/runtime/engine_impl.h"
#include "engine/runtime/layer_info.h"
#include "engine/serialize/engine_file.h"

namespace gpuscope::engine {

std::vector<IoTensor> EngineImpl::io() const {
  std::vector<IoTensor> out;
  for (ValueId v : graph_.inputs) out.push_back({graph_.values[size_t(v)].name, graph_.values[size_t(v)].desc, true});
  for (ValueId v : graph_.outputs) out.push_back({graph_.values[size_t(v)].name, graph_.values[size_t(v)].desc, false});
  return out;
}

std::string EngineImpl::layerInfoJson(ProfilingVerbosity verbosity) const {
  // Like TensorRT, the inspector cannot report more than the build recorded
  // (none < layer names < detailed).
  auto rank = [](ProfilingVerbosity v) {
    return v == ProfilingVerbosity::kNone ? 0 : v == ProfilingVerbosity::kLayerNamesOnly ? 1 : 2;
  };
  if (rank(verbosity) > rank(verbosity_)) verbosity = verbosity_;
  return engine::layerInfoJson(graph_, layers_, verbosity);
}

Status EngineImpl::planSteps() {
  GS_ASSIGN_OR_RETURN(std::vector<NodeId> order, graph_.topologicalOrder());
  std::vector<int> layer_of(graph_.nodes.size(), -1);
  for (size_t i = 0; i < layers_.size(); ++i) {
    NodeId n = layers_[i].node;
    if (n < 0 || size_t(n) >= graph_.nodes.size() || graph_.nodes[size_t(n)].dead)
      return InvalidInput(fmt::format("layer '{}' refers to node {} which is not a live node", layers_[i].name, n));
    if (layer_of[size_t(n)] >= 0)
      return InvalidInput(fmt::format("layers '{}' and '{}' both run {}", layers_[size_t(layer_of[size_t(n)])].name,
                                      layers_[i].name, graph_.describe(n)));
    layer_of[size_t(n)] = int(i);
  }
  steps_.clear();
  step_layer_.clear();
  std::vector<LayerRecord> ordered;
  for (NodeId n : order) {
    const Node& node = graph_.nodes[size_t(n)];
    steps_.push_back(n);
    if (isViewOp(node.op)) {
      if (layer_of[size_t(n)] >= 0) return InvalidInput(fmt::format("{}: a view op cannot be a layer", graph_.describe(n)));
      if (node.inputs.empty() || node.inputs[0] == kNoValue || node.outputs.size() != 1 ||
          graph_.values[size_t(node.inputs[0])].desc.bytes() != graph_.values[size_t(node.outputs[0])].desc.bytes())
        return InvalidInput(fmt::format("{}: a view op needs one input and one output of the same byte size",
                                        graph_.describe(n)));
      step_layer_.push_back(-1);
      continue;
    }
    if (layer_of[size_t(n)] < 0) return InvalidInput(fmt::format("{}: no layer runs this node", graph_.describe(n)));
    step_layer_.push_back(int(ordered.size()));
    ordered.push_back(std::move(layers_[size_t(layer_of[size_t(n)])]));
  }
  layers_ = std::move(ordered);
  GS_ASSIGN_OR_RETURN(memory_, planGraphMemory(graph_, steps_));
  return OkStatus();
}

Status makeLayerRecords(EngineImpl& e) {
  e.layers_.clear();
  for (size_t n = 0; n < e.graph_.nodes.size(); ++n) {
    const Node& node = e.graph_.nodes[n];
    if (node.dead || isViewOp(node.op)) continue;
    LayerRecord r;
    r.name = node.name.empty() ? fmt::format("(Unnamed Layer* {}) [{}]", n, node.op) : node.name;
    r.origin = node.origin.empty() ? std::vector<std::string>{node.name} : node.origin;
    r.node = NodeId(n);
    e.layers_.push_back(std::move(r));
  }
  return OkStatus();
}

Status makeCpuLayers(EngineImpl& e) {
  for (LayerRecord& r : e.layers_) {
    const Node& node = e.graph_.nodes[size_t(r.node)];
    const OpDef* def = OpRegistry::instance().find(node.op);
    if (!def || !def->cpu)
      return InvalidInput(fmt::format("{}: op '{}' has no CPU implementation", e.graph_.describe(r.node), node.op));
    std::tie(r.layer_type, r.parameter_type) = cpuLayerTypes(node.op);
    r.tactic_name = "cpu_reference";
    r.tactic_value = 0;
  }
  for (NodeId n : e.steps_) {  // views run on the CPU too
    const OpDef* def = OpRegistry::instance().find(e.graph_.nodes[size_t(n)].op);
    if (!def || !def->cpu)
      return InvalidInput(fmt::format("{}: op '{}' has no CPU implementation", e.graph_.describe(n),
                                      e.graph_.nodes[size_t(n)].op));
  }
  return OkStatus();
}

std::string EngineImpl::serialized() const {
  serialize::EngineFile f;
  f.gpuscope_version = kVersion;
  f.cc_major = cc_major_;
  f.cc_minor = cc_minor_;
  f.device = device_;
  f.precision = precision_;
  f.verbosity = verbosity_;
  f.graph = graph_;
  f.layers = layers_;
  return serialize::writeEngineFile(f);
}

Status EngineImpl::save(const std::string& path) const {
  GS_ASSIGN_OR_RETURN(AtomicOutput out, AtomicOutput::create(path, /*force=*/true));
  GS_RETURN_IF_ERROR(out.write(serialized()));
  return out.commit();
}

// Errors about a loaded file's contents start with the file.
static Status inFile(const std::string& path, Status s) {
  if (s.ok() || s.code() != StatusCode::kInvalidInput) return s;
  return InvalidInput(path + ": " + s.message());
}

StatusOr<std::unique_ptr<Engine>> Engine::load(const std::string& path, const LogSink& log) {
  int64_t start = monotonicNs();
  GS_ASSIGN_OR_RETURN(std::string bytes, readFile(path));
  GS_ASSIGN_OR_RETURN(serialize::EngineFile f, serialize::readEngineFile(bytes, path));
  bytes.clear();
  bytes.shrink_to_fit();
  GS_RETURN_IF_ERROR(serialize::checkEngineGraph(f.graph, path));
  auto e = std::make_unique<EngineImpl>();
  e->graph_ = std::move(f.graph);
  e->layers_ = std::move(f.layers);
  e->device_ = f.device;
  e->precision_ = f.precision;
  e->verbosity_ = f.verbosity;
  e->cc_major_ = f.cc_major;
  e->cc_minor_ = f.cc_minor;
  if (e->device_ == Device::kGpu) {
    int major = 0, minor = 0;
    GS_RETURN_IF_ERROR(currentComputeCapability(major, minor));
    if (major != f.cc_major || minor != f.cc_minor)
      return InvalidInput(fmt::format("{}: engine was built for sm_{}{} but this GPU is sm_{}{} (rebuild it) at byte {}",
                                      path, f.cc_major, f.cc_minor, major, minor, f.cc_offset));
    TimingOptions topts;
    topts.timing = false;
    GS_RETURN_IF_ERROR(inFile(path, buildGpuPlan(*e, topts, log)));
  } else {
    GS_RETURN_IF_ERROR(inFile(path, e->planSteps()));
    GS_RETURN_IF_ERROR(inFile(path, makeCpuLayers(*e)));
  }
  if (log) log('I', fmt::format("Engine deserialized in {:.6g} sec.", secondsSince(start)));
  return std::unique_ptr<Engine>(std::move(e));
}

}  // namespace gpuscope::engine
