// GPUSCOPE_TRACE_AB parsing: every knob scripts/gpu/overhead_ab2.sh uses
// must parse to the field it names, and anything else must be refused
// (a mistyped knob must not make an A/B run measure the default).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tracer/ab_knobs.h"
#include "tracer/tsc_clock.h"

namespace gpuscope::tracer {
namespace {

TEST(AbKnobsTest, EmptyMeansDefaults) {
  StatusOr<AbKnobs> k = parseAbKnobs("");
  ASSERT_TRUE(k.ok());
  EXPECT_TRUE(k->driver);
  EXPECT_EQ(k->filter, ApiFilterKind::kOurs);
  EXPECT_TRUE(k->zeroed);
  EXPECT_TRUE(k->tid_system);
  EXPECT_EQ(k->per_thread, -1);
  EXPECT_EQ(k->buffer_bytes, size_t(8) << 20);
  EXPECT_EQ(k->prefill, 4u);
  EXPECT_EQ(k->max_idle, 8u);
  EXPECT_EQ(k->flush, FlushKind::kOurs);
  EXPECT_EQ(k->nvtx_cb, NvtxCallbackKind::kDomain);
  EXPECT_EQ(k->clock, ClockKind::kCupti);
  EXPECT_EQ(k->sync, SyncKind::kCallbacks);
  EXPECT_TRUE(k->api);
  EXPECT_TRUE(k->kernels);
  EXPECT_TRUE(k->memcpy_kind);
  EXPECT_TRUE(k->memset_kind);
  EXPECT_TRUE(k->decode);
  EXPECT_EQ(k->describe(), "");
}

TEST(AbKnobsTest, EachTokenSetsItsField) {
  StatusOr<AbKnobs> k = parseAbKnobs(
      "driver=0, filter=kineto,zeroed=0,tid=default,per_thread=0,buf_kb=4096,prefill=0,max_idle=2,"
      "dev_buf_kb=8192,flush=none,nvtx_cb=ids,graph_cb=0,reset_cb=0,subscribe=0,sync=0,extcorr=0,graph_trace=0,"
      "kernel_first=1,api=0,api_ids=0,kernels=0,memcpy=0,memset=0,decode=0,dropped_query=0,writer_nice=10,clock=tsc");
  ASSERT_TRUE(k.ok()) << k.status().message();
  EXPECT_FALSE(k->driver);
  EXPECT_EQ(k->filter, ApiFilterKind::kKineto);
  EXPECT_FALSE(k->zeroed);
  EXPECT_FALSE(k->tid_system);
  EXPECT_EQ(k->per_thread, 0);
  EXPECT_EQ(k->buffer_bytes, size_t(4096) * 1024);
  EXPECT_EQ(k->prefill, 0u);
  EXPECT_EQ(k->max_idle, 2u);
  EXPECT_EQ(k->device_buffer_bytes, size_t(8192) * 1024);
  EXPECT_EQ(k->flush, FlushKind::kNone);
  EXPECT_EQ(k->nvtx_cb, NvtxCallbackKind::kIds);
  EXPECT_FALSE(k->graph_cb);
  EXPECT_FALSE(k->reset_cb);
  EXPECT_FALSE(k->subscribe);
  EXPECT_EQ(k->sync, SyncKind::kOff);
  EXPECT_FALSE(k->extcorr);
  EXPECT_FALSE(k->graph_trace);
  EXPECT_TRUE(k->kernel_first);
  EXPECT_FALSE(k->decode);
  EXPECT_FALSE(k->dropped_query);
  EXPECT_EQ(k->writer_nice, 10);
  EXPECT_FALSE(k->api);
  EXPECT_FALSE(k->api_ids);
  EXPECT_FALSE(k->kernels);
  EXPECT_FALSE(k->memcpy_kind);
  EXPECT_FALSE(k->memset_kind);
  EXPECT_EQ(k->clock, ClockKind::kTsc);
  // describe() lists exactly the changed knobs, and parses back to the same.
  std::string d = k->describe();
  EXPECT_EQ(d,
            "driver=0,filter=kineto,zeroed=0,tid=default,per_thread=0,buf_kb=4096,prefill=0,max_idle=2,"
            "dev_buf_kb=8192,flush=none,nvtx_cb=ids,graph_cb=0,reset_cb=0,subscribe=0,sync=0,extcorr=0,graph_trace=0,"
            "kernel_first=1,api=0,api_ids=0,kernels=0,memcpy=0,memset=0,decode=0,dropped_query=0,writer_nice=10,clock=tsc");
  StatusOr<AbKnobs> back = parseAbKnobs(d);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->describe(), d);
  // Setting a knob to its default is not a difference.
  EXPECT_EQ(parseAbKnobs("driver=1,flush=ours,clock=cupti,sync=cb")->describe(), "");
  EXPECT_EQ(parseAbKnobs("sync=kind")->sync, SyncKind::kActivity);
  EXPECT_EQ(parseAbKnobs("sync=kind")->describe(), "sync=kind");
}

TEST(AbKnobsTest, RefusesUnknownAndOutOfRange) {
  Status s = parseAbKnobs("flush=sometimes").status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput);
  EXPECT_EQ(s.message(), "GPUSCOPE_TRACE_AB: token 'flush=sometimes': expected ours, cupti or none");
  EXPECT_EQ(parseAbKnobs("nodriver").status().message(),
            "GPUSCOPE_TRACE_AB: token 'nodriver': expected NAME=VALUE (see src/tracer/ab_knobs.h)");
  EXPECT_FALSE(parseAbKnobs("driver=2").ok());
  EXPECT_EQ(parseAbKnobs("memcpy=yes").status().message(),
            "GPUSCOPE_TRACE_AB: token 'memcpy=yes': expected 0 or 1");
  for (const char* bad : {"api=2", "kernels=", "memset=-1", "clock=rdtsc"}) EXPECT_FALSE(parseAbKnobs(bad).ok()) << bad;
  EXPECT_FALSE(parseAbKnobs("buf_kb=63").ok());
  EXPECT_FALSE(parseAbKnobs("buf_kb=262145").ok());
  EXPECT_TRUE(parseAbKnobs("buf_kb=64").ok());
  EXPECT_FALSE(parseAbKnobs("buf_kb=12k").ok());
  EXPECT_FALSE(parseAbKnobs("writer_nice=20").ok());
  EXPECT_FALSE(parseAbKnobs("bogus=1").ok());
  EXPECT_TRUE(parseAbKnobs(",,sync=0,").ok());  // empty items are ignored
  EXPECT_EQ(parseAbKnobs("sync=1").status().message(),
            "GPUSCOPE_TRACE_AB: token 'sync=1': expected cb, kind or 0");
}

