#include "engine/ops/shape/shape_ops.h"

namespace gpuscope::engine {

void registerShapeOps(OpRegistry& r) {
  shape_ops::addViewOps(r);
  shape_ops::addShapeOf(r);
  shape_ops::addTranspose(r);
  shape_ops::addConcatSplit(r);
  shape_ops::addSlice(r);
  shape_ops::addGather(r);
  shape_ops::addGatherND(r);
  shape_ops::addExpandTile(r);
  shape_ops::addConstants(r);
  shape_ops::addCast(r);
  shape_ops::addWhere(r);
  shape_ops::addTrilu(r);
  shape_ops::addPad(r);
  shape_ops::addScatter(r);
}

}  // namespace gpuscope::engine
