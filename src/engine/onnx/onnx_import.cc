// ModelProto -> Graph. Two passes over the nodes: the first defines every
// value name (graph inputs, initializers, Constant outputs, node outputs),
// the second resolves node inputs by name, so graphs whose nodes are not in
// topological order still import (Graph::topologicalOrder sorts them later,
// and reports cycles).
#include "engine/onnx/onnx_import.h"

#include <fmt/format.h>

#include <climits>
#include <exception>
#include <filesystem>
#include <unordered_map>

#include "base/file.h"
#include "engine/onnx/onnx_proto.h"

namespace gpuscope::engine {

namespace {

using onnx_detail::ProtoContext;

// IR 3 introduced opset_import; IR 11 is ONNX 1.18's (12 allowed for the next).
constexpr int64_t kMinIrVersion = 3;
constexpr int64_t kMaxIrVersion = 12;

bool isDefaultDomain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

class Importer {
 public:
  explicit Importer(ProtoContext ctx) : ctx_(std::move(ctx)) {}

  StatusOr<Graph> run(onnx::ModelProto& model) {
    GS_RETURN_IF_ERROR(checkModel(model));
    onnx::GraphProto& g = *model.mutable_graph();
    graph_.name = g.name();
    graph_.producer = model.producer_name();
    if (!model.producer_version().empty()) graph_.producer += " " + model.producer_version();
    if (g.sparse_initializer_size() > 0)
      return error(fmt::format("sparse initializer '{}' is not supported", g.sparse_initializer(0).values().name()));
    GS_RETURN_IF_ERROR(importInitializers(g));
    GS_RETURN_IF_ERROR(importInputs(g));
    GS_RETURN_IF_ERROR(importNodes(g));
    GS_RETURN_IF_ERROR(importOutputs(g));
    applyValueInfo(g);
    // ONNX requires topological order; a cycle is reported here, with the file.
    auto order = graph_.topologicalOrder();
    if (!order.ok()) return error(order.status().message());
    return std::move(graph_);
  }

 private:
  Status error(const std::string& problem) const { return InvalidInput(fmt::format("{}: {}", ctx_.file, problem)); }

  Status checkModel(const onnx::ModelProto& model) {
    if (!model.has_ir_version() && !model.has_graph())
      return error("not an ONNX model (no ir_version and no graph)");
    if (!model.has_ir_version()) return error("ONNX model has no ir_version");
    if (model.ir_version() < kMinIrVersion || model.ir_version() > kMaxIrVersion)
      return error(fmt::format("ONNX IR version {} is not supported (gpuscope reads IR versions {}..{})",
                               model.ir_version(), kMinIrVersion, kMaxIrVersion));
    int64_t opset = -1;
    for (const auto& op : model.opset_import()) {
      if (!isDefaultDomain(op.domain())) continue;  // other domains matter only if a node uses them
      if (opset >= 0 && opset != op.version())
        return error(fmt::format("opset_import lists the default domain twice (opsets {} and {})", opset,
                                 op.version()));
      opset = op.version();
    }
    if (opset < 0) return error("opset_import has no entry for the default ONNX domain");
    if (opset < kMinOnnxOpset || opset > kMaxOnnxOpset)
      return error(fmt::format("default-domain opset {} is not supported (gpuscope's engine reads opsets {}..{}; "
                               "re-export with opset_version={})",
                               opset, kMinOnnxOpset, kMaxOnnxOpset, kMaxOnnxOpset));
    graph_.opset = opset;
    if (!model.has_graph()) return error("ONNX model has no graph");
    return OkStatus();
  }

  // Registers a value name; duplicates are errors (ONNX is SSA).
  Status define(const std::string& name, ValueId id, const std::string& definer) {
    auto [it, inserted] = names_.emplace(name, id);
    if (inserted) {
      definers_.emplace(name, definer);
      return OkStatus();
    }
    return error(fmt::format("{} defines value '{}', which {} already defines", definer, name, definers_[name]));
  }

  // Each initializer's raw bytes are released once copied, so a large model
  // is not held twice.
  Status importInitializers(onnx::GraphProto& g) {
    for (int i = 0; i < g.initializer_size(); ++i) {
      onnx::TensorProto& t = *g.mutable_initializer(i);
      if (t.name().empty()) return error(fmt::format("initializer #{} has no name", i));
      std::string what = fmt::format("initializer '{}'", t.name());
      GS_ASSIGN_OR_RETURN(HostTensor tensor, onnx_detail::tensorFromProto(t, what, ctx_));
      if (t.has_raw_data()) std::string().swap(*t.mutable_raw_data());
      ValueId id = graph_.addConstant(t.name(), std::move(tensor));
      GS_RETURN_IF_ERROR(define(t.name(), id, what));
    }
    return OkStatus();
  }

