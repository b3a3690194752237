// Completeness program for `gpuscope trace`: does an exactly known amount of
// GPU work and prints the counts a correct trace must contain (one
// "expect NAME VALUE" line each), so scripts/gpu/tracer_check.sh can compare
// them with the recorded trace. Exit code 7 (the tracer must pass it on).
//
//   parent:  16 add_one kernels (10 on stream A, 6 on stream B), 4 scale
//            kernels on the legacy default stream, 4 memcpys (1 MiB HtoD and
//            DtoH pageable, 4 MiB HtoD and DtoH pinned async), 2 memsets
//            (2 MiB sync, 512 KiB async), NVTX: nested push/pop with
//            colours, a domain with a registered string, a category, 3 marks,
//            one start/end range; a CUDA graph of 3 kernels captured inside
//            NVTX ranges "g_layer1" (1 node) and "g_layer2" (2 nodes),
//            launched 5 times; syncs: cudaStreamWaitEvent(A, event on B),
//            cudaEventSynchronize, cudaDeviceSynchronize, cudaStreamSynchronize(A).
//   child (fork before any CUDA call): 5 child_kernel, 1 memcpy 64 KiB
//            HtoD, NVTX range "child_range", cudaDeviceSynchronize.
#include <cuda_runtime.h>
#include <nvtx3/nvToolsExt.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#define CHECK(x)                                                                         \
  do {                                                                                   \
    cudaError_t e = (x);                                                                 \
    if (e != cudaSuccess) {                                                              \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e)); \
      std::exit(1);                                                                      \
    }                                                                                    \
  } while (0)

__global__ void add_one(float* x, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] += 1.0f;
}
__global__ void scale(float* x, int n, float f) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] *= f;
}
__global__ void graph_k1(float* x, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] -= 1.0f;
}
__global__ void graph_k2(float* x, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] *= 0.5f;
}
__global__ void child_kernel(float* x, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] = 3.0f;
}

constexpr int kN = 64 * 128;  // grid 64 x block 128

static void pushColored(const char* msg, uint32_t argb, uint32_t category) {
  nvtxEventAttributes_t a = {};
  a.version = NVTX_VERSION;
  a.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
  a.colorType = NVTX_COLOR_ARGB;
  a.color = argb;
  a.category = category;
  a.messageType = NVTX_MESSAGE_TYPE_ASCII;
  a.message.ascii = msg;
  nvtxRangePushEx(&a);
}

static int childWork() {
  nvtxRangePushA("child_range");
  float* d = nullptr;
  CHECK(cudaMalloc(&d, 64 * 1024));
  static float h[16 * 1024];
  CHECK(cudaMemcpy(d, h, 64 * 1024, cudaMemcpyHostToDevice));
  for (int i = 0; i < 5; ++i) child_kernel<<<16, 1024>>>(d, 16 * 1024);
  CHECK(cudaDeviceSynchronize());
  nvtxRangePop();
  CHECK(cudaFree(d));
  return 0;
}

