// Decodes CUDA kernel names of TensorRT, Myelin, cuDNN, cuBLAS, CUTLASS and
// generated kernels into what they compute (reference/trt_naming.md §4-5).
// Myelin names list their fused ops as CamelCase abbreviations
// (`__myl_bb0_8_ResTraCasAddMeaSubMulMeaAddSqrDivMulMulAddRes_com_vec`,
// `__myl_MaxrSubExpSumDiv_0x...`); library names carry tile sizes, data
// types, layouts and the MMA instruction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analysis/kernel_category.h"

namespace gpuscope::analysis {

struct MyelinAbbreviation {
  std::string_view abbrev;
  std::string_view op;
  bool confirmed;  // seen in a public name with a known op (reference table)
};
// The abbreviation table, longest abbreviations first.
const std::vector<MyelinAbbreviation>& myelinAbbreviations();

struct DecodedKernel {
  std::string family;                 // "myelin", "myelin_mha", "xmma", "cudnn", "cublas", ...
  std::vector<std::string> ops;       // Myelin op chain, in order
  std::vector<std::string> unknown;   // Myelin tokens not in the table
  std::vector<std::string> patterns;  // "LayerNorm", "Softmax", "GELU", "Attention", ...
  std::string arch;                   // "sm90", "ampere", ...
  std::string tile;                   // "128x128x32"
  std::string dtypes;                 // "f16f16_f16f32_f32", "hsh", "int8x4"
  std::string layout;                 // "nhwckrsc_nhwc", "nn", "TNT"
  bool tensor_cores = false;
  KernelCategory category = KernelCategory::kOther;
  std::string summary;                // one line for people
};

DecodedKernel decodeKernelName(std::string_view name);

// Op chain of a Myelin name ("" prefix/suffix removed), e.g.
// "MaxrSubExpSumDiv" -> ReduceMax, Sub, Exp, ReduceSum, Div.
std::vector<std::string> decodeMyelinOps(std::string_view camel, std::vector<std::string>* unknown);

// Named patterns recognised in an op chain (LayerNorm = two ReduceMean
// around a Sub, Softmax = Exp then Div after a max or sum, ...).
std::vector<std::string> recognizeMyelinPatterns(const std::vector<std::string>& ops);

}  // namespace gpuscope::analysis
