#include "explore/timing.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>

#include <fmt/format.h>

#include "explore/engine_plan.h"

namespace gpuscope::explore {

StatusOr<std::vector<TimingRecord>> readTimingJson(const std::string& path) {
  GS_ASSIGN_OR_RETURN(nlohmann::ordered_json doc, parseJsonFile(path));
  if (!doc.is_array())
    return InvalidInput(path + ": expected a JSON array of per-query records (trtexec --exportTimes)");
  static const char* kKeys[] = {"startEnqMs", "endEnqMs", "startH2dMs", "endH2dMs",
                                "startComputeMs", "endComputeMs", "startD2hMs", "endD2hMs",
                                "h2dMs", "computeMs", "d2hMs", "latencyMs"};
  std::vector<TimingRecord> out;
  out.reserve(doc.size());
  for (size_t i = 0; i < doc.size(); ++i) {
    const auto& r = doc[i];
    if (!r.is_object()) return InvalidInput(path + ":record " + std::to_string(i) + ": expected an object");
    float v[12];
    for (int k = 0; k < 12; ++k) {
      auto it = r.find(kKeys[k]);
      if (it == r.end() || !it->is_number())
        return InvalidInput(path + ":record " + std::to_string(i) + ": expected a number \"" + kKeys[k] +
                            "\" (trtexec --exportTimes)");
      v[k] = it->get<float>();
    }
    out.push_back({v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]});
  }
  return out;
}

MetricStats computeStats(std::vector<float>& values, const std::vector<float>& percentiles) {
  MetricStats s;
  const size_t n = values.size();
  if (n == 0) {
    const float inf = std::numeric_limits<float>::infinity();
    s.min = s.max = s.mean = s.median = inf;
    s.percentiles.assign(percentiles.size(), inf);
    return s;
  }
  std::sort(values.begin(), values.end());
  s.min = values.front();
  s.max = values.back();
  // trtexec sums in float; over thousands of 6-digit values read back from
  // JSON that drifts by ~1e-5 relative (fixture: 0.352153 vs logged 0.352143),
  // while a double sum stays within the JSON's rounding (0.352145).
  double sum = 0.0;
  for (float v : values) sum += v;
  s.mean = static_cast<float>(sum / static_cast<double>(n));
  s.median = (n % 2) ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  for (float p : percentiles) {
    int exclude = static_cast<int>((1 - p / 100) * static_cast<float>(n));
    int64_t idx = std::max<int64_t>(static_cast<int64_t>(n) - 1 - exclude, 0);
    s.percentiles.push_back(values[static_cast<size_t>(idx)]);
  }
  double sq = 0.0;
  for (float v : values) sq += (double(v) - s.mean) * (double(v) - s.mean);
  s.cov_percent = s.mean == 0 ? std::numeric_limits<float>::infinity()
                              : static_cast<float>(std::sqrt(sq / static_cast<double>(n)) / s.mean * 100);
  return s;
}

StatusOr<TimingSummary> summarizeTiming(const std::vector<TimingRecord>& records, const TimingOptions& o) {
  TimingSummary s;
  s.records = records.size();
  s.percentile_levels = o.percentiles;
  // Records are in trtexec's h2dStart order; the first at/after the warm-up starts the measured set.
  size_t first = 0;
  while (first < records.size() && records[first].start_compute < o.warmup_ms) ++first;
  s.warmup = first;
  s.measured = records.size() - first;
  if (s.measured == 0) return InvalidInput("timing: all " + std::to_string(records.size()) +
                                           " records fall inside the warm-up of " +
                                           fmt::format("{:g}", o.warmup_ms) + " ms");
  std::vector<float> lat, enq, h2d, gpu, d2h;
  for (auto* v : {&lat, &enq, &h2d, &gpu, &d2h}) v->reserve(s.measured);
  for (size_t i = first; i < records.size(); ++i) {
    const TimingRecord& r = records[i];
    // Durations come from the exported duration fields: the timestamps keep
    // only 6 significant digits, so their differences are quantised.
    enq.push_back(r.end_enq - r.start_enq);
    h2d.push_back(r.h2d);
    gpu.push_back(r.compute);
    d2h.push_back(r.d2h);
    lat.push_back(r.latency);
  }
  const float wall_ms = records.back().end_d2h - records[first].start_h2d;
  s.walltime_s = wall_ms / 1000;
  s.throughput_qps = static_cast<float>(o.batch) * static_cast<float>(s.measured) / wall_ms * 1000;
  s.latency = computeStats(lat, o.percentiles);
  s.enqueue = computeStats(enq, o.percentiles);
  s.h2d = computeStats(h2d, o.percentiles);
  s.gpu_compute = computeStats(gpu, o.percentiles);
  s.d2h = computeStats(d2h, o.percentiles);
  s.gpu_compute_total_s = s.gpu_compute.mean * static_cast<float>(s.measured) / 1000;
  return s;
}

double warmupFromDuration(const std::string& duration, double fallback) {
  static const std::regex re(R"(\+\s*([0-9.]+)\s*ms\s*warm)");
  std::smatch m;
  if (std::regex_search(duration, m, re)) return std::stod(m[1].str());
  return fallback;
}

namespace {
std::string statsLine(const char* name, const MetricStats& m, const std::vector<float>& levels) {
  std::string s = fmt::format("{}: min = {:g} ms, max = {:g} ms, mean = {:g} ms, median = {:g} ms", name,
                              m.min, m.max, m.mean, m.median);
  for (size_t i = 0; i < levels.size(); ++i)
    s += fmt::format(", percentile({:g}%) = {:g} ms", levels[i], m.percentiles[i]);
  return s + "\n";
}
}  // namespace

std::string formatPerformanceSummary(const TimingSummary& s) {
  std::string out = "=== Performance summary ===\n";
  out += fmt::format("Throughput: {:g} qps\n", s.throughput_qps);
  out += statsLine("Latency", s.latency, s.percentile_levels);
  out += statsLine("Enqueue Time", s.enqueue, s.percentile_levels);
  out += statsLine("H2D Latency", s.h2d, s.percentile_levels);
  out += statsLine("GPU Compute Time", s.gpu_compute, s.percentile_levels);
  out += statsLine("D2H Latency", s.d2h, s.percentile_levels);
  out += fmt::format("Total Host Walltime: {:g} s\n", s.walltime_s);
  out += fmt::format("Total GPU Compute Time: {:g} s\n", s.gpu_compute_total_s);
  out += fmt::format("Warm-up: {} of {} records dropped; GPU compute CoV = {:g}%\n", s.warmup, s.records,
                     s.gpu_compute.cov_percent);
  return out;
}

}  // namespace gpuscope::explore
