// The engine's public face, used by `gpuscope bench` (src/bench) and tests:
// build an Engine from ONNX (optimize, choose tactics, plan memory), save and
// load it, and run it through an ExecutionContext. Mirrors TensorRT's split of
// ICudaEngine / IExecutionContext, which trtexec's users know.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/ir/graph.h"

namespace gpuscope::engine {

enum class Precision { kFp32, kFp16, kBf16 };
// trtexec --profilingVerbosity: what layer info holds and what NVTX ranges say.
enum class ProfilingVerbosity { kLayerNamesOnly, kDetailed, kNone };
enum class Device { kGpu, kCpu };  // kCpu: the CPU reference ops (CI, no GPU)

// Severity letters as trtexec prints them: V I W E.
using LogSink = std::function<void(char severity, const std::string& message)>;

struct BuildOptions {
  // Input shapes for dynamic dims: name -> dims (trtexec --shapes/--optShapes).
  std::map<std::string, Shape> shapes;
  // Reduced precisions allowed "in addition to fp32" (trtexec --fp16/--bf16/--best).
  bool fp16 = false;
  bool bf16 = false;
  Device device = Device::kGpu;
  ProfilingVerbosity verbosity = ProfilingVerbosity::kLayerNamesOnly;
  std::string timing_cache_file;  // read before tactic timing, written after
  int avg_timing = 8;             // timed runs per tactic (trtexec --avgTiming)
  int64_t workspace_bytes = int64_t(1) << 30;
  bool optimize = true;           // false: run the imported graph as is (tests)
};

// One layer of the built engine, as layer info / NVTX / profiles name it.
struct LayerRecord {
  std::string name;          // "conv1 + bn1 + relu", "PWN(Add_3, Relu_4)", "Reformatting CopyNode for ..."
  std::string layer_type;    // implementation (trtexec LayerType): CaskConvolution, MatrixMultiply, PointWiseV2, Reformat, CudaSoftMax, NoOp, ...
  std::string parameter_type;  // logical type (ParameterType): Convolution, MatrixMultiply, PointWise, Reformat, Shuffle, ...
  std::string tactic_name;   // chosen implementation, "" for none
  uint64_t tactic_value = 0;
  std::vector<std::string> origin;  // ONNX node names fused into it
  NodeId node = -1;          // node in Engine::graph()
};

struct IoTensor {
  std::string name;
  TensorDesc desc;
  bool is_input = true;
};

class Engine {
 public:
  virtual ~Engine() = default;
  static StatusOr<std::unique_ptr<Engine>> buildFromOnnx(const std::string& onnx_path, const BuildOptions& options,
                                                         const LogSink& log);
  static StatusOr<std::unique_ptr<Engine>> buildFromGraph(Graph graph, const BuildOptions& options, const LogSink& log);
  // Versioned engine file (engine/serialize). A file of another version or a
  // truncated one is InvalidInput naming the file and byte offset.
  static StatusOr<std::unique_ptr<Engine>> load(const std::string& path, const LogSink& log);
  virtual Status save(const std::string& path) const = 0;  // atomic: temp + rename

  virtual const Graph& graph() const = 0;  // the optimized graph; one live node per layer
  virtual const std::vector<LayerRecord>& layers() const = 0;
  virtual std::vector<IoTensor> io() const = 0;
  virtual Device device() const = 0;
  virtual Precision precision() const = 0;
  virtual int64_t deviceMemoryBytes() const = 0;  // activations + workspace of one context
  virtual int64_t weightBytes() const = 0;
  // trtexec --exportLayerInfo JSON ({"Layers": [...], "Bindings": [...]}).
  virtual std::string layerInfoJson(ProfilingVerbosity verbosity) const = 0;
};

// Per-layer times of one inference, in the order the layers ran (ms).
struct LayerTimes {
  std::vector<float> ms;  // index = Engine::layers() index
};

struct ContextOptions {
  ProfilingVerbosity nvtx = ProfilingVerbosity::kLayerNamesOnly;  // one NVTX range per layer unless kNone
  // Time each layer with a pair of CUDA events. After captureGraph() the
  // events are event-record nodes of the graph, so the times exclude host
  // launch gaps; launched layer by layer they include them when the GPU
  // waits for the CPU.
  bool profile_layers = false;
};

class ExecutionContext {
 public:
  virtual ~ExecutionContext() = default;
  static StatusOr<std::unique_ptr<ExecutionContext>> create(const Engine& engine, const ContextOptions& options);

  // Buffer of an IO tensor: device memory for a GPU engine, host memory for a
  // CPU one. Size is the tensor's desc().bytes(). nullptr for an unknown name.
  virtual void* buffer(const std::string& name) = 0;
  // Runs one inference on `stream` (a cudaStream_t; ignored for CPU engines).
  // With a captured graph, launches it.
  virtual Status enqueue(void* stream) = 0;
  // Captures enqueue() into a CUDA graph on `stream` (with profile_layers,
  // the per-layer events too). Returns false (and logs why) when capture
  // fails; enqueue then keeps launching layer by layer. Each context has its
  // own layers and library handles: contexts of one engine may enqueue from
  // different host threads at once (one context per thread).
  virtual StatusOr<bool> captureGraph(void* stream, const LogSink& log) = 0;
  // With ContextOptions::profile_layers: per-layer times of the last enqueue
  // (synchronizes the stream).
  virtual StatusOr<LayerTimes> lastLayerTimes() = 0;
};

}  // namespace gpuscope::engine
