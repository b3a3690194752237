// Small pattern-matching helpers the optimizer passes share.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/ir/graph.h"
#include "engine/passes/pass_log.h"

namespace gpuscope::engine::pass_util {

using Consumers = std::vector<std::vector<NodeId>>;

bool isGraphOutput(const Graph& graph, ValueId v);
bool isGraphInput(const Graph& graph, ValueId v);
// The one live node reading `v` (possibly through several of its inputs) when
// `v` is not a graph output; -1 otherwise. Fusing through `v` is safe only then.
NodeId soleConsumer(const Graph& graph, const Consumers& consumers, ValueId v);
// The live node producing `v`, or -1 (graph input, constant).
NodeId producerOf(const Graph& graph, ValueId v);
// The value of a one-element numeric constant.
std::optional<double> scalarConstant(const Graph& graph, ValueId v);
// The input of `node` that is not `v` for a two-input node reading `v` once;
// kNoValue when `node` does not have that form.
ValueId otherInput(const Node& node, ValueId v);
std::string joinOrigins(const std::vector<std::string>& origin);
// Moves `absorbed`'s origins onto `keep` (in that order), renames `keep` to
// its origins joined by " + ", marks `absorbed` dead, and logs
// "<pass>: Fusing <keep> with <absorbed>" and "Removing <absorbed>".
void absorb(Graph& graph, NodeId keep, NodeId absorbed, const std::string& pass, PassLog& log);
// A unique value name derived from `base` (for constants a pass creates).
std::string freshValueName(const Graph& graph, const std::string& base);

// Names for the nodes a pass adds: `base`, else TensorRT's `base [1]`,
// `base [2]`, ...; starts from the graph's live node names and remembers
// every name it hands out. release() frees the name of a node the pass
// replaces, so the node standing for it can take it.
class NodeNames {
 public:
  explicit NodeNames(const Graph& graph);
  std::string unique(const std::string& base);
  void release(const std::string& name) { names_.erase(name); }

 private:
  std::set<std::string> names_;
};

}  // namespace gpuscope::engine::pass_util
