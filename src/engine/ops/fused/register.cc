// The engine's own ops (gpuscope.Conv/Gemm/Attention/Reformat); the pointwise
// group registers gpuscope.Pointwise.
#include "engine/ops/fused/fused_defs.h"

namespace gpuscope::engine {

void registerFusedOps(OpRegistry& r) {
  r.add(fused::convOpDef());
  r.add(fused::gemmOpDef());
  r.add(fused::attentionOpDef());
  r.add(fused::reformatOpDef());
}

}  // namespace gpuscope::engine
