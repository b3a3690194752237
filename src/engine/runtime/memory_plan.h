// Memory planning for one execution context: every activation gets an offset
// in one device arena, and activations whose lifetimes do not overlap share
// bytes. Lifetimes are intervals over the layer order (first = the step that
// writes the value, last = the last step that reads it). Placement is TFLite's
// "greedy by size": biggest first, each at the lowest offset that does not
// collide with an already placed, lifetime-overlapping buffer. Peak is then
// at most the sum of the sizes and usually close to the largest live set.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/status.h"
#include "engine/ir/graph.h"

namespace gpuscope::engine {

inline constexpr int64_t kArenaAlignment = 256;  // cuBLASLt / vector loads want 256 B

struct BufferRequest {
  int64_t bytes = 0;
  int first = 0;  // step that writes it
  int last = 0;   // last step that reads it (>= first)
};

struct ArenaPlan {
  std::vector<int64_t> offsets;  // one per request, multiples of kArenaAlignment
  int64_t bytes = 0;             // arena size (peak)
};

ArenaPlan planArena(std::span<const BufferRequest> requests);

int64_t alignUp(int64_t v, int64_t a);

// Where a value of the engine graph lives at run time.
enum class Storage : uint8_t {
  kNone,     // omitted / never materialized (dead)
  kArena,    // offset into the context's activation arena
  kWeights,  // offset into the engine's weights buffer (constants)
  kInput,    // an input binding (index into the graph's inputs)
  kOutput,   // an output binding (index into the graph's outputs)
};

struct ValueLocation {
  Storage storage = Storage::kNone;
  int64_t offset = 0;  // kArena / kWeights: byte offset; kInput / kOutput: binding index
};

// A graph output whose bytes live elsewhere (an input, a constant, another
// output, or an activation shared by several outputs): copied at the end of
// an inference.
struct OutputCopy {
  ValueLocation from;
  int output = 0;  // index into the graph's outputs
  int64_t bytes = 0;
};

struct GraphMemoryPlan {
  std::vector<ValueLocation> values;  // per graph value
  std::vector<OutputCopy> output_copies;
  int64_t arena_bytes = 0;
  int64_t weight_bytes = 0;           // the weights buffer (constants, 256 B aligned each)
  int64_t sum_activation_bytes = 0;   // without reuse, for reports/tests
};

// Plans the graph's memory over `steps`: the nodes that run, in order (view
// ops included: they alias their input and extend its lifetime). Constants
// read by the steps go into the weights buffer. InvalidInput if a step reads a
// value nothing produced.
StatusOr<GraphMemoryPlan> planGraphMemory(const Graph& graph, std::span<const NodeId> steps);

}  // namespace gpuscope::engine
