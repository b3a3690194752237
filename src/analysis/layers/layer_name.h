// Parses TensorRT engine layer names (NVTX range texts, profiles, layer
// info) into the model layers they came from (reference/trt_naming.md §2-3):
//   "Conv_8 + Add_9 + Relu_10"                -> fused, sources Conv_8, Add_9, Relu_10
//   "Conv_531 + PWN(LeakyRelu_532)"           -> fused with a point-wise node
//   "Conv_68 || Conv_72"                      -> horizontal fusion
//   "{ForeignNode[a...b]}"                    -> Myelin region from a to b
//   "Reformatting CopyNode for Input Tensor 0 to L" -> inserted reformat
//   "(Unnamed Layer* 849) [Shuffle]"          -> unnamed layer made by the builder
//   "$$myelin$$/time_embedding/act/sigmoid"   -> node inside a Myelin region
//   "__myl_TranReshMove_myl3_3"               -> TRT 10 Myelin generated layer
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gpuscope::analysis {

enum class LayerKind {
  kPlain,
  kFused,
  kForeignNode,
  kReformat,
  kUnnamed,
  kMyelinTag,
  kMyelinGenerated,
};
const char* layerKindName(LayerKind k);

struct ParsedLayerName {
  std::string name;                  // the layer name (verbose NVTX text reduced to it)
  LayerKind kind = LayerKind::kPlain;
  bool inserted = false;             // not a model node: reformat, builder-made layer
  bool myelin = false;               // compiled by Myelin
  bool pwn = false;                  // contains a PWN(...) point-wise node
  std::vector<std::string> sources;  // model (ONNX) nodes, in name order
  std::vector<std::string> constants;  // weights / Constant outputs folded in
  std::vector<std::string> helpers;    // unnamed builder layers folded in
  std::string target;                // reformat: the layer it feeds / follows
  std::string foreign_first, foreign_last;
  std::vector<std::string> myelin_ops;  // TRT 10 generated layer: decoded op chain
};

ParsedLayerName parseLayerName(std::string_view text);

// The layer name inside an NVTX text: the text itself in TensorRT's default
// (layer names only) mode; in detailed/verbose mode the "Name" field of the
// JSON object or the "Name: ..." field of the key-value form.
std::string layerNameFromNvtx(std::string_view text);

// Splits at depth 0 (outside (), [] and {}) on `sep`.
std::vector<std::string> splitTopLevel(std::string_view s, std::string_view sep);

}  // namespace gpuscope::analysis
