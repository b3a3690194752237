#include "explore/summary.h"

#include <algorithm>
#include <fmt/format.h>
#include <unordered_map>
#include <unordered_set>

#include "explore/tensor_format.h"

namespace gpuscope::explore {
namespace {

std::vector<GroupTotals> groupBy(const EnginePlan& plan, double total,
                                 std::string (*key)(const Layer&)) {
  std::vector<GroupTotals> out;
  std::unordered_map<std::string, size_t> at;
  for (const Layer& l : plan.layers) {
    std::string k = key(l);
    auto [it, fresh] = at.emplace(k, out.size());
    if (fresh) out.push_back({k});
    GroupTotals& g = out[it->second];
    g.layers++;
    g.avg_ms += l.avg_ms;
  }
  for (auto& g : out) g.pct = total > 0 ? g.avg_ms / total * 100 : 0;
  std::stable_sort(out.begin(), out.end(), [](const GroupTotals& a, const GroupTotals& b) {
    if (a.avg_ms != b.avg_ms) return a.avg_ms > b.avg_ms;
    return a.layers > b.layers;
  });
  return out;
}

std::string joinTensors(const std::vector<Tensor>& ts) {
  std::string s;
  for (size_t i = 0; i < ts.size(); ++i) s += (i ? "; " : "") + formatShape(ts[i].dims) + " " + ts[i].format;
  return s;
}

}  // namespace

std::string tensorRepr(const Tensor& t) { return t.name + ": " + formatShape(t.dims) + "x" + t.format; }

std::string megabytes(double bytes) { return fmt::format("{:.1f} MB", bytes / (1024.0 * 1024.0)); }

EngineSummary summarizePlan(const EnginePlan& plan) {
  EngineSummary s;
  s.name = plan.name;
  s.layers = static_cast<int64_t>(plan.layers.size());
  s.constants = static_cast<int64_t>(plan.constants.size());
  s.has_profile = plan.has_profile;
  std::unordered_map<std::string, double> unique;
  for (const Layer& l : plan.layers) {
    s.avg_ms += l.avg_ms;
    s.median_ms += l.median_ms;
    s.weights_bytes += l.weights_bytes;
    s.bias_bytes += l.bias_bytes;
    s.activation_bytes += l.io_bytes;
    for (const auto* ts : {&l.inputs, &l.outputs})
      for (const Tensor& t : *ts) {
        double& u = unique[t.name];
        u = std::max(u, t.size_bytes);
      }
  }
  for (auto& [_, b] : unique) s.unique_activation_bytes += b;
  // A binding is an input when some layer reads it and none writes it.
  std::unordered_set<std::string> written;
  for (const Layer& l : plan.layers)
    for (const Tensor& t : l.graph_outputs) written.insert(t.name);
  for (const std::string& b : plan.bindings) {
    const Tensor* found = nullptr;
    bool is_output = written.count(b) > 0;
    for (const Layer& l : plan.layers) {
      for (const Tensor& t : is_output ? l.graph_outputs : l.graph_inputs)
        if (t.name == b) { found = &t; break; }
      if (found) break;
    }
    if (!found) continue;
    (is_output ? s.outputs : s.inputs).push_back(tensorRepr(*found));
  }
  s.by_type = groupBy(plan, s.avg_ms, [](const Layer& l) { return l.type; });
  s.by_precision = groupBy(plan, s.avg_ms, [](const Layer& l) {
    return l.precision.empty() ? std::string("(none)") : l.precision;
  });
  return s;
}

Table overviewTable(const EnginePlan& plan, const EngineSummary& s) {
  Table t{"Model", {"key", "value"}, {}};
  auto add = [&](std::string k, std::string v) { t.rows.push_back({std::move(k), std::move(v)}); };
  add("Name", s.name);
  for (const auto& i : s.inputs) add("Input", i);
  for (const auto& o : s.outputs) add("Output", o);
  add("Average time", fmt::format("{:.3f} ms", s.avg_ms) + (s.has_profile ? "" : " (no profile)"));
  add("Median time", fmt::format("{:.3f} ms", s.median_ms));
  add("Layers", std::to_string(s.layers));
  add("Constants", std::to_string(s.constants));
  if (plan.detailed) {
    add("Weights", megabytes(s.weights_bytes) + fmt::format(" ({:.0f} B)", s.weights_bytes));
    add("Bias", fmt::format("{:.0f} B (not in Weights, as in TREx)", s.bias_bytes));
    add("Activations", megabytes(s.activation_bytes) + fmt::format(" ({:.0f} B)", s.activation_bytes));
    add("Unique activations", megabytes(s.unique_activation_bytes) +
                                  fmt::format(" ({:.0f} B)", s.unique_activation_bytes));
  } else {
    // A names-only export has no tensors or weights: unknown, not zero.
    add("Weights", "unknown (names-only export)");
    add("Activations", "unknown (names-only export)");
  }
  if (plan.profile_iterations) add("Profiled iterations", std::to_string(plan.profile_iterations));
  if (!plan.detailed) add("Layer detail", "names only (build with --profilingVerbosity=detailed)");
  return t;
}

Table groupTable(const std::string& title, const std::vector<GroupTotals>& groups) {
  Table t{title, {title == "By precision" ? "precision" : "type", "layers", "avg_ms", "pct"}, {}};
  for (const auto& g : groups) t.rows.push_back({g.key, g.layers, g.avg_ms, g.pct});
  return t;
}

Table layerTable(const EnginePlan& plan) {
  Table t{"Layers",
          {"#", "name", "type", "subtype", "precision", "avg_ms", "median_ms", "pct", "inputs", "outputs",
           "tactic", "weights_bytes", "io_bytes"},
          {}};
  for (const Layer& l : plan.layers)
    t.rows.push_back({static_cast<int64_t>(l.index), l.name, l.type, l.subtype, l.precision, l.avg_ms,
                      l.median_ms, l.pct, joinTensors(l.inputs), joinTensors(l.outputs), l.tactic,
                      l.weights_bytes, l.io_bytes});
  return t;
}

Table metadataTable(const std::string& title, const nlohmann::ordered_json& section) {
  Table t{title, {"key", "value"}, {}};
  for (const auto& [k, v] : section.items()) {
    std::string text;
    if (v.is_string()) text = v.get<std::string>();
    else if (v.is_number()) text = formatNumber(v.get<double>());
    else if (v.is_array()) {
      for (size_t i = 0; i < v.size(); ++i)
        text += (i ? ", " : "") + (v[i].is_number() ? formatNumber(v[i].get<double>()) : v[i].dump());
    } else text = v.dump();
    t.rows.push_back({k, text});
  }
  return t;
}

}  // namespace gpuscope::explore
