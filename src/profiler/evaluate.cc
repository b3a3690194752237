#include "profiler/evaluate.h"

#include <algorithm>
#include <string>

namespace gpuscope::profiler {

KernelMetrics::KernelMetrics(const KernelRecord& kernel, const DeviceInfo& device)
    : kernel_(kernel), device_(device), occupancy_(computeOccupancy(kernel, device)) {}

std::optional<double> KernelMetrics::counter(std::string_view metric) const {
  const double* v = kernel_.counter(std::string(metric));
  if (!v) return std::nullopt;
  return *v;
}

// FLOP/s as ncu's roofline computes it: (add + mul + 2 x fma) thread
// instructions per elapsed cycle of a sub-partition, summed over the GPU, times
// the sub-partition clock.
std::optional<double> KernelMetrics::achievedFlops(char p) const {
  std::string base = std::string("smsp__sass_thread_inst_executed_op_") + p;
  auto add = counter(base + "add_pred_on.sum.per_cycle_elapsed");
  auto mul = counter(base + "mul_pred_on.sum.per_cycle_elapsed");
  auto fma = counter(base + "fma_pred_on.sum.per_cycle_elapsed");
  auto clock = counter("smsp__cycles_elapsed.avg.per_second");
  if (!add || !mul || !fma || !clock) return std::nullopt;
  return (*add + *mul + 2.0 * *fma) * *clock;
}

std::optional<double> KernelMetrics::peakFlops(char p) const {
  auto peak = counter(std::string("sm__sass_thread_inst_executed_op_") + p +
                      "fma_pred_on.sum.peak_sustained");
  auto clock = counter("sm__cycles_elapsed.avg.per_second");
  if (!peak || !clock) return std::nullopt;
  return 2.0 * *peak * *clock;
}

std::optional<double> KernelMetrics::value(std::string_view m) const {
  const Occupancy& o = occupancy_;
  if (m == "launch__block_size") return double(kernel_.blockThreads());
  if (m == "launch__grid_size") return double(kernel_.gridBlocks());
  if (m == "launch__thread_count") return double(kernel_.blockThreads() * kernel_.gridBlocks());
  if (m == "launch__cluster_size")
    return kernel_.cluster[0] <= 0 ? 0.0
                                   : double(kernel_.cluster[0] * std::max<int64_t>(kernel_.cluster[1], 1) *
                                            std::max<int64_t>(kernel_.cluster[2], 1));
  if (m == "launch__registers_per_thread") return double(kernel_.registers);
  if (m == "launch__shared_mem_per_block_static") return double(kernel_.smem_static);
  if (m == "launch__shared_mem_per_block_dynamic") return double(kernel_.smem_dynamic);
  if (m == "launch__shared_mem_per_block_driver") return double(device_.reserved_smem_per_block);
  if (m == "launch__shared_mem_config_size") return double(o.smem_config_size);
  if (m == "launch__sm_count") return double(device_.sm_count);
  if (m == "launch__stack_size") return double(kernel_.stack_size);
  if (m == "launch__waves_per_multiprocessor") return o.waves_per_sm;
  if (m == "launch__occupancy_limit_blocks") return double(o.limit_blocks);
  if (m == "launch__occupancy_limit_registers") return double(o.limit_registers);
  if (m == "launch__occupancy_limit_shared_mem") return double(o.limit_shared_mem);
  if (m == "launch__occupancy_limit_warps") return double(o.limit_warps);
  if (m == "sm__maximum_warps_avg_per_active_cycle") return o.warps_per_sm;
  if (m == "sm__maximum_warps_per_active_cycle_pct") return o.occupancy_pct;

  if (m == "derived__fp32_achieved_flop_per_second") return achievedFlops('f');
  if (m == "derived__fp64_achieved_flop_per_second") return achievedFlops('d');
  if (m == "derived__fp16_achieved_flop_per_second") return achievedFlops('h');
  if (m == "derived__fp32_peak_flop_per_second") return peakFlops('f');
  if (m == "derived__fp64_peak_flop_per_second") return peakFlops('d');
  if (m == "derived__fp16_peak_flop_per_second") return peakFlops('h');
  if (m == "derived__dram_peak_bytes_per_second") {
    auto peak = counter("dram__bytes.sum.peak_sustained");
    auto clock = counter("dram__cycles_elapsed.avg.per_second");
    if (!peak || !clock) return std::nullopt;
    return *peak * *clock;
  }
  if (m == "derived__arithmetic_intensity") {
    auto flops = achievedFlops('f');
    auto bw = counter("dram__bytes.sum.per_second");
    if (!flops || !bw || *bw <= 0) return std::nullopt;
    return *flops / *bw;
  }
  if (m == "derived__fp32_ridge_point") {
    auto peak = peakFlops('f');
    auto bw = value("derived__dram_peak_bytes_per_second");
    if (!peak || !bw || *bw <= 0) return std::nullopt;
    return *peak / *bw;
  }
  if (m == "derived__fp32_attainable_flop_per_second") {
    // min(peak, I x peak bandwidth): the roof above this kernel's intensity.
    auto peak = peakFlops('f');
    auto intensity = value("derived__arithmetic_intensity");
    auto bw = value("derived__dram_peak_bytes_per_second");
    if (!peak || !intensity || !bw) return std::nullopt;
    return std::min(*peak, *intensity * *bw);
  }
  if (m == "derived__fp32_roofline_efficiency_pct") {
    auto achieved = achievedFlops('f');
    auto roof = value("derived__fp32_attainable_flop_per_second");
    if (!achieved || !roof || *roof <= 0) return std::nullopt;
    return 100.0 * *achieved / *roof;
  }
  return counter(m);
}

}  // namespace gpuscope::profiler
