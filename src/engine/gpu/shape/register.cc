#include "engine/gpu/gpu_layer.h"
#include "engine/gpu/shape/shape_layers.h"

namespace gpuscope::engine {

// Op names are string literals: the registry keeps string_views.
void registerGpuShapeLayers(GpuLayerRegistry& r) {
  r.add("Transpose", gpu::makeTransposeLayer);
  r.add("Slice", gpu::makeSliceLayer);
  r.add("Expand", gpu::makeExpandLayer);
  r.add("Tile", gpu::makeTileLayer);
  r.add("Concat", gpu::makeConcatLayer);
  r.add("Split", gpu::makeSplitLayer);
  r.add("Pad", gpu::makePadLayer);
  r.add("Gather", gpu::makeGatherLayer);
  r.add("GatherND", gpu::makeGatherNDLayer);
  r.add("Where", gpu::makeWhereLayer);
  r.add("Cast", gpu::makeCastLayer);
  r.add("gpuscope.Reformat", gpu::makeCastLayer);
  r.add("Trilu", gpu::makeTriluLayer);
}

}  // namespace gpuscope::engine
