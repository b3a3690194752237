#include "profiler/rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>

namespace gpuscope::profiler {
namespace {

// Warp schedulers (SM sub-partitions) per SM on every GPU the range
// profiler supports (Turing and later).
constexpr double kSchedulersPerSm = 4;

class Rules {
 public:
  Rules(const MetricLookup& value, double max_warps_per_scheduler)
      : value_(value), max_warps_per_scheduler_(max_warps_per_scheduler) {}

  // IssueSlotUtilization's estimate bounds CPIStall's (ncu passes it from
  // rule to rule) when SchedulerStats is in the report too.
  void withSchedulerStats(bool on) { scheduler_stats_ = on; }

  void apply(std::string_view section, std::vector<RuleResult>& out) {
    out_ = &out;
    section_ = std::string(section);
    if (section == "SpeedOfLight") speedOfLight();
    if (section == "LaunchStats") launchStats();
    if (section == "Occupancy") occupancy();
    if (section == "SchedulerStats") schedulerStats();
    if (section == "WarpStateStats") warpStateStats();
  }

 private:
  std::optional<double> get(std::string_view metric) const {
    std::optional<double> v = value_(metric);
    if (v && !std::isfinite(*v)) return std::nullopt;
    return v;
  }
  void add(std::string name, std::string type, std::string title, std::string text, std::string speedup_type = "",
           double speedup = 0) {
    out_->push_back({section_, std::move(name), std::move(type), std::move(title), std::move(text),
                     std::move(speedup_type), speedup});
  }
  double maxWarpsPerScheduler() const { return max_warps_per_scheduler_; }

  // SOLBottleneck: both throughputs under 60 % of peak means latency (or a
  // grid under one wave); a 10-point gap names the busier side; 80 % or
  // more is high throughput.
  void speedOfLight() {
    auto sm = get("sm__throughput.avg.pct_of_peak_sustained_elapsed");
    auto mem = get("gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed");
    auto waves = get("launch__waves_per_multiprocessor");
    if (!sm || !mem || !waves) return;
    const std::string busiest_memory = busiestMemoryUnit();
    if (*sm >= 80 || *mem >= 80) {
      const bool memory = *mem > *sm;
      add("SOLBottleneck", "INF", "High Throughput",
          fmt::format("High throughput: {} is at {:.1f}% of its peak (80% or more). Further gains need work moved "
                      "off the busiest unit{}; {} shows what it is doing.",
                      memory ? "memory" : "compute", std::max(*sm, *mem),
                      memory && !busiest_memory.empty() ? " (" + busiest_memory + ")" : "",
                      memory ? "Memory Workload Analysis" : "Compute Workload Analysis"));
    } else if (*sm < 60 && *mem < 60) {
      if (*waves < 1) {
        add("SOLBottleneck", "OPT", "Small Grid",
            fmt::format("Small grid: the launch fills only {:.1f} full waves across all SMs, too few blocks to use "
                        "this GPU. See Launch Statistics.",
                        *waves));
      } else {
        add("SOLBottleneck", "OPT", "Latency Issue",
            fmt::format("Latency-bound: compute ({:.1f}%) and memory ({:.1f}%) are both below 60% of peak, so "
                        "warps wait more than they work. Scheduler Statistics and Warp State Statistics show "
                        "what they wait on.",
                        *sm, *mem));
      }
    } else if (std::fabs(*sm - *mem) >= 10) {
      if (*sm > *mem) {
        add("SOLBottleneck", "OPT", "High Compute Throughput",
            fmt::format("Compute-heavy: compute is at {:.1f}% of peak, memory at {:.1f}%. Compute Workload "
                        "Analysis shows which pipelines are busy; look for arithmetic that can be removed or "
                        "replaced by a table.",
                        *sm, *mem));
      } else {
        add("SOLBottleneck", "OPT", "High Memory Throughput",
            fmt::format("Memory-heavy: memory is at {:.1f}% of peak{}, compute at {:.1f}%. Memory Workload "
                        "Analysis shows where; check that accesses are coalesced, and consider fusing kernels "
                        "or recomputing values to do more work per byte moved.",
                        *mem, busiest_memory.empty() ? "" : " (busiest: " + busiest_memory + ")", *sm));
      }
    } else {
      add("SOLBottleneck", "INF", "Balanced Throughput",
          fmt::format("Balanced: compute ({:.1f}%) and memory ({:.1f}%) are within 10 points of each other; "
                      "a shorter kernel needs less of both.",
                      *sm, *mem));
    }
  }

