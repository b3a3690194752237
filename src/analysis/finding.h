// A finding: one problem the rules found, with where it is, the numbers
// that show it, what fixing it could save and what to do.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/table_macros.h"

namespace gpuscope::analysis {

enum class Severity { kInfo = 0, kLow = 1, kMedium = 2, kHigh = 3 };
const char* severityName(Severity s);
// From the estimated gain as a share of the GPU span: >= 10 % high,
// >= 3 % medium, >= 0.5 % low, else info.
Severity severityForGain(double gain_pct);

struct Evidence {
  std::string name;
  double value = 0;
  std::string unit;  // "ns", "%", "count", "bytes"
};

// One occurrence (a gap, a call, a window) behind a finding.
struct Instance {
  int64_t start = 0;
  int64_t end = 0;
  int32_t device = -1;
  int64_t stream = model::kNullI64;
  int64_t pid = model::kNullI64;
  int64_t tid = model::kNullI64;
  std::string what;  // e.g. "cudaStreamSynchronize", "before kernel X"
};

struct Finding {
  std::string id;    // "<rule>/<n>", stable within one run
  std::string rule;  // e.g. "gpu_gaps", "cuda_api_sync"
  std::string title;
  Severity severity = Severity::kInfo;
  // Where: the worst instance, or the whole window.
  int64_t start = 0;
  int64_t end = 0;
  int32_t device = -1;
  int64_t stream = model::kNullI64;
  int64_t pid = model::kNullI64;
  int64_t tid = model::kNullI64;
  std::vector<std::string> kernels;
  std::vector<Evidence> evidence;
  int64_t gain_ns = 0;     // estimated saving
  double gain_pct = 0;     // of the GPU span
  std::string suggestion;
  std::vector<Instance> instances;  // up to AnalysisOptions::rows, worst first
  size_t instance_count = 0;        // all of them

  // Sets the estimated saving, its share of the GPU span and the severity
  // that share earns (severityForGain).
  void setGain(int64_t saving_ns, int64_t span_ns);
  // Sets where the finding is (time range, device, stream, pid, tid) from
  // instances.front(): the worst one once keepTopInstances has sorted them.
  void placeAtWorstInstance();
};

}  // namespace gpuscope::analysis
