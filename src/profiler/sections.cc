#include "profiler/sections.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace gpuscope::profiler {
namespace {

// Warp stall reasons as ncu's details page labels them, with the name part
// of smsp__average_warps_issue_stalled_<reason>_per_issue_active.ratio.
constexpr std::pair<std::string_view, std::string_view> kStallReasons[] = {
    {"Stall Barrier", "barrier"},
    {"Stall Branch Resolving", "branch_resolving"},
    {"Stall Dispatch Stall", "dispatch_stall"},
    {"Stall Drain", "drain"},
    {"Stall LG Throttle", "lg_throttle"},
    {"Stall Long Scoreboard", "long_scoreboard"},
    {"Stall Math Pipe Throttle", "math_pipe_throttle"},
    {"Stall Membar", "membar"},
    {"Stall MIO Throttle", "mio_throttle"},
    {"Stall Misc", "misc"},
    {"Stall No Instruction", "no_instruction"},
    {"Stall Not Selected", "not_selected"},
    {"Selected", "selected"},
    {"Stall Short Scoreboard", "short_scoreboard"},
    {"Stall Sleeping", "sleeping"},
    {"Stall Tex Throttle", "tex_throttle"},
    {"Stall Wait", "wait"},
};

std::vector<Section> makeSections() {
  using U = Unit;
  std::vector<Section> s;
  // GPU Speed Of Light Throughput: ncu's SpeedOfLight.section, same order.
  s.push_back({"SpeedOfLight",
               "GPU Speed Of Light Throughput",
               {{"DRAM Frequency", "dram__cycles_elapsed.avg.per_second", U::kHertz},
                {"SM Frequency", "gpc__cycles_elapsed.avg.per_second", U::kHertz},
                {"Elapsed Cycles", "gpc__cycles_elapsed.max", U::kCycle},
                {"Memory Throughput",
                 "gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed", U::kPercent},
                {"DRAM Throughput", "gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed",
                 U::kPercent},
                {"Duration", "gpu__time_duration.sum", U::kNanosecond},
                {"L1/TEX Cache Throughput", "l1tex__throughput.avg.pct_of_peak_sustained_active",
                 U::kPercent},
                {"L2 Cache Throughput", "lts__throughput.avg.pct_of_peak_sustained_elapsed",
                 U::kPercent},
                {"SM Active Cycles", "sm__cycles_active.avg", U::kCycle},
                {"Compute (SM) Throughput", "sm__throughput.avg.pct_of_peak_sustained_elapsed",
                 U::kPercent}}});
  s.push_back({"LaunchStats",
               "Launch Statistics",
               {{"Block Size", "launch__block_size", U::kNone},
                {"Cluster Size", "launch__cluster_size", U::kNone},
                {"Grid Size", "launch__grid_size", U::kNone},
                {"Registers Per Thread", "launch__registers_per_thread", U::kRegisterPerThread},
                {"Shared Memory Configuration Size", "launch__shared_mem_config_size", U::kByte},
                {"Driver Shared Memory Per Block", "launch__shared_mem_per_block_driver",
                 U::kBytePerBlock},
                {"Dynamic Shared Memory Per Block", "launch__shared_mem_per_block_dynamic",
                 U::kBytePerBlock},
                {"Static Shared Memory Per Block", "launch__shared_mem_per_block_static",
                 U::kBytePerBlock},
                {"# SMs", "launch__sm_count", U::kSM},
                {"Stack Size", "launch__stack_size", U::kNone},
                {"Threads", "launch__thread_count", U::kThread},
                {"Waves Per SM", "launch__waves_per_multiprocessor", U::kNone}}});
  s.push_back({"Occupancy",
               "Occupancy",
               {{"Block Limit SM", "launch__occupancy_limit_blocks", U::kBlock},
                {"Block Limit Registers", "launch__occupancy_limit_registers", U::kBlock},
                {"Block Limit Shared Mem", "launch__occupancy_limit_shared_mem", U::kBlock},
                {"Block Limit Warps", "launch__occupancy_limit_warps", U::kBlock},
                {"Theoretical Active Warps per SM", "sm__maximum_warps_avg_per_active_cycle",
                 U::kWarp},
                {"Theoretical Occupancy", "sm__maximum_warps_per_active_cycle_pct", U::kPercent},
                {"Achieved Occupancy", "sm__warps_active.avg.pct_of_peak_sustained_active",
                 U::kPercent},
                {"Achieved Active Warps Per SM", "sm__warps_active.avg.per_cycle_active",
                 U::kWarp}}});
  s.push_back({"MemoryWorkloadAnalysis",
               "Memory Workload Analysis",
               {{"Memory Throughput", "dram__bytes.sum.per_second", U::kBytePerSecond},
                {"L1/TEX Hit Rate", "l1tex__t_sector_hit_rate.pct", U::kPercent},
                {"L2 Hit Rate", "lts__t_sector_hit_rate.pct", U::kPercent},
                {"Mem Busy", "gpu__compute_memory_access_throughput.avg.pct_of_peak_sustained_elapsed",
                 U::kPercent},
                {"Max Bandwidth",
                 "gpu__compute_memory_request_throughput.avg.pct_of_peak_sustained_elapsed",
                 U::kPercent},
                {"Mem Pipes Busy", "sm__memory_throughput.avg.pct_of_peak_sustained_elapsed",
                 U::kPercent},
                {"DRAM Bytes Read", "dram__bytes_read.sum", U::kByte},
                {"DRAM Bytes Written", "dram__bytes_write.sum", U::kByte},
                {"L2 Bytes", "lts__t_bytes.sum", U::kByte}}});
  // ncu's ComputeWorkloadAnalysis.section body (the pipe utilization chart
  // is not shown). Issue Slots Busy and SM Busy are of elapsed cycles, as
  // reference 5.3 says: H200 run Z24 had them of active cycles and read
  // 35.46 % where ncu read 0.17 % on a one-block reduction (one SM active
  // for 25 of ~5,200 cycles: 35.46 x 25 / 5,244 = 0.17).
  s.push_back({"ComputeWorkloadAnalysis",
               "Compute Workload Analysis",
               {{"Executed Ipc Active", "sm__inst_executed.avg.per_cycle_active", U::kInstPerCycle},
                {"Executed Ipc Elapsed", "sm__inst_executed.avg.per_cycle_elapsed", U::kInstPerCycle},
                {"Issue Slots Busy", "sm__inst_issued.avg.pct_of_peak_sustained_elapsed", U::kPercent},
                {"Issued Ipc Active", "sm__inst_issued.avg.per_cycle_active", U::kInstPerCycle},
                {"SM Busy", "sm__instruction_throughput.avg.pct_of_peak_sustained_elapsed", U::kPercent}}});
  s.push_back({"SchedulerStats",
               "Scheduler Statistics",
               {{"One or More Eligible", "smsp__issue_active.avg.pct_of_peak_sustained_active", U::kPercent},
                {"Issued Warp Per Scheduler", "smsp__issue_active.avg.per_cycle_active", U::kNone},
                {"No Eligible", "smsp__issue_inst0.avg.pct_of_peak_sustained_active", U::kPercent},
                {"Active Warps Per Scheduler", "smsp__warps_active.avg.per_cycle_active", U::kWarp},
                {"Eligible Warps Per Scheduler", "smsp__warps_eligible.avg.per_cycle_active", U::kWarp}}});
  // ncu's WarpStateStats.section body, then the stall reasons ncu draws as a
  // chart (cycles per issued instruction a warp spends in each state; they
  // add up to Warp Cycles Per Issued Instruction). Only the reasons every
  // chip from Turing to Blackwell has (CUPTI host API, checked offline for
  // TU102, GA100, GA102, AD102, GH100, GB100, GB202): imc_miss is missing on
  // Blackwell and gmma before Hopper, so those two are --metrics only.
  Section warp{"WarpStateStats",
               "Warp State Statistics",
               {{"Warp Cycles Per Issued Instruction", "smsp__average_warp_latency_per_inst_issued.ratio",
                 U::kCycle},
                {"Warp Cycles Per Executed Instruction", "smsp__average_warps_active_per_inst_executed.ratio",
                 U::kCycle},
                {"Avg. Active Threads Per Warp", "smsp__thread_inst_executed_per_inst_executed.ratio", U::kNone},
                {"Avg. Not Predicated Off Threads Per Warp",
                 "smsp__thread_inst_executed_pred_on_per_inst_executed.ratio", U::kNone}}};
  for (const auto& [label, reason] : kStallReasons)
    warp.rows.push_back({std::string(label), "smsp__average_warps_issue_stalled_" + std::string(reason) +
                                                 "_per_issue_active.ratio",
                         U::kCycle});
  s.push_back(std::move(warp));
  // ncu draws the roofline as a chart; these rows are the chart's points and
  // roofs (reference 7) as numbers.
  s.push_back({"Roofline",
               "GPU Speed Of Light Roofline Chart",
               {{"FP32 Achieved Performance", "derived__fp32_achieved_flop_per_second",
                 U::kFlopPerSecond},
                {"FP32 Peak Performance", "derived__fp32_peak_flop_per_second", U::kFlopPerSecond},
                {"FP64 Achieved Performance", "derived__fp64_achieved_flop_per_second",
                 U::kFlopPerSecond},
                {"FP64 Peak Performance", "derived__fp64_peak_flop_per_second", U::kFlopPerSecond},
                {"FP16 Achieved Performance", "derived__fp16_achieved_flop_per_second",
                 U::kFlopPerSecond},
                {"FP16 Peak Performance", "derived__fp16_peak_flop_per_second", U::kFlopPerSecond},
                {"DRAM Bandwidth", "dram__bytes.sum.per_second", U::kBytePerSecond},
                {"DRAM Peak Bandwidth", "derived__dram_peak_bytes_per_second", U::kBytePerSecond},
                {"Arithmetic Intensity", "derived__arithmetic_intensity", U::kFlopPerByte},
                {"Ridge Point (FP32)", "derived__fp32_ridge_point", U::kFlopPerByte},
                {"FP32 Attainable Performance", "derived__fp32_attainable_flop_per_second",
                 U::kFlopPerSecond},
                {"FP32 Roofline Efficiency", "derived__fp32_roofline_efficiency_pct",
                 U::kPercent}}});
  return s;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Per precision: the three SASS op counters (add, mul, fma), as ncu's roofline
// section names them.
std::vector<std::string> flopInputs(char p) {
  std::string base = std::string("smsp__sass_thread_inst_executed_op_") + p;
  return {base + "add_pred_on.sum.per_cycle_elapsed", base + "mul_pred_on.sum.per_cycle_elapsed",
          base + "fma_pred_on.sum.per_cycle_elapsed", "smsp__cycles_elapsed.avg.per_second"};
}
std::vector<std::string> peakInputs(char p) {
  return {std::string("sm__sass_thread_inst_executed_op_") + p + "fma_pred_on.sum.peak_sustained",
          "sm__cycles_elapsed.avg.per_second"};
}

}  // namespace

const std::vector<Section>& allSections() {
  static const std::vector<Section> kSections = makeSections();
  return kSections;
}

const Section* findSection(std::string_view id) {
  if (equalsIgnoreCase(id, "SpeedOfLight_RooflineChart")) id = "Roofline";
  for (const Section& s : allSections())
    if (equalsIgnoreCase(s.id, id)) return &s;
  return nullptr;
}

bool isDerivedMetric(std::string_view name) {
  static const char* const kNames[] = {
      "launch__block_size", "launch__cluster_size", "launch__grid_size",
      "launch__registers_per_thread", "launch__shared_mem_config_size",
      "launch__shared_mem_per_block_driver", "launch__shared_mem_per_block_dynamic",
      "launch__shared_mem_per_block_static", "launch__sm_count", "launch__stack_size",
      "launch__thread_count", "launch__waves_per_multiprocessor",
      "launch__occupancy_limit_blocks", "launch__occupancy_limit_registers",
      "launch__occupancy_limit_shared_mem", "launch__occupancy_limit_warps",
      "sm__maximum_warps_avg_per_active_cycle", "sm__maximum_warps_per_active_cycle_pct",
      "derived__fp32_achieved_flop_per_second", "derived__fp32_peak_flop_per_second",
      "derived__fp64_achieved_flop_per_second", "derived__fp64_peak_flop_per_second",
      "derived__fp16_achieved_flop_per_second", "derived__fp16_peak_flop_per_second",
      "derived__dram_peak_bytes_per_second", "derived__arithmetic_intensity",
      "derived__fp32_ridge_point", "derived__fp32_attainable_flop_per_second",
      "derived__fp32_roofline_efficiency_pct"};
  for (const char* n : kNames)
    if (name == n) return true;
  return false;
}

std::vector<std::string> derivedInputs(std::string_view name) {
  auto cat = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  const std::vector<std::string> dram_peak = {"dram__bytes.sum.peak_sustained",
                                              "dram__cycles_elapsed.avg.per_second"};
  if (name == "derived__fp32_achieved_flop_per_second") return flopInputs('f');
  if (name == "derived__fp64_achieved_flop_per_second") return flopInputs('d');
  if (name == "derived__fp16_achieved_flop_per_second") return flopInputs('h');
  if (name == "derived__fp32_peak_flop_per_second") return peakInputs('f');
  if (name == "derived__fp64_peak_flop_per_second") return peakInputs('d');
  if (name == "derived__fp16_peak_flop_per_second") return peakInputs('h');
  if (name == "derived__dram_peak_bytes_per_second") return dram_peak;
  if (name == "derived__arithmetic_intensity")
    return cat(flopInputs('f'), {"dram__bytes.sum.per_second"});
  if (name == "derived__fp32_ridge_point") return cat(peakInputs('f'), dram_peak);
  if (name == "derived__fp32_attainable_flop_per_second" ||
      name == "derived__fp32_roofline_efficiency_pct")
    return cat(cat(cat(flopInputs('f'), peakInputs('f')), dram_peak),
               {"dram__bytes.sum.per_second"});
  return {};
}

bool looksLikeCuptiMetric(std::string_view name) {
  size_t sep = name.find("__");
  if (sep == std::string_view::npos || sep == 0 || sep + 2 >= name.size()) return false;
  char prev = 0;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok || (c == '.' && (prev == '.' || prev == 0))) return false;
    prev = c;
  }
  return prev != '.';
}

