// Chrome trace JSON: the hand-built trace of sample_trace.h goes through
// the exporter and the text is read back with nlohmann::json, then checked
// against what the format needs and what the trace holds.
#include "export/chrome_trace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "export/buffered_writer.h"
#include "unit/export/sample_trace.h"

namespace gpuscope::exporters {
namespace {

using nlohmann::json;
using testing::sampleTrace;

std::string toJson(const model::Trace& trace, ChromeTraceStats* stats = nullptr) {
  std::string text;
  StringSink sink(&text);
  BufferedWriter w(&sink);
  ChromeTraceStats st = writeChromeTrace(trace, w);
  EXPECT_TRUE(w.finish().ok());
  if (stats != nullptr) *stats = st;
  return text;
}

int64_t ns(const json& v) { return std::llround(v.get<double>() * 1000.0); }

struct Exported {
  std::string raw;
  json doc;
  std::vector<json> events;
  std::map<int64_t, std::string> process_names;
  std::map<int64_t, int64_t> process_sort;
  std::map<std::pair<int64_t, int64_t>, std::string> thread_names;
  std::map<std::pair<int64_t, int64_t>, int64_t> thread_sort;

  explicit Exported(const model::Trace& trace, ChromeTraceStats* stats = nullptr)
      : raw(toJson(trace, stats)), doc(json::parse(raw)) {
    for (const json& e : doc.at("traceEvents")) {
      events.push_back(e);
      if (e.at("ph") != "M") continue;
      int64_t pid = e.at("pid"), tid = e.at("tid");
      const std::string& what = e.at("name").get_ref<const std::string&>();
      if (what == "process_name") process_names[pid] = e.at("args").at("name");
      if (what == "process_sort_index") process_sort[pid] = e.at("args").at("sort_index");
      if (what == "thread_name") thread_names[{pid, tid}] = e.at("args").at("name");
      if (what == "thread_sort_index") thread_sort[{pid, tid}] = e.at("args").at("sort_index");
    }
  }
  std::vector<json> named(const std::string& name, const std::string& ph = "X") const {
    std::vector<json> out;
    for (const json& e : events) {
      if (e.at("ph") == ph && e.at("name") == name) out.push_back(e);
    }
    return out;
  }
  json one(const std::string& name, const std::string& ph = "X") const {
    auto all = named(name, ph);
    EXPECT_EQ(all.size(), 1u) << name;
    return all.empty() ? json() : all[0];
  }
  int64_t pidNamed(const std::string& name) const {
    for (const auto& [pid, n] : process_names) {
      if (n == name) return pid;
    }
    ADD_FAILURE() << "no process named " << name;
    return -1;
  }
  std::pair<int64_t, int64_t> row(const json& e) const { return {e.at("pid"), e.at("tid")}; }
};

TEST(ChromeTrace, EveryEventHasTheFieldsTheFormatNeeds) {
  Exported ex(sampleTrace());
  EXPECT_EQ(ex.doc.at("displayTimeUnit"), "ns");
  EXPECT_EQ(ex.doc.at("otherData").at("producer"), "gpuscope test");
  ASSERT_FALSE(ex.events.empty());
  for (const json& e : ex.events) {
    for (const char* key : {"ph", "ts", "pid", "tid", "name"}) {
      ASSERT_TRUE(e.contains(key)) << key << " missing in " << e.dump();
    }
    EXPECT_TRUE(e.at("pid").is_number_unsigned()) << e.dump();
    EXPECT_TRUE(e.at("tid").is_number_unsigned()) << e.dump();
    EXPECT_LE(e.at("pid").get<uint64_t>(), 0xFFFFFFFFu);
    EXPECT_LE(e.at("tid").get<uint64_t>(), 0xFFFFFFFFu);
    const std::string ph = e.at("ph");
    if (ph == "X") {
      ASSERT_TRUE(e.contains("dur")) << e.dump();
      EXPECT_GE(e.at("dur").get<double>(), 0.0);
    }
    if (ph != "M") {
      // Every drawn event sits on a named row.
      EXPECT_TRUE(ex.thread_names.count(ex.row(e))) << e.dump();
      EXPECT_TRUE(ex.process_names.count(e.at("pid"))) << e.dump();
    }
  }
}

TEST(ChromeTrace, ProcessAndThreadRowsAreNamedAndSorted) {
  Exported ex(sampleTrace());
  // 1 host + 2 GPUs.
  ASSERT_EQ(ex.process_names.size(), 3u);
  EXPECT_EQ(ex.process_names.at(100), "python train.py");
  int64_t gpu0 = ex.pidNamed("GPU 0: NVIDIA H100");
  int64_t gpu1 = ex.pidNamed("GPU 1: NVIDIA A100");
  EXPECT_LT(ex.process_sort.at(100), ex.process_sort.at(gpu0));
  EXPECT_LT(ex.process_sort.at(gpu0), ex.process_sort.at(gpu1));

  EXPECT_EQ(ex.thread_names.at({100, 100}), "main");
  EXPECT_EQ(ex.thread_names.at({100, 101}), "loader");
  EXPECT_LT(ex.thread_sort.at({100, 100}), ex.thread_sort.at({100, 101}));
  // Stream ids are unique per device here, so they are the tids.
  EXPECT_EQ(ex.thread_names.at({gpu0, 7}), "Stream 7");
  EXPECT_EQ(ex.thread_names.at({gpu0, 13}), "Stream 13");
  EXPECT_EQ(ex.thread_names.at({gpu1, 7}), "Stream 7");
  EXPECT_LT(ex.thread_sort.at({gpu0, 7}), ex.thread_sort.at({gpu0, 13}));

  // Kernels are on their stream's row; the sync record on the stream's sync row.
  EXPECT_EQ(ex.row(ex.one("gemm")), std::make_pair(gpu0, int64_t{7}));
  EXPECT_EQ(ex.row(ex.one("exact_time")), std::make_pair(gpu0, int64_t{13}));
  json sync = ex.one("Stream synchronize");
  EXPECT_EQ(sync.at("pid"), gpu0);
  EXPECT_EQ(ex.thread_names.at(ex.row(sync)), "Stream 7 syncs");
  // Host work is on its OS thread.
  EXPECT_EQ(ex.row(ex.one("cudaLaunchKernel")), std::make_pair(int64_t{100}, int64_t{100}));
  EXPECT_EQ(ex.row(ex.one("cudaGetDevice")), std::make_pair(int64_t{100}, int64_t{101}));
  EXPECT_EQ(ex.row(ex.one("aten::mm")), std::make_pair(int64_t{100}, int64_t{100}));
  EXPECT_EQ(ex.row(ex.one("ioctl")), std::make_pair(int64_t{100}, int64_t{100}));
  // The annotation recorded with pid 0 joins process 100's stream 7 row.
  json annotations = ex.named("forward");
  ASSERT_EQ(annotations.size(), 2u);  // the NVTX range and the GPU annotation
  bool on_stream = false;
  for (const json& a : annotations) on_stream |= ex.row(a) == std::make_pair(gpu0, int64_t{7});
  EXPECT_TRUE(on_stream);
}

TEST(ChromeTrace, CompleteEventsNestOnEveryRow) {
  ChromeTraceStats stats;
  Exported ex(sampleTrace(), &stats);
  std::map<std::pair<int64_t, int64_t>, std::vector<std::tuple<int64_t, int64_t, std::string>>> rows;
  for (const json& e : ex.events) {
    if (e.at("ph") != "X") continue;
    int64_t start = ns(e.at("ts"));
    rows[ex.row(e)].emplace_back(start, start + ns(e.at("dur")), e.at("name"));
  }
  for (auto& [row, slices] : rows) {
    std::sort(slices.begin(), slices.end(), [](const auto& a, const auto& b) {
      return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) < std::get<0>(b)
                                              : std::get<1>(a) > std::get<1>(b);
    });
    std::vector<std::tuple<int64_t, int64_t, std::string>> open;
    for (const auto& s : slices) {
      while (!open.empty() && std::get<1>(open.back()) <= std::get<0>(s)) open.pop_back();
      if (!open.empty()) {
        EXPECT_LE(std::get<1>(s), std::get<1>(open.back()))
            << std::get<2>(s) << " crosses the end of " << std::get<2>(open.back());
      }
      open.push_back(s);
    }
  }
  // jitter_b overlaps jitter_a without nesting: one slice moved.
  EXPECT_EQ(stats.overlap_slices, 1u);
  json a = ex.one("jitter_a"), b = ex.one("jitter_b");
  EXPECT_EQ(a.at("pid"), b.at("pid"));
  EXPECT_NE(a.at("tid"), b.at("tid"));
  EXPECT_EQ(ex.thread_names.at(ex.row(b)), "Stream 13 (overlap 1)");
  EXPECT_EQ(ex.thread_sort.at(ex.row(b)), ex.thread_sort.at(ex.row(a)) + 1);

