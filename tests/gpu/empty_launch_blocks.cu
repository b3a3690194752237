// Host cost per launch of a tight loop of empty kernels, measured as a
// within-process A/B (issue 4, item 6): rounds of one "off" and one "on"
// block, order alternating per round so that drift cancels; "on" blocks are
// bracketed by cudaProfilerStart/cudaProfilerStop, which under
// `gpuscope trace -c cudaProfilerApi` switch collection and are no-ops in a
// plain process. The switch happens outside the timed region, after a
// cudaStreamSynchronize; a block times the launch calls only.
//
//   empty_launch_blocks ROUNDS LAUNCHES_PER_BLOCK [BUDGET_S]
// BUDGET_S (seconds from start, default: none) stops starting rounds that
// would not fit, judged by the last round's duration.
// Prints "RESULT round R state on|off host_us_per_launch X total_us_per_launch Y"
// per block and "INFO key value" lines; exits 1 on any CUDA error.
#include <cuda_profiler_api.h>
#include <cuda_runtime.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {

__global__ void empty_kernel() {}

using Clock = std::chrono::steady_clock;

void check(cudaError_t e, const char* what) {
  if (e == cudaSuccess) return;
  std::fprintf(stderr, "empty_launch_blocks: %s failed: %s\n", what, cudaGetErrorString(e));
  std::exit(1);
}

struct BlockTimes {
  double host_us_per_launch;
  double total_us_per_launch;
};

// One block of n launches; `on` brackets it with the profiler API, outside
// the timed region (the stream is idle at both switches).
BlockTimes runBlock(cudaStream_t s, int n, bool on) {
  check(cudaStreamSynchronize(s), "cudaStreamSynchronize");
  if (on) check(cudaProfilerStart(), "cudaProfilerStart");
  auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) empty_kernel<<<1, 1, 0, s>>>();
  auto t1 = Clock::now();
  check(cudaStreamSynchronize(s), "cudaStreamSynchronize");
  auto t2 = Clock::now();
  // After the loop, not per launch: a per-launch query would be traced too.
  check(cudaGetLastError(), "empty_kernel launch");
  if (on) check(cudaProfilerStop(), "cudaProfilerStop");
  return {std::chrono::duration<double, std::micro>(t1 - t0).count() / n,
          std::chrono::duration<double, std::micro>(t2 - t0).count() / n};
}

int parsePositive(const char* text, const char* what) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v <= 0 || v > 1000000000L) {
    std::fprintf(stderr, "empty_launch_blocks: %s must be a positive integer, got '%s'\n", what,
                 text);
    std::exit(2);
  }
  return static_cast<int>(v);
}

}  // namespace

int main(int argc, char** argv) {
  auto start = Clock::now();
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: %s ROUNDS LAUNCHES_PER_BLOCK [BUDGET_S]\n", argv[0]);
    return 2;
  }
  int rounds = parsePositive(argv[1], "ROUNDS");
  int n = parsePositive(argv[2], "LAUNCHES_PER_BLOCK");
  double budget_s = argc > 3 ? std::atof(argv[3]) : 0.0;  // 0: no budget

  cudaStream_t s;
  check(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  // Warm-up off, then one short "on" block, discarded: first-enable costs
  // (CUPTI buffers, lazy setup) are paid outside the measurement.
  constexpr int kWarmup = 1000;
  runBlock(s, kWarmup, false);
  runBlock(s, kWarmup, true);
  std::printf("INFO warmup_on_launches %d\nINFO launches_per_block %d\n", kWarmup, n);
  std::fflush(stdout);

  int done = 0;
  double last_round_s = 0;
  for (int r = 1; r <= rounds; ++r) {
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (budget_s > 0 && r > 1 && elapsed + last_round_s > budget_s) break;
    auto r0 = Clock::now();
    // Odd rounds off,on; even rounds on,off.
    for (int k = 0; k < 2; ++k) {
      bool on = (r % 2 == 1) ? (k == 1) : (k == 0);
      BlockTimes t = runBlock(s, n, on);
      std::printf("RESULT round %d state %s host_us_per_launch %.4f total_us_per_launch %.4f\n", r,
                  on ? "on" : "off", t.host_us_per_launch, t.total_us_per_launch);
      std::fflush(stdout);
    }
    last_round_s = std::chrono::duration<double>(Clock::now() - r0).count();
    done = r;
  }
  std::printf("INFO rounds_done %d\n", done);
  check(cudaStreamDestroy(s), "cudaStreamDestroy");
  return 0;
}
