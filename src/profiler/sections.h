// The sections `gpuscope kernels` can show, each a list of rows labelled and
// ordered as Nsight Compute 2025.3 shows them, with ncu's metric names.
// Metrics are of two kinds: counters that CUPTI's range profiler measures,
// and derived ones (launch__*, theoretical occupancy, roofline) that we
// compute from launch parameters, device attributes and counters, because
// CUPTI rejects them (reference/kernel_profiler.md 5.2).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gpuscope::profiler {

// Base units, printed as ncu prints them with --print-units base (CSV).
enum class Unit {
  kNone,
  kNanosecond,
  kHertz,
  kCycle,
  kPercent,
  kByte,
  kBytePerBlock,
  kBytePerSecond,
  kRegisterPerThread,
  kBlock,
  kWarp,
  kThread,
  kSM,
  kFlopPerSecond,
  kFlopPerByte,
  kBytePerCycle,  // .peak_sustained of byte counters
  kInstPerCycle,  // instruction counters per cycle (.per_cycle_*, .peak_sustained)
};

struct MetricRow {
  std::string label;   // "Duration"
  std::string metric;  // "gpu__time_duration.sum"
  Unit unit = Unit::kNone;
};

struct Section {
  std::string id;            // "SpeedOfLight" (--section value, CSV rule rows)
  std::string display_name;  // "GPU Speed Of Light Throughput"
  std::vector<MetricRow> rows;
};

// Display name of the section that holds --metrics rows (as ncu names it).
inline constexpr std::string_view kCommandLineSection = "Command line profiler metrics";

const std::vector<Section>& allSections();
// Accepts the id case-insensitively and ncu's file names as aliases
// (SpeedOfLight_RooflineChart for Roofline). nullptr when unknown.
const Section* findSection(std::string_view id);

// True for metrics we compute instead of asking CUPTI (see evaluate.h).
bool isDerivedMetric(std::string_view name);
// CUPTI counters a derived metric is computed from (empty for launch__*).
std::vector<std::string> derivedInputs(std::string_view name);
// A CUPTI metric name has the form unit__quantity[.rollup][.submetric...]
// with lower-case letters, digits and underscores.
bool looksLikeCuptiMetric(std::string_view name);
// Unit for a metric given only by name (--metrics), from ncu's naming rules.
Unit guessUnit(std::string_view metric);

// The CUPTI metrics to configure for these sections and extra metrics,
// without duplicates, in first-use order.
std::vector<std::string> counterMetrics(const std::vector<const Section*>& sections,
                                        const std::vector<std::string>& extra);

}  // namespace gpuscope::profiler
