// nvtx_sum over many (kind, domain, text) groups: more (kind, domain) pairs
// than the dense per-string tables take (the rest go through a hash index),
// ties on (total, count) broken by style and name, ranges never closed, and
// names shared across domains and styles. Expected rows come from a plain
// std::map grouping and a comparison sort written here, not from the report.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "stats/context.h"
#include "stats/registry.h"

namespace gpuscope::stats {
namespace {

struct Expected {
  std::string style, name;
  int64_t total = 0, count = 0, min = 0, max = 0;
  size_t first_row = 0;
};

TEST(NvtxSumGroups, ManyDomainsStylesAndTiesMatchAPlainGrouping) {
  model::Trace t;
  const char* domains[] = {"", "A", "B", "C", "D", "E"};  // 6 domains x 2 styles: 12 pairs
  uint64_t x = 12345;
  auto next = [&] {  // a small LCG: reproducible, no library differences
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<int64_t>(x >> 33);
  };
  int64_t start = 0;
  for (int i = 0; i < 20000; ++i) {
    model::NvtxTable::Row r;
    start += 1 + next() % 5;
    r.start = start;
    // Durations from a small set, so that many groups tie on (total, count).
    r.end = (i % 97 == 0) ? model::kNullI64 : start + 10 * (1 + next() % 4);
    r.pid = 1;
    r.tid = 2;
    r.kind = static_cast<int32_t>(next() % 7 == 0 ? model::NvtxKind::kStartEnd : model::NvtxKind::kPushPop);
    if (i % 50 == 0) r.kind = static_cast<int32_t>(model::NvtxKind::kMark), r.end = model::kNullI64;
    r.domain = t.strings.intern(domains[next() % 6]);
    r.text = t.strings.intern("r" + std::to_string(next() % 3000));
    t.nvtx.push(r);
  }
  // Open ranges end at the largest range timestamp (marks excluded).
  int64_t max_ts = 0;
  for (size_t i = 0; i < t.nvtx.size(); ++i) {
    if (t.nvtx.kind[i] == static_cast<int32_t>(model::NvtxKind::kMark)) continue;
    max_ts = std::max({max_ts, t.nvtx.start[i], t.nvtx.end[i] == model::kNullI64 ? 0 : t.nvtx.end[i]});
  }
  std::map<std::tuple<int32_t, uint32_t, uint32_t>, Expected> groups;
  for (size_t i = 0; i < t.nvtx.size(); ++i) {
    int32_t kind = t.nvtx.kind[i];
    if (kind == static_cast<int32_t>(model::NvtxKind::kMark)) continue;
    int64_t end = t.nvtx.end[i] == model::kNullI64 ? max_ts : t.nvtx.end[i];
    int64_t d = end - t.nvtx.start[i];
    auto [it, fresh] = groups.try_emplace({kind, t.nvtx.domain[i], t.nvtx.text[i]});
    Expected& e = it->second;
    if (fresh) {
      e.style = kind == 0 ? "PushPop" : "StartEnd";
      std::string domain(t.str(t.nvtx.domain[i]));
      e.name = (domain.empty() ? "" : domain + ":") + std::string(t.str(t.nvtx.text[i]));
      e.first_row = i;
      e.min = e.max = d;
    }
    e.total += d;
    ++e.count;
    e.min = std::min(e.min, d);
    e.max = std::max(e.max, d);
  }
  std::vector<Expected> want;
  for (auto& [key, e] : groups) want.push_back(e);
  std::sort(want.begin(), want.end(), [](const Expected& a, const Expected& b) {
    if (a.total != b.total) return a.total > b.total;
    if (a.count != b.count) return a.count > b.count;
    if (a.style != b.style) return a.style < b.style;
    if (a.name != b.name) return a.name < b.name;
    return a.first_row < b.first_row;
  });
  ASSERT_GT(want.size(), 10000u);

  ReportContext ctx(t);
  ReportTable r = runReport(ctx, ReportRequest{findReport("nvtx_sum"), {}});
  ASSERT_FALSE(r.skipped());
  ASSERT_EQ(r.rowCount(), want.size());
  size_t c_total = 1, c_count = 2, c_min = 5, c_max = 6, c_style = 8, c_name = 9;
  ASSERT_EQ(r.columns()[c_style].label, "Style");
  ASSERT_EQ(r.columns()[c_name].label, "Range");
  size_t ties = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("row " + std::to_string(i));
    ASSERT_EQ(r.textAt(i, c_name), want[i].name);
    ASSERT_EQ(r.textAt(i, c_style), want[i].style);
    ASSERT_EQ(r.intAt(i, c_total), want[i].total);
    ASSERT_EQ(r.intAt(i, c_count), want[i].count);
    ASSERT_EQ(r.intAt(i, c_min), want[i].min);
    ASSERT_EQ(r.intAt(i, c_max), want[i].max);
    if (i > 0 && want[i].total == want[i - 1].total && want[i].count == want[i - 1].count) ++ties;
  }
  EXPECT_GT(ties, 1000u);  // the tie-breaking order was exercised
}

}  // namespace
}  // namespace gpuscope::stats
