// The injection library of `gpuscope kernels`. CUDA loads it at cuInit from
// CUDA_INJECTION64_PATH and calls InitializeInjection. It subscribes to the
// kernel launch driver APIs; for each launch that passes the filters
// (--kernel-name, --launch-skip, -c) it starts the context's range profiler
// on API entry and stops, decodes and evaluates it on API exit, then appends
// the kernel's launch parameters and counter values to this process's
// results file (format: src/profiler/results_file.h).
#include <cuda.h>
#include <cupti.h>
#include <cupti_checkpoint.h>
#include <cupti_profiler_target.h>
#include <cxxabi.h>
#include <dlfcn.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <vector>

#include "inject/cache_flush.h"
#include "inject/launch_activity.h"
#include "inject/range_session.h"
#include "metric_kinds.h"

namespace gpuscope::profiler::inject {
namespace {

struct Settings {
  std::vector<std::string> metrics;
  bool has_regex = false;
  std::regex regex;
  long long skip = 0;
  long long count = -1;
  bool flush_caches = true;
  bool flush_sync = true;  // GPUSCOPE_PROFILER_FLUSH_SYNC=0: no wait after the flush (A/B runs)
  // SASS metrics go to a kernel-replay session (metric_kinds.h) unless
  // GPUSCOPE_PROFILER_SASS_SPLIT=0 (A/B runs).
  bool sass_split = true;
  std::vector<std::string> hardware_metrics, sass_metrics;
  MetricSplit split;
  bool quiet = false;
};

struct ContextState {
  std::unique_ptr<RangeSession> session;
  // SASS metrics with kernel replay, when user replay measures the others;
  // enabled only while `session` is suspended (one range profiler object
  // per context at a time).
  std::unique_ptr<RangeSession> sass_session;
  bool hardware_only = false;  // `session` measures g_settings.hardware_metrics
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
};

// Held from entry to exit of a profiled launch, so profiled kernels run one
// at a time. Timed: should CUPTI ever need another thread to launch while we
// hold it, that launch goes unprofiled after a wait instead of hanging.
std::timed_mutex g_mutex;
Settings g_settings;
std::FILE* g_out = nullptr;
bool g_disabled = false;
long long g_matched = 0;
long long g_profiled = 0;
long long g_seq = 0;
std::map<CUcontext, ContextState> g_contexts;
std::map<int, bool> g_devices_written;
thread_local bool t_active = false;  // a profiled launch is in flight on this thread
// Our own flush kernels are being launched on this thread: their callbacks
// are ignored entirely (they are neither application launches nor nested
// replay work, and the launch lock is already held).
thread_local bool t_internal = false;

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void appendField(std::string& line, const std::string& field) {
  line += '\t';
  line += field;
}

// Lines come from launch threads and from CUPTI's activity buffer thread.
std::mutex g_write_mutex;
// Correlation id of each profiled application launch -> its kernel seq, for
// the activity record that carries the driver's shared memory config.
std::mutex g_corr_mutex;
std::map<uint32_t, long long> g_corr_to_seq;

void writeLine(const std::string& line) {
  std::lock_guard<std::mutex> lock(g_write_mutex);
  if (!g_out) return;
  std::fputs(line.c_str(), g_out);
  std::fputc('\n', g_out);
  std::fflush(g_out);
}

void reportFailure(const Failure& f) {
  writeLine("error\t" + f.kind + "\t" + escape(f.message));
  if (!g_settings.quiet) std::fprintf(stderr, "gpuscope: error: %s\n", f.message.c_str());
  g_disabled = true;  // like ncu: the program runs on, unprofiled
}

std::string demangle(const char* mangled) {
  int status = 0;
  char* out = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string s = status == 0 && out ? out : mangled;
  std::free(out);
  return s;
}

bool decodeLaunch(CUpti_CallbackId cbid, const void* params, Launch& l) {
  switch (cbid) {
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel_ptsz: {
      auto* p = static_cast<const cuLaunchKernel_params*>(params);
      l = {p->f, {p->gridDimX, p->gridDimY, p->gridDimZ}, {p->blockDimX, p->blockDimY, p->blockDimZ},
           {0, 0, 0}, p->sharedMemBytes, p->hStream, cbid == CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel_ptsz};
      return true;
    }
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel_ptsz: {
      auto* p = static_cast<const cuLaunchCooperativeKernel_params*>(params);
      l = {p->f, {p->gridDimX, p->gridDimY, p->gridDimZ}, {p->blockDimX, p->blockDimY, p->blockDimZ},
           {0, 0, 0}, p->sharedMemBytes, p->hStream,
           cbid == CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel_ptsz};
      return true;
    }
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx_ptsz: {
      auto* p = static_cast<const cuLaunchKernelEx_params*>(params);
      const CUlaunchConfig* c = p->config;
      if (!c) return false;
      l = {p->f, {c->gridDimX, c->gridDimY, c->gridDimZ}, {c->blockDimX, c->blockDimY, c->blockDimZ},
           {0, 0, 0}, c->sharedMemBytes, c->hStream, cbid == CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx_ptsz};
      for (unsigned i = 0; i < c->numAttrs; ++i) {
        if (c->attrs[i].id == CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION) {
          l.cluster[0] = c->attrs[i].value.clusterDim.x;
          l.cluster[1] = c->attrs[i].value.clusterDim.y;
          l.cluster[2] = c->attrs[i].value.clusterDim.z;
        }
      }
      return true;
    }
    default:
      return false;
  }
}

int attr(CUdevice dev, CUdevice_attribute a) {
  int v = 0;
  cuDeviceGetAttribute(&v, a, dev);
  return v;
}

void writeDevice(uint32_t index, const std::string& chip) {
  if (g_devices_written[index]) return;
  g_devices_written[index] = true;
  CUdevice dev = 0;
  cuDeviceGet(&dev, static_cast<int>(index));
  char name[256] = {0};
  cuDeviceGetName(name, sizeof(name), dev);
  std::string line = "device\t" + std::to_string(getpid()) + "\t" + std::to_string(index) + "\t" +
                     escape(name) + "\t" + escape(chip);
  for (CUdevice_attribute a :
       {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
        CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR,
        CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR, CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR,
        CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR,
        CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
        CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK, CU_DEVICE_ATTRIBUTE_WARP_SIZE,
        CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE})
    appendField(line, std::to_string(attr(dev, a)));
  writeLine(line);
}

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

// The CUPTI checkpoint API (libcheckpoint.so of the toolkit), loaded at run
// time so that a system without it still profiles, with kernel replay.
using CheckpointT = NV::Cupti::Checkpoint::CUpti_Checkpoint;
struct CheckpointApi {
  CUptiResult (*save)(CheckpointT*) = nullptr;
  CUptiResult (*restore)(CheckpointT*) = nullptr;
  CUptiResult (*free)(CheckpointT*) = nullptr;
  std::string error;
  bool ok() const { return save && restore && free; }
};

const CheckpointApi& checkpointApi() {
  static const CheckpointApi api = [] {
    CheckpointApi a;
    void* h = dlopen("libcheckpoint.so", RTLD_NOW | RTLD_LOCAL);
    if (!h) h = dlopen("/usr/local/cuda/lib64/libcheckpoint.so", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      a.error = "libcheckpoint.so (CUPTI checkpoint API) not found";
      return a;
    }
    a.save = reinterpret_cast<CUptiResult (*)(CheckpointT*)>(dlsym(h, "cuptiCheckpointSave"));
    a.restore = reinterpret_cast<CUptiResult (*)(CheckpointT*)>(dlsym(h, "cuptiCheckpointRestore"));
    a.free = reinterpret_cast<CUptiResult (*)(CheckpointT*)>(dlsym(h, "cuptiCheckpointFree"));
    if (!a.ok()) a.error = "libcheckpoint.so lacks cuptiCheckpointSave/Restore/Free";
    return a;
  }();
  return api;
}

void flushCaches(ContextState& st, CUstream stream);

void dropSassSession(ContextState& st, const std::string& why) {
  writeLine("warning\t" + escape("SASS metrics not collected in a context (" + why + ")"));
  if (st.sass_session) {
    st.sass_session->suspend();
    st.sass_session.reset();
  }
}

// Enables the hardware session again after a SASS phase or a failed SASS
// setup. Should its range profiler not come back, a fresh session with
// every metric in user replay (run 4's way: SASS metrics then read 0) keeps
// the context profiling; only if that fails too does the context stop.
void resumeHardwareSession(CUcontext ctx, ContextState& st) {
  Failure r = st.session->resume();
  if (r.ok()) return;
  writeLine("warning\t" + escape("hardware session could not be resumed (" + r.message +
                                  "); reopening it with all metrics"));
  if (st.sass_session) {
    st.sass_session->suspend();
    st.sass_session.reset();
  }
  st.session = std::make_unique<RangeSession>();
  st.hardware_only = false;
  if (r = st.session->open(ctx, st.device, g_settings.metrics, true); !r.ok()) {
    st.failed = true;
    writeLine("warning\t" + escape("profiling stopped in a context: " + r.message));
  }
}

// Opens the SASS session next to the (user replay) hardware session; both
// are left with the hardware session enabled. A failure costs the SASS
// metrics (warning), never the others.
void openSassSession(CUcontext ctx, ContextState& st) {
  if (Failure f = st.session->suspend(); !f.ok()) {
    dropSassSession(st, f.message);
    resumeHardwareSession(ctx, st);
    return;
  }
  st.sass_session = std::make_unique<RangeSession>();
  Failure f = st.sass_session->open(ctx, st.device, g_settings.sass_metrics, false);
  if (f.ok()) f = st.sass_session->suspend();
  if (f.kind == "metric") {  // a name CUPTI rejects: exit 2, as for any metric
    st.sass_session.reset();
    st.failed = true;
    reportFailure(f);
    return;
  }
  if (!f.ok()) dropSassSession(st, f.message);
  resumeHardwareSession(ctx, st);
}

// Switches the context's range profiler to the SASS session for the
// application's own launch (kernel replay); on failure the hardware session
// is enabled again and the SASS session dropped.
bool beginSassPhase(CUcontext ctx, ContextState& st) {
  Failure f = st.session->suspend();
  if (f.ok()) f = st.sass_session->resume();
  if (f.ok()) f = st.sass_session->start();
  if (f.ok()) return true;
  dropSassSession(st, f.message);
  resumeHardwareSession(ctx, st);
  return false;
}

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
  const bool user_replay = g_settings.flush_caches && checkpointApi().ok();
  if (g_settings.flush_caches && !user_replay)
    writeLine("warning\tcache control: " + escape(checkpointApi().error) +
              "; caches flushed before the first pass only (kernel replay)");
  const bool sass_apart = user_replay && g_settings.sass_split && !g_settings.sass_metrics.empty();
  const bool only_sass = sass_apart && g_settings.hardware_metrics.empty();
  // Only SASS metrics: all of them with kernel replay (instruction counts do
  // not depend on the cache state that user replay exists for).
  Failure f = only_sass ? st.session->open(ctx, st.device, g_settings.metrics, false)
              : sass_apart ? st.session->open(ctx, st.device, g_settings.hardware_metrics, true)
                           : st.session->open(ctx, st.device, g_settings.metrics, user_replay);
  if (!f.ok()) {
    st.failed = true;
    reportFailure(f);
    return nullptr;
  }
  st.hardware_only = sass_apart && !only_sass;
  if (st.hardware_only) openSassSession(ctx, st);
  if (st.failed) return nullptr;
  writeDevice(st.device, st.session->chip());
  if (g_settings.flush_caches) {
    CUdevice dev = 0;
    cuCtxGetDevice(&dev);
    std::string warning = st.flusher.init(dev, std::getenv("GPUSCOPE_PROFILER_FLUSH"));
    if (!warning.empty()) writeLine("warning\t" + escape(warning));
    // One flush now, before any checkpoint is saved: with lazy loading the
    // flush kernels' code is JIT-compiled and placed in device memory at
    // their first launch, which must not happen between a checkpoint's save
    // and restore (only launches and copies are allowed there).
    flushCaches(st, nullptr);
  }
  return &st;
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

// The CUfunction of a launch. The CUDA runtime (12+) launches through
// context-independent CUkernel handles passed as CUfunction; cuFuncGetAttribute
// fails on those (the evidence: 0 registers, 0 static shared memory for every
// runtime-launched kernel), so they are mapped to the context's function, and
// a lazily loaded function is loaded first.
CUfunction resolveFunction(CUfunction f) {
  if (!f) return f;
  auto ensureLoaded = [](CUfunction fn) {
    CUfunctionLoadingState state = CU_FUNCTION_LOADING_STATE_LOADED;
    if (cuFuncIsLoaded(&state, fn) == CUDA_SUCCESS && state != CU_FUNCTION_LOADING_STATE_LOADED)
      cuFuncLoad(fn);
    return fn;
  };
  int regs = 0;
  if (cuFuncGetAttribute(&regs, CU_FUNC_ATTRIBUTE_NUM_REGS, f) == CUDA_SUCCESS) return ensureLoaded(f);
  CUfunction from_kernel = nullptr;
  if (cuKernelGetFunction(&from_kernel, reinterpret_cast<CUkernel>(f)) == CUDA_SUCCESS && from_kernel)
    return ensureLoaded(from_kernel);
  return f;
}

// Launches the kernel of an intercepted launch call once more, with the same
// arguments (valid: we are inside that call). Per-thread-stream variants keep
// their stream semantics through CU_STREAM_PER_THREAD.
CUresult relaunch(CUpti_CallbackId cbid, const void* params) {
  switch (cbid) {
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel_ptsz: {
      auto* p = static_cast<const cuLaunchKernel_params*>(params);
      CUstream s = p->hStream;
      if (!s && cbid == CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel_ptsz) s = CU_STREAM_PER_THREAD;
      return cuLaunchKernel(p->f, p->gridDimX, p->gridDimY, p->gridDimZ, p->blockDimX, p->blockDimY,
                            p->blockDimZ, p->sharedMemBytes, s, p->kernelParams, p->extra);
    }
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel_ptsz: {
      auto* p = static_cast<const cuLaunchCooperativeKernel_params*>(params);
      CUstream s = p->hStream;
      if (!s && cbid == CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel_ptsz) s = CU_STREAM_PER_THREAD;
      return cuLaunchCooperativeKernel(p->f, p->gridDimX, p->gridDimY, p->gridDimZ, p->blockDimX,
                                       p->blockDimY, p->blockDimZ, p->sharedMemBytes, s, p->kernelParams);
    }
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx_ptsz: {
      auto* p = static_cast<const cuLaunchKernelEx_params*>(params);
      if (!p->config) return CUDA_ERROR_INVALID_VALUE;
      CUlaunchConfig c = *p->config;
      if (!c.hStream && cbid == CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx_ptsz) c.hStream = CU_STREAM_PER_THREAD;
      return cuLaunchKernelEx(&c, p->f, p->kernelParams, p->extra);
    }
    default:
      return CUDA_ERROR_NOT_SUPPORTED;
  }
}

// The stream a launch runs on, for the flush kernels.
CUstream launchStream(const Launch& l) {
  return !l.stream && l.per_thread_stream ? CU_STREAM_PER_THREAD : l.stream;
}

// User replay of one launch: checkpoint the context's memory, then per pass
// restore it, flush the caches, and run the kernel once between Start and
// Stop; finally restore the memory again so the application's own launch
// (which runs unprofiled after this) computes from the original inputs.
Failure replayPasses(ContextState& st, CUpti_CallbackId cbid, const CUpti_CallbackData* cb, const Launch& l,
                     std::vector<double>& values) {
  const CheckpointApi& api = checkpointApi();
  CheckpointT cp{};
  cp.structSize = sizeof(CheckpointT);
  cp.ctx = cb->context;
  cp.allowOverwrite = 1;
  if (CUptiResult r = api.save(&cp); r != CUPTI_SUCCESS)
    return {"internal", "cuptiCheckpointSave failed: " + cuptiErrorText(r)};
  Failure result;
  const size_t max_passes = st.session->passes() > 0 ? st.session->passes() + 4 : 256;
  bool all = false;
  for (size_t pass = 0; !all && result.ok(); ++pass) {
    if (pass >= max_passes) {
      result = {"internal", "user replay did not finish after " + std::to_string(pass) + " passes"};
      break;
    }
    if (pass > 0) {
      if (CUptiResult r = api.restore(&cp); r != CUPTI_SUCCESS) {
        result = {"internal", "cuptiCheckpointRestore failed: " + cuptiErrorText(r)};
        break;
      }
    }
    flushCaches(st, launchStream(l));
    if (result = st.session->start(); !result.ok()) break;
    CUresult rc = relaunch(cbid, cb->functionParams);
    // The pass ends when the kernel has run (Stop then decodes its counters).
    if (rc == CUDA_SUCCESS) rc = cuStreamSynchronize(launchStream(l));
    if (rc != CUDA_SUCCESS) {
      bool ignored = false;
      st.session->stop(ignored);
      result = {"internal", "replaying the kernel failed with CUDA error " + std::to_string(rc)};
      break;
    }
    result = st.session->stop(all);
  }
  if (result.ok()) result = st.session->evaluate(values);
  CUptiResult restored = api.restore(&cp);
  api.free(&cp);
  if (result.ok() && restored != CUPTI_SUCCESS)
    result = {"internal", "cuptiCheckpointRestore failed: " + cuptiErrorText(restored)};
  return result;
}

// The kernel line written once its counters are in (on API exit).
struct Pending {
  ContextState* state = nullptr;
  std::string kernel_line;
  long long seq = 0;
  // The SASS phase of a user-replayed kernel: its hardware values, in
  // g_settings.metrics order (NaN where not measured).
  bool sass_phase = false;
  std::vector<double> values;
  CUcontext context = nullptr;
};

// Values of a session measuring metrics[positions[i]], placed in
// g_settings.metrics order; NaN where the other session measures.
void place(const std::vector<double>& session_values, const std::vector<size_t>& positions,
           std::vector<double>& out) {
  out.resize(g_settings.metrics.size(), std::nan(""));
  for (size_t i = 0; i < session_values.size() && i < positions.size(); ++i)
    out[positions[i]] = session_values[i];
}
thread_local Pending t_pending;
// Launches nested inside a profiled launch (CUPTI's own replay work) on this
// thread: ignored, and their exits must not end the profiled launch.
thread_local int t_nested = 0;

void completeKernel(Pending p, const Failure& f, const std::vector<double>& values);

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
  CUfunction func = resolveFunction(l.f);
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
  const size_t passes = st->session->passes() + (st->sass_session ? st->sass_session->passes() : 0);
  uint32_t stream_id = 0;
  cuptiGetStreamIdEx(cb->context, l.stream, l.per_thread_stream ? 1 : 0, &stream_id);

