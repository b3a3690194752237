// Internal to the ONNX importer: protobuf message -> engine value
// conversions (tensors, external data, attributes, Constant nodes). Every
// error is InvalidInput "FILE: WHAT: problem", WHAT naming the initializer,
// node or attribute.
#pragma once

#include <onnx/onnx_pb.h>  // defines ONNX_API, then includes onnx-ml.pb.h (namespace onnx)

#include <cstdint>
#include <span>
#include <string>

#include "base/status.h"
#include "engine/ir/attributes.h"
#include "engine/ir/tensor.h"

namespace gpuscope::engine::onnx_detail {

struct ProtoContext {
  std::string file;          // model name for messages
  std::string external_dir;  // folder of external data; "" = not allowed
  int64_t max_tensor_bytes = 0;
};

// "FLOAT", "STRING", ... or the number when ONNX has no name for it.
std::string onnxTypeName(int32_t data_type);

// Element count of `dims`: every dim >= 0, the product and its byte size
// (elem_size) free of overflow and at most ctx.max_tensor_bytes.
StatusOr<int64_t> checkedElements(std::span<const int64_t> dims, size_t elem_size, const std::string& what,
                                  const ProtoContext& ctx);

// A TensorProto's contents: raw_data, the typed fields or external data.
StatusOr<HostTensor> tensorFromProto(const onnx::TensorProto& t, const std::string& what, const ProtoContext& ctx);

// An attribute's value; subgraphs, sparse tensors and type protos are errors.
// `where` is "node 'name' (Op)".
StatusOr<AttrValue> attributeFromProto(const onnx::AttributeProto& a, const std::string& where,
                                       const ProtoContext& ctx);

// The tensor a Constant node produces (value, value_float(s), value_int(s)).
StatusOr<HostTensor> constantNodeValue(const onnx::NodeProto& node, const std::string& where,
                                       const ProtoContext& ctx);

}  // namespace gpuscope::engine::onnx_detail