  // The busiest of DRAM, L1 and L2 by their Speed Of Light rows, or "".
  std::string busiestMemoryUnit() const {
    std::string name;
    double best = 0;
    for (auto [unit, metric] : {std::pair{"DRAM", "gpu__dram_throughput.avg.pct_of_peak_sustained_elapsed"},
                                std::pair{"L1", "l1tex__throughput.avg.pct_of_peak_sustained_active"},
                                std::pair{"L2", "lts__throughput.avg.pct_of_peak_sustained_elapsed"}}) {
      auto v = get(metric);
      if (v && *v > best) {
        best = *v;
        name = unit;
      }
    }
    return name;
  }

  // LaunchConfiguration: a partial last warp, a grid smaller than the SMs
  // (or than twice them), and the tail effect of a partial last wave.
  void launchStats() {
    auto block = get("launch__block_size");
    auto grid = get("launch__grid_size");
    auto sms = get("launch__sm_count");
    auto waves = get("launch__waves_per_multiprocessor");
    auto theoretical = get("sm__maximum_warps_per_active_cycle_pct");
    if (!block || !grid || !sms || !waves) return;
    const int64_t threads = static_cast<int64_t>(*block);
    if (threads % 32 != 0 && threads > 0) {
      const double warps = std::ceil(*block / 32);
      const double last = static_cast<double>(threads % 32);
      add("LaunchConfiguration", "OPT", "Block Size",
          fmt::format("Block size: {} threads per block is not a multiple of the 32 threads of a warp, so the last "
                      "warp of every block runs with {} of its 32 lanes masked off. Use a multiple of 32 (128 to "
                      "256 is a good first range).",
                      threads, 32 - static_cast<int64_t>(last)),
          "global", 100.0 / warps * (1 - last / 32));
    }
    if (*grid < *sms) {
      add("LaunchConfiguration", "OPT", "Small Grid",
          fmt::format("Small grid: {:.0f} blocks for {:.0f} SMs leaves SMs idle. Unless the kernel is meant to run "
                      "beside other work, launch at least one block per SM (smaller blocks, or a larger grid).",
                      *grid, *sms),
          "global", (*sms - *grid) / *sms * 100);
    } else if (*grid < 2 * *sms) {
      add("LaunchConfiguration", "OPT", "Small Grid",
          fmt::format("Small grid: {:.0f} blocks per SM. Kernels that wait at __syncthreads() keep the SM busier "
                      "with more blocks per SM, so that others run while one waits.",
                      std::floor(*grid / *sms)));
    }
    double whole = 0;
    const double partial = std::modf(*waves, &whole);
    const double tail = partial == 0 ? 0 : 1 / (whole + 1);
    // ncu 2025.3 no longer asks for achieved occupancy under 80 % of
    // theoretical here (run Z26: a cuDNN kernel at 84 % got the rule).
    if (whole >= 1 && tail >= 0.2 && theoretical && *theoretical > 0) {
      const int64_t partial_blocks = *waves == 0 ? 0 : static_cast<int64_t>(*grid * (partial / *waves));
      add("LaunchConfiguration", "OPT", "Tail Effect",
          fmt::format("Tail effect: the grid makes {:.0f} full waves of blocks and a partial wave of {}. If all "
                      "blocks take about as long, the partial wave can take up to {:.1f}% of the kernel's time "
                      "with the GPU partly idle. Launch a grid of whole waves, or more waves.",
                      whole, partial_blocks, tail * 100),
          "global", tail * 100);
    }
  }

  // An estimate of a rule whose parent in ncu is IssueSlotUtilization:
  // global and bounded by that rule's when it fired and SchedulerStats is
  // in the report, else local.
  void addBoundedByIssueSlots(std::string name, std::string title, std::string text, double local) {
    const std::optional<double> bound = scheduler_stats_ ? issueSlotSpeedup() : std::nullopt;
    add(std::move(name), "OPT", std::move(title), std::move(text), bound ? "global" : "local",
        bound ? std::min(*bound, local) : local);
  }

