// The per-process raw file: round trip, strings sent once, and recovery of
// a file cut anywhere (SIGKILL mid-write) up to its last whole frame.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "tracer/raw_format.h"

namespace gpuscope::tracer {
namespace {

void addKernel(Recording& r, int64_t start, std::string_view name) {
  model::KernelTable::Row k;
  k.start = start;
  k.end = start + 10;
  k.pid = 100;
  k.correlation_id = start;
  k.name = r.rows.strings.intern(name);
  k.grid_x = 3;
  r.rows.kernels.push(k);
}

// One encoder call per "flush", as the injection does.
std::string twoFlushes(size_t* first_flush_end, size_t* kernels_in_first) {
  RawEncoder enc;
  Recording r;
  r.process.push_back({100, 1, 5000, 1700000000000000000, "prog --flag"});
  addKernel(r, 10, "kernelA");
  addKernel(r, 20, "kernelB");
  r.nvtx_ends.push_back({7, 99, 101});
  r.marker_data.push_back({7, 0xFF0000FF, 3});
  r.start_end_range_ids.push_back(7);
  r.capture_edges.push_back({15, true});
  r.external.push_back({10, 555});
  r.rows.diagnostics.add("cupti_dropped_records", model::Severity::kDataLoss, "d", "p", 4);
  r.rows.meta["cupti_version"] = "130001";
  std::string bytes = RawEncoder::header();
  enc.encode(r, &bytes);
  *first_flush_end = bytes.size();
  *kernels_in_first = r.rows.kernels.size();
  r.clearEvents();
  addKernel(r, 30, "kernelA");  // string already sent
  addKernel(r, 40, "kernelC");
  r.clock_anchors.push_back({1'000'005'000, 1700000001000000123});
  r.rows.diagnostics.add("cupti_dropped_records", model::Severity::kDataLoss, "d", "p", 6);
  enc.encode(r, &bytes);
  return bytes;
}

TEST(RawFormatTest, RoundTripAcrossFlushes) {
  size_t cut, n1;
  std::string bytes = twoFlushes(&cut, &n1);
  StatusOr<Recording> rec = decodeRaw(bytes, "p.raw");
  ASSERT_TRUE(rec.ok()) << rec.status().message();
  ASSERT_EQ(rec->process.size(), 1u);
  EXPECT_EQ(rec->process[0].pid, 100);
  EXPECT_EQ(rec->process[0].epoch_ns, 1700000000000000000);
  EXPECT_EQ(rec->process[0].command, "prog --flag");
  const model::KernelTable& k = rec->rows.kernels;
  ASSERT_EQ(k.size(), 4u);
  std::vector<std::string> names;
  for (size_t i = 0; i < k.size(); ++i) names.emplace_back(rec->rows.str(k.name[i]));
  EXPECT_EQ(names, (std::vector<std::string>{"kernelA", "kernelB", "kernelA", "kernelC"}));
  EXPECT_EQ(k.start[3], 40);
  EXPECT_EQ(k.grid_x[3], 3);
  EXPECT_EQ(k.graph_id[0], model::kNullI64);  // nulls survive
  ASSERT_EQ(rec->nvtx_ends.size(), 1u);
  EXPECT_EQ(rec->nvtx_ends[0].tid, 101);
  EXPECT_EQ(rec->marker_data[0].color, 0xFF0000FF);
  EXPECT_EQ(rec->start_end_range_ids, std::vector<int64_t>{7});
  EXPECT_TRUE(rec->capture_edges[0].begin);
  EXPECT_EQ(rec->external[0].external_id, 555);
  ASSERT_EQ(rec->clock_anchors.size(), 1u);
  EXPECT_EQ(rec->clock_anchors[0].clock_ns, 1'000'005'000);
  EXPECT_EQ(rec->clock_anchors[0].epoch_ns, 1700000001000000123);
  EXPECT_EQ(rec->rows.diagnostics.count("cupti_dropped_records"), 10);  // deltas add up
  EXPECT_EQ(rec->rows.meta.at("cupti_version"), "130001");
  EXPECT_EQ(rec->bytes_lost, 0);
  // "kernelA" was sent once: it appears once in the file.
  EXPECT_EQ(bytes.find("kernelA"), bytes.rfind("kernelA"));
}

TEST(RawFormatTest, EveryCutRecoversTheWholeFramesBeforeIt) {
  size_t first_end, n1;
  std::string bytes = twoFlushes(&first_end, &n1);
  // Frame boundaries, found by decoding prefixes: a prefix that decodes with
  // no loss ends on a boundary.
  size_t last_kernels = 0;
  for (size_t cut = kRawHeaderSize; cut <= bytes.size(); ++cut) {
    StatusOr<Recording> rec = decodeRaw(std::string_view(bytes).substr(0, cut), "cut.raw");
    ASSERT_TRUE(rec.ok()) << "cut at " << cut;
    size_t kernels = rec->rows.kernels.size();
    EXPECT_GE(kernels, last_kernels) << "cut at " << cut;  // never loses a whole frame
    last_kernels = kernels;
    if (rec->bytes_lost > 0) {
      EXPECT_EQ(rec->rows.diagnostics.count("raw_file_truncated"), rec->bytes_lost);
      EXPECT_NE(rec->rows.diagnostics.all().back().first_position.find("cut.raw:byte "), std::string::npos);
    }
    if (cut == first_end) {
      EXPECT_EQ(rec->bytes_lost, 0);
      EXPECT_EQ(kernels, n1);
    }
  }
  EXPECT_EQ(last_kernels, 4u);
  // Cut 3 bytes into the last frame: everything but the last frame is there.
  StatusOr<Recording> rec = decodeRaw(std::string_view(bytes).substr(0, bytes.size() - 3), "x");
  ASSERT_TRUE(rec.ok());
  EXPECT_GT(rec->bytes_lost, 0);
  EXPECT_EQ(rec->rows.kernels.size(), 4u);  // the last frame was a diagnostic
}

TEST(RawFormatTest, DamagedChecksumStopsThereBadHeaderIsAnError) {
  size_t first_end, n1;
  std::string bytes = twoFlushes(&first_end, &n1);
  std::string damaged = bytes;
  damaged[first_end + 10] ^= 0x5a;  // inside the first frame of the second flush
  StatusOr<Recording> rec = decodeRaw(damaged, "d.raw");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->rows.kernels.size(), n1);
  EXPECT_EQ(rec->bytes_lost, int64_t(bytes.size() - first_end));

  StatusOr<Recording> bad = decodeRaw("not a raw file at all", "bad.raw");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(bad.status().message().find("bad.raw:byte 0"), std::string::npos);
  std::string future = RawEncoder::header();
  future[8] = 9;
  EXPECT_FALSE(decodeRaw(future, "f.raw").ok());
  EXPECT_FALSE(readRawFile("/nonexistent/dir/1.raw").ok());
}

}  // namespace
}  // namespace gpuscope::tracer
