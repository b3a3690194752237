#include "unit/engine_ops/op_test_util.h"

#include <fmt/format.h>

#include "engine/passes/infer_shapes.h"

namespace gpuscope::engine::testing {

OpResult runOp(const std::string& op, std::vector<std::optional<OpInput>> inputs, Attributes attributes,
               int num_outputs, int64_t opset) {
  OpResult r;
  Graph g;
  g.opset = opset;
  Node node;
  node.op = op;
  node.name = "n0";
  node.attrs = std::move(attributes);
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i]) {
      node.inputs.push_back(kNoValue);
      continue;
    }
    std::string name = fmt::format("in{}", i);
    if (inputs[i]->constant) {
      node.inputs.push_back(g.addConstant(name, inputs[i]->tensor));
    } else {
      ValueId v = g.addValue(name, inputs[i]->tensor.desc());
      g.inputs.push_back(v);
      node.inputs.push_back(v);
    }
  }
  for (int i = 0; i < num_outputs; ++i) node.outputs.push_back(g.addValue(fmt::format("y{}", i)));
  std::vector<ValueId> outs = node.outputs;
  g.addNode(std::move(node));
  // Each output feeds an Identity whose output is a graph output, so folded
  // outputs stay in the graph as constants.
  for (int i = 0; i < num_outputs; ++i) {
    Node sink;
    sink.op = "Identity";
    sink.name = fmt::format("sink{}", i);
    sink.inputs = {outs[size_t(i)]};
    sink.outputs = {g.addValue(fmt::format("out{}", i))};
    g.outputs.push_back(sink.outputs[0]);
    g.addNode(std::move(sink));
  }
  r.status = inferShapes(g);
  if (!r.status.ok()) return r;
  NodeId n0 = -1;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    if (g.nodes[i].name == "n0") n0 = NodeId(i);
  r.folded = n0 < 0;
  for (int i = 0; i < num_outputs; ++i) {
    const Value& v = g.values[size_t(g.findValue(fmt::format("y{}", i)))];
    r.descs.push_back(v.desc);
    if (r.folded) r.outputs.push_back(*v.constant);
  }
  if (r.folded) return r;
  std::vector<const HostTensor*> in_tensors;
  for (ValueId v : g.nodes[size_t(n0)].inputs) {
    if (v == kNoValue) {
      in_tensors.push_back(nullptr);
      continue;
    }
    const Value& val = g.values[size_t(v)];
    in_tensors.push_back(val.constant ? val.constant.get() : &inputs[size_t(std::stoi(val.name.substr(2)))]->tensor);
  }
  auto outputs = runNodeOnCpu(g, n0, in_tensors);
  if (!outputs.ok()) {
    r.status = outputs.status();
    return r;
  }
  r.outputs = std::move(outputs).value();
  return r;
}

HostTensor f32(Shape shape, std::vector<float> values) {
  return HostTensor::fromFloats(DType::kFloat32, std::move(shape), values);
}
HostTensor f16(Shape shape, std::vector<float> values) {
  return HostTensor::fromFloats(DType::kFloat16, std::move(shape), values);
}
HostTensor i64(Shape shape, std::vector<int64_t> values) {
  return HostTensor::fromInts(DType::kInt64, std::move(shape), values);
}
HostTensor boolean(Shape shape, std::vector<int64_t> values) {
  return HostTensor::fromInts(DType::kBool, std::move(shape), values);
}

Attributes attrs(std::vector<std::pair<std::string, AttrValue>> list) {
  Attributes a;
  for (auto& [k, v] : list) a.set(k, std::move(v));
  return a;
}

}  // namespace gpuscope::engine::testing
