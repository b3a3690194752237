#include "pass_test_util.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include <fmt/format.h>

#include "engine/passes/infer_shapes.h"

namespace gpuscope::engine::testing {

ValueId GraphBuilder::input(const std::string& name, Shape shape, DType dtype) {
  ValueId v = g.addValue(name, TensorDesc{dtype, std::move(shape)});
  g.inputs.push_back(v);
  return v;
}

ValueId GraphBuilder::weight(const std::string& name, Shape shape, float lo, float hi, DType dtype) {
  std::mt19937 rng(uint32_t(std::hash<std::string>{}(name)));
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> values(size_t(shapeElements(shape)));
  for (float& v : values) v = dist(rng);
  return constant(name, std::move(shape), std::move(values), dtype);
}

ValueId GraphBuilder::constant(const std::string& name, Shape shape, std::vector<float> values, DType dtype) {
  return g.addConstant(name, HostTensor::fromFloats(dtype, std::move(shape), values));
}

ValueId GraphBuilder::ints(const std::string& name, std::vector<int64_t> values) {
  Shape shape{int64_t(values.size())};
  return g.addConstant(name, HostTensor::fromInts(DType::kInt64, shape, values));
}

ValueId GraphBuilder::node(const std::string& op, const std::string& name, std::vector<ValueId> inputs, Attributes a) {
  ValueId out = g.addValue(name + "_out");
  Node n;
  n.op = op;
  n.name = name;
  n.inputs = std::move(inputs);
  n.outputs = {out};
  n.attrs = std::move(a);
  g.addNode(std::move(n));
  return out;
}

Graph GraphBuilder::build() {
  Status s = inferShapes(g);
  EXPECT_TRUE(s.ok()) << s.message();
  return g;
}

Attributes attrs(std::initializer_list<std::pair<const char*, AttrValue>> list) {
  Attributes a;
  for (const auto& [k, v] : list) a.set(k, v);
  return a;
}

std::map<std::string, HostTensor> randomInputs(const Graph& graph, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::map<std::string, HostTensor> out;
  for (ValueId v : graph.inputs) {
    const Value& val = graph.values[size_t(v)];
    std::vector<float> f(size_t(val.desc.elements()));
    for (float& x : f) x = dist(rng);
    out[val.name] = HostTensor::fromFloats(val.desc.dtype, val.desc.shape, f);
  }
  return out;
}

StatusOr<std::vector<HostTensor>> runGraph(const Graph& graph, const std::map<std::string, HostTensor>& inputs) {
  std::vector<std::shared_ptr<const HostTensor>> vals(graph.values.size());
  for (size_t i = 0; i < graph.values.size(); ++i) vals[i] = graph.values[i].constant;
  for (ValueId v : graph.inputs) {
    auto it = inputs.find(graph.values[size_t(v)].name);
    if (it == inputs.end()) return InvalidInput("no value for input " + graph.values[size_t(v)].name);
    vals[size_t(v)] = std::make_shared<const HostTensor>(it->second);
  }
  GS_ASSIGN_OR_RETURN(std::vector<NodeId> order, graph.topologicalOrder());
  for (NodeId n : order) {
    const Node& node = graph.nodes[size_t(n)];
    std::vector<const HostTensor*> in;
    for (ValueId v : node.inputs) {
      if (v != kNoValue && !vals[size_t(v)])
        return InternalError(fmt::format("{}: input '{}' not computed", graph.describe(n), graph.values[size_t(v)].name));
      in.push_back(v == kNoValue ? nullptr : vals[size_t(v)].get());
    }
    GS_ASSIGN_OR_RETURN(std::vector<HostTensor> outs, runNodeOnCpu(graph, n, in));
    for (size_t i = 0; i < outs.size(); ++i)
      if (node.outputs[i] != kNoValue) vals[size_t(node.outputs[i])] = std::make_shared<const HostTensor>(std::move(outs[i]));
  }
  std::vector<HostTensor> result;
  for (ValueId v : graph.outputs) {
    if (!vals[size_t(v)]) return InternalError("output " + graph.values[size_t(v)].name + " not computed");
    result.push_back(*vals[size_t(v)]);
  }
  return result;
}

void expectClose(const HostTensor& a, const HostTensor& b, double abs_tol, double rel_tol, const std::string& what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  int bad = 0;
  for (int64_t i = 0; i < a.elements(); ++i) {
    double x = a.getDouble(i), y = b.getDouble(i);
    if (!(std::fabs(x - y) <= abs_tol + rel_tol * std::fabs(y)) && bad++ < 5)
      ADD_FAILURE() << what << " element " << i << ": " << x << " vs reference " << y;
  }
  EXPECT_EQ(bad, 0) << what << ": " << bad << " of " << a.elements() << " elements differ";
}

void expectSameOutputs(const Graph& optimized, const Graph& reference, double abs_tol, double rel_tol) {
  auto inputs = randomInputs(reference);
  auto ref = runGraph(reference, inputs);
  ASSERT_TRUE(ref.ok()) << ref.status().message();
  auto got = runGraph(optimized, inputs);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->size(), ref->size());
  for (size_t i = 0; i < ref->size(); ++i) {
    EXPECT_EQ((*got)[i].dtype(), (*ref)[i].dtype()) << "output " << i;
    expectClose((*got)[i], (*ref)[i], abs_tol, rel_tol, "output " + std::to_string(i));
  }
}

std::vector<std::string> opTypes(const Graph& graph) {
  std::vector<std::string> out;
  for (const Node& n : graph.nodes)
    if (!n.dead) out.push_back(n.op);
  return out;
}

std::vector<std::string> nodeNames(const Graph& graph) {
  std::vector<std::string> out;
  for (const Node& n : graph.nodes)
    if (!n.dead) out.push_back(n.name);
  return out;
}

const Node* findNode(const Graph& graph, const std::string& name) {
  for (const Node& n : graph.nodes)
    if (!n.dead && n.name == name) return &n;
  return nullptr;
}

bool logHas(const PassLog& log, const std::string& line) {
  return std::find(log.lines().begin(), log.lines().end(), line) != log.lines().end();
}

}  // namespace gpuscope::engine::testing
