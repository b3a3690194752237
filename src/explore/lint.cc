#include "explore/lint.h"

#include <fmt/format.h>
#include <regex>
#include <unordered_map>

#include "explore/tensor_format.h"

namespace gpuscope::explore {
namespace {

std::string prefix4(const std::string& s) { return s.substr(0, 4); }

bool is4d(const Layer& l) {
  return !l.inputs.empty() && !l.outputs.empty() && l.inputs[0].dims.size() == 4 &&
         l.outputs[0].dims.size() == 4;
}

// TREx ConvLinter: tc, mixed precision, alignment; a later check replaces an
// earlier one for the same layer (Python dict.update keeps the first position).
void convLinter(const EnginePlan& plan, std::vector<LintFinding>& out) {
  static const std::regex tc_tactic("imma|hmma|xmma|i88|884");
  std::vector<LintFinding> found;
  std::unordered_map<std::string, size_t> at;
  auto put = [&](const Layer& l, std::string hazard, std::string mitigation, std::string help) {
    LintFinding f{"conv", l.name, std::move(hazard), std::move(mitigation), std::move(help),
                  {{"tactic", l.tactic}, {"subtype", l.subtype}}};
    auto [it, fresh] = at.emplace(l.name, found.size());
    if (fresh) found.push_back(std::move(f));
    else found[it->second] = std::move(f);
  };
  std::vector<const Layer*> convs;
  for (const Layer& l : plan.layers)
    if (l.type == "Convolution") convs.push_back(&l);
  for (const Layer* l : convs) {
    if (l->precision == "FP32" || std::regex_search(l->tactic, tc_tactic)) continue;
    bool small = !l->inputs.empty() && l->inputs[0].dims.size() == 4 && l->inputs[0].dims[1] < 32;
    put(*l, "Convolution is not accelerated.",
        small ? "This Convolution has a small number of input channels so acceleration may not be possible." : "",
        "TensorCores accelerate large Convolution and GEMM operations.");
  }
  for (const Layer* l : convs) {
    if (l->precision != "INT8" || l->inputs.empty() || l->outputs.empty()) continue;
    if (prefix4(l->inputs[0].format) == "Int8" && prefix4(l->outputs[0].format) != "Int8")
      put(*l, "Quantized Convolution has float outputs.", "Consider adding quantization after the convolution.",
          "Quantized Convolution with float outputs is ill advised for memory-limited convolutions.");
  }
  for (const Layer* l : convs) {
    if (!is4d(*l)) continue;
    int64_t c = l->inputs[0].dims[1], k = l->outputs[0].dims[1];
    int64_t a = l->precision == "INT8" ? 16 : 8;
    if (c % a == 0 && k % a == 0) continue;
    put(*l, "Convolution channels are not optimally aligned.",
        "Consider changing the alignment of the convolution's channels.",
        "For best performance, the input and outputs channels of a Tensor Core accelerated convolution "
        "should be aligned to 8 (FP32/FP16) or 16 (INT8)");
  }
  for (auto& f : found) out.push_back(std::move(f));
}

// TREx ReformatLinter / SliceLinter: the first four characters of the input and
// output formats differ. TREx's mitigation tests "INT8", which never matches.
void conversionLinter(const EnginePlan& plan, const std::string& type, std::vector<LintFinding>& out) {
  for (const Layer& l : plan.layers) {
    if (l.type != type || l.inputs.empty() || l.outputs.empty()) continue;
    std::string in = prefix4(l.inputs[0].format), o = prefix4(l.outputs[0].format);
    if (in == o) continue;
    LintFinding f;
    f.linter = type == "Reformat" ? "reformat" : "slice";
    f.layer = l.name;
    f.hazard = type + " layer is converting operand data type.";
    f.help = type == "Reformat" ? "Conversions between float32 and float16 are a red flag, as are conversions "
                                  "between float32/16 and INT8."
                                : "Conversions between float32 and float16 are a red flag, as are conversions "
                                  "between float32/16 <=> INT8.";
    if (type == "Reformat") f.details.push_back({"origin", l.raw.value("Origin", "")});
    f.details.push_back({"type conversion", in + " -> " + o});
    f.details.push_back({"shape conversion", formatShape(l.inputs[0].dims) + " -> " + formatShape(l.outputs[0].dims)});
    out.push_back(std::move(f));
  }
}

void qdqLinter(const EnginePlan& plan, std::vector<LintFinding>& out) {
  for (const Layer& l : plan.layers) {
    if (l.type != "Scale" || l.inputs.empty() || l.outputs.empty()) continue;
    bool in8 = l.inputs[0].format.find("Int8") != std::string::npos;
    bool out8 = l.outputs[0].format.find("Int8") != std::string::npos;
    if (in8 == out8) continue;
    std::string role = in8 ? "Dequanitize" : "Quantize";  // sic, TREx's spelling
    out.push_back({"qdq", l.name, "Unfused " + role + " layer", "Check why the " + role + " layer is not fused",
                   "Unfused Quantize/Dequantize nodes are wasteful and should be avoided. Quantize nodes may be "
                   "necessary for quantizing inputs.",
                   {{"type conversion", prefix4(l.inputs[0].format) + " -> " + prefix4(l.outputs[0].format)}}});
  }
}

struct Producers {
  std::unordered_map<std::string, const Layer*> producer;
  std::unordered_map<std::string, int> readers;
  explicit Producers(const EnginePlan& plan) {
    for (const Layer& l : plan.layers) {
      for (const Tensor& t : l.graph_outputs) producer.emplace(t.name, &l);
      for (const Tensor& t : l.graph_inputs) readers[t.name]++;
    }
  }
  const Layer* of(const Tensor& t) const {
    auto it = producer.find(t.name);
    return it == producer.end() ? nullptr : it->second;
  }
};

std::string ms(double v) { return fmt::format("{:.4f} ms", v); }

// Two reformats back to back: the pair could be one conversion, or none.
void reformatChainLinter(const EnginePlan& plan, const Producers& p, std::vector<LintFinding>& out) {
  for (const Layer& l : plan.layers) {
    if (l.type != "Reformat" || l.graph_inputs.empty()) continue;
    const Layer* prev = p.of(l.graph_inputs[0]);
    if (!prev || prev->type != "Reformat" || prev->inputs.empty() || l.outputs.empty()) continue;
    out.push_back({"reformat-chain", l.name, "Reformat follows another reformat.",
                   "Align the I/O formats of the neighbouring layers so one conversion (or none) suffices.",
                   "Each reformat is a full read and write of the tensor.",
                   {{"previous", prev->name},
                    {"chain", prev->inputs[0].format + " -> " + prev->outputs[0].format + " -> " + l.outputs[0].format},
                    {"latency", ms(prev->avg_ms + l.avg_ms)}}});
  }
}

bool isGemmLike(const Layer& l) {
  return l.type == "Convolution" || l.type == "MatrixMultiply" || l.type == "Deconvolution" ||
         l.type == "FullyConnected" || l.subtype == "gemm";
}

// A point-wise layer that is the only reader of a GEMM/convolution output could
// have run in that kernel's epilogue.
void unfusedPointwiseLinter(const EnginePlan& plan, const Producers& p, std::vector<LintFinding>& out) {
  for (const Layer& l : plan.layers) {
    if (l.type != "PointWise" && l.type != "ElementWise" && l.type != "Activation" && l.type != "Scale") continue;
    for (const Tensor& t : l.graph_inputs) {
      const Layer* prev = p.of(t);
      if (!prev || !isGemmLike(*prev)) continue;
      auto r = p.readers.find(t.name);
      if (r == p.readers.end() || r->second != 1) continue;
      out.push_back({"unfused-pointwise", l.name, l.type + " layer was not fused into the preceding " + prev->type + ".",
                     "Check the op and its precision are supported in the epilogue, or that no Q/DQ or shape op sits between.",
                     "An unfused point-wise layer costs a kernel launch and a full tensor round trip.",
                     {{"producer", prev->name}, {"latency", ms(l.avg_ms)}}});
      break;
    }
  }
}

// An FP32 compute layer between reduced-precision neighbours in an engine that
// otherwise runs FP16/BF16/INT8: usually a precision constraint or an op
// without a fast kernel, paid for with two reformats.
void fp32IslandLinter(const EnginePlan& plan, const Producers& p, std::vector<LintFinding>& out) {
  size_t reduced = 0;
  for (const Layer& l : plan.layers)
    reduced += l.precision == "FP16" || l.precision == "BF16" || l.precision == "INT8" || l.precision == "FP8";
  if (reduced * 2 < plan.layers.size()) return;  // not a reduced-precision engine
  std::unordered_map<std::string, std::vector<const Layer*>> consumers;
  for (const Layer& l : plan.layers)
    for (const Tensor& t : l.graph_inputs) consumers[t.name].push_back(&l);
  auto lowered = [](const Layer* x) {
    return x->precision == "FP16" || x->precision == "BF16" || x->precision == "INT8" || x->precision == "FP8";
  };
  // Walk through reformats to the compute layer on the other side.
  auto upstream = [&](const Layer* x) {
    for (int hop = 0; x && x->type == "Reformat" && !x->graph_inputs.empty() && hop < 4; ++hop) x = p.of(x->graph_inputs[0]);
    return x;
  };
  for (const Layer& l : plan.layers) {
    if (l.precision != "FP32" || l.type == "Reformat" || l.inputs.empty() || l.outputs.empty()) continue;
    const Layer* before = upstream(p.of(l.graph_inputs[0]));
    if (!before || !lowered(before)) continue;
    bool after_low = false;
    std::vector<const Layer*> frontier{&l};
    for (int hop = 0; hop < 4 && !frontier.empty() && !after_low; ++hop) {
      std::vector<const Layer*> next;
      for (const Layer* x : frontier)
        for (const Tensor& t : x->graph_outputs)
          for (const Layer* c : consumers[t.name]) {
            if (c->type == "Reformat") next.push_back(c);
            else if (lowered(c)) after_low = true;
          }
      frontier = std::move(next);
    }
    if (!after_low) continue;
    out.push_back({"fp32-island", l.name, "FP32 layer between reduced-precision layers.",
                   "Check precision constraints (--layerPrecisions, strong typing) and whether the op has a "
                   "reduced-precision kernel.",
                   "Each FP32 island needs reformats in and out and runs at FP32 throughput.",
                   {{"type", l.type}, {"before", before->name + " (" + before->precision + ")"}, {"latency", ms(l.avg_ms)}}});
  }
}

int64_t roundUp(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

// Tensor-core tiles pad channels up to the vector width: K=3 runs as 8 (FP16)
// or 32 (NC/32HW32). Report convolutions where most of the tile is padding.
void channelPaddingLinter(const EnginePlan& plan, double threshold, std::vector<LintFinding>& out) {
  for (const Layer& l : plan.layers) {
    if (l.type != "Convolution" || !is4d(l) || l.precision == "FP32") continue;
    int64_t groups = l.raw.contains("Groups") && l.raw["Groups"].is_number_integer() ? l.raw["Groups"].get<int64_t>() : 1;
    int64_t c = l.inputs[0].dims[1], k = l.outputs[0].dims[1];
    if (groups > 1 && groups == c) continue;  // depthwise: no tensor-core GEMM
    int64_t a = l.precision == "INT8" ? 16 : 8;
    if (l.inputs[0].format.find("/32") != std::string::npos) a = 32;
    if (c <= 0 || k <= 0) continue;
    double useful = static_cast<double>(c) * static_cast<double>(k);
    double padded = static_cast<double>(roundUp(c, a)) * static_cast<double>(roundUp(k, a));
    double waste = 1 - useful / padded;
    if (waste < threshold) continue;
    out.push_back({"channel-padding", l.name,
                   fmt::format("{:.0f}% of the tensor-core tile is channel padding (C={}, K={}, vector {}).",
                               waste * 100, c, k, a),
                   "Pad or merge channels in the model, or accept that this convolution runs mostly on padding.",
                   "Channel counts that are multiples of the vector width fill tensor-core tiles.",
                   {{"tactic", l.tactic}, {"latency", ms(l.avg_ms)}}});
  }
}

}  // namespace

const std::vector<std::string>& linterNames() {
  static const std::vector<std::string> names{"conv", "reformat", "slice", "qdq", "reformat-chain",
                                              "unfused-pointwise", "fp32-island", "channel-padding"};
  return names;
}

std::vector<LintFinding> lintPlan(const EnginePlan& plan, const LintOptions& o) {
  std::vector<LintFinding> out;
  convLinter(plan, out);
  conversionLinter(plan, "Reformat", out);
  conversionLinter(plan, "Slice", out);
  qdqLinter(plan, out);
  if (o.trex_only) return out;
  Producers p(plan);
  reformatChainLinter(plan, p, out);
  unfusedPointwiseLinter(plan, p, out);
  fp32IslandLinter(plan, p, out);
  channelPaddingLinter(plan, o.padding_waste_threshold, out);
  return out;
}

Table lintTable(const std::vector<LintFinding>& findings) {
  Table t{"Lint", {"linter", "name", "hazard", "mitigation", "details", "help"}, {}};
  for (const auto& f : findings) {
    std::string d;
    for (const auto& [k, v] : f.details) d += (d.empty() ? "" : "; ") + k + ": " + v;
    t.rows.push_back({f.linter, f.layer, f.hazard, f.mitigation, d, f.help});
  }
  return t;
}

}  // namespace gpuscope::explore
