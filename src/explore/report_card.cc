#include "explore/report_card.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>

#include "explore/conv_stats.h"
#include "explore/graph.h"
#include "explore/lint.h"
#include "explore/summary.h"
#include "explore/tensor_format.h"

namespace gpuscope::explore {
namespace {

const char* kStyle = R"CSS(
:root{--fg:#1d2330;--muted:#5b6475;--line:#dde2ea;--bg:#f6f8fb;--accent:#76b900}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1d2330;color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px}header .sub{color:#b8c0cc;font-size:13px;word-break:break-all}
main{padding:18px 28px;max-width:1400px}section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:0 0 18px}
h2{font-size:16px;margin:0 0 10px}.cards{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:18px}
.card{background:#fff;border:1px solid var(--line);border-left:4px solid var(--accent);border-radius:6px;padding:10px 14px;min-width:150px}
.card .k{color:var(--muted);font-size:12px}.card .v{font-size:20px;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f6;cursor:pointer;user-select:none;position:sticky;top:0}td.n{text-align:right;font-variant-numeric:tabular-nums}
.scroll{max-height:520px;overflow:auto;border:1px solid var(--line)}.graph{max-height:900px;overflow:auto;border:1px solid var(--line);background:#fff}
.legend span{display:inline-block;margin-right:14px;font-size:12px}.legend i{display:inline-block;width:11px;height:11px;margin-right:5px;vertical-align:-1px;border-radius:2px}
input.filter{margin:0 0 8px;padding:5px 8px;width:320px;border:1px solid var(--line);border-radius:4px}.muted{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:18px}.name{word-break:break-all;max-width:520px}
)CSS";

const char* kScript = R"JS(
(function(){'use strict';
function cellValue(td){var v=td.getAttribute('data-v');if(v!==null){return parseFloat(v);}return td.textContent.toLowerCase();}
function sortTable(table,col){var body=table.tBodies[0];if(!body){return;}var rows=Array.prototype.slice.call(body.rows);
var dir=table.getAttribute('data-col')===String(col)&&table.getAttribute('data-dir')==='asc'?'desc':'asc';
rows.sort(function(a,b){var x=cellValue(a.cells[col]),y=cellValue(b.cells[col]);if(x<y){return dir==='asc'?-1:1;}if(x>y){return dir==='asc'?1:-1;}return 0;});
rows.forEach(function(r){body.appendChild(r);});table.setAttribute('data-col',String(col));table.setAttribute('data-dir',dir);}
Array.prototype.forEach.call(document.querySelectorAll('table.sortable'),function(t){
Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th,i){th.addEventListener('click',function(){sortTable(t,i);});});});
Array.prototype.forEach.call(document.querySelectorAll('input.filter'),function(inp){var t=document.getElementById(inp.getAttribute('data-table'));
if(!t){return;}inp.addEventListener('input',function(){var q=inp.value.toLowerCase();
Array.prototype.forEach.call(t.tBodies[0].rows,function(r){r.style.display=r.textContent.toLowerCase().indexOf(q)>=0?'':'none';});});});
document.body.setAttribute('data-ready','yes');})();
)JS";

using std::string;

string esc(const string& s) { return htmlEscape(s); }
string num(double v, const char* f = "{:.4f}") { return fmt::format(fmt::runtime(f), v); }

struct Bar {
  string label;
  double value;
  string color;
  string note;
};

