// Per-file registration functions of the neural-network ops (ops/nn/).
// registerNnOps (register.cc) calls each once.
#pragma once

#include "engine/ops/op_def.h"

namespace gpuscope::engine::nn_ops {

void addConv(OpRegistry& r);        // conv.cc: Conv (1-D to 3-D)
void addPool(OpRegistry& r);        // pool.cc: MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool
void addNorm(OpRegistry& r);        // norm.cc: BatchNormalization, InstanceNormalization, LayerNormalization
void addMatMul(OpRegistry& r);      // matmul.cc: MatMul, Gemm
void addSoftmax(OpRegistry& r);     // softmax.cc: Softmax, LogSoftmax
void addReduce(OpRegistry& r);      // reduce.cc: Reduce*, ArgMax, ArgMin
void addDropout(OpRegistry& r);     // dropout.cc

}  // namespace gpuscope::engine::nn_ops