  // The NVTX push/pop ranges nest: "forward" inside "step", same row.
  json step = ex.one("step");
  json forward;
  for (const json& f : ex.named("forward")) {
    if (f.at("cat") == "nvtx") forward = f;
  }
  ASSERT_FALSE(forward.is_null());
  EXPECT_EQ(ex.row(step), ex.row(forward));
  EXPECT_EQ(ns(step.at("ts")), 1000);
  EXPECT_EQ(ns(step.at("dur")), 19000);
  EXPECT_EQ(ns(forward.at("ts")), 2000);
  EXPECT_EQ(ns(forward.at("dur")), 3000);
}

TEST(ChromeTrace, TimestampsAreExactMicroseconds) {
  Exported ex(sampleTrace());
  // Events are one per line; find the kernel's line in the raw text.
  std::istringstream lines(ex.raw);
  std::string line;
  bool found = false;
  while (std::getline(lines, line)) {
    if (line.find("\"exact_time\"") == std::string::npos) continue;
    found = true;
    EXPECT_NE(line.find("\"ts\":1234.567,"), std::string::npos) << line;
    EXPECT_NE(line.find("\"dur\":5.433,"), std::string::npos) << line;
  }
  EXPECT_TRUE(found);
  json k = ex.one("exact_time");
  EXPECT_EQ(k.at("args").at("grid"), json::array({128, 2, 1}));
  EXPECT_EQ(k.at("args").at("block"), json::array({256, 1, 1}));
  EXPECT_EQ(k.at("args").at("registers per thread"), 32);
  EXPECT_EQ(k.at("args").at("shared memory"), 1024 + 2048);
  EXPECT_EQ(k.at("args").at("correlation"), 99);
  EXPECT_EQ(k.at("args").at("device"), 0);
  EXPECT_EQ(k.at("args").at("stream"), 13);
  json m = ex.one("Memcpy HtoD (Pageable -> Device)");
  EXPECT_EQ(m.at("args").at("bytes"), 4096);
  EXPECT_EQ(m.at("args").at("copy kind"), "HtoD");
  EXPECT_EQ(m.at("args").at("src kind"), "Pageable");
  EXPECT_EQ(m.at("args").at("dst kind"), "Device");
}

TEST(ChromeTrace, FlowsJoinEachLaunchToItsGpuWork) {
  Exported ex(sampleTrace());
  std::map<int64_t, json> starts;
  std::multimap<int64_t, json> finishes;
  for (const json& e : ex.events) {
    if (e.at("ph") == "s") {
      EXPECT_TRUE(starts.emplace(e.at("id").get<int64_t>(), e).second) << "duplicate s id";
    }
    if (e.at("ph") == "f") {
      EXPECT_EQ(e.at("bp"), "e");
      finishes.emplace(e.at("id").get<int64_t>(), e);
    }
  }
  // Counted by hand in sample_trace.h.
  EXPECT_EQ(starts.size(), 4u);
  EXPECT_EQ(finishes.size(), 5u);
  auto enclosing = [&](const json& flow) {
    // The X slice on the flow's row that starts at or before and ends after ts.
    std::vector<std::string> names;
    int64_t ts = ns(flow.at("ts"));
    for (const json& e : ex.events) {
      if (e.at("ph") != "X" || ex.row(e) != ex.row(flow)) continue;
      int64_t s = ns(e.at("ts")), end = s + ns(e.at("dur"));
      if (s <= ts && ts <= end) names.push_back(e.at("name"));
    }
    return names;
  };
  std::multiset<std::string> launched;
  for (const auto& [id, f] : finishes) {
    auto s = starts.find(id);
    ASSERT_NE(s, starts.end()) << "f without s: " << f.dump();
    EXPECT_EQ(s->second.at("cat"), f.at("cat"));
    EXPECT_EQ(s->second.at("name"), f.at("name"));
    auto inside = enclosing(f);
    ASSERT_FALSE(inside.empty()) << f.dump();
    launched.insert(inside.back());
  }
  for (const auto& [id, s] : starts) EXPECT_TRUE(finishes.count(id)) << "s without f";
  // Each s sits inside its API call.
  std::multiset<std::string> callers;
  for (const auto& [id, s] : starts) {
    for (const std::string& n : enclosing(s)) {
      if (n.rfind("cuda", 0) == 0) callers.insert(n);
    }
  }
  EXPECT_EQ(callers, (std::multiset<std::string>{"cudaLaunchKernel", "cudaMemcpyAsync",
                                                 "cudaGraphLaunch", "cudaStreamSynchronize"}));
  // The f ends bind to the GPU work (innermost slice at their ts).
  EXPECT_EQ(launched.count("gemm"), 1u);
  EXPECT_EQ(launched.count("Memcpy HtoD (Pageable -> Device)"), 1u);
  EXPECT_EQ(launched.count("g1") + launched.count("g2"), 2u);
  EXPECT_EQ(launched.count("Stream synchronize"), 1u);
  // One graph launch, two kernels: both f share the s id.
  int64_t graph_id = -1;
  for (const auto& [id, s] : starts) {
    for (const std::string& n : enclosing(s)) {
      if (n == "cudaGraphLaunch") graph_id = id;
    }
  }
  EXPECT_EQ(finishes.count(graph_id), 2u);
}

TEST(ChromeTrace, NvtxMarksAndStartEndRanges) {
  Exported ex(sampleTrace());
  json mark = ex.one("checkpoint", "i");
  EXPECT_EQ(mark.at("s"), "t");
  EXPECT_EQ(ns(mark.at("ts")), 4000);
  EXPECT_EQ(ex.row(mark), std::make_pair(int64_t{100}, int64_t{100}));
  for (const char* name : {"epoch", "prefetch"}) {
    json b = ex.one(name, "b"), e = ex.one(name, "e");
    EXPECT_EQ(b.at("id"), e.at("id"));
    EXPECT_EQ(b.at("cat"), e.at("cat"));
    EXPECT_EQ(b.at("pid"), 100);
  }
  EXPECT_NE(ex.one("epoch", "b").at("id"), ex.one("prefetch", "b").at("id"));
  EXPECT_EQ(ns(ex.one("epoch", "b").at("ts")), 1500);
  EXPECT_EQ(ns(ex.one("epoch", "e").at("ts")), 12000);
}

TEST(ChromeTrace, HostileStringsRoundTripExactly) {
  Exported ex(sampleTrace());
  for (const std::string& name : {std::string(testing::kHostileName), testing::nulName(),
                                  testing::controlName(), testing::unicodeName()}) {
    EXPECT_EQ(ex.named(name).size(), 1u) << "not found intact: " << json(name).dump();
  }
  EXPECT_EQ(ex.named(testing::invalidUtf8Decoded()).size(), 1u);
  // Safe to embed in HTML: no raw "</script>" survives.
  EXPECT_EQ(ex.raw.find("</script>"), std::string::npos);
  EXPECT_EQ(ex.raw.find('\0'), std::string::npos);
}

TEST(ChromeTrace, UnclosedPushNullIdsAndUnsortedTables) {
  model::Trace t;
  // Deliberately not sorted by start, and one push that never popped.
  t.nvtx.push(testing::nvtx(t, 5000, 6000, 7, model::NvtxKind::kPushPop, "inner"));
  t.nvtx.push(testing::nvtx(t, 1000, model::kNullI64, 7, model::NvtxKind::kPushPop, "open"));
  t.nvtx.push(testing::nvtx(t, 1000, 3000, 7, model::NvtxKind::kPushPop, "first"));
  auto a = testing::api(t, 2000, 2500, model::kNullI64, 1, "cudaFree");
  a.pid = model::kNullI64;
  t.api_calls.push(a);
  Exported ex(t);
  json open = ex.one("open", "B");
  EXPECT_FALSE(open.contains("dur"));
  // "open" started with "first" but encloses it; it must come first.
  size_t open_at = ex.raw.find("\"open\""), first_at = ex.raw.find("\"first\"");
  EXPECT_LT(open_at, first_at);
  EXPECT_LT(ex.raw.find("\"first\""), ex.raw.find("\"inner\""));
  json call = ex.one("cudaFree");
  EXPECT_EQ(ex.process_names.at(call.at("pid")), "Process (unknown)");
  EXPECT_EQ(ex.thread_names.at(ex.row(call)), "Thread (unknown)");
}

TEST(ChromeTrace, EmptyTraceIsValidJson) {
  model::Trace t;
  Exported ex(t);
  EXPECT_TRUE(ex.events.empty());
}

}  // namespace
}  // namespace gpuscope::exporters
