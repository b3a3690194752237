// Helpers of the runtime tests: small graphs built in code, deterministic
// inputs, and running an engine to get its outputs as floats.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/runtime/engine.h"

namespace gpuscope::engine::testutil {

// x [2,4] -> MatMul(w [4,6]) -> Relu -> Reshape [3,4] -> y, with a second
// output z = Add(relu, relu) so that one activation has two readers.
inline Graph makeMlpGraph() {
  Graph g;
  g.opset = 18;
  g.name = "mlp";
  ValueId x = g.addValue("x", {DType::kFloat32, {2, 4}});
  g.inputs = {x};
  std::vector<float> w(24);
  for (size_t i = 0; i < w.size(); ++i) w[i] = float(int(i % 7) - 3) * 0.25f;
  ValueId wv = g.addConstant("fc.weight", HostTensor::fromFloats(DType::kFloat32, {4, 6}, w));
  ValueId mm = g.addValue("/fc/MatMul_output_0");
  g.addNode(Node{"MatMul", "/fc/MatMul", {x, wv}, {mm}, {}, {"/fc/MatMul"}});
  ValueId r = g.addValue("/relu/Relu_output_0");
  g.addNode(Node{"Relu", "/relu/Relu", {mm}, {r}, {}, {"/relu/Relu"}});
  std::vector<int64_t> shape{3, 4};
  ValueId s = g.addConstant("shape", HostTensor::fromInts(DType::kInt64, {2}, shape));
  ValueId y = g.addValue("y");
  g.addNode(Node{"Reshape", "/Reshape", {r, s}, {y}, {}, {"/Reshape"}});
  ValueId z = g.addValue("z");
  g.addNode(Node{"Add", "/Add", {r, r}, {z}, {}, {"/Add"}});
  g.outputs = {y, z};
  return g;
}

// Deterministic input values in [-1, 1) by index.
inline float inputValue(size_t i, size_t salt) { return float(int64_t((i * 2654435761u + salt * 97u) % 2000) - 1000) / 1000.f; }

// Fills every input of a host-memory (CPU) context, float or integer.
inline void fillCpuInputs(const Engine& engine, ExecutionContext& ctx, int64_t int_modulus = 2) {
  size_t salt = 0;
  for (const IoTensor& t : engine.io()) {
    if (!t.is_input) continue;
    HostTensor h(t.desc.dtype, t.desc.shape);
    for (int64_t i = 0; i < h.elements(); ++i)
      h.setDouble(i, isFloat(t.desc.dtype) ? inputValue(size_t(i), salt) : double(int64_t(i) % int_modulus));
    std::memcpy(ctx.buffer(t.name), h.raw(), h.byteSize());
    ++salt;
  }
}

// Outputs of a host-memory context as floats, by name.
inline std::map<std::string, std::vector<float>> cpuOutputs(const Engine& engine, ExecutionContext& ctx) {
  std::map<std::string, std::vector<float>> out;
  for (const IoTensor& t : engine.io()) {
    if (t.is_input) continue;
    HostTensor h(t.desc.dtype, t.desc.shape);
    std::memcpy(h.raw(), ctx.buffer(t.name), h.byteSize());
    out[t.name] = h.toFloats();
  }
  return out;
}

// max |a-b| / max(1e-6, max|b|) over the tensor: a relative error that does
// not blow up on elements near zero.
inline double relativeError(const std::vector<float>& a, const std::vector<float>& b) {
  double diff = 0, scale = 1e-6;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    diff = std::max(diff, double(std::fabs(a[i] - b[i])));
    scale = std::max(scale, double(std::fabs(b[i])));
  }
  return a.size() == b.size() ? diff / scale : 1e30;
}

inline LogSink collectLog(std::vector<std::string>& lines) {
  return [&lines](char sev, const std::string& m) { lines.push_back(std::string(1, sev) + " " + m); };
}

inline std::string tempPath(const std::string& name) {
  return ::testing::TempDir() + "/gpuscope_runtime_" + std::to_string(::getpid()) + "_" + name;
}

}  // namespace gpuscope::engine::testutil