  // dtype and dims of a ValueInfo: dim_value, or -1 with the dim_param name.
  Status typeOf(const onnx::ValueInfoProto& vi, const std::string& what, Value& v) {
    if (!vi.has_type()) return error(fmt::format("{} has no type", what));
    if (!vi.type().has_tensor_type())
      return error(fmt::format("{} is not a tensor (sequences, maps and optionals are not supported)", what));
    const auto& tt = vi.type().tensor_type();
    std::optional<DType> dtype = dtypeFromOnnx(tt.elem_type());
    if (!dtype)
      return error(fmt::format("{} has element type {}, which the engine does not support", what,
                               onnx_detail::onnxTypeName(tt.elem_type())));
    if (!tt.has_shape()) return error(fmt::format("{} has no shape (unknown rank)", what));
    Shape shape;
    std::vector<std::string> params;
    std::vector<int64_t> known;
    for (int d = 0; d < tt.shape().dim_size(); ++d) {
      const auto& dim = tt.shape().dim(d);
      if (dim.has_dim_value()) {
        if (dim.dim_value() < 0) return error(fmt::format("{} has negative dim {} ({})", what, d, dim.dim_value()));
        shape.push_back(dim.dim_value());
        known.push_back(dim.dim_value());
        params.emplace_back();
      } else {
        shape.push_back(-1);
        params.push_back(dim.dim_param());
      }
    }
    // The fixed dims alone must not overflow what a tensor may hold.
    GS_RETURN_IF_ERROR(onnx_detail::checkedElements(known, dtypeSize(*dtype), what, ctx_).status());
    v.desc = TensorDesc{*dtype, std::move(shape)};
    v.dim_params = std::move(params);
    return OkStatus();
  }

  Status importInputs(const onnx::GraphProto& g) {
    for (const auto& vi : g.input()) {
      if (vi.name().empty()) return error("a graph input has no name");
      auto it = names_.find(vi.name());
      // Inputs with an initializer (IR < 4 style) are weights: constants.
      if (it != names_.end() && graph_.isConstant(it->second) && definers_[vi.name()].starts_with("initializer"))
        continue;
      std::string what = fmt::format("graph input '{}'", vi.name());
      Value v;
      GS_RETURN_IF_ERROR(typeOf(vi, what, v));
      ValueId id = graph_.addValue(vi.name(), v.desc);
      graph_.values[size_t(id)].dim_params = std::move(v.dim_params);
      GS_RETURN_IF_ERROR(define(vi.name(), id, what));
      graph_.inputs.push_back(id);
    }
    return OkStatus();
  }

  Status importNodes(const onnx::GraphProto& g) {
    struct Pending {
      Node node;
      const onnx::NodeProto* proto;
    };
    std::vector<Pending> pending;
    pending.reserve(size_t(g.node_size()));
    for (int i = 0; i < g.node_size(); ++i) {
      const onnx::NodeProto& p = g.node(i);
      if (p.op_type().empty()) return error(fmt::format("node #{} ('{}') has no op_type", i, p.name()));
      Node node;
      node.op = p.op_type();
      // torch leaves some names empty; layer names need one.
      node.name = p.name().empty() ? fmt::format("{}_{}", p.op_type(), i) : p.name();
      std::string where = fmt::format("node '{}' ({})", node.name, node.op);
      if (!isDefaultDomain(p.domain()))
        return error(fmt::format("{}: domain '{}' is not supported (only the default ONNX domain)", where,
                                 p.domain()));
      if (node.op == "Constant") {
        if (p.output_size() != 1 || p.output(0).empty())
          return error(fmt::format("{}: a Constant needs exactly one output", where));
        GS_ASSIGN_OR_RETURN(HostTensor t, onnx_detail::constantNodeValue(p, where, ctx_));
        ValueId id = graph_.addConstant(p.output(0), std::move(t));
        GS_RETURN_IF_ERROR(define(p.output(0), id, where));
        continue;
      }
      for (const auto& a : p.attribute()) {
        GS_ASSIGN_OR_RETURN(AttrValue value, onnx_detail::attributeFromProto(a, where, ctx_));
        if (node.attrs.has(a.name()))
          return error(fmt::format("{}: attribute '{}' is given twice", where, a.name()));
        node.attrs.set(a.name(), std::move(value));
      }
      for (const auto& out : p.output()) {
        if (out.empty()) {  // an optional output nobody reads
          node.outputs.push_back(kNoValue);
          continue;
        }
        ValueId id = graph_.addValue(out);
        GS_RETURN_IF_ERROR(define(out, id, where));
        node.outputs.push_back(id);
      }
      pending.push_back({std::move(node), &p});
    }
    for (Pending& item : pending) {
      for (const auto& in : item.proto->input()) {
        if (in.empty()) {
          item.node.inputs.push_back(kNoValue);
          continue;
        }
        auto it = names_.find(in);
        if (it == names_.end())
          return error(fmt::format("node '{}' ({}): input '{}' is not defined (no graph input, initializer or "
                                   "node output has that name)",
                                   item.node.name, item.node.op, in));
        item.node.inputs.push_back(it->second);
      }
      graph_.addNode(std::move(item.node));
    }
    return OkStatus();
  }