  const long long seq = g_seq++;
  {
    std::lock_guard<std::mutex> lock(g_corr_mutex);
    g_corr_to_seq[cb->correlationId] = seq;
  }
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
      std::vector<double> all;
      if (st->hardware_only) place(values, g_settings.split.hardware, all);
      else all = std::move(values);
      // The SASS metrics are measured on the application's own launch, with
      // CUPTI's kernel replay; the hardware values wait until its exit.
      if (f.ok() && st->sass_session && beginSassPhase(cb->context, *st)) {
        t_pending = {st, std::move(line), seq, true, std::move(all), cb->context};
        t_active = true;
        return;
      }
      completeKernel({st, std::move(line), seq, false, {}, cb->context}, f, all);
      return;  // the application's launch now runs unprofiled
    }
    // User replay never worked in this context: profile with CUPTI's kernel
    // replay instead (caches flushed before the first pass only).
    --g_profiled;
    writeLine("warning\t" + escape("cache control: user replay failed (" + f.message +
                                    "); falling back to kernel replay, caches flushed before the first pass only"));
    if (st->sass_session) {
      st->sass_session->suspend();
      st->sass_session.reset();
    }
    st->session = std::make_unique<RangeSession>();
    st->hardware_only = false;
    if (Failure r = st->session->open(cb->context, st->device, g_settings.metrics, false); !r.ok()) {
      st->failed = true;
      reportFailure(r);
      return;
    }
  }
  if (g_settings.flush_caches) flushCaches(*st, launchStream(l));
  Failure f = st->session->start();
  if (!f.ok()) {
    writeLine("warning\tkernel " + escape(name) + " not profiled: " + escape(f.message));
    return;
  }
  ++g_profiled;
  if (!g_settings.quiet)
    std::fprintf(stderr, "gpuscope: profiling \"%s\" - %lld: %zu pass%s\n", name.c_str(), seq,
                 st->session->passes(), st->session->passes() == 1 ? "" : "es");
  t_pending = {st, std::move(line), seq, false, {}, cb->context};
  t_active = true;
}

