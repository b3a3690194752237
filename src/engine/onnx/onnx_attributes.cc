// AttributeProto -> AttrValue and Constant nodes -> tensors. Attribute kinds
// map 1:1; the kinds the engine cannot run (subgraphs of If/Loop/Scan, sparse
// tensors, tensor lists, type protos, function attribute references) are
// errors naming the node and the attribute.
#include <fmt/format.h>

#include "engine/onnx/onnx_proto.h"

namespace gpuscope::engine::onnx_detail {

namespace {

Status attrError(const ProtoContext& ctx, const std::string& where, const std::string& attr,
                 const std::string& problem) {
  return InvalidInput(fmt::format("{}: {}: attribute '{}': {}", ctx.file, where, attr, problem));
}

// Old exporters (IR < 3) leave `type` unset; the populated field says it.
onnx::AttributeProto::AttributeType kindOf(const onnx::AttributeProto& a) {
  using A = onnx::AttributeProto;
  if (a.type() != A::UNDEFINED) return a.type();
  if (a.has_f()) return A::FLOAT;
  if (a.has_i()) return A::INT;
  if (a.has_s()) return A::STRING;
  if (a.has_t()) return A::TENSOR;
  if (a.has_g()) return A::GRAPH;
  if (a.has_sparse_tensor()) return A::SPARSE_TENSOR;
  if (a.has_tp()) return A::TYPE_PROTO;
  if (a.floats_size()) return A::FLOATS;
  if (a.ints_size()) return A::INTS;
  if (a.strings_size()) return A::STRINGS;
  if (a.tensors_size()) return A::TENSORS;
  if (a.graphs_size()) return A::GRAPHS;
  if (a.sparse_tensors_size()) return A::SPARSE_TENSORS;
  if (a.type_protos_size()) return A::TYPE_PROTOS;
  return A::UNDEFINED;
}

}  // namespace

StatusOr<AttrValue> attributeFromProto(const onnx::AttributeProto& a, const std::string& where,
                                       const ProtoContext& ctx) {
  using A = onnx::AttributeProto;
  const std::string& name = a.name();
  if (name.empty()) return InvalidInput(fmt::format("{}: {}: an attribute has no name", ctx.file, where));
  if (!a.ref_attr_name().empty())
    return attrError(ctx, where, name, "refers to a function attribute (model-local functions are not supported)");
  switch (kindOf(a)) {
    case A::FLOAT: return AttrValue(a.f());
    case A::INT: return AttrValue(int64_t(a.i()));
    case A::STRING: return AttrValue(a.s());
    case A::FLOATS: return AttrValue(std::vector<float>(a.floats().begin(), a.floats().end()));
    case A::INTS: return AttrValue(std::vector<int64_t>(a.ints().begin(), a.ints().end()));
    case A::STRINGS: return AttrValue(std::vector<std::string>(a.strings().begin(), a.strings().end()));
    case A::TENSOR: {
      GS_ASSIGN_OR_RETURN(HostTensor t, tensorFromProto(a.t(), fmt::format("{}: attribute '{}'", where, name), ctx));
      return AttrValue(std::make_shared<const HostTensor>(std::move(t)));
    }
    case A::GRAPH:
    case A::GRAPHS:
      return attrError(ctx, where, name, "is a subgraph; control flow (If/Loop/Scan) is not supported");
    case A::SPARSE_TENSOR:
    case A::SPARSE_TENSORS: return attrError(ctx, where, name, "sparse tensors are not supported");
    case A::TENSORS: return attrError(ctx, where, name, "tensor lists are not supported");
    case A::TYPE_PROTO:
    case A::TYPE_PROTOS: return attrError(ctx, where, name, "type attributes are not supported");
    case A::UNDEFINED: break;
  }
  return attrError(ctx, where, name, fmt::format("has no value (kind {})", int(a.type())));
}

StatusOr<HostTensor> constantNodeValue(const onnx::NodeProto& node, const std::string& where,
                                       const ProtoContext& ctx) {
  if (node.attribute_size() != 1)
    return InvalidInput(fmt::format("{}: {}: a Constant needs exactly one value attribute, it has {}", ctx.file,
                                    where, node.attribute_size()));
  const onnx::AttributeProto& a = node.attribute(0);
  const std::string& name = a.name();
  if (name == "value") {
    if (!a.has_t()) return attrError(ctx, where, name, "has no tensor");
    return tensorFromProto(a.t(), fmt::format("{}: attribute 'value'", where), ctx);
  }
  if (name == "value_float") return HostTensor::fromFloats(DType::kFloat32, Shape{}, std::vector<float>{a.f()});
  if (name == "value_int") return HostTensor::fromInts(DType::kInt64, Shape{}, std::vector<int64_t>{a.i()});
  if (name == "value_floats") {
    std::vector<float> v(a.floats().begin(), a.floats().end());
    return HostTensor::fromFloats(DType::kFloat32, Shape{int64_t(v.size())}, v);
  }
  if (name == "value_ints") {
    std::vector<int64_t> v(a.ints().begin(), a.ints().end());
    return HostTensor::fromInts(DType::kInt64, Shape{int64_t(v.size())}, v);
  }
  if (name == "value_string" || name == "value_strings")
    return attrError(ctx, where, name, "string constants are not supported");
  if (name == "sparse_value") return attrError(ctx, where, name, "sparse constants are not supported");
  return attrError(ctx, where, name, "is not a Constant value attribute");
}

}  // namespace gpuscope::engine::onnx_detail