  Status importOutputs(const onnx::GraphProto& g) {
    if (g.output_size() == 0) return error("the graph has no outputs");
    for (const auto& vi : g.output()) {
      if (vi.name().empty()) return error("a graph output has no name");
      auto it = names_.find(vi.name());
      if (it == names_.end())
        return error(fmt::format("graph output '{}' is not produced by any node, input or initializer", vi.name()));
      graph_.outputs.push_back(it->second);
      declared(vi, it->second);
    }
    return OkStatus();
  }

  // Declared types of node outputs (graph outputs, value_info): a starting
  // point before inferShapes; unsupported or missing types are left alone.
  void declared(const onnx::ValueInfoProto& vi, ValueId id) {
    Value& target = graph_.values[size_t(id)];
    if (target.producer < 0) return;  // inputs and constants have their own descs
    Value v;
    if (!typeOf(vi, "value", v).ok()) return;
    target.desc = std::move(v.desc);
    target.dim_params = std::move(v.dim_params);
  }

  void applyValueInfo(const onnx::GraphProto& g) {
    for (const auto& vi : g.value_info()) {
      auto it = names_.find(vi.name());
      if (it != names_.end()) declared(vi, it->second);
    }
  }

  ProtoContext ctx_;
  Graph graph_;
  std::unordered_map<std::string, ValueId> names_;
  std::unordered_map<std::string, std::string> definers_;  // name -> "initializer 'w'", "node 'n' (Op)"
};

StatusOr<Graph> importParsed(std::string_view bytes, const std::string& name, const ImportOptions& options,
                             std::string* owned) {
  if (bytes.size() > size_t(INT_MAX))
    return InvalidInput(fmt::format("{}: {} bytes; protobuf cannot parse ONNX files of 2 GiB or more "
                                    "(save the weights as external data)", name, bytes.size()));
  // Catch exceptions of the third-party parser (and bad_alloc) at the boundary.
  try {
    onnx::ModelProto model;
    if (!model.ParseFromArray(bytes.data(), int(bytes.size())))
      return InvalidInput(fmt::format("{}: not an ONNX model (protobuf parse failed)", name));
    if (owned) std::string().swap(*owned);  // the file's bytes are no longer needed
    ProtoContext ctx{name, options.external_data_dir, options.max_tensor_bytes};
    return Importer(std::move(ctx)).run(model);
  } catch (const std::exception& e) {
    return InvalidInput(fmt::format("{}: ONNX import failed: {}", name, e.what()));
  }
}

}  // namespace

StatusOr<Graph> importOnnxBytes(std::string_view bytes, const std::string& name_for_errors,
                                const ImportOptions& options) {
  return importParsed(bytes, name_for_errors, options, nullptr);
}

StatusOr<Graph> importOnnx(const std::string& path, const ImportOptions& options) {
  GS_ASSIGN_OR_RETURN(std::string bytes, readFile(path));
  ImportOptions opts = options;
  if (opts.external_data_dir.empty()) {
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    opts.external_data_dir = dir.empty() ? "." : dir.string();
  }
  return importParsed(bytes, path, opts, &bytes);
}

}  // namespace gpuscope::engine
