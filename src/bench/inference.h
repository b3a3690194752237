// trtexec's measurement loop (sampleInference.cpp; reference/trtexec.md §3),
// independent of the device: each inference stream is a QueryBackend with
// `depth` slots (2: the next query is enqueued before waiting for the
// previous one; 1 with --exposeDMA). Steps continue while fewer than
// iterations + skip steps were made or the latest completed computeStart is
// below warmUp + duration; steps completed during the warm-up add to skip.
// The CUDA backend is inference_gpu.cc, the host-clock one inference_cpu.cc.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "bench/exports.h"
#include "bench/log.h"
#include "bench/trace.h"
#include "engine/runtime/engine.h"

namespace gpuscope::bench {

class QueryBackend {
 public:
  virtual ~QueryBackend() = default;
  // Enqueues one query into `slot` (transfers, compute, host enqueue times).
  virtual Status query(int slot) = 0;
  // Waits for the query in `slot`; its times in ms since the run's start.
  virtual StatusOr<InferenceTrace> sync(int slot) = 0;
};

struct LoopSettings {
  int iterations = 10;
  float warmup_ms = 200;
  float duration_ms = 3000;  // < 0: until *stop
  float idle_ms = 0;
  int depth = 2;
};

// One host thread driving `streams` round-robin, as trtexec without --threads.
Status inferenceLoop(const std::vector<QueryBackend*>& streams, const LoopSettings& s,
                     std::vector<InferenceTrace>* trace, const std::atomic<bool>* stop);

// All streams (one thread each with `threads`), traces merged and sorted by h2dStart.
StatusOr<std::vector<InferenceTrace>> runInferenceLoops(const std::vector<QueryBackend*>& streams,
                                                        const LoopSettings& s, bool threads,
                                                        const std::atomic<bool>* stop);

// What a device needs to set up the contexts of one run.
struct RunSetup {
  const engine::Engine* engine = nullptr;
  int streams = 1;
  bool data_transfers = true;
  bool spin_wait = false;
  bool cuda_graph = false;
  bool profile_layers = false;  // attach the per-layer profiler to this run
  engine::ProfilingVerbosity nvtx = engine::ProfilingVerbosity::kLayerNamesOnly;
  int device_index = 0;
  std::map<std::string, std::vector<uint8_t>> inputs;  // --loadInputs; others random
};

// The contexts, streams and buffers of one run on one device.
class InferenceDevice {
 public:
  virtual ~InferenceDevice() = default;
  virtual std::vector<QueryBackend*> streams() = 0;
  // Takes the run's time origin (host clock and GPU event); call right before the loop.
  virtual Status startClock() = 0;
  // Output tensors of stream 0 after the run (copied to the host).
  virtual StatusOr<std::vector<OutputTensor>> outputs() = 0;
  // Per-layer profile gathered during the run (empty without profile_layers).
  virtual Profile takeProfile() = 0;
};

StatusOr<std::unique_ptr<InferenceDevice>> createCpuDevice(const RunSetup& setup, Logger& log);
StatusOr<std::unique_ptr<InferenceDevice>> createGpuDevice(const RunSetup& setup, Logger& log);
// `=== Device Information ===` lines for --device=N (EnvironmentError without a GPU).
StatusOr<std::vector<std::string>> gpuDeviceInformation(int device_index);

// Input bytes for every engine input: --loadInputs data, else random values
// like trtexec for floats (uniform in [-1, 1]) and zeros for integer and bool
// inputs (valid as indices and masks).
std::vector<uint8_t> defaultInputBytes(const engine::TensorDesc& desc, uint32_t seed);

}  // namespace gpuscope::bench
