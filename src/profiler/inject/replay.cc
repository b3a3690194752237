// Replay of one intercepted launch: decoding the launch parameters, mapping
// the runtime's CUkernel to the context's function, re-issuing the launch,
// and the user-replay pass loop around it (checkpoint save/restore, L2
// flush, range profiler start/stop).
#include <dlfcn.h>

#include <chrono>
#include <cstdio>

#include "inject/state.h"

namespace gpuscope::profiler::inject {

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

bool decodeLaunch(CUpti_CallbackId cbid, const void* params, Launch& l) {
  switch (cbid) {
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel_ptsz: {
      auto* p = static_cast<const cuLaunchKernel_params*>(params);
      l = {p->f, {p->gridDimX, p->gridDimY, p->gridDimZ}, {p->blockDimX, p->blockDimY, p->blockDimZ},
           {0, 0, 0}, p->sharedMemBytes, p->hStream, cbid == CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel_ptsz,
           p->kernelParams, p->extra};
      return true;
    }
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel_ptsz: {
      auto* p = static_cast<const cuLaunchCooperativeKernel_params*>(params);
      l = {p->f, {p->gridDimX, p->gridDimY, p->gridDimZ}, {p->blockDimX, p->blockDimY, p->blockDimZ},
           {0, 0, 0}, p->sharedMemBytes, p->hStream,
           cbid == CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel_ptsz, p->kernelParams, nullptr};
      return true;
    }
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx:
    case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx_ptsz: {
      auto* p = static_cast<const cuLaunchKernelEx_params*>(params);
      const CUlaunchConfig* c = p->config;
      if (!c) return false;
      l = {p->f, {c->gridDimX, c->gridDimY, c->gridDimZ}, {c->blockDimX, c->blockDimY, c->blockDimZ},
           {0, 0, 0}, c->sharedMemBytes, c->hStream, cbid == CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx_ptsz,
           p->kernelParams, p->extra};
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
// their stream semantics through CU_STREAM_PER_THREAD. The call's own handle
// (for runtime launches a CUkernel): relaunching the context's CUfunction
// instead counted the same instructions (H200 run U, diagnostic 3b).
namespace {

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

}  // namespace

// The stream a launch runs on, for the flush kernels.
CUstream launchStream(const Launch& l) {
  return !l.stream && l.per_thread_stream ? CU_STREAM_PER_THREAD : l.stream;
}

namespace {

// GPUSCOPE_PROFILER_TIMING=1 (A/B runs): where a launch's replay spends its
// time, one stderr line per launch, in milliseconds.
struct PhaseClock {
  enum Phase { kSave, kRestore, kFlush, kStart, kKernel, kStop, kEvaluate, kCount };
  bool on = false;
  double ms[kCount] = {};
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  void lap(Phase p) {
    if (!on) return;
    const auto now = std::chrono::steady_clock::now();
    ms[p] += std::chrono::duration<double, std::milli>(now - t0).count();
    t0 = now;
  }
  void print(size_t passes) const {
    if (!on) return;
    std::fprintf(stderr,
                 "gpuscope: timing ms: save %.2f restore %.2f flush %.2f start %.2f kernel %.2f stop %.2f "
                 "evaluate %.2f (%zu passes)\n",
                 ms[kSave], ms[kRestore], ms[kFlush], ms[kStart], ms[kKernel], ms[kStop], ms[kEvaluate], passes);
  }
};

}  // namespace

// User replay of one launch: checkpoint the context's memory, then per pass
// restore it, flush the caches (and touch the kernel's pages), and run the
// kernel once between Start and Stop; finally restore the memory again so
// the application's own launch (which runs unprofiled after this) computes
// from the original inputs.
Failure replayPasses(ContextState& st, CUpti_CallbackId cbid, const CUpti_CallbackData* cb, const Launch& l,
                     std::vector<double>& values) {
  const CheckpointApi& api = checkpointApi();
  // Before the save: every restore then keeps the list (tlb_touch.h).
  stageTouch(st, l);
  PhaseClock clock;
  clock.on = g_settings.timing;
  CheckpointT cp{};
  cp.structSize = sizeof(CheckpointT);
  cp.ctx = cb->context;
  cp.allowOverwrite = 1;
  if (CUptiResult r = api.save(&cp); r != CUPTI_SUCCESS)
    return {"internal", "cuptiCheckpointSave failed: " + cuptiErrorText(r)};
  if (g_settings.checkpoint_sync) cuCtxSynchronize();
  clock.lap(PhaseClock::kSave);
  size_t passes_run = 0;
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
      if (g_settings.checkpoint_sync) cuCtxSynchronize();
      clock.lap(PhaseClock::kRestore);
    }
    flushCaches(st, launchStream(l));
    clock.lap(PhaseClock::kFlush);
    if (result = st.session->start(); !result.ok()) break;
    clock.lap(PhaseClock::kStart);
    CUresult rc = relaunch(cbid, cb->functionParams);
    // The pass ends when the kernel has run (Stop then decodes its counters).
    if (rc == CUDA_SUCCESS) rc = cuStreamSynchronize(launchStream(l));
    clock.lap(PhaseClock::kKernel);
    ++passes_run;
    if (rc != CUDA_SUCCESS) {
      bool ignored = false;
      st.session->stop(ignored);
      result = {"internal", "replaying the kernel failed with CUDA error " + std::to_string(rc)};
      break;
    }
    result = st.session->stop(all);
    clock.lap(PhaseClock::kStop);
  }
  if (result.ok()) result = st.session->evaluate(values);
  clock.lap(PhaseClock::kEvaluate);
  CUptiResult restored = api.restore(&cp);
  api.free(&cp);
  clock.lap(PhaseClock::kRestore);
  clock.print(passes_run);
  if (result.ok() && restored != CUPTI_SUCCESS)
    result = {"internal", "cuptiCheckpointRestore failed: " + cuptiErrorText(restored)};
  return result;
}


}  // namespace gpuscope::profiler::inject
