// Tensor formats of TensorRT's layer information: the long "Format/Datatype"
// descriptions of classic layers and the bare type names of Myelin tensors,
// compressed to TREx's short names ("FP16 NHWC8") with precision and element
// size. TREx gets BF16, Bool and unlisted formats wrong (size 0, BF16 shown as
// FP32); we fix them unless TREx compatibility is asked for.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gpuscope::explore {

struct FormatInfo {
  std::string format;     // TREx short name, "Unknown format" when not in the table
  std::string precision;  // "FP32", "FP16", "INT8", "BF16", ...
  double element_bytes = 0;
};

// `trex_compat` reproduces TREx 0.2.1 exactly (including its defects).
FormatInfo describeFormat(std::string_view format_datatype, bool trex_compat);

// Bytes per weight element of a Weights/Bias {"Type": ...} entry. TREx knows
// only Int8, Half/FP16, Float/FP32 and Int32 (others count 0 in compat mode).
double weightElementBytes(std::string_view type, bool trex_compat);

// "[1, 3, 224, 224]" as Python prints a list.
std::string formatShape(const std::vector<int64_t>& dims);

}  // namespace gpuscope::explore