// Horizontal bar chart as inline SVG.
string barChart(const std::vector<Bar>& bars, const string& unit, int width = 620) {
  if (bars.empty()) return "<p class=\"muted\">No data.</p>";
  double max = 0;
  for (const auto& b : bars) max = std::max(max, b.value);
  const int row = 20, left = 230, right = 110;
  int h = int(bars.size()) * row + 6;
  string s = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {0} {1}" width="100%" style="max-width:{0}px" role="img">)",
      width, h);
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    double w = max > 0 ? b.value / max * (width - left - right) : 0;
    int y = int(i) * row + 3;
    string label = b.label.size() > 34 ? b.label.substr(0, 33) + "\u2026" : b.label;
    s += fmt::format(R"(<g><title>{}: {} {}{}</title><text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>)",
                     esc(b.label), num(b.value, "{:.6g}"), esc(unit), esc(b.note), left - 6, y + 13, esc(label));
    s += fmt::format(R"(<rect x="{}" y="{}" width="{:.1f}" height="{}" fill="{}" rx="2"/>)", left, y + 2, std::max(w, 0.5),
                     row - 6, esc(b.color));
    s += fmt::format(R"(<text x="{:.1f}" y="{}" font-size="11">{} {}</text></g>)", left + w + 5, y + 13,
                     num(b.value, "{:.4g}"), esc(unit));
  }
  return s + "</svg>";
}

// One stacked bar (shares of a whole) with a legend.
string shareBar(const std::vector<Bar>& parts, const string& title) {
  double total = 0;
  for (const auto& p : parts) total += p.value;
  string s = "<div><div class=\"muted\">" + esc(title) + "</div>";
  s += R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 620 26" width="100%" height="26" preserveAspectRatio="none" role="img">)";
  double x = 0;
  for (const auto& p : parts) {
    double w = total > 0 ? p.value / total * 620 : 0;
    s += fmt::format(R"(<rect x="{:.2f}" y="2" width="{:.2f}" height="22" fill="{}"><title>{}: {:.4g} ({:.1f}%)</title></rect>)", x,
                     w, esc(p.color), esc(p.label), p.value, total > 0 ? p.value / total * 100 : 0);
    x += w;
  }
  s += "</svg><div class=\"legend\">";
  for (const auto& p : parts)
    s += fmt::format(R"(<span><i style="background:{}"></i>{} {:.1f}%</span>)", esc(p.color), esc(p.label),
                     total > 0 ? p.value / total * 100 : 0);
  return s + "</div></div>";
}

string td(const string& text, const char* cls = nullptr) {
  return cls ? "<td class=\"" + string(cls) + "\">" + esc(text) + "</td>" : "<td>" + esc(text) + "</td>";
}
string tdNum(double v, const char* f = "{:.4f}") {
  return fmt::format(R"(<td class="n" data-v="{:.17g}">{}</td>)", v, num(v, f));
}

string head(const std::vector<string>& cols) {
  string s = "<thead><tr>";
  for (const auto& c : cols) s += "<th>" + esc(c) + "</th>";
  return s + "</tr></thead><tbody>";
}

string card(const string& k, const string& v) {
  return "<div class=\"card\"><div class=\"k\">" + esc(k) + "</div><div class=\"v\">" + esc(v) + "</div></div>";
}

string metaText(const nlohmann::ordered_json& v) {
  if (v.is_string()) return v.get<string>();
  if (v.is_number()) return formatNumber(v.get<double>());
  return v.dump();
}

}  // namespace

