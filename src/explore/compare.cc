#include "explore/compare.h"

#include <algorithm>
#include <fmt/format.h>
#include <list>
#include <map>
#include <unordered_map>

#include "explore/summary.h"
#include "explore/tensor_format.h"

namespace gpuscope::explore {
namespace {

struct Signature {
  std::string type;
  std::vector<std::vector<int64_t>> in, out;
  bool operator==(const Signature&) const = default;
};

std::vector<int64_t> noBatch(const Tensor& t) {
  return t.dims.empty() ? std::vector<int64_t>{} : std::vector<int64_t>(t.dims.begin() + 1, t.dims.end());
}

Signature signatureOf(const Layer& l, bool exact) {
  Signature s{l.type, {}, {}};
  size_t ni = exact ? l.inputs.size() : std::min<size_t>(1, l.inputs.size());
  size_t no = exact ? l.outputs.size() : std::min<size_t>(1, l.outputs.size());
  for (size_t i = 0; i < ni; ++i) s.in.push_back(noBatch(l.inputs[i]));
  for (size_t i = 0; i < no; ++i) s.out.push_back(noBatch(l.outputs[i]));
  return s;
}

bool aligned(const Signature& a, const Signature& b) {
  if (a == b) return true;
  // TREx: PointWise layers with two inputs may have them connected in reverse.
  return a.type == "PointWise" && b.type == "PointWise" && a.in.size() == 2 && b.in.size() == 2 &&
         a.out.size() == 1 && b.out.size() == 1 && a.in[0] == b.in[1] && a.in[1] == b.in[0];
}

std::vector<LayerPair> greedyMatch(const std::vector<Signature>& s1, const std::vector<Signature>& s2,
                                   std::vector<size_t> u1, std::vector<size_t> u2) {
  std::vector<LayerPair> pairs;
  auto erase = [](std::vector<size_t>& v, size_t x) { v.erase(std::find(v.begin(), v.end(), x)); };
  while (!u1.empty() && !u2.empty()) {
    size_t beam = std::max(u1.size(), u2.size());
    for (int list_id : {1, 0}) {
      // Fix the head of one list and scan the other (TREx clamps the scan index,
      // so scanning past the end re-tests the last element: same result).
      const auto& scan = list_id == 1 ? u2 : u1;
      size_t head = list_id == 1 ? u1.front() : u2.front();
      std::optional<size_t> hit;
      for (size_t s = 0; s < std::min(beam, scan.size()); ++s) {
        size_t other = scan[s];
        bool ok = list_id == 1 ? aligned(s1[head], s2[other]) : aligned(s1[other], s2[head]);
        if (ok) { hit = other; break; }
      }
      LayerPair p = list_id == 1 ? LayerPair{head, hit} : LayerPair{hit, head};
      pairs.push_back(p);
      if (p.first) erase(u1, *p.first);
      if (p.second) erase(u2, *p.second);
      if (u1.empty() || u2.empty()) break;
    }
  }
  for (size_t i : u1) pairs.push_back({i, std::nullopt});
  for (size_t j : u2) pairs.push_back({std::nullopt, j});
  return pairs;
}

std::vector<Signature> signatures(const EnginePlan& p, bool exact) {
  std::vector<Signature> s;
  s.reserve(p.layers.size());
  for (const Layer& l : p.layers) s.push_back(signatureOf(l, exact));
  return s;
}

std::string precisions(const std::vector<Tensor>& ts) {
  std::string s;
  for (const auto& t : ts) s += (s.empty() ? "" : ", ") + t.precision;
  return s;
}

std::string formats(const Layer& l) {
  std::string s = "in: ";
  for (size_t i = 0; i < l.inputs.size(); ++i)
    s += (i ? ", " : "") + l.inputs[i].format + ":" + formatShape(l.inputs[i].dims);
  s += "\tout: ";
  for (size_t i = 0; i < l.outputs.size(); ++i)
    s += (i ? ", " : "") + l.outputs[i].format + ":" + formatShape(l.outputs[i].dims);
  return s;
}

std::string uniqueName(const std::vector<EnginePlan>& plans, size_t i) {
  for (size_t j = 0; j < plans.size(); ++j)
    if (j != i && plans[j].name == plans[i].name) return plans[i].name + std::to_string(i);
  return plans[i].name;
}

Table sideBySide(const std::string& title, const std::string& key_col, const std::vector<EnginePlan>& plans,
                 const std::vector<std::vector<GroupTotals>>& groups) {
  Table t{title, {key_col}, {}};
  for (size_t i = 0; i < plans.size(); ++i) t.columns.push_back(uniqueName(plans, i) + " ms");
  for (size_t i = 0; i < plans.size(); ++i) t.columns.push_back(uniqueName(plans, i) + " layers");
  t.columns.push_back("speedup");
  std::vector<std::string> keys;
  for (const auto& g : groups)
    for (const auto& x : g)
      if (std::find(keys.begin(), keys.end(), x.key) == keys.end()) keys.push_back(x.key);
  for (const auto& k : keys) {
    std::vector<Cell> row{k};
    std::vector<double> ms(plans.size(), 0);
    std::vector<int64_t> n(plans.size(), 0);
    for (size_t i = 0; i < plans.size(); ++i)
      for (const auto& x : groups[i])
        if (x.key == k) { ms[i] = x.avg_ms; n[i] = x.layers; }
    for (double v : ms) row.push_back(v);
    for (int64_t v : n) row.push_back(v);
    // Speedup of the last engine relative to the first, as TREx reports it.
    row.push_back(ms.back() > 0 ? Cell(ms.front() / ms.back()) : Cell(std::string("")));
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace

std::vector<LayerPair> matchLayersTrex(const EnginePlan& a, const EnginePlan& b, bool exact) {
  std::vector<size_t> u1(a.layers.size()), u2(b.layers.size());
  for (size_t i = 0; i < u1.size(); ++i) u1[i] = i;
  for (size_t i = 0; i < u2.size(); ++i) u2[i] = i;
  return greedyMatch(signatures(a, exact), signatures(b, exact), std::move(u1), std::move(u2));
}

std::vector<LayerPair> alignLayers(const EnginePlan& a, const EnginePlan& b, bool exact) {
  std::unordered_map<std::string, size_t> in_b;
  for (size_t j = 0; j < b.layers.size(); ++j) in_b.emplace(b.layers[j].name, j);
  std::vector<LayerPair> pairs;
  std::vector<bool> used_b(b.layers.size(), false);
  std::vector<size_t> u1, u2;
  for (size_t i = 0; i < a.layers.size(); ++i) {
    auto it = in_b.find(a.layers[i].name);
    if (it != in_b.end() && !used_b[it->second]) {
      pairs.push_back({i, it->second});
      used_b[it->second] = true;
    } else {
      u1.push_back(i);
    }
  }
  for (size_t j = 0; j < b.layers.size(); ++j)
    if (!used_b[j]) u2.push_back(j);
  auto rest = greedyMatch(signatures(a, exact), signatures(b, exact), std::move(u1), std::move(u2));
  pairs.insert(pairs.end(), rest.begin(), rest.end());
  // Order: by a's index; a b-only layer goes right after the matched pair with
  // the closest smaller b index.
  std::map<size_t, double> key_of_b;
  for (const auto& p : pairs)
    if (p.first && p.second) key_of_b[*p.second] = double(*p.first);
  auto key = [&](const LayerPair& p) {
    if (p.first) return double(*p.first);
    auto it = key_of_b.lower_bound(*p.second);
    if (it == key_of_b.begin()) return -0.5;
    return std::prev(it)->second + 0.5;
  };
  std::stable_sort(pairs.begin(), pairs.end(), [&](const LayerPair& x, const LayerPair& y) { return key(x) < key(y); });
  return pairs;
}

std::vector<Table> comparePlans(const std::vector<EnginePlan>& plans, const CompareOptions& o) {
  std::vector<Table> out;
  std::vector<EngineSummary> sums;
  for (const auto& p : plans) sums.push_back(summarizePlan(p));
  Table overview{"Engines", {"engine", "layers", "avg_ms", "weights", "activations", "throughput_qps", "latency_mean_ms"}, {}};
  for (size_t i = 0; i < plans.size(); ++i) {
    const auto& perf = plans[i].performance;
    Cell thr = std::string(""), lat = std::string("");
    if (perf.contains("Throughput") && perf["Throughput"].is_number()) thr = perf["Throughput"].get<double>();
    if (perf.contains("Latency") && perf["Latency"].is_array() && perf["Latency"].size() > 2 && perf["Latency"][2].is_number())
      lat = perf["Latency"][2].get<double>();
    overview.rows.push_back({uniqueName(plans, i), sums[i].layers, sums[i].avg_ms, megabytes(sums[i].weights_bytes),
                             megabytes(sums[i].activation_bytes), thr, lat});
  }
  out.push_back(std::move(overview));
  std::vector<std::vector<GroupTotals>> types, precs;
  for (const auto& s : sums) { types.push_back(s.by_type); precs.push_back(s.by_precision); }
  out.push_back(sideBySide("Latency by type", "type", plans, types));
  out.push_back(sideBySide("Latency by precision", "precision", plans, precs));

  for (size_t k = 1; k < plans.size(); ++k) {
    const EnginePlan& a = plans[0];
    const EnginePlan& b = plans[k];
    auto pairs = o.trex_alignment ? matchLayersTrex(a, b, o.exact) : alignLayers(a, b, o.exact);
    Table t{"Aligned layers: " + uniqueName(plans, 0) + " vs " + uniqueName(plans, k),
            {"type", "name (1)", "name (2)", "avg_ms (1)", "avg_ms (2)", "speedup (2)", "change", "in-p (1)",
             "in-p (2)", "out-p (1)", "out-p (2)", "tactic (1)", "tactic (2)", "formats (1)", "formats (2)"},
            {}};
    for (const auto& [i, j] : pairs) {
      const Layer* l1 = i ? &a.layers[*i] : nullptr;
      const Layer* l2 = j ? &b.layers[*j] : nullptr;
      std::vector<std::string> changes;
      if (!l1) changes.push_back("only in (2)");
      if (!l2) changes.push_back("only in (1)");
      if (l1 && l2) {
        if (precisions(l1->inputs) != precisions(l2->inputs) || precisions(l1->outputs) != precisions(l2->outputs))
          changes.push_back("precision");
        if (l1->tactic != l2->tactic) changes.push_back("tactic");
        if (formats(*l1) != formats(*l2)) changes.push_back("format");
        if (l1->avg_ms > 0 && l2->avg_ms > 0) {
          double sp = l1->avg_ms / l2->avg_ms;
          if (sp > 1 + o.threshold) changes.push_back("faster");
          if (sp < 1 - o.threshold) changes.push_back("slower");
        }
      }
      if (o.changed_only && changes.empty()) continue;
      std::string change;
      for (const auto& c : changes) change += (change.empty() ? "" : ", ") + c;
      Cell speedup = std::string("");
      if (l1 && l2 && l2->avg_ms > 0) speedup = l1->avg_ms / l2->avg_ms;
      t.rows.push_back({(l1 ? l1 : l2)->type, l1 ? l1->name : "", l2 ? l2->name : "", l1 ? l1->avg_ms : 0.0,
                        l2 ? l2->avg_ms : 0.0, speedup, change, l1 ? precisions(l1->inputs) : "",
                        l2 ? precisions(l2->inputs) : "", l1 ? precisions(l1->outputs) : "",
                        l2 ? precisions(l2->outputs) : "", l1 ? l1->tactic : "", l2 ? l2->tactic : "",
                        l1 ? formats(*l1) : "", l2 ? formats(*l2) : ""});
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace gpuscope::explore
