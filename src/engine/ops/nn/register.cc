#include "engine/ops/nn/nn_ops.h"

namespace gpuscope::engine {

void registerNnOps(OpRegistry& r) {
  nn_ops::addConv(r);
  nn_ops::addPool(r);
  nn_ops::addNorm(r);
  nn_ops::addMatMul(r);
  nn_ops::addSoftmax(r);
  nn_ops::addReduce(r);
  nn_ops::addDropout(r);
}

}  // namespace gpuscope::engine
