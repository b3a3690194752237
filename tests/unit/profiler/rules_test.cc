// ncu's guidance rules (profiler/rules.h). The oracle: ncu 2025.3's own rule
// rows for 48 kernels recorded on the H200 (runs Z25, Z26; fixture written
// by tests/gpu/profiler/rule_fixture.py from the CSVs in
// tests/gpu/evidence/2026-11-30-session10), with ncu's metric values as the
// input: the same rules must fire with the same type and speedup. Then
// hand-computed cases for branches those kernels do not reach.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "profiler/format.h"
#include "profiler/rules.h"
#include "profiler/sections.h"
#include "unit/profiler/h100.h"

namespace gpuscope::profiler {
namespace {

struct FixtureKernel {
  std::string name;  // "Z26/basic/prog 3"
  std::vector<std::string> sections;
  std::map<std::string, double, std::less<>> values;
  std::vector<std::vector<std::string>> rules;  // section, rule, type, speedup type, speedup, finding
};

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string f; std::getline(in, f, sep);) out.push_back(f);
  return out;
}

std::vector<FixtureKernel> loadFixture(const std::string& name = "h200_ncu2025.3.tsv") {
  std::ifstream in(std::string(GPUSCOPE_SOURCE_DIR) + "/tests/fixtures/ncu_rules/" + name);
  std::vector<FixtureKernel> out;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f = split(line, '\t');
    if (f.size() == 4 && f[0] == "kernel") {
      out.push_back({f[1] + " " + f[2], split(f[3], ','), {}, {}});
    } else if (f.size() == 3 && f[0] == "value" && !out.empty()) {
      out.back().values[f[1]] = std::stod(f[2]);
    } else if (f.size() == 7 && f[0] == "rule" && !out.empty()) {
      out.back().rules.push_back({f[1], f[2], f[3], f[4], f[5], f[6]});
    }
  }
  return out;
}

bool implemented(const std::string& rule) {
  for (const char* r : {"SOLBottleneck", "LaunchConfiguration", "AchievedOccupancy", "TheoreticalOccupancy",
                        "IssueSlotUtilization", "ThreadDivergence"})
    if (rule == r) return true;
  return false;
}

std::vector<RuleResult> rulesFor(const FixtureKernel& k) {
  ReportSpec spec;
  for (const std::string& s : k.sections) spec.sections.push_back(findSection(s));
  auto lookup = [&k](std::string_view m) -> std::optional<double> {
    auto it = k.values.find(m);
    if (it == k.values.end()) return std::nullopt;
    return it->second;
  };
  return applyRules(lookup, 16, spec);
}

TEST(Rules, SameRulesSpeedupsAndTypesAsNcuOnH200Kernels) {
  const std::vector<FixtureKernel> kernels = loadFixture();
  ASSERT_EQ(kernels.size(), 48u);
  size_t ncu_rows = 0;
  for (const FixtureKernel& k : kernels) {
    std::vector<std::vector<std::string>> expected;
    for (const auto& r : k.rules)
      if (implemented(r[1])) expected.push_back(r);
    ncu_rows += expected.size();
    std::vector<RuleResult> got = rulesFor(k);
    ASSERT_EQ(got.size(), expected.size()) << k.name;
    for (const auto& e : expected) {
      auto it = std::find_if(got.begin(), got.end(), [&](const RuleResult& g) {
        return g.section_id == e[0] && g.name == e[1] && g.type == e[2] &&
               (g.speedup_type.empty() ? "-" : g.speedup_type) == e[3] && (g.title.empty() ? "-" : g.title) == e[5];
      });
      ASSERT_NE(it, got.end()) << k.name << ": ncu's " << e[1] << " " << e[2] << " " << e[3] << " " << e[5];
      // ncu's inputs are in the CSV with two decimals (0.22 warps issued for 0.2184).
      if (e[4] != "-") {
        EXPECT_NEAR(it->speedup, std::stod(e[4]), 0.5) << k.name << " " << e[1];
      }
      got.erase(it);
    }
  }
  // The 24 + 43 rule rows of the basic set (Z26), the 8 + 10 IssueSlotUtilization and 2 + 1
  // ThreadDivergence rows (Z25).
  EXPECT_EQ(ncu_rows, 88u);
}

