// Per-context setup of the injection library: CUPTI's profiler, the
// context's one range profiler session (user replay with --cache-control
// all, kernel replay otherwise or as the fallback) and the L2 flusher.
#include <cupti_profiler_target.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "inject/state.h"
#include "metric_kinds.h"

namespace gpuscope::profiler::inject {

namespace {

// Loads the profiler into the process; done at the first profiled launch
// (not during cuInit) so that programs that never launch pay nothing.
bool initializeProfiler() {
  static bool done = false;
  if (done) return true;
  auto init = GS_CUPTI_PARAMS(CUpti_Profiler_Initialize_Params);
  if (CUptiResult r = cuptiProfilerInitialize(&init); r != CUPTI_SUCCESS) {
    reportFailure(r == CUPTI_ERROR_INSUFFICIENT_PRIVILEGES
                      ? Failure{"permission", "no permission to read GPU performance counters "
                                              "(CUPTI_ERROR_INSUFFICIENT_PRIVILEGES): run as root or "
                                              "load the NVIDIA driver with NVreg_RestrictProfilingToAdminUsers=0"}
                      : Failure{"environment", "cuptiProfilerInitialize failed: " + cuptiErrorText(r)});
    return false;
  }
  done = true;
  return true;
}

}  // namespace

ContextState* contextFor(CUcontext ctx) {
  ContextState& st = g_contexts[ctx];
  if (st.failed) return nullptr;
  if (st.session) return &st;
  if (!initializeProfiler()) {
    st.failed = true;
    return nullptr;
  }
  cuptiGetDeviceId(ctx, &st.device);
  st.session = std::make_unique<RangeSession>();
  // With cache control the passes are replayed here (user replay), so that
  // caches are flushed before every pass as ncu does; CUPTI's kernel replay
  // restores memory between passes, which leaves dirty lines in L2 that the
  // next pass writes back (measured: +20 MB DRAM writes, +16% duration).
  // A metric list of SASS metrics only uses kernel replay: instruction
  // counts do not depend on the cache state that user replay exists for
  // (Settings::sass_split). Mixed lists count SASS metrics under user replay
  // (right since H200 run V, launch_activity.h).
  const bool only_sass = g_settings.sass_split && collectionKind(g_settings.metrics) == CollectionKind::kSassOnly;
  const bool want_user_replay = g_settings.flush_caches && g_settings.user_replay && !only_sass;
  const bool user_replay = want_user_replay && checkpointApi().ok();
  if (want_user_replay && !user_replay)
    writeLine("warning\tcache control: " + escape(checkpointApi().error) +
              "; caches flushed before the first pass only (kernel replay)");
  const auto t0 = std::chrono::steady_clock::now();
  if (Failure f = st.session->open(ctx, st.device, g_settings.metrics, g_settings.optional, user_replay,
                                   g_settings.pass_order); !f.ok()) {
    st.failed = true;
    reportFailure(f);
    return nullptr;
  }
  if (!st.session->note().empty()) writeLine("warning\t" + escape(st.session->note()));
  if (!g_settings.quiet && st.session->onePassMetrics() > 0)
    std::fprintf(stderr,
                 "gpuscope: %zu metrics, %zu passes per kernel; %zu that fit one pass counted together (%.0f ms to "
                 "order)\n",
                 g_settings.metrics.size(), st.session->passes(), st.session->onePassMetrics(),
                 std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  writeDevice(st.device, st.session->chip());
  if (g_settings.flush_caches) {
    CUdevice dev = 0;
    cuCtxGetDevice(&dev);
    std::string warning = st.flusher.init(dev, std::getenv("GPUSCOPE_PROFILER_FLUSH"));
    if (!warning.empty()) writeLine("warning\t" + escape(warning));
    if (g_settings.icache_flush) {
      int sms = 0;
      cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev);
      if (std::string w = st.flusher.initIcacheEvict(sms); !w.empty()) writeLine("warning\t" + escape(w));
    }
    // One flush now, before any checkpoint is saved: with lazy loading the
    // flush kernels' code is JIT-compiled and placed in device memory at
    // their first launch, which must not happen between a checkpoint's save
    // and restore (only launches and copies are allowed there).
    flushCaches(st, nullptr);
  }
  return &st;
}

bool fallBackToKernelReplay(CUcontext ctx, ContextState& st) {
  // The old session is closed (its object disabled) by its destructor
  // before the new one is enabled.
  st.session.reset();
  st.session = std::make_unique<RangeSession>();
  if (Failure r = st.session->open(ctx, st.device, g_settings.metrics, g_settings.optional, false); !r.ok()) {
    st.failed = true;
    reportFailure(r);
    return false;
  }
  return true;
}

// Empties the L2 before a pass (cache_flush.h), on the launch's stream.
void flushCaches(ContextState& st, CUstream stream) {
  if (!st.flusher.active()) return;
  t_internal = true;
  bool ok = st.flusher.flush(stream, g_settings.flush_sync);
  t_internal = false;
  if (!ok) {
    writeLine(std::string("warning\tcache control: the L2 flush (") + st.flusher.modeName() +
              ") failed; caches are no longer flushed in this context");
    st.flusher.release();
  }
}

void stageTouch(ContextState& st, const Launch& l) {
  if (!g_settings.tlb_touch || !st.flusher.active()) return;
  if (!st.flusher.stageTouch(launchTouchAddresses(l)))
    writeLine("warning\tcache control: could not stage the TLB touch list; this kernel starts with cold TLBs");
}

}  // namespace gpuscope::profiler::inject
