// Factories of the gpu/nn/ layers; register.cc adds them to the registry.
#pragma once

#include "engine/gpu/gpu_layer.h"

namespace gpuscope::engine::gpu {

using LayerOr = StatusOr<std::unique_ptr<GpuLayer>>;

LayerOr makeConvLayer(const GpuLayerArgs& args);       // conv.cc: Conv, gpuscope.Conv (cuDNN)
LayerOr makeGemmLayer(const GpuLayerArgs& args);       // gemm.cc: MatMul, Gemm, gpuscope.Gemm (cuBLASLt)
LayerOr makeAttentionLayer(const GpuLayerArgs& args);  // attention.cc: gpuscope.Attention
LayerOr makeSoftmaxLayer(const GpuLayerArgs& args);    // norm_layers.cc: Softmax, LogSoftmax
LayerOr makeLayerNormLayer(const GpuLayerArgs& args);  // norm_layers.cc: LayerNormalization
LayerOr makeBatchNormLayer(const GpuLayerArgs& args);  // norm_layers.cc: BatchNormalization (inference)
LayerOr makeReduceLayer(const GpuLayerArgs& args);     // reduce_pool.cc: Reduce{Mean,Sum,Max,Min,Prod,...}
LayerOr makePoolLayer(const GpuLayerArgs& args);       // reduce_pool.cc: MaxPool, AveragePool, Global*Pool

}  // namespace gpuscope::engine::gpu
