// Per-file registration functions of the shape/data-movement ops (ops/shape/).
// registerShapeOps (register.cc) calls each once.
#pragma once

#include "engine/ops/op_def.h"

namespace gpuscope::engine::shape_ops {

void addViewOps(OpRegistry& r);        // view_ops.cc: Reshape, Flatten, Squeeze, Unsqueeze, Identity
void addShapeOf(OpRegistry& r);        // shape_of.cc: Shape, Size
void addTranspose(OpRegistry& r);      // transpose.cc
void addConcatSplit(OpRegistry& r);    // concat_split.cc: Concat, Split
void addSlice(OpRegistry& r);          // slice.cc
void addGather(OpRegistry& r);         // gather.cc: Gather, GatherElements
void addGatherND(OpRegistry& r);       // gather_nd.cc: GatherND
void addExpandTile(OpRegistry& r);     // expand_tile.cc: Expand, Tile
void addConstants(OpRegistry& r);      // constants.cc: Constant, ConstantOfShape, Range
void addCast(OpRegistry& r);           // cast.cc: Cast, CastLike
void addWhere(OpRegistry& r);          // where.cc
void addTrilu(OpRegistry& r);          // trilu.cc
void addPad(OpRegistry& r);            // pad.cc
void addScatter(OpRegistry& r);        // scatter.cc: ScatterND, ScatterElements

}  // namespace gpuscope::engine::shape_ops
