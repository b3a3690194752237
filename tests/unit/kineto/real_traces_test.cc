// Real PyTorch profiler traces from ../shared/data/hta (skipped when absent).
// Expected counts come from an independent parse of the same file with
// nlohmann::json (fine for these small files), never from the importer.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "base/file.h"
#include "base/gzip.h"
#include "importers/kineto_json/reader.h"

namespace gpuscope::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> realTraces() {
  std::vector<std::string> files;
  fs::path root = fs::path(GPUSCOPE_SHARED_DATA) / "hta";
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return files;
  for (const auto& dir : fs::directory_iterator(root, ec)) {
    for (const auto& f : fs::directory_iterator(dir.path(), ec)) {
      if (f.path().string().ends_with(".json.gz")) files.push_back(f.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Diagnostics that explain a skip; anything else (kineto_unknown_*) is an
// unexplained skip.
bool isExplained(const std::string& name) {
  static const std::regex kExplained(
      "kineto_skipped(_instant|_counter|_flow|_metadata|_phase)?(:.*)?|kineto_skipped_top_level_value|"
      "kineto_flow_ac2g_(matched|unmatched|unusable)|kineto_correlation_from_flow|"
      "kineto_gpu_event_without_launch|kineto_string_id_mapped|kineto_negative_duration_clamped");
  return std::regex_match(name, kExplained);
}

TEST(RealTraces, PresentOrSkipped) {
  if (realTraces().empty()) GTEST_SKIP() << "no traces under " << GPUSCOPE_SHARED_DATA << "/hta";
  EXPECT_GE(realTraces().size(), 4u);
}

TEST(RealTraces, ImportMatchesIndependentCounts) {
  const auto files = realTraces();
  if (files.empty()) GTEST_SKIP() << "no traces under " << GPUSCOPE_SHARED_DATA << "/hta";
  for (const std::string& path : files) {
    SCOPED_TRACE(path);
    auto gz = readFile(path);
    ASSERT_TRUE(gz.ok()) << gz.status().message();
    auto text = gunzip(*gz, path, simdjson::SIMDJSON_PADDING);
    ASSERT_TRUE(text.ok()) << text.status().message();
    nlohmann::json j = nlohmann::json::parse(*text);

    std::map<std::string, size_t> by_cat;  // lower-cased cat of "X" events
    std::set<std::pair<int64_t, int64_t>> launches;  // (pid, correlation) of runtime/driver
    std::vector<int64_t> gpu_correlations;
    std::set<int64_t> row_correlations;  // of calls and GPU rows
    std::vector<int64_t> ac2g_ids;
    size_t ac2g = 0, fwdbwd = 0, meta = 0, instants = 0;
    for (const auto& e : j["traceEvents"]) {
      std::string ph = e.value("ph", "");
      std::string cat = lower(e.value("cat", ""));
      if (ph == "X") ++by_cat[cat];
      if ((ph == "s" || ph == "f") && cat == "ac2g") {
        ++ac2g;
        ac2g_ids.push_back(e["id"].get<int64_t>());
      }
      if (ph == "X" && e.contains("args") && e["args"].contains("correlation") &&
          (cat == "cuda_runtime" || cat == "cuda_driver" || cat == "kernel" || cat == "gpu_memcpy" ||
           cat == "gpu_memset")) {
        row_correlations.insert(e["args"]["correlation"].get<int64_t>());
      }
      if ((ph == "s" || ph == "f") && cat == "fwdbwd") ++fwdbwd;
      if (ph == "M") ++meta;
      if (ph == "i") ++instants;
      if (ph == "X" && (cat == "cuda_runtime" || cat == "cuda_driver") && e["args"].contains("correlation")) {
        launches.emplace(e["pid"].get<int64_t>(), e["args"]["correlation"].get<int64_t>());
      }
      if (ph == "X" && cat == "kernel") gpu_correlations.push_back(e["args"]["correlation"].get<int64_t>());
    }

    std::string json = std::move(*text);
    auto result = importers::readKinetoJson(json, path);
    ASSERT_TRUE(result.ok()) << result.status().message();
    const model::Trace& t = *result;
    EXPECT_EQ(t.cpu_ops.size(), by_cat["cpu_op"] + by_cat["python_function"]);
    EXPECT_EQ(t.nvtx.size(), by_cat["user_annotation"]);
    EXPECT_EQ(t.gpu_annotations.size(), by_cat["gpu_user_annotation"]);
    EXPECT_EQ(t.api_calls.size(), by_cat["cuda_runtime"] + by_cat["cuda_driver"]);
    EXPECT_EQ(t.kernels.size(), by_cat["kernel"]);
    EXPECT_EQ(t.memcpys.size(), by_cat["gpu_memcpy"]);
    EXPECT_EQ(t.memsets.size(), by_cat["gpu_memset"]);
    EXPECT_EQ(t.diagnostics.count("kineto_skipped:Trace"), static_cast<int64_t>(by_cat["trace"]));
    EXPECT_EQ(t.diagnostics.count("kineto_skipped:cuda_profiler_range"),
              static_cast<int64_t>(by_cat["cuda_profiler_range"]));
    EXPECT_EQ(t.diagnostics.count("kineto_flow_ac2g_matched") +
                  t.diagnostics.count("kineto_flow_ac2g_unmatched"),
              static_cast<int64_t>(ac2g));
    int64_t ac2g_known = 0;
    for (int64_t id : ac2g_ids) ac2g_known += row_correlations.count(id);
    EXPECT_EQ(t.diagnostics.count("kineto_flow_ac2g_matched"), ac2g_known);
    EXPECT_EQ(t.diagnostics.count("kineto_skipped_flow:fwdbwd"), static_cast<int64_t>(fwdbwd));
    EXPECT_EQ(t.diagnostics.count("kineto_skipped_instant"), static_cast<int64_t>(instants));

    // Every event not in a table is counted, and every counter is explained.
    int64_t skipped_meta = 0;
    for (const auto& d : t.diagnostics.all()) {
      EXPECT_TRUE(isExplained(d.name)) << "unexplained: " << d.name;
      EXPECT_NE(d.severity, model::Severity::kError) << d.name;
      if (d.name.rfind("kineto_skipped_metadata", 0) == 0) skipped_meta += d.count;
    }
    EXPECT_LE(skipped_meta, static_cast<int64_t>(meta));

    // Kernels with a launch of the same correlation in the trace.
    size_t matched = 0;
    for (size_t i = 0; i < t.kernels.size(); ++i) {
      matched += launches.count({t.kernels.pid[i], t.kernels.correlation_id[i]});
    }
    size_t expected_matched = 0;
    std::set<int64_t> launch_correlations;
    for (const auto& [pid, c] : launches) launch_correlations.insert(c);
    for (int64_t c : gpu_correlations) expected_matched += launch_correlations.count(c);
    EXPECT_EQ(matched, expected_matched);
    if (!t.kernels.empty()) {
      std::printf("[ info ] %s: %zu/%zu kernels matched to a launch\n",
                  fs::path(path).filename().c_str(), matched, t.kernels.size());
    }
    for (size_t i = 1; i < t.kernels.size(); ++i) ASSERT_LE(t.kernels.start[i - 1], t.kernels.start[i]);
  }
}

// ns conversion on hand-picked events: the expected value is built from the
// raw text of the first "ts"/"dur" pair of a kernel by string surgery.
TEST(RealTraces, KernelTimesAreExactDigits) {
  const auto files = realTraces();
  if (files.empty()) GTEST_SKIP() << "no traces under " << GPUSCOPE_SHARED_DATA << "/hta";
  for (const std::string& path : files) {
    SCOPED_TRACE(path);
    auto gz = readFile(path);
    ASSERT_TRUE(gz.ok());
    auto text = gunzip(*gz, path, simdjson::SIMDJSON_PADDING);
    ASSERT_TRUE(text.ok());
    std::smatch m;
    std::string s = *text;
    if (!std::regex_search(s, m, std::regex(R"("cat": "kernel", "name": "[^"]*", "pid": \d+, "tid": \d+,\s*"ts": ([0-9.]+), "dur": ([0-9.]+))"))) {
      continue;  // no kernels in this file
    }
    auto toNs = [](std::string us) {
      size_t dot = us.find('.');
      std::string whole = dot == std::string::npos ? us : us.substr(0, dot);
      std::string frac = dot == std::string::npos ? "" : us.substr(dot + 1);
      frac.resize(3, '0');  // these files have at most 3 decimals
      return std::stoll(whole + frac);
    };
    int64_t start = toNs(m[1]), end = start + toNs(m[2]);
    std::string json = std::move(*text);
    auto result = importers::readKinetoJson(json, path);
    ASSERT_TRUE(result.ok());
    bool found = false;
    for (size_t i = 0; i < result->kernels.size(); ++i) {
      found |= result->kernels.start[i] == start && result->kernels.end[i] == end;
    }
    EXPECT_TRUE(found) << "no kernel at [" << start << ", " << end << ")";
  }
}

}  // namespace
}  // namespace gpuscope::testing
