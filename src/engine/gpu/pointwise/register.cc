// Registers the NVRTC-generated pointwise layers (gpu/pointwise/): the fused
// gpuscope.Pointwise and every elementwise ONNX op of ops/pointwise/.
#include "engine/gpu/gpu_layer.h"
#include "engine/gpu/pointwise/pointwise_layer.h"
#include "engine/ops/fused_ops.h"
#include "engine/ops/pointwise/op_table.h"

namespace gpuscope::engine {

void registerGpuPointwiseLayers(GpuLayerRegistry& r) {
  r.add(fused::kPointwise, createPointwiseLayer);
  for (const pointwise::OpInfo& op : pointwise::allOps())
    if (op.onnx_op) r.add(op.name, createPointwiseLayer);
}

}  // namespace gpuscope::engine
