// Test harness for the GPU layers (label gpu; run on the H200): builds a
// one-node graph, infers shapes with the CPU ops, runs the node's GpuLayer
// (every tactic) on device buffers and compares each output with the CPU
// reference op (runNodeOnCpu). Failures print the node, the tactic, the
// error metric and the worst element.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "engine/gpu/gpu_layer.h"
#include "engine/ir/graph.h"

namespace gpuscope::engine::gputest {

// One CUDA device with cuDNN / cuBLASLt handles and a stream, made once per
// process. nullptr (with the reason) when there is no usable device.
struct GpuEnv {
  GpuContext ctx;
  void* stream = nullptr;  // cudaStream_t
};
GpuEnv* gpuEnv(std::string* why);

#define GS_REQUIRE_GPU(env_var)                                  \
  std::string gs_gpu_why_;                                        \
  ::gpuscope::engine::gputest::GpuEnv* env_var = ::gpuscope::engine::gputest::gpuEnv(&gs_gpu_why_); \
  if (!env_var) GTEST_SKIP() << "no usable CUDA device: " << gs_gpu_why_

// Device memory owned by the test.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& o) noexcept : ptr_(o.ptr_), bytes_(o.bytes_) { o.ptr_ = nullptr; o.bytes_ = 0; }
  DeviceBuffer& operator=(DeviceBuffer&& o) noexcept;
  void* get() const { return ptr_; }
  size_t bytes() const { return bytes_; }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};
DeviceBuffer upload(const HostTensor& t);
HostTensor download(const DeviceBuffer& b, const TensorDesc& desc);

// Uniform random floats in [lo, hi) (float dtypes) or integers in [lo, hi).
HostTensor randomTensor(DType dtype, Shape shape, std::mt19937& rng, double lo = -1.0, double hi = 1.0);

// max |got - want| / max |want| (plain max abs error when want is all zero);
// NaN/Inf mismatches count as infinite error.
struct Diff {
  double max_abs_err = 0, max_abs_ref = 0, rel = 0;
  int64_t worst = -1;
  double got = 0, want = 0;
  std::string text() const;
};
Diff compareTensors(const HostTensor& got, const HostTensor& want);

// Builds a one-node graph. Runtime inputs are graph inputs (given values are
// fed to both CPU and GPU); constants are initializers.
class OneNode {
 public:
  explicit OneNode(int64_t opset = 18) { graph.opset = opset; }
  ValueId input(const std::string& name, HostTensor value);
  ValueId constant(const std::string& name, HostTensor value);
  ValueId omitted() { return kNoValue; }
  // Adds the node with `outputs` outputs (names y0, y1, ...); infers shapes.
  // Returns false (with a gtest failure) when inference fails.
  bool node(const std::string& op, std::vector<ValueId> inputs, Attributes attrs = {}, int outputs = 1,
            std::vector<bool> omit_outputs = {});
  Graph graph;
  NodeId id = -1;
  std::map<std::string, HostTensor> values;  // runtime inputs by name (ids may be renumbered)
};

struct RunOptions {
  double tol = 1e-4;               // relative tolerance (Diff::rel)
  bool all_tactics = true;         // else only the first
  int expect_min_tactics = 1;
  bool capture = true;             // also run each tactic captured in a CUDA graph (after a warm-up run)
};

// Runs the node on CPU and on GPU (each tactic; directly, then captured into
// a CUDA graph and replayed) and compares every output.
// Returns the number of tactics checked (0 on a setup failure, which is
// reported as a gtest failure).
int checkAgainstCpu(GpuEnv& env, OneNode& n, const RunOptions& opts = {});

// Runs the GPU layer of the node with tactic `tactic_index` (captured in a
// CUDA graph and replayed when `capture`) and returns its outputs (for tests
// with their own reference).
std::vector<HostTensor> runOnGpu(GpuEnv& env, OneNode& n, size_t tactic_index, std::string* tactic_name = nullptr,
                                 bool capture = false);

double tolFor(DType t);  // 1e-4 fp32, 1e-2 fp16/bf16, 0 for integers

}  // namespace gpuscope::engine::gputest