// --kill-after-ms N: launches one kernel per millisecond for N ms, syncs,
// prints how many, then SIGKILLs itself (no atexit, no flush): the trace
// must still hold all but the last flush interval's worth.
static int killMode(int ms) {
  float* d = nullptr;
  CHECK(cudaMalloc(&d, kN * sizeof(float)));
  int launched = 0;
  for (int i = 0; i < ms; ++i) {
    add_one<<<64, 128>>>(d, kN);
    ++launched;
    usleep(1000);
  }
  CHECK(cudaDeviceSynchronize());
  std::printf("launched %d\n", launched);
  usleep(600 * 1000);  // > two flush intervals (250 ms): all of it is on disk
  kill(getpid(), SIGKILL);
  return 0;
}

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  if (argc == 3 && std::strcmp(argv[1], "--kill-after-ms") == 0) return killMode(std::atoi(argv[2]));
  // Fork before the parent touches CUDA: the child gets a clean driver.
  pid_t child = fork();
  if (child == 0) std::exit(childWork());
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "child failed\n");
    return 1;
  }

  nvtxDomainHandle_t domain = nvtxDomainCreateA("gpuscope_test");
  nvtxStringHandle_t reg = nvtxDomainRegisterStringA(domain, "registered_range");
  nvtxNameCategoryA(7, "cat7");

  pushColored("outer", 0xFF00FF00u, 0);
  nvtxMarkA("mark");
  nvtxRangeId_t async_range = nvtxRangeStartA("async_range");

  float *d = nullptr, *h_pinned = nullptr;
  const size_t small = 1 << 20, big = 4 << 20;
  float* h_pageable = static_cast<float*>(std::malloc(big));
  std::memset(h_pageable, 0, big);
  CHECK(cudaMalloc(&d, big));
  CHECK(cudaMallocHost(&h_pinned, big));
  cudaStream_t a, b;
  CHECK(cudaStreamCreateWithFlags(&a, cudaStreamNonBlocking));
  CHECK(cudaStreamCreateWithFlags(&b, cudaStreamNonBlocking));

  nvtxRangePushA("inner_a");
  CHECK(cudaMemcpy(d, h_pageable, small, cudaMemcpyHostToDevice));
  CHECK(cudaMemset(d, 0, 2 << 20));
  for (int i = 0; i < 10; ++i) add_one<<<64, 128, 0, a>>>(d, kN);
  for (int i = 0; i < 6; ++i) add_one<<<64, 128, 0, b>>>(d, kN);
  nvtxRangePop();

  pushColored("inner_b", 0xFFFF0000u, 7);
  nvtxRangePushA("innermost");
  nvtxMarkA("mark");
  for (int i = 0; i < 4; ++i) scale<<<64, 128>>>(d, kN, 2.0f);
  CHECK(cudaMemsetAsync(d, 0, 512 << 10, b));
  CHECK(cudaMemcpyAsync(d, h_pinned, big, cudaMemcpyHostToDevice, a));
  CHECK(cudaMemcpyAsync(h_pinned, d, big, cudaMemcpyDeviceToHost, a));
  nvtxRangePop();
  nvtxRangePop();
  // One synchronization of each kind: stream A waits for an event recorded
  // on B, the host waits for that event, then for the whole device.
  cudaEvent_t ev;
  CHECK(cudaEventCreateWithFlags(&ev, cudaEventDisableTiming));
  CHECK(cudaEventRecord(ev, b));
  CHECK(cudaStreamWaitEvent(a, ev, 0));
  CHECK(cudaEventSynchronize(ev));
  CHECK(cudaDeviceSynchronize());
  CHECK(cudaEventDestroy(ev));
  CHECK(cudaMemcpy(h_pageable, d, small, cudaMemcpyDeviceToHost));

  nvtxEventAttributes_t ra = {};
  ra.version = NVTX_VERSION;
  ra.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
  ra.messageType = NVTX_MESSAGE_TYPE_REGISTERED;
  ra.message.registered = reg;
  nvtxDomainRangePushEx(domain, &ra);
  nvtxDomainRangePop(domain);

  // The graph, captured inside NVTX ranges.
  nvtxRangePushA("graph_capture");
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  CHECK(cudaStreamBeginCapture(a, cudaStreamCaptureModeGlobal));
  nvtxRangePushA("g_layer1");
  graph_k1<<<64, 128, 0, a>>>(d, kN);
  nvtxRangePop();
  nvtxRangePushA("g_layer2");
  graph_k2<<<64, 128, 0, a>>>(d, kN);
  graph_k2<<<64, 128, 0, a>>>(d, kN);
  nvtxRangePop();
  CHECK(cudaStreamEndCapture(a, &graph));
  nvtxRangePop();
  CHECK(cudaGraphInstantiate(&exec, graph, 0));
  for (int i = 0; i < 5; ++i) CHECK(cudaGraphLaunch(exec, a));
  CHECK(cudaStreamSynchronize(a));
  nvtxMarkA("mark");
  nvtxRangeEnd(async_range);
  nvtxRangePop();  // outer

  CHECK(cudaGraphExecDestroy(exec));
  CHECK(cudaGraphDestroy(graph));
  CHECK(cudaStreamDestroy(a));
  CHECK(cudaStreamDestroy(b));
  CHECK(cudaFreeHost(h_pinned));
  CHECK(cudaFree(d));
  std::free(h_pageable);

  // What a complete trace holds (graph-level tracing unless noted).
  std::printf("expect processes 2\n");
  std::printf("expect kernels.add_one 16\n");
  std::printf("expect kernels.scale 4\n");
  std::printf("expect kernels.child_kernel 5\n");
  std::printf("expect kernels.graph_k1 0\n");  // node mode: 5
  std::printf("expect kernels.graph_k2 0\n");  // node mode: 10
  std::printf("expect graph_launches 5\n");     // node mode: 0
  std::printf("expect streams_with_add_one 2\n");
  std::printf("expect memcpys 5\n");
  std::printf("expect memcpy_bytes.HtoD.pageable %zu\n", small + 64 * 1024);
  std::printf("expect memcpy_bytes.DtoH.pageable %zu\n", small);
  std::printf("expect memcpy_bytes.HtoD.pinned %zu\n", big);
  std::printf("expect memcpy_bytes.DtoH.pinned %zu\n", big);
  std::printf("expect syncs.context 2\n");      // cudaDeviceSynchronize: parent, child
  std::printf("expect syncs.stream 1\n");       // cudaStreamSynchronize(a)
  std::printf("expect syncs.event 1\n");        // cudaEventSynchronize
  std::printf("expect syncs.stream_wait 1\n");  // cudaStreamWaitEvent(a, ...)
  std::printf("expect memsets 2\n");
  std::printf("expect memset_bytes %d\n", (2 << 20) + (512 << 10));
  std::printf("expect nvtx.marks 3\n");
  std::printf("expect nvtx.pushpop 9\n");  // outer inner_a inner_b innermost registered_range graph_capture g_layer1 g_layer2 child_range
  std::printf("expect nvtx.startend 1\n");
  std::printf("expect nvtx.depth.innermost 2\n");
  std::printf("expect nvtx.color.outer %u\n", 0xFF00FF00u);
  std::printf("expect nvtx.category.inner_b 7\n");
  std::printf("expect nvtx.domain.registered_range gpuscope_test\n");
  std::printf("expect exit_code 7\n");
  return 7;
}
