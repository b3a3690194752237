// Cache control for `gpuscope kernels --cache-control all`: empties the L2 of
// application data and of dirty lines before every replay pass, as ncu's
// cache control does (reference/kernel_profiler.md 5.4). CUDA 13.0 offers no
// API for it (13.4 adds cacheControlMode), so it is done with two small
// kernels of our own on a scratch buffer 4x the L2:
//   1. read the whole buffer with ordinary loads: every line in L2 is
//      replaced, and dirty application lines are written back now, not
//      during the measured kernel;
//   2. discard.global.L2 every line of the buffer: its lines (some of them
//      dirty, since a checkpoint restore writes the buffer too) leave L2
//      without a write-back, so the kernel starts with an empty L2;
//   3. with a touch list staged (tlb_touch.h), read one word per page of the
//      kernel's arguments, so its pages are translated as under ncu.
// Run 4 (tests/gpu/evidence/2026-11-29-kernels-run4) flushed with a
// device-to-host copy of the buffer instead: copy-engine reads do not
// displace L2 lines, which left ~20 MB of dirty lines to be written back
// inside every measured kernel (dram__bytes_write +20 MB, saxpy +15% time)
// and small inputs L2-resident (DRAM throughput of torch kernels too low).
// GPUSCOPE_PROFILER_FLUSH=copy selects that old way, =read the read kernel
// without the discard, =skip no flush at all (user replay and the TLB touch
// stay), for A/B runs. Before the L2 flush a kernel with 512 KB of code runs
// on every SM, to empty the instruction caches as ncu's cache control does
// (icache_ptx.h; H200 run Z8: SM Active Cycles of the PyTorch kernels within
// 5 % of ncu's on 9 of 14 against 6 without, every kernel of more than 500
// active cycles within 1.5 %); GPUSCOPE_PROFILER_ICACHE_FLUSH=0 leaves it
// out, for A/B runs.
#pragma once

#include <cuda.h>

#include <cstdint>
#include <string>
#include <vector>

#include "inject/flush_ptx.h"

namespace gpuscope::profiler::inject {

class L2Flusher {
 public:
  L2Flusher() = default;
  L2Flusher(const L2Flusher&) = delete;
  L2Flusher& operator=(const L2Flusher&) = delete;

  // Allocates the scratch buffer and loads the flush kernels in the current
  // context. Returns an empty string on success, else why caches will not
  // be flushed (or are flushed the old way), for a warning.
  std::string init(CUdevice dev, const char* mode_env);
  // Enqueues the flush on `stream` and, with `wait`, waits for it (the
  // default: the pass then starts on an idle GPU with the flush's write-backs
  // done; GPUSCOPE_PROFILER_FLUSH_SYNC=0 leaves the flush queued ahead of the
  // kernel, for A/B runs of short-kernel durations). No-op when init failed.
  // Kernel launches made here must not be seen as application launches:
  // the caller marks the thread (see injection.cc, t_internal).
  bool flush(CUstream stream, bool wait = true);
  // Copies the addresses the touch kernel reads after every later flush
  // (at most kTouchMax; an empty list: no touch). Synchronous; call it
  // before the checkpoint is saved, so that restores keep the list. False
  // when the copy failed (no touch then).
  bool stageTouch(const std::vector<uint64_t>& addresses);
  // Loads the instruction-cache eviction kernel (icache_ptx.h) that every
  // later flush then runs first, one block per SM; an empty string on
  // success, else why not (a warning; the L2 flush goes on without it).
  std::string initIcacheEvict(int sms);
  void release();

  bool active() const { return mode_ != Mode::kNone; }
  const char* modeName() const;

 private:
  enum class Mode { kNone, kKernels, kReadKernel, kCopy };
  Mode loadKernels(bool with_discard);
  void initTouch(int sms);

  Mode mode_ = Mode::kNone;
  FlushPlan plan_;
  CUdeviceptr scratch_ = 0;
  void* host_sink_ = nullptr;
  CUmodule module_ = nullptr;
  CUfunction read_ = nullptr;
  CUfunction discard_ = nullptr;
  CUfunction touch_ = nullptr;
  CUdeviceptr touch_list_ = 0;  // kTouchMax addresses, then the sink word
  unsigned long long touch_n_ = 0;
  unsigned touch_blocks_ = 0;  // one block per SM: every SM's TLB is filled
  CUmodule icache_module_ = nullptr;
  CUfunction icache_evict_ = nullptr;
  unsigned icache_blocks_ = 0;  // two blocks per SM: each SM runs the code
  bool skip_ = false;          // GPUSCOPE_PROFILER_FLUSH=skip (A/B)
};

}  // namespace gpuscope::profiler::inject
