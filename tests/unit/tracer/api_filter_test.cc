#include <gtest/gtest.h>

#include <map>
#include <string>

#include "tracer/api_filter.h"

namespace gpuscope::tracer {
namespace {

TEST(ApiFilterTest, BaseNameDropsVersionAndPerThreadSuffixes) {
  EXPECT_EQ(apiBaseName("cudaGetDevice_v3020"), "cudaGetDevice");
  EXPECT_EQ(apiBaseName("cudaStreamGetCaptureInfo_v2_ptsz_v11030"), "cudaStreamGetCaptureInfo");
  EXPECT_EQ(apiBaseName("cudaStreamIsCapturing_ptsz_v10000"), "cudaStreamIsCapturing");
  EXPECT_EQ(apiBaseName("cuGetProcAddress_v2"), "cuGetProcAddress");
  EXPECT_EQ(apiBaseName("cuMemcpyHtoDAsync_v2_ptsz"), "cuMemcpyHtoDAsync");
  EXPECT_EQ(apiBaseName("cuKernelGetName"), "cuKernelGetName");
  // "_v" not followed by digits only is part of the name.
  EXPECT_EQ(apiBaseName("cuStreamGetCaptureInfo_vX"), "cuStreamGetCaptureInfo_vX");
  EXPECT_EQ(apiBaseName("_v12"), "_v12");
}

// The queries PyTorch 2.11 made per cudaLaunchKernel in the H200 ResNet-50
// trace (cudaGetDevice 13674, cudaPeekAtLastError 3418, cuGetProcAddress
// 1794, cudaGetLastError 1534, cuKernelGetName 1199 for 1199 launches)
// and the ones Kineto drops are off by default.
TEST(ApiFilterTest, HotQueriesAreOff) {
  for (const char* n : {"cudaGetDevice_v3020", "cudaPeekAtLastError_v3020", "cudaGetLastError_v3020",
                        "cuGetProcAddress", "cuGetProcAddress_v2", "cuKernelGetName", "cuDeviceGetAttribute",
                        "cudaStreamIsCapturing_v10000", "cudaStreamGetCaptureInfo_v12030",
                        "cudaGetErrorString_v3020", "cudaStreamGetPriority_ptsz_v7000",
                        "cuKernelGetAttribute", "cuDevicePrimaryCtxGetState", "cuCtxGetCurrent",
                        "cuOccupancyMaxActiveBlocksPerMultiprocessorWithFlags",
                        "cudaOccupancyMaxActiveClusters_v11070", "cudaThreadExchangeStreamCaptureMode_v10010"})
    EXPECT_TRUE(isHotQueryApi(n)) << n;
}

// Everything that launches, copies, waits, allocates, creates, captures or
// may load code stays recorded.
TEST(ApiFilterTest, WorkAndPossiblySlowCallsStayOn) {
  for (const char* n :
       {"cudaLaunchKernel_v7000", "cudaLaunchKernel_ptsz_v7000", "cudaLaunchKernelExC_v11060", "cuLaunchKernel",
        "cuLaunchKernelEx", "cudaMemcpyAsync_v3020", "cudaMemsetAsync_v3020", "cudaMemcpy_v3020",
        "cudaStreamSynchronize_v3020", "cudaDeviceSynchronize_v3020", "cudaEventSynchronize_v3020",
        "cudaEventQuery_v3020", "cudaStreamQuery_v3020", "cudaGraphLaunch_v10000",
        "cudaGraphInstantiate_v12000", "cudaStreamBeginCapture_v10000", "cudaStreamEndCapture_v10000",
        "cudaMalloc_v3020", "cudaFree_v3020", "cuMemAlloc_v2", "cudaStreamCreateWithPriority_v5050",
        "cudaEventRecord_v3020", "cudaStreamWaitEvent_v3020", "cudaFuncGetAttributes_v3020",
        "cudaFuncSetAttribute_v9000", "cuKernelGetFunction", "cuLibraryGetKernel", "cuLibraryLoadData",
        "cudaDeviceGetStreamPriorityRange_v5050", "cudaGetDeviceProperties_v12000", "cudaMemGetInfo_v3020",
        "cudaProfilerStart_v4000", "cudaDeviceReset_v3020", "cuInit", ""})
    EXPECT_FALSE(isHotQueryApi(n)) << n;
}

TEST(ApiFilterTest, CallbackIdsComeFromNames) {
  // A made-up id space: ids are whatever the name table says.
  std::map<uint32_t, const char*> runtime = {{3, "cudaGetDevice_v3020"},    {4, "cudaLaunchKernel_v7000"},
                                             {9, "cudaGetLastError_v3020"}, {10, "cudaStreamIsCapturing_ptsz_v10000"},
                                             {12, "cudaMalloc_v3020"}};
  std::map<uint32_t, const char*> driver = {{1, "cuInit"}, {2, "cuGetProcAddress_v2"}, {5, "cuKernelGetName"}};
  ApiNameFn name = [&](bool drv, uint32_t cbid) -> const char* {
    const auto& m = drv ? driver : runtime;
    auto it = m.find(cbid);
    return it == m.end() ? nullptr : it->second;
  };
  EXPECT_EQ(hotQueryCallbackIds(false, 20, name), (std::vector<uint32_t>{3, 9, 10}));
  EXPECT_EQ(hotQueryCallbackIds(false, 10, name), (std::vector<uint32_t>{3, 9}));  // end is exclusive
  EXPECT_EQ(hotQueryCallbackIds(true, 20, name), (std::vector<uint32_t>{2, 5}));
  EXPECT_TRUE(hotQueryCallbackIds(true, 20, ApiNameFn()).empty());
}

}  // namespace
}  // namespace gpuscope::tracer