  // AchievedOccupancy (more than 10 points under theoretical) and
  // TheoreticalOccupancy (under 80 % of the scheduler's warps, with its
  // limiters).
  void occupancy() {
    auto theoretical = get("sm__maximum_warps_per_active_cycle_pct");
    auto achieved = get("sm__warps_active.avg.pct_of_peak_sustained_active");
    if (theoretical && achieved && *theoretical - *achieved > 10) {
      addBoundedByIssueSlots(
          "AchievedOccupancy", "",
          fmt::format("Achieved occupancy ({:.1f}%) is well under theoretical ({:.1f}%): warps finish unevenly or "
                      "the scheduler cannot keep them resident, within a block or across blocks. Balance the "
                      "work per warp and per block.",
                      *achieved, *theoretical),
          (*theoretical - *achieved) / *theoretical * 100);
    }
    auto warps_per_sm = get("sm__maximum_warps_avg_per_active_cycle");
    const double max_warps = maxWarpsPerScheduler();
    if (!warps_per_sm || max_warps <= 0) return;
    const double per_scheduler = *warps_per_sm / kSchedulersPerSm;
    const double pct = per_scheduler / max_warps * 100;
    if (pct >= 80) return;
    std::string text = fmt::format(
        "Theoretical occupancy is {:.1f}%: {:.2f} warps per scheduler of the hardware's {:.0f}.", pct,
        per_scheduler, max_warps);
    // The limiters: the smallest block limits, ties all named.
    static constexpr std::pair<const char*, const char*> kLimits[] = {
        {"launch__occupancy_limit_blocks", "the blocks an SM can hold"},
        {"launch__occupancy_limit_registers", "registers per thread"},
        {"launch__occupancy_limit_shared_mem", "shared memory per block"},
        {"launch__occupancy_limit_warps", "warps per block"}};
    std::optional<double> lowest;
    for (const auto& [metric, what] : kLimits)
      if (auto v = get(metric); v && (!lowest || *v < *lowest)) lowest = v;
    std::string limiters;
    for (const auto& [metric, what] : kLimits)
      if (auto v = get(metric); v && lowest && *v == *lowest) limiters += (limiters.empty() ? "" : ", ") + std::string(what);
    if (!limiters.empty()) text += " Limited by " + limiters + ".";
    addBoundedByIssueSlots("TheoreticalOccupancy", "", text, 100 - pct);
  }

  // IssueSlotUtilization's estimate (percent) when it fires: a scheduler
  // issuing in under 60 % of its active cycles.
  std::optional<double> issueSlotSpeedup() const {
    auto issue = get("smsp__issue_active.avg.per_cycle_active");
    if (!issue || *issue >= 0.6 || *issue <= 0) return std::nullopt;
    return (1 - *issue) * 100;
  }

  void schedulerStats() {
    const std::optional<double> speedup = issueSlotSpeedup();  // issued per cycle known and < 0.6
    if (!speedup) return;
    const double issue = *get("smsp__issue_active.avg.per_cycle_active");
    auto active = get("smsp__warps_active.avg.per_cycle_active");
    auto eligible = get("smsp__warps_eligible.avg.per_cycle_active");
    std::string text = fmt::format("Each scheduler issues an instruction only every {:.1f} cycles (it could issue "
                                   "every cycle).",
                                   1 / issue);
    if (active && eligible) {
      text += fmt::format(" Of the hardware's {:.0f} warps per scheduler it holds {:.2f} active on average",
                          maxWarpsPerScheduler(), *active);
      text += *active < 1 ? ", less than one warp to issue from."
                          : fmt::format(", of which {:.2f} are ready to issue in a cycle; cycles with none ready "
                                        "issue nothing. Warp State Statistics shows why warps are not ready.",
                                        *eligible);
    }
    add("IssueSlotUtilization", "OPT", "", text, "local", *speedup);
  }

