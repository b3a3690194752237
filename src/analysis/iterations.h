// The repeated unit of work (one inference, one training step): from an
// NVTX / user-annotation range that repeats (ProfilerStep#N, "inference",
// TensorRT's ExecutionContext::enqueue), else from a kernel-name sequence
// that repeats on the busiest device.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/trace_index.h"

namespace gpuscope::analysis {

struct Iteration {
  int64_t start = 0;  // host range (NVTX) or launch window (kernel sequence)
  int64_t end = 0;
  int64_t pid = model::kNullI64;
  int64_t tid = model::kNullI64;
  int64_t gpu_start = 0;  // first start / last end of the GPU ops it launched
  int64_t gpu_end = 0;
  std::vector<uint32_t> ops;  // packed GPU ops, by start
};

struct IterationSet {
  std::string method;  // "nvtx", "kernel_sequence", or "" when none found
  std::string name;    // range name ("ProfilerStep#N") or "period P kernels"
  std::vector<Iteration> items;
};

IterationSet detectIterations(TraceIndex& index);

// "ProfilerStep#12" -> "ProfilerStep#N"; other names unchanged.
std::string normalizeIterationName(std::string_view name);

}  // namespace gpuscope::analysis
