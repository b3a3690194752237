// PointWiseFusion: groups of elementwise nodes become one gpuscope.Pointwise
// node each (TensorRT's PWN(...) layers), compiled later into one generated
// kernel (gpu/pointwise/).
#pragma once

#include "base/status.h"
#include "engine/ir/graph.h"
#include "engine/passes/pass_log.h"

namespace gpuscope::engine {

// Finds maximal groups of elementwise nodes (ops/pointwise/op_table.h, plus
// Where and Cast between float types) that produce the same output shape and
// whose intermediate values are read only inside the group and are not graph
// outputs, and replaces each group (even a single node) with a
// gpuscope.Pointwise node named "PWN(a, b, c)" (member names in graph order),
// origin = the members' origins. One-element constants become program
// literals; other inputs stay node inputs. Dtypes without a generated-kernel
// form (fp64) are left alone. Logs "PointWiseFusion: Fusing a with b" lines
// when `log` is given. Compacts the graph.
Status fusePointwise(Graph& graph, PassLog* log = nullptr);

}  // namespace gpuscope::engine
