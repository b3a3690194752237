#include "explore/conv_stats.h"

namespace gpuscope::explore {

std::optional<ConvStats> convolutionStats(const Layer& l) {
  if ((l.type != "Convolution" && l.type != "Deconvolution") || l.inputs.empty() || l.outputs.empty()) return {};
  const auto& in = l.inputs[0].dims;
  const auto& out = l.outputs[0].dims;
  if (in.size() != 4 || out.size() != 4) return {};
  auto kernel = l.raw.find("Kernel");
  if (kernel == l.raw.end() || !kernel->is_array() || kernel->size() != 2 || !(*kernel)[0].is_number() ||
      !(*kernel)[1].is_number())
    return {};
  double g = 1;
  auto groups = l.raw.find("Groups");
  if (groups != l.raw.end() && groups->is_number() && groups->get<double>() > 0) g = groups->get<double>();
  const double n = double(in[0]), c = double(in[1]), h = double(in[2]), w = double(in[3]);
  const double k = double(out[1]), p = double(out[2]), q = double(out[3]);
  const double r = (*kernel)[0].get<double>(), s = (*kernel)[1].get<double>();
  const double es = l.inputs[0].element_bytes;
  ConvStats st;
  st.layer = l.index;
  st.macs = n * k * p * q * c * r * s / g;
  st.bytes = n * c * h * w * es + n * k * p * q * es + k * c * r * s / g * es;
  st.arithmetic_intensity = st.bytes > 0 ? st.macs / st.bytes : 0;
  st.compute_efficiency = l.avg_ms > 0 ? st.macs / l.avg_ms : 0;
  st.memory_efficiency = l.avg_ms > 0 ? st.bytes / l.avg_ms : 0;
  st.gemm_m = n * p * q;
  st.gemm_n = k;
  st.gemm_k = c * r * s;
  return st;
}

std::vector<ConvStats> convolutionStats(const EnginePlan& plan) {
  std::vector<ConvStats> out;
  for (const Layer& l : plan.layers)
    if (auto s = convolutionStats(l)) out.push_back(*s);
  return out;
}

Table convolutionTable(const EnginePlan& plan, const std::vector<ConvStats>& stats) {
  Table t{"Convolutions",
          {"#", "name", "precision", "avg_ms", "macs", "bytes", "arithmetic_intensity", "gmacs_per_s", "gb_per_s",
           "M", "N", "K", "tactic"},
          {}};
  for (const auto& s : stats) {
    const Layer& l = plan.layers[s.layer];
    // MAC/ms -> GMAC/s is ·1e3/1e9; bytes/ms -> GB/s likewise.
    t.rows.push_back({static_cast<int64_t>(s.layer), l.name, l.precision, l.avg_ms, s.macs, s.bytes,
                      s.arithmetic_intensity, s.compute_efficiency * 1e-6, s.memory_efficiency * 1e-6, s.gemm_m,
                      s.gemm_n, s.gemm_k, l.tactic});
  }
  return t;
}

}  // namespace gpuscope::explore
