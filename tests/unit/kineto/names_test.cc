#include "importers/kineto_json/names.h"

#include <gtest/gtest.h>

#include "importers/kineto_json/categories.h"
#include "model/enums.h"

namespace gpuscope::importers::kineto_json {
namespace {

using model::CopyKind;
using model::MemKind;

int32_t i(CopyKind k) { return static_cast<int32_t>(k); }
int32_t i(MemKind k) { return static_cast<int32_t>(k); }

TEST(KinetoNames, MemcpyKinds) {
  MemcpyKinds k = parseMemcpyName("Memcpy HtoD (Pageable -> Device)");
  EXPECT_EQ(k.copy_kind, i(CopyKind::kHtoD));
  EXPECT_EQ(k.src_kind, i(MemKind::kPageable));
  EXPECT_EQ(k.dst_kind, i(MemKind::kDevice));
  k = parseMemcpyName("Memcpy DtoH (Device -> Pinned)");
  EXPECT_EQ(k.copy_kind, i(CopyKind::kDtoH));
  EXPECT_EQ(k.src_kind, i(MemKind::kDevice));
  EXPECT_EQ(k.dst_kind, i(MemKind::kPinned));
  k = parseMemcpyName("Memcpy DtoD (Device Static -> Managed Static)");
  EXPECT_EQ(k.copy_kind, i(CopyKind::kDtoD));
  EXPECT_EQ(k.src_kind, i(MemKind::kDeviceStatic));
  EXPECT_EQ(k.dst_kind, i(MemKind::kManagedStatic));
  k = parseMemcpyName("Memcpy PtoP (Device -> Device)");
  EXPECT_EQ(k.copy_kind, i(CopyKind::kPtoP));
  k = parseMemcpyName("Memcpy <unknown> (<unknown> -> Device)");
  EXPECT_EQ(k.copy_kind, i(CopyKind::kUnknown));
  EXPECT_EQ(k.src_kind, i(MemKind::kUnknown));
  EXPECT_EQ(k.dst_kind, i(MemKind::kDevice));
  k = parseMemcpyName("cudaMemcpy");
  EXPECT_EQ(k.copy_kind, i(CopyKind::kUnknown));
  EXPECT_EQ(k.dst_kind, i(MemKind::kUnknown));
}

TEST(KinetoNames, MemsetAndSync) {
  EXPECT_EQ(parseMemsetKind("Memset (Device)"), i(MemKind::kDevice));
  EXPECT_EQ(parseMemsetKind("Memset (Managed)"), i(MemKind::kManaged));
  EXPECT_EQ(parseMemsetKind("Memset"), i(MemKind::kUnknown));
  EXPECT_EQ(parseSyncType("Stream Wait Event"), static_cast<int32_t>(model::SyncType::kStreamWaitEvent));
  EXPECT_EQ(parseSyncType("Context Sync"), static_cast<int32_t>(model::SyncType::kContextSynchronize));
  EXPECT_EQ(parseSyncType("Unknown Sync"), static_cast<int32_t>(model::SyncType::kUnknown));
}

TEST(KinetoNames, KernelBaseName) {
  EXPECT_EQ(kernelBaseName("void at::native::foo<float, 4>(int, float*)"), "foo");
  EXPECT_EQ(kernelBaseName("void at::native::(anonymous namespace)::CatArrayBatchedCopy<int, 1>(int*, "
                           "unsigned int)"),
            "CatArrayBatchedCopy");
  EXPECT_EQ(kernelBaseName("ncclDevKernel_AllReduce_Sum_bf16_RING_LL(ncclDevComm*, unsigned long, ncclWork*)"),
            "ncclDevKernel_AllReduce_Sum_bf16_RING_LL");
  EXPECT_EQ(kernelBaseName("sm90_xmma_gemm_bf16bf16_bf16f32"), "sm90_xmma_gemm_bf16bf16_bf16f32");
  EXPECT_EQ(kernelBaseName("triton_poi_fused_add_cos_sin_0"), "triton_poi_fused_add_cos_sin_0");
  EXPECT_EQ(kernelBaseName("void pytorch_flash::flash_fwd_kernel<Flash_fwd_kernel_traits<64, 128>, "
                           "false>(pytorch_flash::Flash_fwd_params)"),
            "flash_fwd_kernel");
}

TEST(KinetoCategories, CaseInsensitiveAndOldNames) {
  EXPECT_EQ(classifyCategory("kernel"), Category::kKernel);
  EXPECT_EQ(classifyCategory("Kernel"), Category::kKernel);
  EXPECT_EQ(classifyCategory("Runtime"), Category::kCudaRuntime);
  EXPECT_EQ(classifyCategory("Memcpy"), Category::kGpuMemcpy);
  EXPECT_EQ(classifyCategory("Memset"), Category::kGpuMemset);
  EXPECT_EQ(classifyCategory("Operator"), Category::kCpuOp);
  EXPECT_EQ(classifyCategory("Python"), Category::kPythonFunction);
  EXPECT_EQ(classifyCategory("GPU_USER_ANNOTATION"), Category::kGpuUserAnnotation);
  EXPECT_EQ(classifyCategory("ac2g"), Category::kAc2g);
  EXPECT_EQ(classifyCategory(""), Category::kNone);
  EXPECT_EQ(classifyCategory("kernels"), Category::kUnknown);
}

}  // namespace
}  // namespace gpuscope::importers::kineto_json
