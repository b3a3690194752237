// buildSummary's row order: total descending, then count descending, then
// the text columns ascending (bytewise), then first-seen order. The sort
// compares names only inside runs tied on (total, count); these cases put
// ties at the start, middle and end, and texts tied on the first column.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "stats/summary_table.h"

namespace gpuscope::stats {
namespace {

struct Group {
  int64_t total, count;
  std::string style, name;
};

std::vector<std::string> orderOf(const std::vector<Group>& groups) {
  ReportTable t("demo", "Demo");
  std::vector<SummaryStats> stats;
  std::vector<uint32_t> texts;
  for (const Group& g : groups) {
    SummaryStats s;
    s.total = g.total;
    s.count = g.count;
    stats.push_back(s);
    texts.push_back(t.internText(g.style));
    texts.push_back(t.internText(g.name));
  }
  buildSummary(t, SummarySpec{true, "Total Time", "Instances", Unit::kDurNs, {"Style", "Range"}}, stats, texts);
  std::vector<std::string> out;
  size_t c_style = t.columnCount() - 2, c_name = t.columnCount() - 1;
  for (size_t r = 0; r < t.rowCount(); ++r) {
    out.push_back(std::string(t.textAt(r, c_style)) + "/" + std::string(t.textAt(r, c_name)));
  }
  return out;
}

TEST(SummaryOrder, TotalThenCountThenTexts) {
  std::vector<Group> groups = {
      {5, 1, "PushPop", "iteration 10"}, {9, 2, "PushPop", "b"},          {5, 1, "PushPop", "iteration 9"},
      {9, 2, "PushPop", "a"},            {5, 2, "StartEnd", "z"},         {5, 1, "StartEnd", "iteration 1"},
      {1, 1, "PushPop", "y"},            {5, 1, "PushPop", "iteration 1"}, {1, 1, "PushPop", "x"},
      {9, 3, "PushPop", "c"},
  };
  // By hand: total 9 (count 3 before count 2, then a < b); total 5 count 2;
  // total 5 count 1 by style then bytewise name ("iteration 1" < "iteration 10"
  // < "iteration 9"); total 1 (x < y).
  std::vector<std::string> want = {
      "PushPop/c",           "PushPop/a",  "PushPop/b",           "StartEnd/z",
      "PushPop/iteration 1", "PushPop/iteration 10", "PushPop/iteration 9", "StartEnd/iteration 1",
      "PushPop/x",           "PushPop/y",
  };
  EXPECT_EQ(orderOf(groups), want);
}

TEST(SummaryOrder, IdenticalTextsKeepFirstSeenOrder) {
  ReportTable t("demo", "Demo");
  std::vector<SummaryStats> stats(3);
  for (auto& s : stats) s.total = 7, s.count = 1;
  stats[1].total = 8;
  uint32_t same = t.internText("k");
  std::vector<uint32_t> texts = {same, same, same};
  buildSummary(t, SummarySpec{false, "Total", "Count", Unit::kDurNs, {"Name"}}, stats, texts);
  ASSERT_EQ(t.rowCount(), 3u);
  // Group 1 (total 8) first, then groups 0 and 2 (tied on total, count and text).
  EXPECT_EQ(t.intAt(0, 0), 8);
  EXPECT_EQ(t.intAt(1, 0), 7);
  EXPECT_EQ(t.intAt(2, 0), 7);
}

}  // namespace
}  // namespace gpuscope::stats
