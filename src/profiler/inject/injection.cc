// The injection library of `gpuscope kernels`. CUDA loads it at cuInit from
// CUDA_INJECTION64_PATH and calls InitializeInjection. It subscribes to the
// kernel launch driver APIs; for each launch that passes the filters
// (--kernel-name, --launch-skip, -c) it starts the context's range profiler
// on API entry and stops, decodes and evaluates it on API exit, then appends
// the kernel's launch parameters and counter values to this process's
// results file (format: src/profiler/results_file.h).
//
// The parts: state.h (shared state), contexts.cc (profiler and context
// setup), replay.cc (user replay of a launch), emit.cc (results file).
#include <cuda.h>
#include <cupti.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "inject/launch_activity.h"
#include "inject/state.h"

namespace gpuscope::profiler::inject {

Settings g_settings;
bool g_disabled = false;
std::map<CUcontext, ContextState> g_contexts;
thread_local bool t_internal = false;

namespace {

// Held from entry to exit of a profiled launch, so profiled kernels run one
// at a time. Timed: should CUPTI ever need another thread to launch while we
// hold it, that launch goes unprofiled after a wait instead of hanging.
std::timed_mutex g_mutex;
long long g_matched = 0;
long long g_profiled = 0;
long long g_seq = 0;
thread_local bool t_active = false;  // a profiled launch is in flight on this thread
thread_local Pending t_pending;
// Launches nested inside a profiled launch (CUPTI's own replay work) on this
// thread: ignored, and their exits must not end the profiled launch.
thread_local int t_nested = 0;
// Kernel activity is enabled for the application's own launch on this
// thread (Settings::Activity::kLaunch), until that launch's API exit.
thread_local bool t_activity_window = false;

void onLaunchEnter(const CUpti_CallbackData* cb, CUpti_CallbackId cbid) {
  Launch l;
  if (!decodeLaunch(cbid, cb->functionParams, l)) return;
  // Done with -c: stay out of the way of the remaining launches.
  if (g_settings.count >= 0 && g_profiled >= g_settings.count) return;
  // A launch into a capturing stream only records a graph node: nothing
  // runs, so there is nothing to measure (and no flush may be enqueued).
  CUstreamCaptureStatus capture = CU_STREAM_CAPTURE_STATUS_NONE;
  if (cuStreamIsCapturing(l.stream, &capture) != CUDA_SUCCESS || capture != CU_STREAM_CAPTURE_STATUS_NONE)
    return;
  const char* mangled = cb->symbolName;
  if (!mangled && l.f) cuFuncGetName(&mangled, l.f);
  if (!mangled) mangled = "<unknown>";
  std::string name;
  if (g_settings.has_regex) {
    name = demangle(mangled);
    if (!std::regex_search(name, g_settings.regex) && !std::regex_search(mangled, g_settings.regex)) return;
  }
  if (g_matched++ < g_settings.skip) return;
  if (name.empty()) name = demangle(mangled);

  ContextState* st = contextFor(cb->context);
  if (!st) return;
  int regs = 0, smem_static = 0, local = 0, max_blocks = -1;
  l.func = resolveFunction(l.f);
  const CUfunction func = l.func;
  cuFuncGetAttribute(&regs, CU_FUNC_ATTRIBUTE_NUM_REGS, func);
  cuFuncGetAttribute(&smem_static, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, func);
  cuFuncGetAttribute(&local, CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES, func);
  const int threads = static_cast<int>(l.block[0] * l.block[1] * l.block[2]);
  if (cuOccupancyMaxActiveBlocksPerMultiprocessor(&max_blocks, func, threads, l.smem) != CUDA_SUCCESS)
    max_blocks = -1;
  size_t stack = 0;
  cuCtxGetLimit(&stack, CU_LIMIT_STACK_SIZE);
  // Replay passes of the kernel: the hardware session's, plus the SASS
  // session's on the application's own launch.
  const size_t passes = st->session->passes();
  uint32_t stream_id = 0;
  cuptiGetStreamIdEx(cb->context, l.stream, l.per_thread_stream ? 1 : 0, &stream_id);

  const long long seq = g_seq++;
  rememberCorrelation(cb->correlationId, seq);
  std::string line = "kernel\t" + std::to_string(seq) + "\t" + std::to_string(getpid()) + "\t" +
                     std::to_string(st->device) + "\t" + std::to_string(cb->contextUid) + "\t" +
                     std::to_string(stream_id);
  for (unsigned v : {l.grid[0], l.grid[1], l.grid[2], l.block[0], l.block[1], l.block[2], l.cluster[0],
                     l.cluster[1], l.cluster[2]})
    appendField(line, std::to_string(v));
  for (long long v : {(long long)regs, (long long)smem_static, (long long)l.smem, (long long)local,
                      (long long)stack, (long long)max_blocks, (long long)passes})
    appendField(line, std::to_string(v));
  appendField(line, escape(mangled) + "\t" + escape(name));

  if (st->session->userReplay()) {
    ++g_profiled;
    if (!g_settings.quiet)
      std::fprintf(stderr, "gpuscope: profiling \"%s\" - %lld: %zu pass%s\n", name.c_str(), seq, passes,
                   passes == 1 ? "" : "es");
    // Our own launches re-enter the callback: t_active marks them nested.
    t_active = true;
    std::vector<double> values;
    Failure f = replayPasses(*st, cbid, cb, l, values);
    t_active = false;
    t_nested = 0;
    if (f.ok() || st->replayed_ok) {
      st->replayed_ok = st->replayed_ok || f.ok();
      completeKernel({st, std::move(line), seq}, f, values);
      // The application's launch now runs unprofiled; its activity record
      // (if enabled here, until its exit) gives the shared memory config.
      if (g_settings.activity == Settings::Activity::kLaunch && setLaunchActivity(true)) {
        t_activity_window = true;
        t_active = true;  // the exit callback closes the window, then unlocks
      }
      return;
    }
    // User replay never worked in this context: profile with CUPTI's kernel
    // replay instead (caches flushed before the first pass only).
    --g_profiled;
    writeLine("warning\t" + escape("cache control: user replay failed (" + f.message +
                                    "); falling back to kernel replay, caches flushed before the first pass only"));
    if (!fallBackToKernelReplay(cb->context, *st)) return;
  }
  if (g_settings.flush_caches) {
    stageTouch(*st, l);
    flushCaches(*st, launchStream(l));
  }
  Failure f = st->session->start();
  if (!f.ok()) {
    writeLine("warning\tkernel " + escape(name) + " not profiled: " + escape(f.message));
    return;
  }
  ++g_profiled;
  if (!g_settings.quiet)
    std::fprintf(stderr, "gpuscope: profiling \"%s\" - %lld: %zu pass%s\n", name.c_str(), seq,
                 st->session->passes(), st->session->passes() == 1 ? "" : "es");
  t_pending = {st, std::move(line), seq};
  t_active = true;
}

void onLaunchExit() {
  t_active = false;
  if (t_activity_window) {
    t_activity_window = false;
    setLaunchActivity(false);
  }
  Pending p = std::move(t_pending);
  t_pending = {};
  if (!p.state) return;
  std::vector<double> values;
  Failure f = p.state->session->finish(values);
  completeKernel(p, f, values);
}

void CUPTIAPI callback(void*, CUpti_CallbackDomain domain, CUpti_CallbackId cbid, const void* data) {
  if (domain == CUPTI_CB_DOMAIN_RESOURCE) {
    if (cbid != CUPTI_CBID_RESOURCE_CONTEXT_DESTROY_STARTING) return;
    std::lock_guard<std::timed_mutex> lock(g_mutex);
    auto* rd = static_cast<const CUpti_ResourceData*>(data);
    auto it = g_contexts.find(rd->context);
    if (it != g_contexts.end()) {
      if (it->second.session) it->second.session->close();
      it->second.flusher.release();
      g_contexts.erase(it);
    }
    return;
  }
  if (domain != CUPTI_CB_DOMAIN_DRIVER_API || t_internal) return;
  auto* cb = static_cast<const CUpti_CallbackData*>(data);
  if (cb->callbackSite == CUPTI_API_ENTER) {
    if (t_active) {
      ++t_nested;
      return;
    }
    if (!g_mutex.try_lock_for(std::chrono::seconds(10))) {
      writeLine("warning\ta kernel launch waited 10 s for another profiled launch; not profiled");
      return;
    }
    if (!g_disabled) onLaunchEnter(cb, cbid);
    if (!t_active) g_mutex.unlock();
  } else if (t_active) {
    if (t_nested > 0) {
      --t_nested;
      return;
    }
    onLaunchExit();
    g_mutex.unlock();
  }
}

long long envNumber(const char* name, long long fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoll(v) : fallback;
}

}  // namespace
}  // namespace gpuscope::profiler::inject

