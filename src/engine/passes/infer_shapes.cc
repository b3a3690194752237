#include "engine/passes/infer_shapes.h"

#include <fmt/format.h>

#include "engine/ops/op_def.h"

namespace gpuscope::engine {

Status bindInputShapes(Graph& graph, const std::map<std::string, Shape>& shapes) {
  for (const auto& [name, shape] : shapes) {
    bool found = false;
    for (ValueId v : graph.inputs) found |= graph.values[size_t(v)].name == name;
    if (!found) return InvalidInput(fmt::format("--shapes names '{}', which is not an input of the model", name));
  }
  for (ValueId id : graph.inputs) {
    Value& v = graph.values[size_t(id)];
    auto it = shapes.find(v.name);
    if (it != shapes.end()) {
      const Shape& given = it->second;
      if (given.size() != v.desc.shape.size())
        return InvalidInput(fmt::format("input '{}' has rank {} but --shapes gives {} ({})", v.name,
                                        v.desc.shape.size(), shapeText(given), given.size()));
      for (size_t d = 0; d < given.size(); ++d) {
        if (given[d] < 0) return InvalidInput(fmt::format("input '{}': --shapes dim {} is negative", v.name, d));
        if (v.desc.shape[d] >= 0 && v.desc.shape[d] != given[d])
          return InvalidInput(fmt::format("input '{}' has fixed dim {} = {} but --shapes gives {}", v.name, d,
                                          v.desc.shape[d], given[d]));
      }
      v.desc.shape = given;
    }
    for (size_t d = 0; d < v.desc.shape.size(); ++d) {
      if (v.desc.shape[d] < 0) {
        std::string param = d < v.dim_params.size() && !v.dim_params[d].empty() ? v.dim_params[d] : "?";
        return InvalidInput(fmt::format("input '{}' has dynamic dim {} ('{}'); give its shape with "
                                        "--shapes={}:{}",
                                        v.name, d, param, v.name, shapeText(v.desc.shape)));
      }
    }
    v.dim_params.assign(v.desc.shape.size(), "");
  }
  return OkStatus();
}

StatusOr<std::vector<HostTensor>> runNodeOnCpu(const Graph& graph, NodeId n,
                                               std::span<const HostTensor* const> inputs) {
  const Node& node = graph.nodes[size_t(n)];
  const OpDef* def = OpRegistry::instance().find(node.op);
  if (!def || !def->cpu) return InvalidInput(fmt::format("{}: unsupported op '{}'", graph.describe(n), node.op));
  std::vector<HostTensor> outputs;
  outputs.reserve(node.outputs.size());
  for (ValueId out : node.outputs) {
    if (out == kNoValue) {  // an omitted optional output (LayerNorm's Mean, ...)
      outputs.emplace_back();
      continue;
    }
    const TensorDesc& d = graph.values[size_t(out)].desc;
    if (!shapeKnown(d.shape))
      return InternalError(fmt::format("{}: output shape {} unknown at run time", graph.describe(n), shapeText(d.shape)));
    outputs.emplace_back(d.dtype, d.shape);
  }
  GS_RETURN_IF_ERROR(def->cpu(node, inputs, outputs));
  return outputs;
}

Status inferShapes(Graph& graph, const InferOptions& options) {
  GS_ASSIGN_OR_RETURN(std::vector<NodeId> order, graph.topologicalOrder());
  const OpRegistry& registry = OpRegistry::instance();
  for (NodeId n : order) {
    Node& node = graph.nodes[size_t(n)];
    const OpDef* def = registry.find(node.op);
    if (!def || !def->infer)
      return InvalidInput(fmt::format("{}: unsupported op '{}' (gpuscope's engine has no implementation)",
                                      graph.describe(n), node.op));
    InferContext ctx{graph, n, node, {}, {}};
    bool all_constant = true;
    for (ValueId in : node.inputs) {
      if (in == kNoValue) {
        ctx.inputs.push_back(nullptr);
        ctx.constants.push_back(nullptr);
        continue;
      }
      const Value& v = graph.values[size_t(in)];
      if (!shapeKnown(v.desc.shape))
        return InvalidInput(fmt::format("{}: input '{}' has unknown shape {}", graph.describe(n), v.name,
                                        shapeText(v.desc.shape)));
      ctx.inputs.push_back(&v.desc);
      ctx.constants.push_back(v.constant.get());
      all_constant &= v.constant != nullptr;
    }
    const bool reads_shape_only = def->reads_shapes_only;  // Shape, Size: fold on activations too
    std::vector<TensorDesc> out_descs;
    GS_RETURN_IF_ERROR(def->infer(ctx, out_descs));
    if (out_descs.size() != node.outputs.size())
      return InternalError(fmt::format("{}: inference gave {} outputs, node has {}", graph.describe(n),
                                       out_descs.size(), node.outputs.size()));
    int64_t out_bytes = 0;
    for (size_t i = 0; i < out_descs.size(); ++i) {
      if (node.outputs[i] == kNoValue) continue;
      graph.values[size_t(node.outputs[i])].desc = out_descs[i];
      graph.values[size_t(node.outputs[i])].dim_params.assign(out_descs[i].shape.size(), "");
      out_bytes += out_descs[i].bytes();
    }
    if (!options.fold_constants || !(all_constant || reads_shape_only) || !def->foldable || !def->cpu) continue;
    if (out_bytes > options.max_fold_bytes) continue;
    // Graph outputs stay computed by a layer so that the plan has something to run.
    bool is_graph_output = false;
    for (ValueId out : node.outputs)
      for (ValueId g : graph.outputs) is_graph_output |= out == g;
    if (is_graph_output) continue;
    std::vector<const HostTensor*> in_tensors;
    std::vector<HostTensor> shape_carriers;  // desc without bytes, for Shape/Size
    shape_carriers.reserve(node.inputs.size());
    for (ValueId in : node.inputs) {
      const HostTensor* c = graph.constantOf(in);
      if (c == nullptr && reads_shape_only && in != kNoValue) {
        const TensorDesc& d = graph.values[size_t(in)].desc;
        shape_carriers.emplace_back(d.dtype, d.shape, std::vector<uint8_t>{});
        c = &shape_carriers.back();
      }
      in_tensors.push_back(c);
    }
    GS_ASSIGN_OR_RETURN(std::vector<HostTensor> results, runNodeOnCpu(graph, n, in_tensors));
    for (size_t i = 0; i < results.size(); ++i) {
      if (node.outputs[i] == kNoValue) continue;
      Value& v = graph.values[size_t(node.outputs[i])];
      v.constant = std::make_shared<const HostTensor>(std::move(results[i]));
      v.producer = -1;
    }
    node.dead = true;
  }
  graph.compact();
  return OkStatus();
}

}  // namespace gpuscope::engine
