#include "engine/runtime/layer_info.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "engine/gpu/gpu_layer.h"
#include "engine/ops/fused_ops.h"

namespace gpuscope::engine {
namespace {

using ojson = nlohmann::ordered_json;

ojson tensorJson(const Value& v) {
  ojson t;
  t["Name"] = v.name;
  t["Location"] = "Device";
  t["Dimensions"] = v.desc.shape;
  t["Format/Datatype"] = std::string(formatDescription(v.desc.dtype));
  return t;
}

// Follows view ops back to the value that owns the bytes: a layer reading a
// reshaped weight reads a constant.
bool readsConstant(const Graph& graph, ValueId v) {
  for (int guard = 0; v != kNoValue && guard < 1024; ++guard) {
    if (graph.isConstant(v)) return true;
    NodeId p = graph.values[size_t(v)].producer;
    if (p < 0 || !isViewOp(graph.nodes[size_t(p)].op) || graph.nodes[size_t(p)].inputs.empty()) return false;
    v = graph.nodes[size_t(p)].inputs[0];
  }
  return false;
}

void addConvolutionFields(const Graph& graph, const Node& node, ojson& j) {
  if (node.inputs.size() < 2 || node.inputs[1] == kNoValue) return;
  const TensorDesc& w = graph.values[size_t(node.inputs[1])].desc;
  if (w.shape.size() < 3) return;
  size_t spatial = w.shape.size() - 2;
  std::vector<int64_t> kernel(w.shape.begin() + 2, w.shape.end());
  // NHWC convolutions (layout pass) hold W as [M, kH, kW, C/group].
  if (node.attrs.getString("layout", "NCHW") == "NHWC" && w.shape.size() == 4) kernel = {w.shape[1], w.shape[2]};
  std::vector<int64_t> pads = node.attrs.getInts("pads", std::vector<int64_t>(2 * spatial, 0));
  if (pads.size() != 2 * spatial) pads.assign(2 * spatial, 0);
  std::string act = node.attrs.getString("activation");
  bool has_bias = node.inputs.size() > 2 && node.inputs[2] != kNoValue;
  bool has_residual = node.inputs.size() > 3 && node.inputs[3] != kNoValue;
  j["Kernel"] = kernel;
  j["PaddingMode"] = "kEXPLICIT_ROUND_DOWN";
  j["PrePadding"] = std::vector<int64_t>(pads.begin(), pads.begin() + int64_t(spatial));
  j["PostPadding"] = std::vector<int64_t>(pads.begin() + int64_t(spatial), pads.end());
  j["Stride"] = node.attrs.getInts("strides", std::vector<int64_t>(spatial, 1));
  j["Dilation"] = node.attrs.getInts("dilations", std::vector<int64_t>(spatial, 1));
  j["OutMaps"] = w.shape[0];
  j["Groups"] = node.attrs.getInt("group", 1);
  j["Weights"] = {{"Type", std::string(weightTypeName(w.dtype))}, {"Count", w.elements()}};
  if (has_bias) {
    const TensorDesc& b = graph.values[size_t(node.inputs[2])].desc;
    j["Bias"] = {{"Type", std::string(weightTypeName(b.dtype))}, {"Count", b.elements()}};
  } else {
    j["Bias"] = {{"Type", std::string(weightTypeName(w.dtype))}, {"Count", 0}};
  }
  j["HasSparseWeights"] = 0;
  j["Activation"] = act.empty()       ? "NONE"
                    : act == "Relu"    ? "RELU"
                    : act == "Clip"    ? "CLIPPED_RELU"
                    : act == "Sigmoid" ? "SIGMOID"
                    : act == "Tanh"    ? "TANH"
                                       : "GENERIC";
  j["HasBias"] = has_bias ? 1 : 0;
  j["HasReLU"] = act == "Relu" ? 1 : 0;
  j["HasResidual"] = has_residual ? 1 : 0;
}

ojson layerObject(const Graph& graph, const LayerRecord& layer) {
  ojson j;
  j["Name"] = layer.name;
  j["LayerType"] = layer.layer_type;
  ojson inputs = ojson::array(), outputs = ojson::array();
  const Node* node = layer.node >= 0 && size_t(layer.node) < graph.nodes.size() ? &graph.nodes[size_t(layer.node)] : nullptr;
  if (node) {
    for (ValueId v : node->inputs)
      if (v != kNoValue && !readsConstant(graph, v)) inputs.push_back(tensorJson(graph.values[size_t(v)]));
    for (ValueId v : node->outputs) outputs.push_back(tensorJson(graph.values[size_t(v)]));
  }
  j["Inputs"] = std::move(inputs);
  j["Outputs"] = std::move(outputs);
  if (!layer.parameter_type.empty()) j["ParameterType"] = layer.parameter_type;
  if (node && (node->op == fused::kConv || node->op == "Conv")) addConvolutionFields(graph, *node, j);
  if (node && node->op == "Softmax") {
    j["Axes"] = node->attrs.getInt("axis", -1);
    j["HasLog"] = 0;
  }
  if (!layer.tactic_name.empty()) j["TacticName"] = layer.tactic_name;
  j["TacticValue"] = fmt::format("0x{:016x}", layer.tactic_value);
  j["StreamId"] = 0;
  j["Metadata"] = layerMetadata(layer.origin);
  return j;
}

// View ops run as no kernel (aliases), like TensorRT's NoOp layers; listing
// them keeps the tensor chain connected for readers such as explore, which
// fold NoOps away.
ojson noOpObject(const Graph& graph, NodeId n) {
  const Node& node = graph.nodes[size_t(n)];
  ojson j;
  j["Name"] = node.name;
  j["LayerType"] = "NoOp";
  j["Inputs"] = ojson::array({tensorJson(graph.values[size_t(node.inputs[0])])});
  j["Outputs"] = ojson::array({tensorJson(graph.values[size_t(node.outputs[0])])});
  j["TacticValue"] = "0x0000000000000000";
  j["StreamId"] = 0;
  j["Metadata"] = layerMetadata(node.origin);
  return j;
}

}  // namespace

std::string_view formatDescription(DType t) {
  switch (t) {
    case DType::kFloat32: return "Row major linear FP32";
    case DType::kFloat16: return "Row major linear FP16 format";
    case DType::kBFloat16: return "Row major linear BFloat16 format";
    case DType::kInt32: return "Row major linear Int32";
    case DType::kInt64: return "Row major linear Int64 format";
    case DType::kInt8: return "Row major Int8 format";
    case DType::kUInt8: return "Row major linear UInt8 format";
    case DType::kBool: return "Row major linear BOOL";
    case DType::kFloat64: return "Row major linear Double format";
  }
  return "Unknown format";
}

std::string_view weightTypeName(DType t) {
  switch (t) {
    case DType::kFloat32: return "Float";
    case DType::kFloat16: return "Half";
    case DType::kBFloat16: return "BFloat16";
    case DType::kInt32: return "Int32";
    case DType::kInt64: return "Int64";
    case DType::kInt8: return "Int8";
    case DType::kUInt8: return "UInt8";
    case DType::kBool: return "Bool";
    case DType::kFloat64: return "Double";
  }
  return "None";
}

std::pair<std::string, std::string> cpuLayerTypes(std::string_view op) {
  struct Entry {
    std::string_view op, layer_type, parameter_type;
  };
  static constexpr Entry kTable[] = {
      {"gpuscope.Conv", "CaskConvolution", "Convolution"},
      {"Conv", "CaskConvolution", "Convolution"},
      {"ConvTranspose", "CaskDeconvolutionV2", "Deconvolution"},
      {"gpuscope.Gemm", "MatrixMultiply", "MatrixMultiply"},
      {"MatMul", "MatrixMultiply", "MatrixMultiply"},
      {"Gemm", "MatrixMultiply", "MatrixMultiply"},
      {"gpuscope.Attention", "FusedMHA", "Attention"},
      {"gpuscope.Pointwise", "PointWiseV2", "PointWise"},
      {"gpuscope.Reformat", "Reformat", "Reformat"},
      {"Cast", "Reformat", "Reformat"},
      {"MaxPool", "CaskPooling", "Pooling"},
      {"AveragePool", "CaskPooling", "Pooling"},
      {"GlobalAveragePool", "CaskPooling", "Pooling"},
      {"GlobalMaxPool", "CaskPooling", "Pooling"},
      {"Softmax", "CudaSoftMax", "SoftMax"},
      {"LayerNormalization", "Normalization", "Normalization"},
      {"BatchNormalization", "Scale", "Scale"},
      {"Transpose", "Shuffle", "Shuffle"},
      {"Slice", "Slice", "Slice"},
      {"Split", "Slice", "Slice"},
      {"Pad", "Padding", "Padding"},
      {"Concat", "Concatenation", "Concatenation"},
      {"Gather", "Gather", "Gather"},
      {"GatherND", "Gather", "Gather"},
      {"Expand", "Slice", "Slice"},
      {"Where", "Select", "Select"},
      {"ReduceMean", "Reduce", "Reduce"},
      {"ReduceSum", "Reduce", "Reduce"},
      {"ReduceMax", "Reduce", "Reduce"},
  };
  for (const Entry& e : kTable)
    if (e.op == op) return {std::string(e.layer_type), std::string(e.parameter_type)};
  if (isViewOp(op)) return {"NoOp", "Shuffle"};
  // Remaining ONNX ops are elementwise (Add, Relu, Erf, ...) or small shape ops.
  return {"PointWise", "PointWise"};
}

std::string layerMetadata(const std::vector<std::string>& origin) {
  std::string out;
  for (size_t i = 0; i < origin.size(); ++i) {
    if (i) out += '\x1e';
    out += "[ONNX Layer: " + origin[i] + "]";
  }
  return out;
}

std::string layerInfoJson(const Graph& graph, const std::vector<LayerRecord>& layers, ProfilingVerbosity verbosity) {
  ojson root;
  ojson list = ojson::array();
  if (verbosity == ProfilingVerbosity::kLayerNamesOnly) {
    for (const LayerRecord& l : layers) list.push_back(l.name);
  } else if (verbosity == ProfilingVerbosity::kDetailed) {
    // Layers in execution order with the view ops between them as NoOps.
    std::vector<int> layer_of_node(graph.nodes.size(), -1);
    for (size_t i = 0; i < layers.size(); ++i)
      if (layers[i].node >= 0 && size_t(layers[i].node) < graph.nodes.size()) layer_of_node[size_t(layers[i].node)] = int(i);
    auto order = graph.topologicalOrder();
    if (order.ok()) {
      for (NodeId n : *order) {
        const Node& node = graph.nodes[size_t(n)];
        if (layer_of_node[size_t(n)] >= 0) {
          list.push_back(layerObject(graph, layers[size_t(layer_of_node[size_t(n)])]));
        } else if (isViewOp(node.op) && !node.inputs.empty() && node.inputs[0] != kNoValue &&
                   node.outputs.size() == 1 && !readsConstant(graph, node.inputs[0])) {
          list.push_back(noOpObject(graph, n));
        }
      }
    } else {
      for (const LayerRecord& l : layers) list.push_back(layerObject(graph, l));
    }
  }
  root["Layers"] = std::move(list);
  ojson bindings = ojson::array();
  for (ValueId v : graph.inputs) bindings.push_back(graph.values[size_t(v)].name);
  for (ValueId v : graph.outputs) bindings.push_back(graph.values[size_t(v)].name);
  root["Bindings"] = std::move(bindings);
  return root.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string layerDetailJson(const Graph& graph, const LayerRecord& layer) {
  return layerObject(graph, layer).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace gpuscope::engine
