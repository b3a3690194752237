// State shared by the parts of the injection library: the settings read at
// InitializeInjection, one entry per CUDA context with its range profiler,
// and the helpers the launch callbacks use (contexts.cc: profiler and
// context setup; replay.cc: user replay of one launch; emit.cc: the results
// file). Everything here runs under the launch lock (injection.cc) unless
// noted.
#pragma once

#include <cuda.h>
#include <cupti.h>
#include <cupti_checkpoint.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "inject/cache_flush.h"
#include "inject/range_session.h"

namespace gpuscope::profiler::inject {

struct Settings {
  std::vector<std::string> metrics;
  // Per metric: a section row's (may be missing on this chip: left out,
  // "n/a") rather than one the user named with --metrics ("?" prefix in
  // GPUSCOPE_PROFILER_METRICS).
  std::vector<bool> optional;
  bool has_regex = false;
  std::regex regex;
  long long skip = 0;
  long long count = -1;
  bool flush_caches = true;
  bool flush_sync = true;  // GPUSCOPE_PROFILER_FLUSH_SYNC=0: no wait after the flush (A/B runs)
  bool tlb_touch = true;   // GPUSCOPE_PROFILER_TLB_TOUCH=0: no touch after the flush (A/B runs)
  bool icache_flush = true;   // GPUSCOPE_PROFILER_ICACHE_FLUSH=0: L2 only, no instruction caches (A/B, icache_ptx.h)
  // A metric list of SASS metrics only (a user's, or the parent's SASS run
  // under GPUSCOPE_PROFILER_SASS_SPLIT=1) is measured with kernel replay, as
  // in run 5; GPUSCOPE_PROFILER_SASS_SPLIT=0 measures it with user replay
  // too (right since run V, with no pass instrumented for kernel activity;
  // runs 4 and U read 0 there). Mixed lists always use user replay.
  bool sass_split = true;
  // The metrics that fit one pass together first in the configuration, so
  // that the range profiler counts them in one pass (pass_groups.h; since
  // session 9, run Z22). GPUSCOPE_PROFILER_PASS_ORDER=0 (A/B runs): list
  // order, whose passes may split a metric's counters.
  bool pass_order = true;
  // GPUSCOPE_PROFILER_USER_REPLAY=0: CUPTI's kernel replay even with cache
  // control (caches flushed and pages touched before the first pass only).
  bool user_replay = true;
  // GPUSCOPE_PROFILER_CHECKPOINT_SYNC=1 (A/B runs): wait for the whole
  // context after the checkpoint save and every restore, in case their
  // copies still run when the pass's kernel starts. H200 run R
  // (tests/gpu/evidence/2026-11-30-session6/R-kernels): saxpy still +12 %
  // against ncu in one user-replay pass, so it is not the cause of the
  // streaming kernels' long durations; pair 1 256/300 within tolerance
  // either way. Off by default.
  bool checkpoint_sync = false;
  // GPUSCOPE_PROFILER_TIMING=1: one stderr line per replayed launch with the
  // milliseconds spent saving, restoring, flushing, ... (replay.cc).
  bool timing = false;
  // GPUSCOPE_PROFILER_ACTIVITY: kernel activity records for the driver's
  // shared memory configuration (launch_activity.h). "launch" (default):
  // enabled only around the application's own launch after user replay;
  // "all" (A/B runs): for the whole program, instrumenting the measured
  // passes too (before run U); "0": never (the size is then estimated).
  enum class Activity { kOff, kLaunch, kAll };
  Activity activity = Activity::kLaunch;
  bool quiet = false;
};

struct ContextState {
  // The context's one range profiler object for its whole life: CUPTI 13.0
  // crashed (H200, issue #8) when a second one was enabled after disabling
  // the first, so SASS metrics are measured in a separate run of the
  // program (driver.cc, collection_plan.h), never by a second session here.
  std::unique_ptr<RangeSession> session;
  bool failed = false;
  uint32_t device = 0;
  L2Flusher flusher;  // --cache-control all: empties L2 before every pass
  bool replayed_ok = false;  // user replay profiled a kernel in this context
};

struct Launch {
  CUfunction f = nullptr;
  unsigned grid[3] = {1, 1, 1};
  unsigned block[3] = {1, 1, 1};
  unsigned cluster[3] = {0, 0, 0};
  unsigned smem = 0;
  CUstream stream = nullptr;
  bool per_thread_stream = false;
  void** params = nullptr;  // kernelParams: one pointer per argument
  void** extra = nullptr;   // or the packed buffer (CU_LAUNCH_PARAM_*)
  CUfunction func = nullptr;  // resolveFunction(f), set once the launch is profiled
};

// The kernel line written once its counters are in (on API exit).
struct Pending {
  ContextState* state = nullptr;
  std::string kernel_line;
  long long seq = 0;
};

extern Settings g_settings;
extern bool g_disabled;  // after a fatal failure: the program runs on unprofiled
extern std::map<CUcontext, ContextState> g_contexts;
// Our own flush kernels are being launched on this thread: their callbacks
// are ignored entirely.
extern thread_local bool t_internal;

// emit.cc: the results file (results_file.h). Lines come from launch
// threads and from CUPTI's activity buffer thread; writeLine locks.
bool openResults(const char* dir);
void writeLine(const std::string& line);
std::string escape(const std::string& s);
void appendField(std::string& line, const std::string& field);
void reportFailure(const Failure& f);
std::string demangle(const char* mangled);
void writeDevice(uint32_t index, const std::string& chip);
// Rearms the context's session and writes the kernel's metric lines
// (values in g_settings.metrics order), or a warning when f failed.
void completeKernel(const Pending& p, const Failure& f, const std::vector<double>& values);
// Correlation id of a profiled launch -> its kernel seq, for the activity
// record with the driver's shared memory configuration (any thread).
void rememberCorrelation(uint32_t correlation_id, long long seq);
bool takeCorrelation(uint32_t correlation_id, long long& seq);

// contexts.cc: the context's range profiler, created at its first profiled
// launch; nullptr when the context cannot be profiled.
ContextState* contextFor(CUcontext ctx);
// Reopens the context's session with CUPTI's kernel replay after user
// replay failed on its first kernel; false (reported) if that fails too.
bool fallBackToKernelReplay(CUcontext ctx, ContextState& st);
void flushCaches(ContextState& st, CUstream stream);
// Stages the pages of l's pointer arguments for the TLB touch that follows
// every later flush (tlb_touch.h); a warning when that fails.
void stageTouch(ContextState& st, const Launch& l);

// replay.cc: the CUPTI checkpoint API (libcheckpoint.so of the toolkit),
// loaded at run time so that a system without it still profiles, with
// kernel replay.
using CheckpointT = NV::Cupti::Checkpoint::CUpti_Checkpoint;
struct CheckpointApi {
  CUptiResult (*save)(CheckpointT*) = nullptr;
  CUptiResult (*restore)(CheckpointT*) = nullptr;
  CUptiResult (*free)(CheckpointT*) = nullptr;
  std::string error;
  bool ok() const { return save && restore && free; }
};
const CheckpointApi& checkpointApi();
bool decodeLaunch(CUpti_CallbackId cbid, const void* params, Launch& l);
CUfunction resolveFunction(CUfunction f);
CUstream launchStream(const Launch& l);
// tlb_touch.cc: the addresses gs_tlb_touch reads after each flush for this
// launch (tlb_touch.h); needs l.func.
std::vector<uint64_t> launchTouchAddresses(const Launch& l);
// User replay of one launch (checkpoint, per pass: restore, flush, start,
// relaunch, sync, stop; evaluate; final restore).
Failure replayPasses(ContextState& st, CUpti_CallbackId cbid, const CUpti_CallbackData* cb, const Launch& l,
                     std::vector<double>& values);

}  // namespace gpuscope::profiler::inject
