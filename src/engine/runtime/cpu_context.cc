// The CPU execution context: the optimized graph run node by node on the CPU
// reference ops with host buffers. This is what CI runs end to end, so it
// behaves like the GPU one: IO buffers by name, per-layer times, and
// activations freed after their last use.
#include <fmt/format.h>

#include <cstring>

#include "engine/passes/infer_shapes.h"
#include "engine/runtime/contexts.h"

namespace gpuscope::engine {
namespace {

class CpuContext final : public ExecutionContext {
 public:
  CpuContext(const EngineImpl& e, const ContextOptions& o) : e_(e), options_(o) {
    const Graph& g = e.graph_;
    for (ValueId v : g.inputs) inputs_.emplace_back(g.values[size_t(v)].desc.dtype, g.values[size_t(v)].desc.shape);
    for (ValueId v : g.outputs) outputs_.emplace_back(g.values[size_t(v)].desc.dtype, g.values[size_t(v)].desc.shape);
    // Last step reading each value; graph outputs live to the end.
    last_use_.assign(g.values.size(), -1);
    for (size_t i = 0; i < e.steps_.size(); ++i)
      for (ValueId in : g.nodes[size_t(e.steps_[i])].inputs)
        if (in != kNoValue) last_use_[size_t(in)] = int(i);
    for (ValueId v : g.outputs) last_use_[size_t(v)] = int(e.steps_.size());
  }

  void* buffer(const std::string& name) override {
    const Graph& g = e_.graph_;
    for (size_t i = 0; i < g.inputs.size(); ++i)
      if (g.values[size_t(g.inputs[i])].name == name) return inputs_[i].raw();
    for (size_t i = 0; i < g.outputs.size(); ++i)
      if (g.values[size_t(g.outputs[i])].name == name) return outputs_[i].raw();
    return nullptr;
  }

  Status enqueue(void* /*stream*/) override {
    const Graph& g = e_.graph_;
    std::vector<HostTensor> values(g.values.size());
    std::vector<bool> have(g.values.size(), false);
    std::vector<int> input_index(g.values.size(), -1);
    for (size_t i = 0; i < g.inputs.size(); ++i) input_index[size_t(g.inputs[i])] = int(i);
    auto tensor = [&](ValueId v) -> const HostTensor* {
      if (const HostTensor* c = g.constantOf(v)) return c;
      if (input_index[size_t(v)] >= 0) return &inputs_[size_t(input_index[size_t(v)])];
      return have[size_t(v)] ? &values[size_t(v)] : nullptr;
    };
    times_.ms.assign(e_.layers_.size(), 0.f);
    std::vector<const HostTensor*> ins;
    for (size_t i = 0; i < e_.steps_.size(); ++i) {
      NodeId n = e_.steps_[i];
      const Node& node = g.nodes[size_t(n)];
      ins.clear();
      for (ValueId in : node.inputs) {
        if (in == kNoValue) {
          ins.push_back(nullptr);
          continue;
        }
        const HostTensor* t = tensor(in);
        if (!t) return InternalError(fmt::format("{}: input '{}' was not computed", g.describe(n), g.values[size_t(in)].name));
        ins.push_back(t);
      }
      int64_t start = monotonicNs();
      GS_ASSIGN_OR_RETURN(std::vector<HostTensor> outs, runNodeOnCpu(g, n, ins));
      if (e_.step_layer_[i] >= 0) times_.ms[size_t(e_.step_layer_[i])] = float(double(monotonicNs() - start) * 1e-6);
      for (size_t k = 0; k < node.outputs.size() && k < outs.size(); ++k) {
        values[size_t(node.outputs[k])] = std::move(outs[k]);
        have[size_t(node.outputs[k])] = true;
      }
      // Free what no later step reads (keeps peak memory near the GPU plan's).
      for (ValueId in : node.inputs)
        if (in != kNoValue && last_use_[size_t(in)] == int(i) && have[size_t(in)]) {
          values[size_t(in)] = HostTensor();
          have[size_t(in)] = false;
        }
    }
    for (size_t o = 0; o < g.outputs.size(); ++o) {
      const HostTensor* t = tensor(g.outputs[o]);
      if (!t || t->byteSize() != outputs_[o].byteSize())
        return InternalError(fmt::format("output '{}' was not computed with its planned size",
                                         g.values[size_t(g.outputs[o])].name));
      if (t->byteSize()) std::memcpy(outputs_[o].raw(), t->raw(), t->byteSize());
    }
    ran_ = true;
    return OkStatus();
  }

  StatusOr<bool> captureGraph(void* /*stream*/, const LogSink& log) override {
    if (log) log('W', "CUDA graph capture is not available for a CPU engine; running layer by layer");
    return false;
  }

  StatusOr<LayerTimes> lastLayerTimes() override {
    if (!options_.profile_layers) return InvalidInput("lastLayerTimes: the context was created without profile_layers");
    if (!ran_) return InvalidInput("lastLayerTimes: no inference has run yet");
    return times_;
  }

 private:
  const EngineImpl& e_;
  ContextOptions options_;
  std::vector<HostTensor> inputs_, outputs_;
  std::vector<int> last_use_;
  LayerTimes times_;
  bool ran_ = false;
};

}  // namespace

StatusOr<std::unique_ptr<ExecutionContext>> createCpuContext(const EngineImpl& engine, const ContextOptions& options) {
  return std::unique_ptr<ExecutionContext>(new CpuContext(engine, options));
}

}  // namespace gpuscope::engine
