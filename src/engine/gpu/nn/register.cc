#include "engine/gpu/gpu_layer.h"
#include "engine/gpu/nn/nn_layers.h"

namespace gpuscope::engine {

// Op names are string literals: the registry keeps string_views.
void registerGpuNnLayers(GpuLayerRegistry& r) {
  r.add("Conv", gpu::makeConvLayer);
  r.add("gpuscope.Conv", gpu::makeConvLayer);
  r.add("MatMul", gpu::makeGemmLayer);
  r.add("Gemm", gpu::makeGemmLayer);
  r.add("gpuscope.Gemm", gpu::makeGemmLayer);
  r.add("gpuscope.Attention", gpu::makeAttentionLayer);
  r.add("Softmax", gpu::makeSoftmaxLayer);
  r.add("LogSoftmax", gpu::makeSoftmaxLayer);
  r.add("LayerNormalization", gpu::makeLayerNormLayer);
  r.add("BatchNormalization", gpu::makeBatchNormLayer);
  for (const char* op : {"ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceSumSquare", "ReduceL1",
                         "ReduceL2", "ReduceLogSumExp"})
    r.add(op, gpu::makeReduceLayer);
  for (const char* op : {"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool"}) r.add(op, gpu::makePoolLayer);
}

}  // namespace gpuscope::engine
