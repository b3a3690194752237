// Expected values are hand-computed with the rules of cuda_occupancy.h
// (register units of 256 per warp in 4 sub-partitions, shared memory in units
// of 128 bytes plus 1 KB reserved per block); the waves figure is the one
// the reference measured with ncu (65,536 / (8 x 132) = 62.06).
#include <gtest/gtest.h>

#include "profiler/occupancy.h"
#include "unit/profiler/h100.h"

namespace gpuscope::profiler {
namespace {

using testing::h100;
using testing::saxpy;

TEST(Occupancy, SaxpyIsWarpLimitedAtFullOccupancy) {
  Occupancy o = computeOccupancy(saxpy(), h100());
  EXPECT_EQ(o.warps_per_block, 8);
  EXPECT_EQ(o.limit_warps, 8);          // 64 warps / 8
  EXPECT_EQ(o.limit_blocks, 32);
  EXPECT_EQ(o.limit_registers, 16);     // 16 regs x 32 = 512/warp; 16384/512 = 32 per SMSP; 128/8
  EXPECT_EQ(o.limit_shared_mem, 228);   // 233472 / 1024
  EXPECT_EQ(o.blocks_per_sm, 8);
  EXPECT_DOUBLE_EQ(o.warps_per_sm, 64);
  EXPECT_DOUBLE_EQ(o.occupancy_pct, 100);
  EXPECT_NEAR(o.waves_per_sm, 62.06, 0.005);
  EXPECT_EQ(o.smem_per_block_allocated, 1024);
  EXPECT_EQ(o.smem_config_size, 8 * 1024);  // 8 blocks x 1 KB fits the 8 KB carveout
}

// ncu 2025.3 on the H200 (evidence 2026-11-29-kernels-run2, ncu_basic.csv and
// ncu_torch.csv) against the compiled counts cuFuncGetAttribute gave
// (gpuscope_*.csv): saxpy 10 -> 16, reduceSum 12 -> 16; counts of 16 and more
// are reported as compiled (torch kernels 18, 19, 26, 31, 44; cuBLAS 168, 202).
TEST(Occupancy, AllocatedRegistersAreAtLeastSixteen) {
  EXPECT_EQ(allocatedRegistersPerThread(10), 16);
  EXPECT_EQ(allocatedRegistersPerThread(12), 16);
  EXPECT_EQ(allocatedRegistersPerThread(16), 16);
  for (int r : {18, 19, 26, 31, 44, 168, 202}) EXPECT_EQ(allocatedRegistersPerThread(r), r) << r;
  EXPECT_EQ(allocatedRegistersPerThread(0), 0);  // unknown stays unknown
}

TEST(Occupancy, RegistersAndSharedMemoryLimit) {
  KernelRecord k = saxpy();
  k.block[0] = 128;
  k.registers = 64;
  k.smem_static = 16384;
  k.grid[0] = 1000;
  Occupancy o = computeOccupancy(k, h100());
  EXPECT_EQ(o.limit_warps, 16);        // 64 / 4
  EXPECT_EQ(o.limit_registers, 8);     // 2048 regs/warp: 8 warps per SMSP, 32 per SM, / 4
  EXPECT_EQ(o.limit_shared_mem, 13);   // 233472 / (16384 + 1024)
  EXPECT_EQ(o.blocks_per_sm, 8);
  EXPECT_DOUBLE_EQ(o.warps_per_sm, 32);
  EXPECT_DOUBLE_EQ(o.occupancy_pct, 50);
  EXPECT_EQ(o.smem_config_size, 164 * 1024);  // 8 x 17408 = 139264 -> 164 KB step
  EXPECT_NEAR(o.waves_per_sm, 1000.0 / (8 * 132), 1e-12);
}

TEST(Occupancy, OddWarpCountAndRegisterRounding) {
  KernelRecord k = saxpy();
  k.block[0] = 96;    // 3 warps
  k.registers = 255;  // 8160 -> 8192 per warp
  Occupancy o = computeOccupancy(k, h100());
  EXPECT_EQ(o.limit_registers, 2);     // 2 warps per SMSP x 4 = 8 warps / 3
  EXPECT_EQ(o.blocks_per_sm, 2);
  EXPECT_DOUBLE_EQ(o.warps_per_sm, 6);
  EXPECT_NEAR(o.occupancy_pct, 6.0 / 64 * 100, 1e-12);
}

TEST(Occupancy, DriverCountWinsWhenKnown) {
  KernelRecord k = saxpy();
  k.driver_max_blocks = 5;
  Occupancy o = computeOccupancy(k, h100());
  EXPECT_EQ(o.limit_warps, 8);
  EXPECT_EQ(o.blocks_per_sm, 5);
  EXPECT_DOUBLE_EQ(o.warps_per_sm, 40);
}

TEST(Occupancy, EmptyBlockGivesZeros) {
  KernelRecord k = saxpy();
  k.block[0] = 0;
  Occupancy o = computeOccupancy(k, h100());
  EXPECT_EQ(o.blocks_per_sm, 0);
  EXPECT_DOUBLE_EQ(o.waves_per_sm, 0);
}

TEST(Occupancy, CarveoutSteps) {
  EXPECT_EQ(alignUpCarveout(0, 9, 0), 0);
  EXPECT_EQ(alignUpCarveout(1, 9, 0), 8 * 1024);
  EXPECT_EQ(alignUpCarveout(8192, 9, 0), 8 * 1024);
  EXPECT_EQ(alignUpCarveout(8193, 9, 0), 16 * 1024);
  EXPECT_EQ(alignUpCarveout(200 * 1024, 9, 0), 228 * 1024);
  EXPECT_EQ(alignUpCarveout(400 * 1024, 9, 0), 228 * 1024);
  EXPECT_EQ(alignUpCarveout(120 * 1024, 8, 0), 132 * 1024);
  EXPECT_EQ(alignUpCarveout(120 * 1024, 8, 6), 100 * 1024);
  EXPECT_EQ(alignUpCarveout(1, 7, 5), 32 * 1024);
}

// ncu_basic.csv of the 2026-11-29 H200 run, kernel 5: reduceSum
// (1,1,1)x(1024,1,1), 4,096 bytes dynamic shared memory, 16 registers, and
// the driver's shared memory configuration 16,384 bytes (ncu Shared Memory
// Configuration Size). ncu: Block Limit Shared Mem 3 = 16,384 / (4,096 +
// 1,024 driver), Block Limit Registers 4, Block Limit Warps 2.
TEST(Occupancy, SharedMemoryLimitUsesDriverConfiguration) {
  KernelRecord k = saxpy();
  k.grid[0] = 1;
  k.block[0] = 1024;
  k.smem_dynamic = 4096;
  k.smem_config_executed = 16384;
  Occupancy o = computeOccupancy(k, h100());
  EXPECT_EQ(o.smem_config_size, 16384);
  EXPECT_EQ(o.smem_per_block_allocated, 5120);
  EXPECT_EQ(o.limit_shared_mem, 3);
  EXPECT_EQ(o.limit_registers, 4);  // 512 regs/warp; 32 warps per SMSP x 4 / 32 warps
  EXPECT_EQ(o.limit_warps, 2);
  EXPECT_EQ(o.blocks_per_sm, 2);
}

// ncu_torch.csv kernel 3 (vectorized_elementwise_kernel, 128 threads, 28
// registers, no shared memory of its own): configuration 32,768 bytes ->
// Block Limit Shared Mem 32 (= 32,768 / 1,024); Block Limit Registers 16.
TEST(Occupancy, ElementwiseKernelLimitsMatchNcu) {
  KernelRecord k = saxpy();
  k.grid[0] = 1024;
  k.block[0] = 128;
  k.registers = 28;
  k.smem_config_executed = 32768;
  Occupancy o = computeOccupancy(k, h100());
  EXPECT_EQ(o.limit_shared_mem, 32);
  EXPECT_EQ(o.limit_registers, 16);  // 28x32=896 -> 1,024/warp; 16 warps/SMSP x 4 / 4
  EXPECT_EQ(o.limit_warps, 16);
  EXPECT_EQ(o.smem_config_size, 32768);
  EXPECT_NEAR(o.waves_per_sm, 0.48, 0.005);  // 1,024 / (16 x 132)
}

// ncu_basic.csv kernel 9: the cuBLAS sm90 HGEMM, 384 threads, 168
// registers -> Block Limit Registers 1 (5,376 regs/warp; 3 warps per SMSP).
TEST(Occupancy, HgemmRegisterLimitMatchesNcu) {
  KernelRecord k = saxpy();
  k.grid[0] = 128;
  k.block[0] = 384;
  k.registers = 168;
  k.smem_dynamic = 231424;
  k.smem_config_executed = 233472;
  Occupancy o = computeOccupancy(k, h100());
  EXPECT_EQ(o.limit_registers, 1);
  EXPECT_EQ(o.limit_shared_mem, 1);  // 233,472 / 232,448
  EXPECT_EQ(o.limit_warps, 5);
  EXPECT_EQ(o.smem_config_size, 233472);
}

}  // namespace
}  // namespace gpuscope::profiler