// CPIStall reads the stall reasons, which ncu's CSV does not have (ncu draws them as a chart), so
// its oracle is gpuscope's own measurement of the same kernels in the same run (Z25: compute,
// scheduler and warp-state sections; `rule_fixture.py Z25/sections/prog=gs_prog.csv:ncu_prog.csv
// ...`: gpuscope's values, ncu's rule rows). ncu printed 17 stall findings; 16 come out the same (stall, type, bounded by
// IssueSlotUtilization's estimate or not), in the same order; the 17th (No Instruction on a 2 us
// kernel) and one extra (Long Scoreboard on another) sit at the 30 % threshold where the two
// measurements differ.
TEST(Rules, StallFindingsAgainstNcuFromGpuscopesOwnMeasurement) {
  const std::vector<FixtureKernel> kernels = loadFixture("h200_gpuscope_values_z25.tsv");
  ASSERT_EQ(kernels.size(), 24u);
  size_t ncu = 0, same = 0, extra = 0;
  for (const FixtureKernel& k : kernels) {
    std::vector<RuleResult> got = rulesFor(k);
    std::vector<RuleResult> stalls;
    for (const RuleResult& g : got)
      if (g.name == "CPIStall") stalls.push_back(g);
    for (const auto& e : k.rules) {
      if (e[1] != "CPIStall" || e[2] != "OPT") continue;
      ++ncu;
      auto it = std::find_if(stalls.begin(), stalls.end(),
                             [&](const RuleResult& g) { return g.title == e[5] && g.speedup_type == e[3]; });
      if (it == stalls.end()) continue;
      ++same;
      // Longest first: each of ncu's findings is the first of ours not matched yet.
      EXPECT_TRUE(it == stalls.begin()) << k.name << " " << e[5];
      stalls.erase(it);
    }
    extra += stalls.size();
    if (k.name == "Z25/sections/prog 7") {
      // cuBLAS HGEMM: long scoreboard then barrier, each bounded by the issue-slot estimate (83.9 %).
      std::vector<RuleResult> s;
      for (const RuleResult& g : got)
        if (g.name == "CPIStall") s.push_back(g);
      ASSERT_EQ(s.size(), 2u);
      EXPECT_EQ(s[0].title, "Long Scoreboard Stalls");
      EXPECT_NEAR(s[0].speedup, 39.98, 1.0);
      EXPECT_EQ(s[1].title, "Barrier Stalls");
      EXPECT_NEAR(s[1].speedup, 30.98, 1.0);
    }
  }
  EXPECT_EQ(ncu, 17u);
  EXPECT_EQ(same, 16u);
  EXPECT_EQ(extra, 1u);
}

using Values = std::map<std::string, double, std::less<>>;

// The rules' view of a value table (a reference: later changes to it are seen).
MetricLookup lookupIn(const Values& v) {
  return [&v](std::string_view m) -> std::optional<double> {
    auto it = v.find(m);
    return it == v.end() ? std::nullopt : std::optional<double>(it->second);
  };
}

std::vector<RuleResult> launchRules(double block, double grid, double waves, double theoretical = 100) {
  ReportSpec spec{{findSection("LaunchStats")}, {}};
  Values v = {{"launch__block_size", block},
                                                  {"launch__grid_size", grid},
                                                  {"launch__sm_count", 132},
                                                  {"launch__waves_per_multiprocessor", waves},
                                                  {"sm__maximum_warps_per_active_cycle_pct", theoretical}};
  return applyRules(lookupIn(v), 16, spec);
}

// 100 threads: 4 warps, the last with 4 of 32 lanes: (1/4) x (1 - 4/32) = 21.875 %.
TEST(Rules, BlockSizeNotAMultipleOfTheWarp) {
  std::vector<RuleResult> r = launchRules(100, 4096, 3.0);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].name, "LaunchConfiguration");
  EXPECT_EQ(r[0].speedup_type, "global");
  EXPECT_DOUBLE_EQ(r[0].speedup, 21.875);
  EXPECT_NE(r[0].description.find("28 of its 32 lanes masked off"), std::string::npos) << r[0].description;
}

// 200 blocks on 132 SMs: at least one per SM but under two: a finding without an estimate.
TEST(Rules, FewerThanTwoBlocksPerSm) {
  std::vector<RuleResult> r = launchRules(256, 200, 0.19);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].speedup_type.empty());
  EXPECT_NE(r[0].description.find("1 blocks per SM"), std::string::npos) << r[0].description;
}

// 2.5 waves: the partial third wave may take 1/3 of the time; 5.5 waves (1/6 < 20 %) is no rule.
TEST(Rules, TailEffectOfAPartialWave) {
  std::vector<RuleResult> r = launchRules(256, 2640, 2.5);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NEAR(r[0].speedup, 100.0 / 3, 1e-9);
  EXPECT_NE(r[0].description.find("2 full waves of blocks and a partial wave of 528"), std::string::npos)
      << r[0].description;
  EXPECT_TRUE(launchRules(256, 5808, 5.5).empty());
}

