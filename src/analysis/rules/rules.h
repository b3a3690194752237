// The expert rules. Each appends its findings (one per device and cause or
// per rule, with the individual occurrences as instances) to `out`.
// Estimated gains are upper bounds of the GPU time a fix could give back;
// rules overlap (a gap found by gpu_gaps is also inside a low-utilisation
// window), so gains are not summed across rules.
#pragma once

#include <vector>

#include "analysis/finding.h"
#include "analysis/options.h"
#include "analysis/trace_index.h"

namespace gpuscope::analysis {

// Why the GPU was idle, judged from the host thread that launched the next
// GPU operation (its API calls during the gap).
enum class GapCause { kLaunchLatency, kSyncWait, kCopy, kCpuWork, kDependency, kUnknown };
const char* gapCauseName(GapCause c);

struct GpuGap {
  int64_t start = 0;
  int64_t end = 0;
  int32_t device = 0;
  uint32_t prev_op = 0;  // op ending at `start`
  uint32_t next_op = 0;  // op starting at `end`
  GapCause cause = GapCause::kUnknown;
  int64_t pid = model::kNullI64;  // host thread that launched next_op
  int64_t tid = model::kNullI64;
};

// Every idle period of every device of at least min_ns, in time order.
std::vector<GpuGap> findGpuGaps(TraceIndex& index, int64_t min_ns);
GapCause classifyGap(TraceIndex& index, GpuGap& gap);

void gpuGapsRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out);
void gpuTimeUtilRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out);
void launchBoundRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out);
void memcpyAsyncPageableRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out);
void memcpySyncRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out);
void memsetSyncRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out);
void apiSyncRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out);
void copyOverlapRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out);
void streamSerializationRule(TraceIndex& index, const AnalysisOptions& o, std::vector<Finding>& out);

// Shared helpers.
double percentOf(int64_t part, int64_t whole);
std::string kernelNameOf(const TraceIndex& index, uint32_t op);  // "memcpy HtoD" for copies
// Keeps the `rows` largest instances by (end - start) unless rows < 0.
void keepTopInstances(std::vector<Instance>& v, int rows);
std::string formatNs(int64_t ns);  // "12.3 us"

}  // namespace gpuscope::analysis