void onLaunchExit() {
  t_active = false;
  Pending p = std::move(t_pending);
  t_pending = {};
  if (!p.state) return;
  std::vector<double> values;
  if (p.sass_phase) {
    ContextState& st = *p.state;
    Failure f = st.sass_session->finish(values);
    if (Failure s = st.sass_session->suspend(); f.ok()) f = s;
    std::vector<double> all = std::move(p.values);
    if (f.ok()) place(values, g_settings.split.sass, all);
    else dropSassSession(st, f.message);
    resumeHardwareSession(p.context, st);
    completeKernel(std::move(p), {}, all);
    return;
  }
  Failure f = p.state->session->finish(values);
  completeKernel(std::move(p), f, values);
}

void completeKernel(Pending p, const Failure& f, const std::vector<double>& values) {
  const std::string seq = std::to_string(p.seq);
  Failure next = p.state->session->rearm();
  if (!next.ok()) {
    // This context cannot profile further kernels; the others still can.
    p.state->failed = true;
    writeLine("warning\t" + escape("profiling stopped in a context: " + next.message));
  }
  if (!f.ok()) {
    writeLine("warning\t" + escape("kernel " + seq + " dropped: " + f.message));
    return;
  }
  std::string out = p.kernel_line;
  for (size_t i = 0; i < values.size() && i < g_settings.metrics.size(); ++i) {
    if (std::isnan(values[i])) continue;  // not measured (e.g. SASS metrics dropped)
    char num[64];
    std::snprintf(num, sizeof(num), "%.17g", values[i]);
    out += "\nmetric\t" + seq + "\t" + g_settings.metrics[i] + "\t" + num;
  }
  writeLine(out);
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
      if (comma > start) s.metrics.push_back(all.substr(start, comma - start));
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
  s.sass_split = envNumber("GPUSCOPE_PROFILER_SASS_SPLIT", 1) != 0;
  s.split = gpuscope::profiler::splitSassMetrics(s.metrics);
  for (size_t i : s.split.hardware) s.hardware_metrics.push_back(s.metrics[i]);
  for (size_t i : s.split.sass) s.sass_metrics.push_back(s.metrics[i]);

  char path[4096];
  std::snprintf(path, sizeof(path), "%s/%010d.tsv", dir, static_cast<int>(getpid()));
  g_out = std::fopen(path, "w");
  if (!g_out) return 1;
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
  if (envNumber("GPUSCOPE_PROFILER_ACTIVITY", 1) != 0) {
    bool started = startLaunchActivity([](uint32_t corr, uint32_t bytes) {
      long long seq = -1;
      {
        std::lock_guard<std::mutex> lock(g_corr_mutex);
        auto it = g_corr_to_seq.find(corr);
        if (it == g_corr_to_seq.end()) return;
        seq = it->second;
        g_corr_to_seq.erase(it);
      }
      writeLine("launch\t" + std::to_string(seq) + "\tshared_mem_config_size\t" + std::to_string(bytes));
    });
    if (!started)
      writeLine("warning\tkernel activity unavailable: Shared Memory Configuration Size is estimated");
  }
  return 1;
}