// Theoretical occupancy limited by two limits at once names both; a missing input skips the rule.
TEST(Rules, TheoreticalOccupancyNamesEveryLowestLimit) {
  ReportSpec spec{{findSection("Occupancy")}, {}};
  Values v = {{"sm__maximum_warps_avg_per_active_cycle", 16},
                                                  {"launch__occupancy_limit_blocks", 32},
                                                  {"launch__occupancy_limit_registers", 2},
                                                  {"launch__occupancy_limit_shared_mem", 5},
                                                  {"launch__occupancy_limit_warps", 2}};
  const MetricLookup lookup = lookupIn(v);
  std::vector<RuleResult> r = applyRules(lookup, 16, spec);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].name, "TheoreticalOccupancy");
  EXPECT_DOUBLE_EQ(r[0].speedup, 75);  // 4 of 16 warps per scheduler
  EXPECT_NE(r[0].description.find("Limited by registers per thread, warps per block."), std::string::npos)
      << r[0].description;
  v.erase("sm__maximum_warps_avg_per_active_cycle");
  EXPECT_TRUE(applyRules(lookup, 16, spec).empty());
}

// Speed Of Light's branches the recorded kernels do not reach: balanced (65 % and 62 %), and the
// memory-heavy text naming the busiest memory level.
TEST(Rules, BalancedThroughputAndTheBusiestMemoryLevel) {
  ReportSpec spec{{findSection("SpeedOfLight")}, {}};
  Values v = {
      {"sm__throughput.avg.pct_of_peak_sustained_elapsed", 62},
      {"gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed", 65},
      {"launch__waves_per_multiprocessor", 4},
      {"gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed", 20},
      {"l1tex__throughput.avg.pct_of_peak_sustained_active", 30},
      {"lts__throughput.avg.pct_of_peak_sustained_elapsed", 65}};
  const MetricLookup lookup = lookupIn(v);
  std::vector<RuleResult> r = applyRules(lookup, 16, spec);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].type, "INF");
  EXPECT_EQ(r[0].title, "Balanced Throughput");
  v["sm__throughput.avg.pct_of_peak_sustained_elapsed"] = 40;
  r = applyRules(lookup, 16, spec);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].title, "High Memory Throughput");
  EXPECT_NE(r[0].description.find("(busiest: L2)"), std::string::npos) << r[0].description;
}

// With SchedulerStats in the report, the occupancy estimate is global and bounded by
// IssueSlotUtilization's (1 - issued per cycle) when that fired: 60 % local, bound 50 %.
TEST(Rules, OccupancyEstimateBoundedByIssueSlots) {
  Values v = {{"sm__maximum_warps_per_active_cycle_pct", 100},
                                                  {"sm__warps_active.avg.pct_of_peak_sustained_active", 40},
                                                  {"smsp__issue_active.avg.per_cycle_active", 0.5}};
  const MetricLookup lookup = lookupIn(v);
  auto achieved = [&](const ReportSpec& spec) {
    for (const RuleResult& r : applyRules(lookup, 16, spec))
      if (r.name == "AchievedOccupancy") return r;
    return RuleResult{};
  };
  RuleResult alone = achieved({{findSection("Occupancy")}, {}});
  EXPECT_EQ(alone.speedup_type, "local");
  EXPECT_DOUBLE_EQ(alone.speedup, 60);
  RuleResult bounded = achieved({{findSection("Occupancy"), findSection("SchedulerStats")}, {}});
  EXPECT_EQ(bounded.speedup_type, "global");
  EXPECT_DOUBLE_EQ(bounded.speedup, 50);
  v["smsp__issue_active.avg.per_cycle_active"] = 0.7;  // IssueSlotUtilization does not fire
  EXPECT_EQ(achieved({{findSection("SchedulerStats"), findSection("Occupancy")}, {}}).speedup_type, "local");
}

TEST(Rules, SpeedupsPrintedAsNcuDoes) {
  EXPECT_EQ(formatSpeedup(50), "50");
  EXPECT_EQ(formatSpeedup(87.5), "87.5");
  EXPECT_EQ(formatSpeedup(25.606), "25.61");
  EXPECT_EQ(formatSpeedup(0.001), "0");
}

// The console: under the section's table, the type, the estimate, then the text indented under it.
TEST(Rules, ConsoleShowsRulesUnderTheirSection) {
  ProfileRun run;
  run.devices.push_back(testing::h100());
  KernelRecord k = testing::saxpy();
  k.counters = {{"sm__warps_active.avg.pct_of_peak_sustained_active", 74.39}};
  run.kernels.push_back(k);
  const std::string text = formatConsole(run, {{findSection("Occupancy")}, {}});
  const size_t at = text.find("    OPT   Est. Local Speedup: 25.61%\n");
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_NE(text.find("\n          Achieved occupancy (74.4%) is well under theoretical (100.0%)", at), std::string::npos)
      << text;
  EXPECT_GT(at, text.find("Achieved Occupancy"));  // after the table
}

}  // namespace
}  // namespace gpuscope::profiler