Unit guessUnit(std::string_view m) {
  if (m.find("pct") != std::string_view::npos) return Unit::kPercent;
  if (m.starts_with("gpu__time_duration")) return Unit::kNanosecond;
  bool per_second = endsWith(m, ".per_second");
  // Peaks are per cycle unless asked .per_second (ncu: "byte/cycle").
  bool per_cycle = m.find(".per_cycle") != std::string_view::npos || endsWith(m, ".peak_sustained") ||
                   endsWith(m, ".peak_sustained_active") || endsWith(m, ".peak_sustained_elapsed");
  if (m.find("bytes") != std::string_view::npos)
    return per_second ? Unit::kBytePerSecond : per_cycle ? Unit::kBytePerCycle : Unit::kByte;
  if (m.find("inst_executed") != std::string_view::npos || m.find("inst_issued") != std::string_view::npos)
    return per_cycle ? Unit::kInstPerCycle : Unit::kNone;
  if (m.find("cycles_elapsed") != std::string_view::npos && per_second) return Unit::kHertz;
  if (m.find("__cycles") != std::string_view::npos && !per_second &&
      m.find("per_cycle") == std::string_view::npos)
    return Unit::kCycle;
  return Unit::kNone;
}

std::vector<std::string> counterMetrics(const std::vector<const Section*>& sections,
                                        const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& m) {
    if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  };
  auto addMetric = [&](const std::string& m) {
    if (isDerivedMetric(m)) {
      for (const std::string& in : derivedInputs(m)) add(in);
    } else {
      add(m);
    }
  };
  for (const Section* s : sections)
    for (const MetricRow& r : s->rows) addMetric(r.metric);
  for (const std::string& m : extra) addMetric(m);
  return out;
}

}  // namespace gpuscope::profiler
