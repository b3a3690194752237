#include "explore/graph.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <fmt/format.h>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "explore/tensor_format.h"

namespace gpuscope::explore {
namespace {

// Graphviz aborts on quoted strings over 16384 characters (TREx issue #4724);
// names and tooltips are cut well below that.
std::string cut(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  size_t k = n;
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;  // keep UTF-8 whole
  return s.substr(0, k) + "...";
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out + "\"";
}

std::string fmtMs(double ms) { return fmt::format("{:.4f} ms", ms); }

struct Node {
  std::string id, label, tooltip, color;
  bool binding = false;
};

struct Edge {
  std::string from, to, label, color;
};

std::string layerColor(const Layer& l, GraphColoring c) {
  return c == GraphColoring::kType ? layerTypeColor(l.type == "Reformat" && l.raw.value("Origin", "") == "QDQ" ? "Quantize" : l.type)
                                   : precisionColor(l.precision);
}

std::string layerLabel(const Layer& l, const GraphOptions& o) {
  std::string s = "<<b>" + htmlEscape(l.type) + "</b>";
  if (o.latency && l.avg_ms > 0) s += "<br/>" + fmtMs(l.avg_ms);
  if (o.layer_names) {
    // TREx stacks fused names, one component per row.
    std::string name = cut(l.name, 240);
    size_t start = 0, rows = 0;
    while (start <= name.size() && rows < 6) {
      size_t plus = name.find(" + ", start);
      std::string part = name.substr(start, plus == std::string::npos ? std::string::npos : plus - start);
      s += "<br/><font point-size=\"9\">" + htmlEscape(cut(part, 60)) + "</font>";
      ++rows;
      if (plus == std::string::npos) break;
      start = plus + 3;
    }
  }
  if (l.type == "Reformat" && l.raw.contains("Origin")) s += "<br/><i>" + htmlEscape(l.raw.value("Origin", "")) + "</i>";
  return s + ">";
}

std::string layerTooltip(const Layer& l) {
  std::string t = l.name + "\n" + l.subtype + "  " + l.precision + "\ntactic: " + l.tactic;
  for (const auto& [k, v] : l.raw.items()) {
    if (k == "Inputs" || k == "Outputs" || k == "Name" || k == "LayerType" || k == "TacticName") continue;
    t += "\n" + k + ": " + (v.is_string() ? v.get<std::string>() : v.dump());
    if (t.size() > 2000) break;
  }
  return cut(t, 2000);
}

std::string edgeLabel(const Tensor& t) { return formatShape(t.dims) + "\n" + t.format; }

// Collapse key of a layer: the ONNX block of its first fused component
// ("/backbone/layer1/..." -> "/backbone/layer1", "features.1.conv.0" -> "features.1").
std::string blockKey(const Layer& l) {
  std::string n = l.name.substr(0, l.name.find(" + "));
  if (n.rfind("Reformatting CopyNode", 0) == 0) {
    size_t to = n.find(" to ");
    if (to != std::string::npos) n = n.substr(to + 4);
  }
  char sep = n.find('/') != std::string::npos ? '/' : '.';
  size_t pos = n[0] == sep ? 1 : 0;
  for (int depth = 0; depth < 2; ++depth) {
    size_t next = n.find(sep, pos);
    if (next == std::string::npos) return depth == 0 ? std::string() : n.substr(0, pos - 1);
    pos = next + 1;
  }
  return n.substr(0, pos - 1);
}

struct Graph {
  std::vector<Node> nodes;
  std::vector<Edge> edges;
};

// Maps layer index -> node id, either one node per layer or per collapsed group.
std::vector<size_t> groupLayers(const EnginePlan& plan, const GraphOptions& o, bool& collapsed) {
  const size_t n = plan.layers.size();
  std::vector<size_t> group(n);
  GraphCollapse mode = o.collapse;
  if (mode == GraphCollapse::kAuto) mode = n > o.auto_collapse_above ? GraphCollapse::kBlock : GraphCollapse::kNone;
  collapsed = mode != GraphCollapse::kNone;
  if (!collapsed) {
    for (size_t i = 0; i < n; ++i) group[i] = i;
    return group;
  }
  // Runs of consecutive layers (plan order) with one key become one group.
  size_t g = 0;
  std::string prev;
  for (size_t i = 0; i < n; ++i) {
    std::string key = mode == GraphCollapse::kType ? plan.layers[i].type : blockKey(plan.layers[i]);
    if (i > 0 && (key != prev || key.empty())) ++g;
    group[i] = g;
    prev = key;
  }
  // Still too many nodes: merge neighbouring groups into fixed windows.
  size_t groups = n ? g + 1 : 0;
  if (groups > o.max_collapsed_nodes) {
    size_t per = (groups + o.max_collapsed_nodes - 1) / o.max_collapsed_nodes;
    for (size_t i = 0; i < n; ++i) group[i] /= per;
  }
  return group;
}

Graph buildGraph(const EnginePlan& plan, const GraphOptions& o) {
  Graph gr;
  bool collapsed = false;
  std::vector<size_t> group = groupLayers(plan, o, collapsed);
  const bool labels = o.edge_labels && !collapsed;

  std::unordered_set<size_t> hidden;  // reformats bypassed
  if (o.hide_reformats)
    for (size_t i = 0; i < plan.layers.size(); ++i)
      if (plan.layers[i].type == "Reformat" && plan.layers[i].graph_inputs.size() == 1 && plan.layers[i].graph_outputs.size() == 1)
        hidden.insert(i);

  // Nodes.
  if (collapsed) {
    std::map<size_t, std::vector<size_t>> members;
    for (size_t i = 0; i < group.size(); ++i) members[group[i]].push_back(i);
    for (const auto& [g, ids] : members) {
      std::map<std::string, int> types;
      double ms = 0;
      for (size_t i : ids) { types[plan.layers[i].type]++; ms += plan.layers[i].avg_ms; }
      std::string main_type = std::max_element(types.begin(), types.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
      std::string block = blockKey(plan.layers[ids.front()]);
      std::string label = "<<b>" + htmlEscape(ids.size() == 1 ? plan.layers[ids.front()].type : std::to_string(ids.size()) + " layers") + "</b>";
      if (!block.empty()) label += "<br/>" + htmlEscape(cut(block, 60));
      label += fmt::format("<br/><font point-size=\"9\">#{}-{}</font>", ids.front(), ids.back());
      if (o.latency && ms > 0) label += "<br/>" + fmtMs(ms);
      std::string tip;
      for (const auto& [t, c] : types) tip += fmt::format("{} {}\n", c, t);
      tip += "first: " + cut(plan.layers[ids.front()].name, 300) + "\nlast: " + cut(plan.layers[ids.back()].name, 300);
      std::string color = o.coloring == GraphColoring::kType ? layerTypeColor(main_type)
                                                              : precisionColor(plan.layers[ids.front()].precision);
      gr.nodes.push_back({fmt::format("G{}", g), label + ">", tip, color});
    }
  } else {
    for (size_t i = 0; i < plan.layers.size(); ++i) {
      if (hidden.count(i)) continue;
      const Layer& l = plan.layers[i];
      gr.nodes.push_back({fmt::format("L{}", i), layerLabel(l, o), layerTooltip(l), layerColor(l, o.coloring)});
    }
  }
  auto nodeOf = [&](size_t layer) {
    return collapsed ? fmt::format("G{}", group[layer]) : fmt::format("L{}", layer);
  };

  // Tensors: producer -> consumers; a hidden reformat forwards its input's producer.
  std::unordered_map<std::string, size_t> producer;
  for (size_t i = 0; i < plan.layers.size(); ++i)
    for (const Tensor& t : plan.layers[i].graph_outputs) producer.emplace(t.name, i);
  std::unordered_set<std::string> bindings(plan.bindings.begin(), plan.bindings.end());
  std::unordered_map<std::string, std::string> constant_out;  // tensor -> constant node id
  if (o.show_constants)
    for (size_t c = 0; c < plan.constants.size(); ++c) {
      const Layer& l = plan.constants[c];
      std::string id = fmt::format("C{}", c);
      gr.nodes.push_back({id, "<<b>Constant</b><br/><font point-size=\"9\">" + htmlEscape(cut(l.name, 60)) + "</font>>",
                          layerTooltip(l), layerTypeColor("Constant")});
      for (const Tensor& t : l.graph_outputs) constant_out.emplace(t.name, id);
    }
  auto source = [&](const Tensor& t, std::string& from, const Tensor*& shown) -> bool {
    shown = &t;
    auto it = producer.find(t.name);
    for (int hop = 0; it != producer.end() && hidden.count(it->second) && hop < 16; ++hop) {
      const Tensor& in = plan.layers[it->second].graph_inputs[0];
      it = producer.find(in.name);
      if (it == producer.end()) { shown = &in; break; }
    }
    if (it != producer.end()) { from = nodeOf(it->second); return true; }
    if (bindings.count(shown->name)) { from = "B_" + shown->name; return true; }
    auto c = constant_out.find(t.name);
    if (c != constant_out.end()) { from = c->second; return true; }
    return false;  // Myelin constants and other writer-less tensors stay hidden
  };
  std::set<std::string> binding_nodes;
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    if (hidden.count(i)) continue;
    const Layer& l = plan.layers[i];
    std::string to = nodeOf(i);
    for (const Tensor& t : l.graph_inputs) {
      std::string from;
      const Tensor* shown = nullptr;
      if (!source(t, from, shown)) continue;
      if (from == to) continue;  // inside a collapsed group
      if (from.rfind("B_", 0) == 0) binding_nodes.insert(shown->name);
      if (collapsed && !seen.insert({from, to}).second) continue;
      gr.edges.push_back({from, to, labels ? edgeLabel(t) : "", precisionColor(t.precision)});
    }
    for (const Tensor& t : l.graph_outputs)
      if (bindings.count(t.name)) {
        binding_nodes.insert(t.name);
        gr.edges.push_back({to, "B_" + t.name, labels ? edgeLabel(t) : "", precisionColor(t.precision)});
      }
  }
  for (const std::string& b : binding_nodes) {
    const Tensor* t = nullptr;
    for (const Layer& l : plan.layers) {
      for (const auto* ts : {&l.graph_inputs, &l.graph_outputs})
        for (const Tensor& x : *ts)
          if (x.name == b) t = &x;
      if (t) break;
    }
    std::string label = "<<b>" + htmlEscape(cut(b, 60)) + "</b>";
    if (t) label += "<br/>" + htmlEscape(formatShape(t->dims)) + "<br/>" + htmlEscape(t->format);
    Node n{"B_" + b, label + ">", b, "lightgray"};
    n.binding = true;
    gr.nodes.push_back(std::move(n));
  }
  return gr;
}

}  // namespace

std::string layerTypeColor(const std::string& t) {
  static const std::unordered_map<std::string, std::string> colors{
      {"Convolution", "#4682B4"}, {"Deconvolution", "#7B68EE"}, {"ConvActPool", "#6495ED"},
      {"MatrixMultiply", "#1E90FF"}, {"gemm", "#1E90FF"}, {"Reformat", "#00FFFF"}, {"Quantize", "#6B8E23"},
      {"Shuffle", "#BC8F8F"}, {"Slice", "#FFA500"}, {"Scale", "#8FBC8B"}, {"Pooling", "#3CB371"},
      {"PluginV2", "#C71585"}, {"PointWise", "#9ACD32"}, {"ElementWise", "#9ACD32"}, {"Reduce", "#90EE90"},
      {"SoftMax", "#DA70D6"}, {"Myelin", "#B39C4D"}, {"kgen", "#B39C4D"}, {"NonZero", "#98FB98"},
      {"TrainStation", "#FFA07A"}};
  auto it = colors.find(t);
  return it == colors.end() ? "gray" : it->second;
}

std::string precisionColor(const std::string& p) {
  static const std::unordered_map<std::string, std::string> colors{
      {"INT8", "#76b900"}, {"FP32", "red"}, {"FP16", "orange"}, {"INT32", "lightgray"},
      {"FP8", "deepskyblue"}, {"INT4", "#CC66FF"}, {"FP4", "#F4D03F"}};
  auto it = colors.find(p);
  return it == colors.end() ? "gray" : it->second;
}

std::string planToDot(const EnginePlan& plan, const GraphOptions& o) {
  Graph g = buildGraph(plan, o);
  std::string out = "digraph " + quoted(cut(plan.name, 200)) + " {\n";
  out += "  graph [rankdir=TB, fontname=\"Helvetica\", tooltip=" + quoted(cut(plan.name, 200)) + "];\n";
  out += "  node [shape=box, style=\"rounded,filled\", color=lightgray, fontname=\"Helvetica\", fontsize=11];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=8, penwidth=2];\n";
  for (const Node& n : g.nodes) {
    out += "  " + quoted(n.id) + " [label=" + n.label + ", tooltip=" + quoted(n.tooltip);
    if (n.binding) out += ", shape=box, style=filled, fillcolor=lightgray, penwidth=3";
    else out += ", fillcolor=" + quoted(n.color);
    out += "];\n";
  }
  for (const Edge& e : g.edges) {
    out += "  " + quoted(e.from) + " -> " + quoted(e.to) + " [color=" + quoted(e.color);
    if (!e.label.empty()) out += ", label=" + quoted(e.label);
    out += "];\n";
  }
  return out + "}\n";
}

StatusOr<std::string> renderDot(const std::string& dot, const std::string& format) {
  if (format == "dot") return dot;
  // libgvc keeps global state: one render at a time.
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  GVC_t* gvc = gvContext();
  if (!gvc) return InternalError("graphviz: cannot create a context");
  Agraph_t* g = agmemread(dot.c_str());
  if (!g) {
    gvFreeContext(gvc);
    return InternalError("graphviz: the generated DOT did not parse");
  }
  std::string out;
  Status st;
  if (gvLayout(gvc, g, "dot") != 0) {
    st = InternalError("graphviz: layout failed");
  } else {
    char* data = nullptr;
    unsigned int len = 0;
    if (gvRenderData(gvc, g, format.c_str(), &data, &len) != 0 || !data)
      st = InvalidInput("graphviz: cannot render format '" + format + "' (supported: svg, png, dot)");
    else
      out.assign(data, len);
    if (data) gvFreeRenderData(data);
    gvFreeLayout(gvc, g);
  }
  agclose(g);
  gvFreeContext(gvc);
  if (!st.ok()) return st;
  return out;
}

}  // namespace gpuscope::explore