// Every GPUSCOPE_TRACE_AB value the A/B script passes must parse: a
// refused one disables tracing and the "traced" column would be untraced.
TEST(AbKnobsTest, EveryVariantOfTheAbScriptParses) {
  std::ifstream f(std::string(GPUSCOPE_SOURCE_DIR) + "/scripts/gpu/overhead_ab2.sh");
  ASSERT_TRUE(f) << "scripts/gpu/overhead_ab2.sh missing";
  std::stringstream ss;
  ss << f.rdbuf();
  std::string text = ss.str();
  // Variant lines look like:   "name|GPUSCOPE_TRACE_AB value|extra gpuscope flags"
  std::regex variant(R"re(^\s*"([a-z0-9_]+)\|([^|"]*)\|([^"]*)"\s*$)re");
  std::set<std::string> names;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (!std::regex_match(line, m, variant)) continue;
    names.insert(m[1]);
    StatusOr<AbKnobs> k = parseAbKnobs(m[2].str());
    EXPECT_TRUE(k.ok()) << m[1] << ": " << k.status().message();
  }
  EXPECT_GE(names.size(), 10u);
  EXPECT_TRUE(names.count("default"));
}

TEST(TscClockTest, LineThroughTwoSamples) {
  // 3 GHz: 3 ticks per ns.
  TscClock c = TscClock::fromSamples(3000, 1000, 3000 + 3000000, 1000 + 1000000);
  EXPECT_DOUBLE_EQ(c.ns_per_tick, 1.0 / 3.0);
  EXPECT_EQ(c.toNs(3000), 1000);
  EXPECT_EQ(c.toNs(3000 + 3000000), 1001000);
  EXPECT_EQ(c.toNs(3000 + 30), 1010);
  EXPECT_EQ(c.toNs(3000 - 30), 990);  // a slightly earlier TSC on another core
  // Samples that do not advance give a rate of 1, never a division by zero.
  EXPECT_DOUBLE_EQ(TscClock::fromSamples(10, 5, 10, 9).ns_per_tick, 1.0);
}

}  // namespace
}  // namespace gpuscope::tracer