extern "C" __attribute__((visibility("default"))) int InitializeInjection(void) {
  using namespace gpuscope::profiler::inject;
  const char* dir = std::getenv("GPUSCOPE_PROFILER_DIR");
  if (!dir || !*dir) return 1;
  Settings& s = g_settings;
  if (const char* m = std::getenv("GPUSCOPE_PROFILER_METRICS")) {
    std::string all = m;
    size_t start = 0;
    while (start < all.size()) {
      size_t comma = all.find(',', start);
      if (comma == std::string::npos) comma = all.size();
      if (comma > start) {
        const bool optional = all[start] == '?';
        s.metrics.push_back(all.substr(start + optional, comma - start - optional));
        s.optional.push_back(optional);
      }
      start = comma + 1;
    }
  }
  if (const char* r = std::getenv("GPUSCOPE_PROFILER_KERNEL_REGEX"); r && *r) {
    try {
      s.regex = std::regex(r);
      s.has_regex = true;
    } catch (const std::regex_error&) {
      return 1;  // the parent validated it; never reached in practice
    }
  }
  s.skip = envNumber("GPUSCOPE_PROFILER_LAUNCH_SKIP", 0);
  s.count = envNumber("GPUSCOPE_PROFILER_LAUNCH_COUNT", -1);
  const char* cache = std::getenv("GPUSCOPE_PROFILER_CACHE_CONTROL");
  s.flush_caches = !cache || std::strcmp(cache, "none") != 0;
  s.quiet = envNumber("GPUSCOPE_PROFILER_QUIET", 0) != 0;
  s.flush_sync = envNumber("GPUSCOPE_PROFILER_FLUSH_SYNC", 1) != 0;
  s.tlb_touch = envNumber("GPUSCOPE_PROFILER_TLB_TOUCH", 1) != 0;
  s.icache_flush = envNumber("GPUSCOPE_PROFILER_ICACHE_FLUSH", 1) != 0;
  s.sass_split = envNumber("GPUSCOPE_PROFILER_SASS_SPLIT", 1) != 0;
  s.pass_order = envNumber("GPUSCOPE_PROFILER_PASS_ORDER", 1) != 0;
  s.user_replay = envNumber("GPUSCOPE_PROFILER_USER_REPLAY", 1) != 0;
  s.checkpoint_sync = envNumber("GPUSCOPE_PROFILER_CHECKPOINT_SYNC", 0) != 0;
  s.timing = envNumber("GPUSCOPE_PROFILER_TIMING", 0) != 0;
  if (const char* a = std::getenv("GPUSCOPE_PROFILER_ACTIVITY"); a && *a)
    s.activity = std::strcmp(a, "all") == 0 ? Settings::Activity::kAll
                 : std::strcmp(a, "0") == 0 ? Settings::Activity::kOff
                                            : Settings::Activity::kLaunch;


  if (!openResults(dir)) return 1;
  char comm[256] = {0};
  if (std::FILE* f = std::fopen("/proc/self/comm", "r")) {
    if (std::fgets(comm, sizeof(comm), f)) comm[std::strcspn(comm, "\n")] = 0;
    std::fclose(f);
  }
  writeLine("gpuscope-kernels\t1");
  writeLine("process\t" + std::to_string(getpid()) + "\t" + escape(comm));
  if (s.metrics.empty()) {
    reportFailure({"internal", "no metrics to collect"});
    return 1;
  }

  CUpti_SubscriberHandle subscriber = nullptr;
  if (CUptiResult r = cuptiSubscribe(&subscriber, reinterpret_cast<CUpti_CallbackFunc>(callback), nullptr);
      r != CUPTI_SUCCESS) {
    reportFailure({"environment", "cuptiSubscribe failed (another CUPTI tool attached?): " + cuptiErrorText(r)});
    return 1;
  }
  for (CUpti_CallbackId id :
       {CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel, CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel_ptsz,
        CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel,
        CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel_ptsz, CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx,
        CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx_ptsz})
    cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_DRIVER_API, id);
  cuptiEnableCallback(1, subscriber, CUPTI_CB_DOMAIN_RESOURCE, CUPTI_CBID_RESOURCE_CONTEXT_DESTROY_STARTING);
  if (s.activity != Settings::Activity::kOff) {
    bool started = startLaunchActivity(
        [](uint32_t corr, uint32_t bytes) {
          long long seq = -1;
          if (!takeCorrelation(corr, seq)) return;
          writeLine("launch\t" + std::to_string(seq) + "\tshared_mem_config_size\t" + std::to_string(bytes));
        },
        s.activity == Settings::Activity::kAll);
    if (!started)
      writeLine("warning\tkernel activity unavailable: Shared Memory Configuration Size is estimated");
  }
  return 1;
}
