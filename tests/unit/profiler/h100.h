// An H100 SXM as cuDeviceGetAttribute reports it (CUDA 13.0; the figures of
// reference/kernel_profiler.md: 132 SMs, 50 MB L2, 228 KB shared memory per SM).
#pragma once

#include "profiler/record.h"

namespace gpuscope::profiler::testing {

inline DeviceInfo h100(int pid = 809) {
  DeviceInfo d;
  d.pid = pid;
  d.ordinal = 0;
  d.name = "NVIDIA H100 80GB HBM3";
  d.chip = "GH100";
  d.cc_major = 9;
  d.cc_minor = 0;
  d.sm_count = 132;
  d.max_threads_per_sm = 2048;
  d.max_blocks_per_sm = 32;
  d.regs_per_sm = 65536;
  d.regs_per_block = 65536;
  d.smem_per_sm = 233472;
  d.smem_per_block_optin = 232448;
  d.reserved_smem_per_block = 1024;
  d.warp_size = 32;
  d.l2_bytes = 52428800;
  return d;
}

// The saxpy launch of the reference's ncu output: (65536,1,1)x(256,1,1).
inline KernelRecord saxpy(int pid = 809) {
  KernelRecord k;
  k.id = 0;
  k.pid = pid;
  k.process = "saxpy";
  k.context = 1;
  k.stream = 7;
  k.grid[0] = 65536;
  k.block[0] = 256;
  k.registers = 16;
  k.stack_size = 1024;
  k.mangled = "_Z5saxpyifPKfPf";
  k.name = "saxpy(int, float, const float *, float *)";
  return k;
}

}  // namespace gpuscope::profiler::testing
