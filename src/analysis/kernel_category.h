// Kernel categories from the kernel name alone (no hardware counters), the
// way HTA's kernel breakdown groups kernels, but with the finer classes an
// inference engineer reads a timeline by.
#pragma once

#include <string_view>

namespace gpuscope::analysis {

enum class KernelCategory : unsigned char {
  kGemm,
  kConvolution,
  kAttention,
  kPointwise,
  kReduction,      // reductions, normalizations, softmax, pooling
  kMemory,         // copies, layout conversions, gather/scatter, fills
  kCommunication,  // NCCL and other collectives
  kOther,
};
inline constexpr int kKernelCategoryCount = 8;
const char* kernelCategoryName(KernelCategory c);

// Classifies a (demangled) kernel name. Order matters and is documented in
// kernel_category.cc: communication, memory, attention, convolution, GEMM,
// reduction/normalization, pointwise.
KernelCategory classifyKernelName(std::string_view name);

// HTA's three-way split (reference/kineto_hta.md §2.1): COMPUTATION unless
// the name is NCCL/collective, Memcpy/Memset/dma, or a sync row.
bool isHtaComputation(std::string_view name);

}  // namespace gpuscope::analysis
