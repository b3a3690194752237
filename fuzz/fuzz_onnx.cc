// Fuzzes the ONNX importer (engine/onnx) with arbitrary bytes. Whatever it
// accepts must be a well-formed Graph (ids in range, constants sized as their
// descs say, acyclic); whatever it rejects must be InvalidInput naming the
// file. External data is off (no folder), so the fuzzer never reads files.
#include <cstdint>
#include <string_view>

#include "engine/onnx/onnx_import.h"

namespace {

bool validId(const gpuscope::engine::Graph& g, gpuscope::engine::ValueId v, bool optional) {
  if (v == gpuscope::engine::kNoValue) return optional;
  return v >= 0 && size_t(v) < g.values.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gpuscope::engine;
  ImportOptions options;
  options.max_tensor_bytes = int64_t(64) << 20;  // stay far below libFuzzer's RSS limit
  auto g = importOnnxBytes(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.onnx", options);
  if (!g.ok()) {
    if (g.status().code() != gpuscope::StatusCode::kInvalidInput) __builtin_trap();
    if (g.status().message().find("fuzz.onnx") == std::string::npos) __builtin_trap();
    return 0;
  }
  for (const Node& n : g->nodes) {
    for (ValueId v : n.inputs)
      if (!validId(*g, v, true)) __builtin_trap();
    for (ValueId v : n.outputs)
      if (!validId(*g, v, true)) __builtin_trap();
  }
  for (ValueId v : g->inputs)
    if (!validId(*g, v, false) || g->values[size_t(v)].constant) __builtin_trap();
  for (ValueId v : g->outputs)
    if (!validId(*g, v, false)) __builtin_trap();
  for (const Value& v : g->values) {
    if (v.dim_params.size() != v.desc.shape.size()) __builtin_trap();
    if (v.constant && int64_t(v.constant->byteSize()) != v.constant->desc().bytes()) __builtin_trap();
    if (v.producer >= 0 && size_t(v.producer) >= g->nodes.size()) __builtin_trap();
  }
  if (!g->topologicalOrder().ok()) __builtin_trap();
  return 0;
}
