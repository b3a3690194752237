// What one profiled run recorded: per process, the devices it used and, per
// profiled kernel, its launch parameters and the counter values CUPTI
// evaluated. Everything the reports show is computed from these records, so
// the reports are testable from recorded data without a GPU.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gpuscope::profiler {

// Device attributes the occupancy calculator and the reports need (from
// cuDeviceGetAttribute in the injected process).
struct DeviceInfo {
  int pid = 0;
  int ordinal = 0;
  std::string name;
  std::string chip;  // CUPTI chip name, e.g. "GH100"
  int cc_major = 0;
  int cc_minor = 0;
  int sm_count = 0;
  int max_threads_per_sm = 0;
  int max_blocks_per_sm = 0;
  int regs_per_sm = 0;
  int regs_per_block = 0;
  int64_t smem_per_sm = 0;           // bytes usable by blocks on one SM
  int64_t smem_per_block_optin = 0;  // bytes one block may opt in to
  int64_t reserved_smem_per_block = 0;  // driver shared memory per block
  int warp_size = 32;
  int64_t l2_bytes = 0;
};

struct KernelRecord {
  int64_t id = 0;  // profiled-kernel ordinal across the run (ncu's ID)
  int pid = 0;
  std::string process;
  int device = 0;
  uint32_t context = 0;
  uint64_t stream = 0;
  int64_t grid[3] = {1, 1, 1};
  int64_t block[3] = {1, 1, 1};
  int64_t cluster[3] = {0, 0, 0};  // 0: no cluster
  int registers = 0;               // per thread
  int64_t smem_static = 0;
  int64_t smem_dynamic = 0;
  int64_t local_bytes = 0;         // per thread (spills, stack frames)
  int64_t stack_size = 0;          // context stack limit per thread
  int driver_max_blocks = -1;      // cuOccupancyMaxActiveBlocksPerMultiprocessor; -1 unknown
  // Shared memory configuration (carveout) the driver ran the launch with
  // (kernel activity record's sharedMemoryExecuted); -1 unknown.
  int64_t smem_config_executed = -1;
  int passes = 0;
  std::string mangled;
  std::string name;                // demangled
  std::vector<std::pair<std::string, double>> counters;  // CUPTI metric -> value

  const double* counter(const std::string& metric) const {
    for (const auto& [k, v] : counters)
      if (k == metric) return &v;
    return nullptr;
  }
  int64_t blockThreads() const { return block[0] * block[1] * block[2]; }
  int64_t gridBlocks() const { return grid[0] * grid[1] * grid[2]; }
};

struct ProfileRun {
  std::vector<DeviceInfo> devices;
  std::vector<KernelRecord> kernels;
  std::vector<std::string> warnings;
  // Failures the injected processes reported, by kind: "permission",
  // "metric", "environment", "internal".
  std::vector<std::pair<std::string, std::string>> errors;

  const DeviceInfo* device(int pid, int ordinal) const {
    for (const auto& d : devices)
      if (d.pid == pid && d.ordinal == ordinal) return &d;
    return nullptr;
  }
};

}  // namespace gpuscope::profiler