StatusOr<string> renderReportCard(const EnginePlan& plan, const ReportOptions& o) {
  EngineSummary s = summarizePlan(plan);
  string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             "<title>" + esc("Engine report: " + plan.name) + "</title><style>" + kStyle + "</style></head><body>";
  h += "<header><h1>TensorRT engine report card</h1><div class=\"sub\">" + esc(plan.name) + "</div></header><main>";

  // Overview cards.
  h += "<div class=\"cards\">";
  h += card("Layers", std::to_string(s.layers));
  h += card("Average time (\u03a3 layers)", fmt::format("{:.3f} ms", s.avg_ms));
  h += card("Weights", megabytes(s.weights_bytes));
  h += card("Activations", megabytes(s.activation_bytes));
  if (plan.device.contains("Selected Device")) h += card("Device", metaText(plan.device["Selected Device"]));
  if (o.timing) {
    h += card("Throughput", fmt::format("{:g} qps", o.timing->throughput_qps));
    h += card("GPU compute median", fmt::format("{:g} ms", o.timing->gpu_compute.median));
  } else if (plan.performance.contains("Throughput")) {
    h += card("Throughput", metaText(plan.performance["Throughput"]) + " qps");
  }
  h += "</div>";
  h += "<section><h2>Engine</h2><table><tbody>";
  for (const auto& i : s.inputs) h += "<tr>" + td("Input") + td(i, "name") + "</tr>";
  for (const auto& x : s.outputs) h += "<tr>" + td("Output") + td(x, "name") + "</tr>";
  h += "<tr>" + td("Unique activations") + td(megabytes(s.unique_activation_bytes)) + "</tr>";
  h += "<tr>" + td("Bias (not in Weights)") + td(fmt::format("{:.0f} B", s.bias_bytes)) + "</tr>";
  if (!plan.has_profile) h += "<tr>" + td("Profile") + td("not provided: latencies are 0") + "</tr>";
  for (const auto* sec : {&plan.device, &plan.builder})
    for (const auto& [k, v] : sec->items()) h += "<tr>" + td(k) + td(metaText(v)) + "</tr>";
  h += "</tbody></table></section>";

  // Latency by type, precision split.
  std::vector<Bar> by_type;
  for (const auto& g : s.by_type)
    by_type.push_back({g.key, g.avg_ms, layerTypeColor(g.key), fmt::format(" ({} layers, {:.1f}%)", g.layers, g.pct)});
  std::vector<Bar> count_prec, time_prec;
  for (const auto& g : s.by_precision) {
    count_prec.push_back({g.key, double(g.layers), precisionColor(g.key), ""});
    time_prec.push_back({g.key, g.avg_ms, precisionColor(g.key), ""});
  }
  h += "<div class=\"grid\"><section><h2>Latency by layer type</h2>" + barChart(by_type, "ms") + "</section>";
  h += "<section><h2>Precision</h2>" + shareBar(count_prec, "Layers by input precision") +
       shareBar(time_prec, "Latency by input precision") + "</section></div>";

  // Latency by layer: the 25 slowest, then the full table.
  std::vector<const Layer*> order;
  for (const Layer& l : plan.layers) order.push_back(&l);
  std::stable_sort(order.begin(), order.end(), [](const Layer* a, const Layer* b) { return a->avg_ms > b->avg_ms; });
  std::vector<Bar> top;
  for (size_t i = 0; i < order.size() && i < 25; ++i)
    top.push_back({order[i]->name, order[i]->avg_ms, layerTypeColor(order[i]->type), " (" + order[i]->type + ")"});
  h += "<section><h2>Slowest layers</h2>" + barChart(top, "ms", 900) + "</section>";
  h += "<section><h2>Layers</h2><input class=\"filter\" data-table=\"layers\" placeholder=\"filter layers\u2026\">"
       "<div class=\"scroll\"><table id=\"layers\" class=\"sortable\">" +
       head({"#", "name", "type", "precision", "avg ms", "median ms", "%", "inputs", "outputs", "tactic"});
  for (const Layer& l : plan.layers) {
    auto tensors = [](const std::vector<Tensor>& ts) {
      string x;
      for (const auto& t : ts) x += (x.empty() ? "" : "; ") + formatShape(t.dims) + " " + t.format;
      return x;
    };
    h += "<tr>" + tdNum(double(l.index), "{:.0f}") + td(l.name, "name") + td(l.type) + td(l.precision) +
         tdNum(l.avg_ms) + tdNum(l.median_ms) + tdNum(l.pct, "{:.2f}") + td(tensors(l.inputs)) + td(tensors(l.outputs)) +
         td(l.tactic, "name") + "</tr>";
  }
  h += "</tbody></table></div></section>";

  // Memory footprint.
  std::map<string, std::pair<double, double>> mem;  // type -> weights, io
  for (const Layer& l : plan.layers) {
    mem[l.type].first += l.weights_bytes;
    mem[l.type].second += l.io_bytes;
  }
  std::vector<Bar> wbars, abars;
  for (const auto& [t, v] : mem) {
    if (v.first > 0) wbars.push_back({t, v.first / 1048576.0, layerTypeColor(t), ""});
    abars.push_back({t, v.second / 1048576.0, layerTypeColor(t), ""});
  }
  h += "<div class=\"grid\"><section><h2>Weights by layer type</h2>" + barChart(wbars, "MiB") +
       "</section><section><h2>Activations (inputs + outputs) by layer type</h2>" + barChart(abars, "MiB") +
       "</section></div>";

  // Convolutions.
  auto convs = convolutionStats(plan);
  if (!convs.empty()) {
    h += "<section><h2>Convolution efficiency</h2><p class=\"muted\">Implicit-GEMM view as in TREx: MACs = N\u00b7K\u00b7P\u00b7Q\u00b7C\u00b7R\u00b7S/G; "
         "bytes = input + output + weights at input 0's element size.</p><div class=\"scroll\"><table class=\"sortable\">" +
         head({"name", "precision", "avg ms", "MMACs", "MB moved", "arith. intensity", "GMAC/s", "GB/s", "M", "N", "K"});
    for (const auto& c : convs) {
      const Layer& l = plan.layers[c.layer];
      h += "<tr>" + td(l.name, "name") + td(l.precision) + tdNum(l.avg_ms) + tdNum(c.macs / 1e6, "{:.2f}") +
           tdNum(c.bytes / 1e6, "{:.3f}") + tdNum(c.arithmetic_intensity, "{:.2f}") +
           tdNum(c.compute_efficiency * 1e-6, "{:.1f}") + tdNum(c.memory_efficiency * 1e-6, "{:.1f}") +
           tdNum(c.gemm_m, "{:.0f}") + tdNum(c.gemm_n, "{:.0f}") + tdNum(c.gemm_k, "{:.0f}") + "</tr>";
    }
    h += "</tbody></table></div></section>";
  }

  // Lint.
  auto findings = lintPlan(plan);
  std::map<string, int> per;
  for (const auto& f : findings) per[f.linter]++;
  h += "<section><h2>Lint findings (" + std::to_string(findings.size()) + ")</h2><p class=\"muted\">";
  for (const auto& [k, v] : per) h += esc(k) + ": " + std::to_string(v) + " &nbsp; ";
  h += "</p>";
  if (!findings.empty()) {
    h += "<div class=\"scroll\"><table class=\"sortable\">" + head({"linter", "layer", "hazard", "mitigation", "details"});
    for (const auto& f : findings) {
      string d;
      for (const auto& [k, v] : f.details) d += (d.empty() ? "" : "; ") + k + ": " + v;
      h += "<tr>" + td(f.linter) + td(f.layer, "name") + td(f.hazard) + td(f.mitigation) + td(d) + "</tr>";
    }
    h += "</tbody></table></div>";
  }
  h += "</section>";

  // Timing.
  if (o.timing) {
    h += "<section><h2>Timing (recomputed from --exportTimes)</h2><pre>" + esc(formatPerformanceSummary(*o.timing)) +
         "</pre></section>";
  } else if (!plan.performance.empty()) {
    h += "<section><h2>Performance summary (trtexec log)</h2><table><tbody>";
    for (const auto& [k, v] : plan.performance.items()) {
      string text;
      if (v.is_array())
        for (const auto& x : v) text += (text.empty() ? "" : ", ") + metaText(x);
      else text = metaText(v);
      h += "<tr>" + td(k) + td(text) + "</tr>";
    }
    h += "</tbody></table></section>";
  }

  // Graph.
  if (o.include_graph) {
    GraphOptions go;
    go.max_collapsed_nodes = 300;
    GS_ASSIGN_OR_RETURN(string svg, renderDot(planToDot(plan, go), "svg"));
    size_t start = svg.find("<svg");
    if (start != string::npos) svg = svg.substr(start);
    h += "<section><h2>Layer graph</h2>";
    if (plan.layers.size() > go.auto_collapse_above)
      h += "<p class=\"muted\">Collapsed view: consecutive layers of one block are merged.</p>";
    h += "<div class=\"graph\">" + svg + "</div></section>";
  }
  h += "<p class=\"muted\">Generated by gpuscope explore.</p></main><script>" + string(kScript) + "</script></body></html>\n";
  return h;
}

}  // namespace gpuscope::explore
