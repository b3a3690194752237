// Runs one op through the engine's driver (inferShapes: inference + constant
// folding) on a graph built for the test, or through runNodeOnCpu when some
// inputs are runtime inputs. Expected values in the tests are hand-computed
// or come from naive formulas written in the tests themselves.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/ir/graph.h"

namespace gpuscope::engine::testing {

struct OpInput {
  HostTensor tensor;
  bool constant = true;  // false: a graph input with the tensor's desc
};

struct OpResult {
  Status status;                    // from inferShapes / runNodeOnCpu
  bool folded = false;              // the node was folded into constants
  std::vector<TensorDesc> descs;    // inferred output descs
  std::vector<HostTensor> outputs;  // computed outputs
};

// `inputs[i] == nullopt` is an omitted optional input.
OpResult runOp(const std::string& op, std::vector<std::optional<OpInput>> inputs, Attributes attrs = {},
               int num_outputs = 1, int64_t opset = 18);

HostTensor f32(Shape shape, std::vector<float> values);
HostTensor f16(Shape shape, std::vector<float> values);
HostTensor i64(Shape shape, std::vector<int64_t> values);
HostTensor boolean(Shape shape, std::vector<int64_t> values);
inline OpInput rt(HostTensor t) { return OpInput{std::move(t), false}; }  // runtime input

// Attribute builder: attrs({{"axis", int64_t(1)}, ...}).
Attributes attrs(std::vector<std::pair<std::string, AttrValue>> list);

}  // namespace gpuscope::engine::testing
