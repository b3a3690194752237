#include "bench/report.h"

#include <algorithm>
#include <cstdio>

namespace gpuscope::bench {

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

ReportSettings reportSettings(const BenchOptions& o) {
  ReportSettings s;
  s.warmup_ms = o.warmup_ms;
  s.avg_runs = o.avg_runs;
  s.percentiles = o.percentiles;
  s.streams = o.streams;
  s.version = o.version;
  s.host_clock = o.device == engine::Device::kCpu;
  return s;
}

size_t firstMeasured(const std::vector<InferenceTrace>& trace, float warmup_ms) {
  auto it = std::find_if(trace.begin(), trace.end(),
                         [warmup_ms](const InferenceTrace& t) { return t.compute_start >= warmup_ms; });
  return size_t(it - trace.begin());
}

StatusOr<Summary> summarize(const std::vector<InferenceTrace>& trace, const ReportSettings& s) {
  Summary sum;
  sum.warmups = firstMeasured(trace, s.warmup_ms);
  if (sum.warmups == trace.size())
    return InvalidInput("no inference completed after the " + num(s.warmup_ms) + " ms warm-up (" +
                        std::to_string(trace.size()) + " queries in the trace)");
  sum.measured = trace.size() - sum.warmups;
  // The last element of the h2dStart-sorted trace, as upstream (with several
  // streams it may not be the last to finish).
  sum.walltime_ms = trace.back().d2h_end - trace[sum.warmups].h2d_start;
  std::vector<float> lat, enq, h2d, compute, d2h;
  for (size_t i = sum.warmups; i < trace.size(); ++i) {
    InferenceTime t = traceToTiming(trace[i]);
    lat.push_back(t.latency());
    enq.push_back(t.enq);
    h2d.push_back(t.h2d);
    compute.push_back(t.compute);
    d2h.push_back(t.d2h);
  }
  const int batch = 1;  // explicit batch: one query per inference
  sum.throughput_qps = float(batch) * float(sum.measured) / sum.walltime_ms * 1000;
  sum.latency = getPerformanceResult(std::move(lat), s.percentiles);
  sum.enqueue = getPerformanceResult(std::move(enq), s.percentiles);
  sum.h2d = getPerformanceResult(std::move(h2d), s.percentiles);
  sum.compute = getPerformanceResult(std::move(compute), s.percentiles);
  sum.d2h = getPerformanceResult(std::move(d2h), s.percentiles);
  sum.gpu_compute_total_s = sum.compute.mean * float(sum.measured) / 1000;
  return sum;
}

void printTraceDetails(const std::vector<InferenceTime>& timings, int avg_runs, Logger& log) {
  log.info("");
  log.info("=== Trace details ===");
  log.info("Trace averages of " + std::to_string(avg_runs) + " runs:");
  // Newer releases print only the first and last 200 groups; the tail
  // restarts one query early (upstream index arithmetic), so its last group
  // stays partial and unprinted.
  constexpr int64_t kThreshold = 200;
  const int64_t max_timings = kThreshold * avg_runs;
  InferenceTime acc;
  int count = 0;
  for (int64_t idx = 0, size = int64_t(timings.size()); idx < size; ++idx) {
    if (size > 2 * max_timings && idx == max_timings) {
      log.info("... Omitting " + std::to_string(size - 2 * max_timings) + " lines");
      idx = size - max_timings - 1;
    }
    const InferenceTime& t = timings[size_t(idx)];
    acc.enq += t.enq;
    acc.h2d += t.h2d;
    acc.compute += t.compute;
    acc.d2h += t.d2h;
    if (++count == avg_runs) {
      const float n = float(avg_runs);
      log.info("Average on " + std::to_string(avg_runs) + " runs - GPU latency: " + num(acc.compute / n) +
               " ms - Host latency: " + num(acc.latency() / n) + " ms (enqueue " + num(acc.enq / n) + " ms)");
      count = 0;
      acc = InferenceTime{};
    }
  }
}

namespace {
std::string perfString(const PerformanceResult& r, const std::vector<float>& percentiles) {
  std::string s = "min = " + num(r.min) + " ms, max = " + num(r.max) + " ms, mean = " + num(r.mean) +
                  " ms, median = " + num(r.median) + " ms";
  for (size_t i = 0; i < percentiles.size() && i < r.percentiles.size(); ++i)
    s += ", percentile(" + num(percentiles[i]) + "%) = " + num(r.percentiles[i]) + " ms";
  return s;
}
}  // namespace

void printSummary(const Summary& sum, const ReportSettings& s, Logger& log) {
  log.info("");
  log.info("=== Performance summary ===");
  log.info("Throughput: " + num(sum.throughput_qps) + " qps");
  log.info("Latency: " + perfString(sum.latency, s.percentiles));
  log.info("Enqueue Time: " + perfString(sum.enqueue, s.percentiles));
  log.info("H2D Latency: " + perfString(sum.h2d, s.percentiles));
  log.info("GPU Compute Time: " + perfString(sum.compute, s.percentiles));
  log.info("D2H Latency: " + perfString(sum.d2h, s.percentiles));
  log.info("Total Host Walltime: " + num(sum.walltime_ms / 1000) + " s");
  log.info("Total GPU Compute Time: " + num(sum.gpu_compute_total_s) + " s");
}

void printWarnings(const Summary& sum, const ReportSettings& s, Logger& log) {
  const bool v11 = s.version.major >= 11;
  if (!s.host_clock && sum.enqueue.median > 0.8F * sum.compute.median) {
    log.warn("* Throughput may be bound by Enqueue Time rather than GPU Compute and the GPU may be under-utilized.");
    log.warn(v11 ? "  If --noCudaGraph is in use, removing it (CUDA graphs are used by default) may increase the "
                   "throughput."
                 : "  If not already in use, --useCudaGraph (utilize CUDA graphs where possible) may increase the "
                   "throughput.");
  }
  const char* transfer_hint = v11 ? "  Consider removing --includeDataTransfers to disable data transfers."
                                  : "  Add --noDataTransfers flag to disable data transfers.";
  if (sum.h2d.median >= sum.compute.median) {
    log.warn("* Throughput may be bound by host-to-device transfers for the inputs rather than GPU Compute and the "
             "GPU may be under-utilized.");
    log.warn(transfer_hint);
  }
  if (sum.d2h.median >= sum.compute.median) {
    log.warn("* Throughput may be bound by device-to-host transfers for the outputs rather than GPU Compute and the "
             "GPU may be under-utilized.");
    log.warn(transfer_hint);
  }
  // The threshold was raised from 1.0 % to 2.5 % in TensorRT 10.14.
  const float threshold = s.version.atLeast(10, 14) ? 2.5F : 1.0F;
  if (sum.compute.coeff_var > threshold) {
    log.warn("* GPU compute time is unstable, with coefficient of variance = " + num(sum.compute.coeff_var) + "%.");
    log.warn(v11 ? "  If not already in use, locking GPU clock frequency may improve the stability."
                 : "  If not already in use, locking GPU clock frequency or adding --useSpinWait may improve the "
                   "stability.");
  }
  if (s.streams > 1) {
    log.warn("* Multiple inference streams are used. Latencies may not be accurate since inferences may run in   "
             "parallel. Please use \"Throughput\" as the performance metric instead.");
  }
}

void printMetricExplanations(Logger& log) {
  log.verbose("");
  log.verbose("=== Explanations of the performance metrics ===");
  log.verbose("Total Host Walltime: the host walltime from when the first query (after warmups) is enqueued to when "
              "the last query is completed.");
  log.verbose("GPU Compute Time: the GPU latency to execute the kernels for a query.");
  log.verbose("Total GPU Compute Time: the summation of the GPU Compute Time of all the queries. If this is "
              "significantly shorter than Total Host Walltime, the GPU may be under-utilized because of host-side "
              "overheads or data transfers.");
  log.verbose("Throughput: the observed throughput computed by dividing the number of queries by the Total Host "
              "Walltime. If this is significantly lower than the reciprocal of GPU Compute Time, the GPU may be "
              "under-utilized because of host-side overheads or data transfers.");
  log.verbose("Enqueue Time: the host latency to enqueue a query. If this is longer than GPU Compute Time, the GPU "
              "may be under-utilized.");
  log.verbose("H2D Latency: the latency for host-to-device data transfers for input tensors of a single query.");
  log.verbose("D2H Latency: the latency for device-to-host data transfers for output tensors of a single query.");
  log.verbose("Latency: the summation of H2D Latency, GPU Compute Time, and D2H Latency. This is the latency to "
              "infer a single query.");
}

StatusOr<Summary> printPerformanceReport(const std::vector<InferenceTrace>& trace, const ReportSettings& s,
                                         Logger& log) {
  GS_ASSIGN_OR_RETURN(Summary sum, summarize(trace, s));
  log.info("Warmup completed " + std::to_string(sum.warmups) + " queries over " + num(s.warmup_ms) + " ms");
  log.info("Timing trace has " + std::to_string(sum.measured) + " queries over " + num(sum.walltime_ms / 1000) +
           " s");
  std::vector<InferenceTime> timings;
  timings.reserve(sum.measured);
  for (size_t i = sum.warmups; i < trace.size(); ++i) timings.push_back(traceToTiming(trace[i]));
  printTraceDetails(timings, s.avg_runs, log);
  printSummary(sum, s, log);
  printWarnings(sum, s, log);
  log.info("Explanations of the performance metrics are printed in the verbose logs.");
  printMetricExplanations(log);
  log.info("");
  return sum;
}

float medianRuntimeMs(const Profile& profile) {
  const int n = profile.iterations();
  std::vector<float> totals(size_t(n), 0.0F);
  for (const LayerProfile& l : profile.layers)
    for (int i = 0; i < n && i < int(l.samples_ms.size()); ++i) totals[size_t(i)] += l.samples_ms[size_t(i)];
  std::sort(totals.begin(), totals.end());
  return findMedian(totals);
}

void printProfile(const Profile& profile, Logger& log) {
  float total = 0.0F;
  for (const LayerProfile& l : profile.layers) total += l.total_ms;
  const int n = profile.iterations();
  char buf[96];
  log.info("");
  log.info("=== Profile (" + std::to_string(n) + " iterations ) ===");
  log.info("   Time(ms)     Avg.(ms)   Median(ms)   Time(%)   Layer");
  for (const LayerProfile& l : profile.layers) {
    if (l.total_ms == 0.0F) continue;  // layers that did not run (views, no-ops)
    std::vector<float> sorted = l.samples_ms;
    std::sort(sorted.begin(), sorted.end());
    const float avg = l.samples_ms.empty() ? 0.0F : l.total_ms / float(l.samples_ms.size());
    std::snprintf(buf, sizeof buf, "%11.2f%13.4f%13.4f%10.1f", double(l.total_ms), double(avg),
                  double(findMedian(sorted)), double(l.total_ms / total * 100));
    log.info(std::string(buf) + "   " + l.name);
  }
  std::snprintf(buf, sizeof buf, "%11.2f%13.4f%13.4f%10.1f", double(total), double(n ? total / float(n) : 0.0F),
                double(n ? medianRuntimeMs(profile) : 0.0F), 100.0);
  log.info(std::string(buf) + "   Total");
  log.info("");
}

}  // namespace gpuscope::bench
