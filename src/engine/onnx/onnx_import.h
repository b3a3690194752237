// ONNX -> engine IR. Parses a ModelProto (libprotobuf + Debian's onnx_proto),
// checks what the engine can run (default-domain opsets 13..18, no subgraphs,
// no custom domains, supported element types) and builds an engine::Graph:
// graph inputs without initializers become Graph::inputs (dims of -1 with
// their dim_param names), initializers and Constant nodes become constant
// Values, every other node a Node with its attributes. Node output descs are
// taken from value_info where present; inferShapes recomputes them anyway.
//
// Input is untrusted: every error is InvalidInput, starts with the model's
// file name and names the node / initializer / input concerned; sizes are
// checked for overflow before anything is allocated.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/ir/graph.h"

namespace gpuscope::engine {

struct ImportOptions {
  // Folder that external-data locations are relative to. importOnnx uses the
  // model file's folder when this is empty; importOnnxBytes then rejects
  // models with external data.
  std::string external_data_dir;
  // Largest single tensor (initializer, Constant, attribute) accepted, bytes.
  int64_t max_tensor_bytes = int64_t(16) << 30;
};

// Default-domain opsets the importer accepts.
inline constexpr int64_t kMinOnnxOpset = 13;
inline constexpr int64_t kMaxOnnxOpset = 18;

StatusOr<Graph> importOnnx(const std::string& path, const ImportOptions& options = {});
// `name_for_errors` starts every error message (a file name, "<memory>").
StatusOr<Graph> importOnnxBytes(std::string_view bytes, const std::string& name_for_errors,
                                const ImportOptions& options = {});

}  // namespace gpuscope::engine
