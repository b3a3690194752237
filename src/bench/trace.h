// One inference query as trtexec records it (sampleInference.cpp): host
// enqueue times and CUDA-event times, all in float milliseconds since the
// run's start, and the per-metric durations derived from them.
#pragma once

#include <string>
#include <vector>

namespace gpuscope::bench {

struct InferenceTrace {
  int stream = 0;
  float enq_start = 0, enq_end = 0;
  float h2d_start = 0, h2d_end = 0;
  float compute_start = 0, compute_end = 0;
  float d2h_start = 0, d2h_end = 0;
};

// trtexec's InferenceTime: Latency = H2D + compute + D2H (enqueue excluded).
struct InferenceTime {
  float enq = 0, h2d = 0, compute = 0, d2h = 0;
  float latency() const { return h2d + compute + d2h; }
};

inline InferenceTime traceToTiming(const InferenceTrace& t) {
  return {t.enq_end - t.enq_start, t.h2d_end - t.h2d_start, t.compute_end - t.compute_start, t.d2h_end - t.d2h_start};
}

// Per-layer times of the profiled inferences (trtexec's Profiler): one entry
// per engine layer in execution order, one sample per profiled inference.
struct LayerProfile {
  std::string name;
  float total_ms = 0;            // float accumulation, as trtexec
  std::vector<float> samples_ms;
};

struct Profile {
  std::vector<LayerProfile> layers;
  // Adds one inference (ms per layer, same order as `layers`).
  void addIteration(const std::vector<float>& ms) {
    for (size_t i = 0; i < layers.size() && i < ms.size(); ++i) {
      layers[i].total_ms += ms[i];
      layers[i].samples_ms.push_back(ms[i]);
    }
  }
  // trtexec counts the reports of the first layer.
  int iterations() const { return layers.empty() ? 0 : int(layers.front().samples_ms.size()); }
};

}  // namespace gpuscope::bench
