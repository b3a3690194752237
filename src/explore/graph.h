// The engine's layer graph as Graphviz DOT, rendered through libgvc to SVG or
// PNG. Layers are nodes coloured by type or precision (TREx's palettes,
// reference/trex.md §8-9); tensors are edges labelled with shape and format;
// engine bindings are grey boxes. Large engines get a collapsed view (runs of
// layers of one block or type become one node) so the layout stays fast.
#pragma once

#include <string>

#include "base/html_escape.h"
#include "base/status.h"
#include "explore/engine_plan.h"

namespace gpuscope::explore {

enum class GraphColoring { kType, kPrecision };
enum class GraphCollapse { kNone, kAuto, kBlock, kType };

struct GraphOptions {
  GraphColoring coloring = GraphColoring::kType;
  GraphCollapse collapse = GraphCollapse::kAuto;
  size_t auto_collapse_above = 1000;  // kAuto collapses engines with more layers
  size_t max_collapsed_nodes = 400;   // collapsed views merge further beyond this
  bool show_constants = false;        // Constant layers and their outputs
  bool hide_reformats = false;        // edges bypass Reformat layers
  bool edge_labels = true;            // shape + format on every edge
  bool layer_names = true;
  bool latency = true;
};

std::string layerTypeColor(const std::string& type);
std::string precisionColor(const std::string& precision);

std::string planToDot(const EnginePlan& plan, const GraphOptions& options);

// Lays out and renders DOT text; format is a Graphviz output format ("svg",
// "png"). "dot" returns the text unchanged.
StatusOr<std::string> renderDot(const std::string& dot, const std::string& format);


}  // namespace gpuscope::explore
