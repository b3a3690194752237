// Every CUPTI metric the sections configure is one CUPTI's profiler host
// accepts, on every chip generation from Turing to Blackwell, but for a
// known list. The host API needs no GPU (chip name only), so this runs in
// CI. A section metric a chip lacks is left out there (its rows read n/a,
// with a warning; range_session.h); this test keeps that list known and
// catches misspelt names. Found this way: imc_miss stalls missing on
// Blackwell and gmma before Hopper (left out of WarpStateStats), and the
// DRAM byte counters missing on GB202.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "profiler/inject/pass_groups.h"
#include "profiler/sections.h"

#ifdef GPUSCOPE_HAVE_CUPTI_HOST
#include "profiler/inject/host_config.h"
#endif

namespace gpuscope::profiler {
namespace {

#ifdef GPUSCOPE_HAVE_CUPTI_HOST
// The passes a configuration of `metrics` needs on `chip`; 0 when CUPTI
// rejects the list (or the chip). The injection's own configuration code.
size_t passesOn(const char* chip, const std::vector<const char*>& metrics) {
  inject::HostConfig config;
  const inject::HostStep step = inject::buildHostConfig(chip, nullptr, metrics, config);
  inject::releaseHost(config.host);
  return step.call ? 0 : config.passes;
}

// The CUPTI metrics of every section, as `gpuscope kernels` configures them.
std::vector<std::string> allSectionCounters() {
  std::vector<const Section*> all;
  for (const Section& s : allSections()) all.push_back(&s);
  return counterMetrics(all, {});
}
#endif

TEST(CuptiHostMetrics, EverySectionMetricExistsFromTuringToBlackwell) {
#ifndef GPUSCOPE_HAVE_CUPTI_HOST
  GTEST_SKIP() << "built without CUPTI";
#else
  const std::vector<std::string> metrics = allSectionCounters();
  ASSERT_GT(metrics.size(), 40u);
  const std::pair<const char*, const char*> expected[] = {
      {"TU102", ""}, {"GA100", ""}, {"GA102", ""}, {"AD102", ""}, {"GH100", ""}, {"GB100", ""},
      {"GB202", " dram__bytes_read.sum dram__bytes_write.sum"}};
  for (const auto& [chip, missing] : expected) {
    std::string rejected;
    for (const std::string& m : metrics)
      if (passesOn(chip, {m.c_str()}) == 0) rejected += " " + m;
    EXPECT_EQ(rejected, missing) << chip;
  }
  // A name CUPTI does not know is refused (the check above can fail).
  EXPECT_EQ(passesOn("GH100", {"smsp__average_warps_issue_stalled_imc_miss_per_issue_active.ratio"}), 1u);
  EXPECT_EQ(passesOn("GB202", {"smsp__average_warps_issue_stalled_imc_miss_per_issue_active.ratio"}), 0u);
  EXPECT_EQ(passesOn("GH100", {"gpuscope__no_such_metric.sum"}), 0u);
#endif
}

TEST(CuptiHostMetrics, TheFullSetFitsTheRangeProfiler) {
#ifndef GPUSCOPE_HAVE_CUPTI_HOST
  GTEST_SKIP() << "built without CUPTI";
#else
  const std::vector<std::string> metrics = allSectionCounters();
  std::vector<const char*> names;
  for (const std::string& m : metrics) names.push_back(m.c_str());
  const size_t passes = passesOn("GH100", names);
  EXPECT_GT(passes, 1u);
  EXPECT_LT(passes, 64u);  // ncu's full set: 38 passes on an H100 (reference 4)
#endif
}

// The default metric order with CUPTI's real pass counts (GH100): in the
// three default sections, the two counts behind achieved occupancy (one
// CUPTI metric) and the duration land in the one-pass group, which the
// injection adds first (range_session.cc): the fix of H200 run Z22.
TEST(CuptiHostMetrics, DefaultSectionsPutAchievedOccupancyInTheOnePassGroup) {
#ifndef GPUSCOPE_HAVE_CUPTI_HOST
  GTEST_SKIP() << "built without CUPTI";
#else
  const std::vector<std::string> metrics = counterMetrics(
      {findSection("SpeedOfLight"), findSection("LaunchStats"), findSection("Occupancy")}, {});
  auto passes = [&metrics](const std::vector<size_t>& index) {
    std::vector<const char*> names;
    for (size_t i : index) names.push_back(metrics[i].c_str());
    return passesOn("GH100", names);
  };
  std::vector<size_t> all;
  for (size_t i = 0; i < metrics.size(); ++i) all.push_back(i);
  ASSERT_GT(passes(all), 1u);  // else there is nothing to order
  const std::vector<std::vector<size_t>> split = inject::groupByPass(metrics.size(), passes);
  ASSERT_EQ(split.size(), 2u);
  EXPECT_EQ(passes(split[1]), 1u);
  std::vector<std::string> first;
  for (size_t i : split[1]) first.push_back(metrics[i]);
  for (const char* m : {"sm__warps_active.avg.pct_of_peak_sustained_active", "sm__warps_active.avg.per_cycle_active",
                        "gpu__time_duration.sum"})
    EXPECT_NE(std::find(first.begin(), first.end(), m), first.end()) << m;
#endif
}

}  // namespace
}  // namespace gpuscope::profiler
