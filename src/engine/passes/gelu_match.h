// Recognises GELU written as elementwise ONNX ops, whatever the
// decomposition (x*0.5*(1+erf(x/sqrt2)), 0.5*x*(1+erf(x*0.7071)),
// 0.5*x*(1+tanh(sqrt(2/pi)*(x+0.044715*x^3))), Pow or Mul for the cube, ...):
// the subgraph is found by structure (elementwise nodes reading only x,
// each other and scalar constants) and accepted only if it evaluates to
// GELU at sample points, so an unusual constant can never be mis-fused.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/passes/pass_util.h"

namespace gpuscope::engine::pass_util {

struct GeluMatch {
  std::string activation;      // "Gelu" (erf form) or "GeluTanh"
  std::vector<NodeId> nodes;   // the subgraph, in graph order
  ValueId output = kNoValue;   // the GELU result
};

// The GELU subgraph applied to `x`, which must be read only by it.
std::optional<GeluMatch> matchGelu(const Graph& graph, const Consumers& consumers, ValueId x);

}  // namespace gpuscope::engine::pass_util