  // CPIStall: with the schedulers issuing in under 80 % of their cycles,
  // every stall reason that takes more than 30 % of the cycles between two
  // issued instructions, the longest first. Estimate: that share, bounded
  // by IssueSlotUtilization's (global) when it fired.
  void stallReasons() {
    auto issue = get("smsp__issue_active.avg.per_cycle_active");
    auto cpi = get("smsp__average_warp_latency_per_inst_issued.ratio");
    if (!issue || !cpi || *issue >= 0.8 || *cpi <= 0) return;
    struct Stall {
      const char* reason;  // the metric's infix
      const char* title;   // ncu's message name
      const char* advice;
    };
    static constexpr Stall kStalls[] = {
        {"barrier", "Barrier Stalls",
         "waiting at a block barrier (__syncthreads) for the block's other warps: the work before the barrier is "
         "uneven across warps. Even it out, or split blocks of 512 threads or more."},
        {"branch_resolving", "Branch Resolving Stalls",
         "waiting for a branch target to be computed: fewer branches, or branches that all threads of a warp take "
         "alike, help."},
        {"dispatch_stall", "Dispatch Stall Stalls",
         "held back by the dispatcher although an instruction was ready (pipeline conflicts)."},
        {"drain", "Drain Stalls",
         "after EXIT, waiting for the warp's outstanding stores to complete: the kernel writes much at its end; "
         "check those stores' access pattern."},
        {"lg_throttle", "Lg Throttle Stalls",
         "waiting for room in the queue of local and global memory instructions: too many of them. Use wider "
         "loads and stores, and look for local-memory spills."},
        {"long_scoreboard", "Long Scoreboard Stalls",
         "waiting for data from an L1TEX operation (global, local, texture or surface memory): coalesce the "
         "accesses, raise cache hit rates, or keep reused data in shared memory."},
        {"math_pipe_throttle", "Math Pipe Throttle Stalls",
         "waiting for a busy math pipeline: more active warps, or a mix of instructions spread over more "
         "pipelines, hide it."},
        {"membar", "Membar Stalls", "waiting at a memory fence: drop the fences that are not needed."},
        {"mio_throttle", "Mio Throttle Stalls",
         "waiting for room in the MIO queue (shared memory, special math functions, dynamic branches): fewer and "
         "wider shared-memory accesses relieve it."},
        {"misc", "Misc Stalls", "stalled for a miscellaneous hardware reason."},
        {"no_instruction", "No Instruction Stalls",
         "waiting for an instruction to be fetched, or after an instruction cache miss: usual in very short "
         "kernels; long jumps through the code add to it."},
        {"not_selected", "Not Selected Stalls",
         "ready but another warp was picked: there are enough warps to hide latency, and fewer active warps may "
         "improve cache locality."},
        {"short_scoreboard", "Short Scoreboard Stalls",
         "waiting for an MIO result, most often from shared memory (bank conflicts), else special math "
         "functions."},
        {"sleeping", "Sleeping Stalls", "with all its threads asleep, yielded or blocked (nanosleep)."},
        {"tex_throttle", "Tex Throttle Stalls",
         "waiting for room in the texture instruction queue: fewer texture and surface operations, or global "
         "loads instead."},
        {"wait", "Wait Stalls",
         "waiting on a fixed-latency dependency: more active warps, unrolled loops or lower-latency instructions "
         "hide it."},
    };
    std::vector<std::pair<double, const Stall*>> found;
    for (const Stall& stall : kStalls) {
      auto cycles = get(fmt::format("smsp__average_warps_issue_stalled_{}_per_issue_active.ratio", stall.reason));
      if (cycles && *cycles / *cpi > 0.3) found.emplace_back(*cycles, &stall);
    }
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [cycles, stall] : found) {
      const double share = cycles / *cpi * 100;
      addBoundedByIssueSlots(
          "CPIStall", stall->title,
          fmt::format("Each warp spends {:.1f} of the {:.1f} cycles between two issued instructions ({:.1f}%) {}",
                      cycles, *cpi, share, stall->advice),
          share);
    }
  }

  // ThreadDivergence: fewer than 24 of a warp's 32 threads active (or not
  // predicated off) per executed instruction.
  void warpStateStats() {
    stallReasons();
    auto active = get("smsp__thread_inst_executed_per_inst_executed.ratio");
    auto predicated_on = get("smsp__thread_inst_executed_pred_on_per_inst_executed.ratio");
    if (!active || !predicated_on || (*active >= 24 && *predicated_on >= 24)) return;
    std::string text = fmt::format("Divergent warps: an instruction runs with {:.1f} of a warp's 32 threads active on "
                                   "average (partial blocks, threads that finish early, or branches that split the "
                                   "warp).",
                                   *active);
    if (*predicated_on < *active)
      text += fmt::format(" Predication leaves {:.1f} threads doing work: the compiler turned a branch into "
                          "instructions every thread issues and most skip. Keep a warp's threads on one path.",
                          *predicated_on);
    add("ThreadDivergence", "OPT", "", text, "local", (1 - std::min(*active, *predicated_on) / 32) * 100);
  }

  const MetricLookup& value_;
  double max_warps_per_scheduler_;
  bool scheduler_stats_ = false;
  std::vector<RuleResult>* out_ = nullptr;
  std::string section_;
};

}  // namespace

std::vector<RuleResult> applyRules(const MetricLookup& value, double max_warps_per_scheduler,
                                   const ReportSpec& spec) {
  std::vector<RuleResult> out;
  Rules rules(value, max_warps_per_scheduler);
  for (const Section* s : spec.sections)
    if (s->id == "SchedulerStats") rules.withSchedulerStats(true);
  for (const Section* s : spec.sections) rules.apply(s->id, out);
  return out;
}

std::vector<RuleResult> applyRules(const KernelMetrics& metrics, const DeviceInfo& device, const ReportSpec& spec) {
  const double max_warps =
      device.warp_size > 0 ? static_cast<double>(device.max_threads_per_sm) / device.warp_size / kSchedulersPerSm : 0;
  return applyRules([&metrics](std::string_view m) { return metrics.value(m); }, max_warps, spec);
}

std::string formatSpeedup(double percent) {
  std::string s = fmt::format("{:.2f}", percent);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace gpuscope::profiler
