#include "profiler/occupancy.h"

#include <algorithm>
#include <climits>
#include <initializer_list>

namespace gpuscope::profiler {
namespace {

int64_t roundUp(int64_t v, int64_t unit) { return unit <= 0 ? v : (v + unit - 1) / unit * unit; }
int64_t divUp(int64_t v, int64_t d) { return d <= 0 ? 0 : (v + d - 1) / d; }

}  // namespace

int64_t alignUpCarveout(int64_t bytes, int cc_major, int cc_minor) {
  // Carveout steps per architecture, in KiB (cuda_occupancy.h,
  // cudaOccAlignUpShmemSizeVoltaPlus).
  static constexpr int kVolta[] = {0, 8, 16, 32, 64, 96};
  static constexpr int kTuring[] = {32, 64};
  static constexpr int kA100[] = {0, 8, 16, 32, 64, 100, 132, 164};
  static constexpr int kAmpereGeForce[] = {0, 8, 16, 32, 64, 100};
  static constexpr int kHopper[] = {0, 8, 16, 32, 64, 100, 132, 164, 196, 228};
  const int* begin = kHopper;
  const int* end = kHopper + std::size(kHopper);
  auto use = [&](const int* b, const int* e) { begin = b; end = e; };
  if (cc_major == 7 && cc_minor == 5) use(std::begin(kTuring), std::end(kTuring));
  else if (cc_major == 7) use(std::begin(kVolta), std::end(kVolta));
  else if (cc_major == 8 && (cc_minor == 0 || cc_minor == 7)) use(std::begin(kA100), std::end(kA100));
  else if (cc_major == 8 || cc_major == 12) use(std::begin(kAmpereGeForce), std::end(kAmpereGeForce));
  for (const int* p = begin; p != end; ++p)
    if (bytes <= int64_t{*p} * 1024) return int64_t{*p} * 1024;
  return int64_t{*(end - 1)} * 1024;
}

int allocatedRegistersPerThread(int compiled_registers) {
  constexpr int kMinAllocated = 16;
  if (compiled_registers <= 0) return compiled_registers;
  return std::max(compiled_registers, kMinAllocated);
}

Occupancy computeOccupancy(const KernelRecord& k, const DeviceInfo& d) {
  Occupancy o;
  const int64_t threads = k.blockThreads();
  const int warp = d.warp_size > 0 ? d.warp_size : 32;
  o.warps_per_block = static_cast<int>(divUp(threads, warp));
  const int max_warps_sm = d.max_threads_per_sm / warp;
  if (threads <= 0 || o.warps_per_block == 0) return o;

  o.limit_warps = max_warps_sm / o.warps_per_block;
  o.limit_blocks = d.max_blocks_per_sm;

  // Registers are allocated per warp in units of 256, inside each of the 4
  // SM sub-partitions (cudaOccMaxBlocksPerSMRegsLimit).
  constexpr int kRegUnit = 256;
  constexpr int kSubPartitions = 4;
  const int64_t regs_per_warp = roundUp(int64_t{k.registers} * warp, kRegUnit);
  if (regs_per_warp == 0) {
    o.limit_registers = INT_MAX;
  } else {
    const int64_t per_cta = regs_per_warp * o.warps_per_block;
    const int64_t assumed = regs_per_warp * roundUp(o.warps_per_block, kSubPartitions);
    if (per_cta > d.regs_per_block || assumed > d.regs_per_block) {
      o.limit_registers = 0;
    } else {
      const int64_t warps_per_sub = (d.regs_per_sm / kSubPartitions) / regs_per_warp;
      o.limit_registers = static_cast<int>(warps_per_sub * kSubPartitions / o.warps_per_block);
    }
  }

  // Shared memory: static + dynamic + the driver's reserved part, in units of
  // 128 bytes, against the SM's shared memory (default carveout preference).
  constexpr int kSmemUnit = 128;
  o.smem_per_block_allocated =
      roundUp(k.smem_static + k.smem_dynamic + d.reserved_smem_per_block, kSmemUnit);
  // The launch ran, so the block fit the per-block limit; only the per-SM
  // limit remains.
  if (o.smem_per_block_allocated == 0) {
    o.limit_shared_mem = INT_MAX;
  } else {
    o.limit_shared_mem = static_cast<int>(d.smem_per_sm / o.smem_per_block_allocated);
  }

  // When the driver's chosen carveout is known, ncu's shared memory limit is
  // how many blocks fit in it (evidence 2026-11-29: 16,384 / 5,120 = 3 and
  // 16,384 / 1,024 = 16 blocks), not in the SM's whole shared memory.
  if (k.smem_config_executed > 0 && o.smem_per_block_allocated > 0)
    o.limit_shared_mem = static_cast<int>(k.smem_config_executed / o.smem_per_block_allocated);

  o.blocks_per_sm = std::min({o.limit_warps, o.limit_blocks, o.limit_registers, o.limit_shared_mem});
  if (k.driver_max_blocks >= 0) o.blocks_per_sm = k.driver_max_blocks;
  o.warps_per_sm = double(o.blocks_per_sm) * o.warps_per_block;
  o.occupancy_pct = max_warps_sm > 0 ? 100.0 * o.warps_per_sm / max_warps_sm : 0;
  o.smem_config_size =
      k.smem_config_executed >= 0
          ? k.smem_config_executed
          : alignUpCarveout(o.smem_per_block_allocated * o.blocks_per_sm, d.cc_major, d.cc_minor);
  const double resident = double(o.blocks_per_sm) * d.sm_count;
  o.waves_per_sm = resident > 0 ? double(k.gridBlocks()) / resident : 0;
  return o;
}

}  // namespace gpuscope::profiler
