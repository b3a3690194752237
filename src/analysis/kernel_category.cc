#include "analysis/kernel_category.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "analysis/myelin/kernel_name_decoder.h"

namespace gpuscope::analysis {
namespace {

bool has(const std::string& s, std::string_view needle) { return s.find(needle) != std::string::npos; }
bool starts(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

template <size_t N>
bool hasAny(const std::string& s, const std::string_view (&needles)[N]) {
  for (std::string_view n : needles)
    if (has(s, n)) return true;
  return false;
}

// Substrings, lower case. Each list is checked in the order of
// classifyKernelName; a name is given the first class whose list it hits.
constexpr std::string_view kCommunication[] = {"ncclkernel", "nccldevkernel", "allreduce", "all_reduce",
                                               "allgather", "all_gather", "reducescatter", "reduce_scatter",
                                               "alltoall", "cross_device_reduce", "sendrecv"};
constexpr std::string_view kMemory[] = {"copy_kernel", "copypacked", "reformat", "nchwtonhwc", "nhwctonchw",
                                        "nchwtonchw", "gather", "scatter", "index_select", "cat_array",
                                        "catarraybatched", "naiveslice", "slicelayer", "fillfunctor",
                                        "fill_kernel", "transpose", "permute"};
constexpr std::string_view kAttention[] = {"fmha", "flash", "sdpa", "attention", "attn", "_mha", "mha_",
                                           "xformers"};
constexpr std::string_view kConvolution[] = {"conv", "fprop", "dgrad", "wgrad", "scudnn", "icudnn",
                                             "hcudnn", "winograd", "first_layer", "implicit_gemm",
                                             "implicit_convolve"};
constexpr std::string_view kGemm[] = {"gemm", "gemv", "nvjet", "cublas", "matmul", "cutlass", "bmm",
                                      "splitk", "xmma"};
constexpr std::string_view kReduction[] = {"reduce", "norm", "softmax", "mean", "welford", "invstd",
                                           "argmax", "argmin", "topk", "cumsum", "scan", "pool", "sum_kernel",
                                           "triton_red", "triton_per"};
constexpr std::string_view kPointwise[] = {"elementwise", "pointwise", "eltwise", "activation", "relu",
                                           "gelu", "silu", "sigmoid", "tanh", "clamp", "triton_poi",
                                           "dropout", "add_kernel", "mul_kernel"};

}  // namespace

const char* kernelCategoryName(KernelCategory c) {
  switch (c) {
    case KernelCategory::kGemm: return "gemm";
    case KernelCategory::kConvolution: return "convolution";
    case KernelCategory::kAttention: return "attention";
    case KernelCategory::kPointwise: return "pointwise";
    case KernelCategory::kReduction: return "reduction/normalization";
    case KernelCategory::kMemory: return "memory";
    case KernelCategory::kCommunication: return "communication";
    case KernelCategory::kOther: return "other";
  }
  return "other";
}

KernelCategory classifyKernelName(std::string_view name) {
  std::string s(name);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (starts(s, "nccl") || hasAny(s, kCommunication)) return KernelCategory::kCommunication;
  if (starts(s, "memcpy") || starts(s, "memset") || starts(s, "[cuda memcpy") || starts(s, "[cuda memset") ||
      starts(s, "dma"))
    return KernelCategory::kMemory;
  // Myelin names encode their ops: classify from the decoded chain.
  if (starts(s, "__myl_") || starts(s, "_gemm_mha")) {
    DecodedKernel d = decodeKernelName(name);
    return d.category;
  }
  if (hasAny(s, kMemory)) return KernelCategory::kMemory;
  if (hasAny(s, kAttention)) return KernelCategory::kAttention;
  if (has(s, "pool")) return KernelCategory::kReduction;  // xmma/cudnn pooling is not a conv
  if (hasAny(s, kConvolution)) return KernelCategory::kConvolution;
  // TensorRT's classic copies of cuDNN conv kernels: <arch>_..._cudnn_...
  if (has(s, "cudnn") && !has(s, "gemm")) return KernelCategory::kConvolution;
  if (hasAny(s, kGemm)) return KernelCategory::kGemm;
  if (hasAny(s, kReduction)) return KernelCategory::kReduction;
  if (hasAny(s, kPointwise)) return KernelCategory::kPointwise;
  return KernelCategory::kOther;
}

bool isHtaComputation(std::string_view name) {
  // re.match semantics: anchored at the start; ".*X" = contains X.
  auto startsWith = [&](std::string_view p) { return name.substr(0, p.size()) == p; };
  auto contains = [&](std::string_view p) { return name.find(p) != std::string_view::npos; };
  if (startsWith("nccl") || contains("Memcpy") || contains("Memset") || contains("dma")) return false;
  if (contains("Sync")) return false;  // "^.*Sync"
  if (startsWith("Stream Wait Event") || startsWith("runFunction") || startsWith("hip") ||
      startsWith("job_exe") || startsWith("packet") || startsWith("pe_exe") ||
      startsWith("cpum_exe_subgraph") || startsWith("hccl") || startsWith("collective_subgraph_execution"))
    return false;
  if (startsWith("cuda") && contains("LaunchKernel")) return false;
  return true;
}

}  // namespace gpuscope::analysis
