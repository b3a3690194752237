#include "analysis/myelin/kernel_name_decoder.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace gpuscope::analysis {
namespace {

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool contains(std::string_view s, std::string_view p) { return s.find(p) != std::string_view::npos; }

std::string lower(std::string_view s) {
  std::string r(s);
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
  return r;
}

std::string firstMatch(const std::string& s, const std::regex& re, int group = 1) {
  std::smatch m;
  if (std::regex_search(s, m, re)) return m[group].str();
  return {};
}

int countOf(const std::vector<std::string>& ops, std::string_view op) {
  return static_cast<int>(std::count(ops.begin(), ops.end(), op));
}
int indexOf(const std::vector<std::string>& ops, std::string_view op, size_t from = 0) {
  for (size_t i = from; i < ops.size(); ++i)
    if (ops[i] == op) return static_cast<int>(i);
  return -1;
}

// Myelin part of a name: the CamelCase op chain between the prefix and the
// first '_' suffix (`_0x<hash>`, `_myl<G>_<N>`, `_com`, `_vec`).
std::string_view myelinChain(std::string_view name) {
  std::string_view s = name.substr(6);  // "__myl_"
  // TRT 8.x: bb<B>_<N>_<Ops>
  if (startsWith(s, "bb")) {
    size_t i = 2;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i < s.size() && s[i] == '_') {
      ++i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      if (i < s.size() && s[i] == '_') s = s.substr(i + 1);
    }
  }
  return s.substr(0, s.find('_'));
}

KernelCategory myelinCategory(const DecodedKernel& d) {
  auto hasOp = [&](std::string_view op) { return indexOf(d.ops, op) >= 0; };
  auto hasPattern = [&](std::string_view p) {
    for (const auto& x : d.patterns)
      if (startsWith(x, p)) return true;
    return false;
  };
  if (hasPattern("Attention")) return KernelCategory::kAttention;
  if (hasOp("Convolution")) return KernelCategory::kConvolution;
  if (hasOp("MatMul")) return KernelCategory::kGemm;
  if (hasPattern("LayerNorm") || hasPattern("RMSNorm") || hasPattern("Softmax") || hasOp("ReduceMean") ||
      hasOp("ReduceSum") || hasOp("ReduceMax") || hasOp("TopK"))
    return KernelCategory::kReduction;
  static const char* kMovement[] = {"Reshape", "Transpose", "Move", "Concat", "Slice", "Cast", "Replicate",
                                    "Gather"};
  bool all_movement = !d.ops.empty();
  for (const auto& op : d.ops)
    all_movement = all_movement && std::find(std::begin(kMovement), std::end(kMovement), op) != std::end(kMovement);
  return all_movement ? KernelCategory::kMemory : KernelCategory::kPointwise;
}

void decodeLibrary(std::string_view name, DecodedKernel& d) {
  std::string s(name);
  std::string l = lower(name);
  static const std::regex kArchPrefix("^(?:trt_)?(sm\\d+|maxwell|volta|turing|ampere|hopper|blackwell)_");
  static const std::regex kArchAnywhere("_(sm\\d{2,3})_");
  d.arch = firstMatch(l, kArchPrefix);
  if (d.arch.empty()) d.arch = firstMatch(l, kArchAnywhere);

  static const std::regex kTileXmma("tile(?:size)?(\\d+x\\d+x\\d+)");
  static const std::regex kTileCutlass("_(\\d+x\\d+_\\d+x\\d+)_");
  static const std::regex kTile2("_(\\d+x\\d+)(?:_|$)");
  d.tile = firstMatch(l, kTileXmma);
  if (d.tile.empty()) d.tile = firstMatch(l, kTileCutlass);
  if (d.tile.empty()) d.tile = firstMatch(l, kTile2);

  static const std::regex kXmmaTypes("_((?:bf16|[fie]\\d+|e4m3|e5m2){2}_(?:bf16|[fie]\\d+){1,2}_(?:bf16|[fie]\\d+))_");
  static const std::regex kCudnnTypes("^(?:trt_)?(?:\\w+?)_(int8x4|fp16|int8|fp32)_");
  static const std::regex kNvjetTypes("nvjet_sm\\d+_([a-z0-9]+)_");
  static const std::regex kCutlassTypes("tensorop_(\\w+?)_");
  d.dtypes = firstMatch(l, kXmmaTypes);
  if (d.dtypes.empty()) d.dtypes = firstMatch(l, kNvjetTypes);
  if (d.dtypes.empty()) d.dtypes = firstMatch(l, kCutlassTypes);
  if (d.dtypes.empty()) d.dtypes = firstMatch(l, kCudnnTypes);
  if (d.dtypes.empty()) {
    static const std::regex kClassic("_([shdi])(?:cudnn|gemm)_");
    std::string p = firstMatch(l, kClassic);
    if (p == "s") d.dtypes = "fp32";
    else if (p == "h") d.dtypes = "fp16";
    else if (p == "d") d.dtypes = "fp64";
    else if (p == "i") d.dtypes = "int8";
  }

  static const std::regex kLayout("_((?:nhwc|nchw|ndhwc|ncdhw)\\w*?_(?:nhwc|nchw|ndhwc|ncdhw)(?:_vect_c_32)?)(?:_|$)");
  static const std::regex kGemmLayout("_(nn|nt|tn|tt)(?:_|$|\\d)");
  static const std::regex kNvjetLayout("_([TN]{3})$");
  d.layout = firstMatch(l, kLayout);
  if (d.layout.empty()) d.layout = firstMatch(s, kNvjetLayout);
  if (d.layout.empty()) d.layout = firstMatch(l, kGemmLayout);

  static const char* kTensorTokens[] = {"tensor", "hmma", "imma", "wgmma", "gmma", "16816", "1688", "8816",
                                        "warpgroup", "tensorop"};
  for (const char* t : kTensorTokens) d.tensor_cores = d.tensor_cores || contains(l, t);
  bool low_precision = contains(d.dtypes, "16") || contains(d.dtypes, "i8") || contains(d.dtypes, "int8") ||
                       contains(d.dtypes, "e4m3") || d.dtypes.find_first_of("hbe") == 0;
  if ((d.family == "cublas" && startsWith(l, "nvjet")) || (d.family == "xmma" && low_precision))
    d.tensor_cores = d.tensor_cores || low_precision;
}

std::string joinOps(const std::vector<std::string>& ops) {
  std::string r;
  for (size_t i = 0; i < ops.size(); ++i) r += (i ? " > " : "") + ops[i];
  return r;
}

}  // namespace

const std::vector<MyelinAbbreviation>& myelinAbbreviations() {
  // reference/trt_naming.md §5; TRT 8.x 3-letter and TRT 10 4-letter forms.
  static const std::vector<MyelinAbbreviation> kTable = {
      {"Resh", "Reshape", true},   {"Tran", "Transpose", true}, {"Cast", "Cast", true},
      {"Mean", "ReduceMean", true}, {"Sqrt", "Sqrt", true},     {"Maxr", "ReduceMax", true},
      {"Move", "Move", false},     {"Conc", "Concat", true},    {"Slic", "Slice", true},
      {"Silu", "SiLU", true},      {"Relu", "ReLU", true},      {"Topk", "TopK", true},
      {"Repl", "Replicate", false}, {"Corr", "Convolution", false}, {"Gath", "Gather", false},
      {"Tanh", "Tanh", false},     {"Sigm", "Sigmoid", false},  {"Res", "Reshape", true},
      {"Tra", "Transpose", true},  {"Cas", "Cast", true},       {"Mea", "ReduceMean", true},
      {"Sqr", "Sqrt", false},      {"Add", "Add", true},        {"Sub", "Sub", true},
      {"Mul", "Mul", true},        {"Div", "Div", true},        {"Exp", "Exp", true},
      {"Neg", "Neg", true},        {"Sum", "ReduceSum", true},  {"Mov", "Move", false},
      {"Pow", "Pow", false},       {"Tan", "Tanh", false},      {"Erf", "Erf", false},
      {"Sig", "Sigmoid", false},   {"Max", "Max", false},       {"Min", "Min", false},
      {"Fc", "MatMul", true},
  };
  return kTable;
}

std::vector<std::string> decodeMyelinOps(std::string_view camel, std::vector<std::string>* unknown) {
  std::vector<std::string> ops;
  size_t i = 0;
  while (i < camel.size()) {
    size_t j = i + 1;
    while (j < camel.size() && !std::isupper(static_cast<unsigned char>(camel[j]))) ++j;
    std::string_view token = camel.substr(i, j - i);
    const MyelinAbbreviation* hit = nullptr;
    for (const auto& a : myelinAbbreviations())
      if (a.abbrev == token) {
        hit = &a;
        break;
      }
    if (hit) {
      ops.emplace_back(hit->op);
    } else {
      ops.emplace_back(token);
      if (unknown) unknown->emplace_back(token);
    }
    i = j;
  }
  return ops;
}

std::vector<std::string> recognizeMyelinPatterns(const std::vector<std::string>& ops) {
  std::vector<std::string> p;
  int means = countOf(ops, "ReduceMean");
  int first_mean = indexOf(ops, "ReduceMean");
  int second_mean = first_mean >= 0 ? indexOf(ops, "ReduceMean", first_mean + 1) : -1;
  int sqrt_at = indexOf(ops, "Sqrt", first_mean < 0 ? 0 : first_mean);
  if (second_mean >= 0) {
    int sub = indexOf(ops, "Sub", first_mean);
    bool layer_norm = sub > first_mean && sub < second_mean;
    if (layer_norm) {
      int sq = indexOf(ops, "Sqrt", second_mean);
      p.push_back(sq > second_mean ? "LayerNorm" : "LayerNorm (mean/variance part)");
    }
  } else if (means == 1 && sqrt_at > first_mean && indexOf(ops, "Sub", first_mean) < 0 &&
             first_mean > 0 && ops[first_mean - 1] == "Mul") {
    p.push_back("RMSNorm");
  } else if (means == 0 && sqrt_at >= 0 && indexOf(ops, "Div", sqrt_at) > sqrt_at &&
             (ops.size() > 0 && (ops[0] == "Add" || ops[0] == "Sqrt"))) {
    p.push_back("LayerNorm/RMSNorm (normalize part)");
  }
  int exp_at = indexOf(ops, "Exp");
  if (exp_at >= 0 && indexOf(ops, "Div", exp_at) > exp_at &&
      (indexOf(ops, "ReduceMax") >= 0 || indexOf(ops, "ReduceSum") >= 0 || indexOf(ops, "Neg") >= 0))
    p.push_back("Softmax");
  if (indexOf(ops, "Erf") >= 0) p.push_back("GELU (erf)");
  else if (indexOf(ops, "Tanh") >= 0 && indexOf(ops, "Pow") >= 0) p.push_back("GELU (tanh)");
  int silu = indexOf(ops, "SiLU");
  if (silu >= 0 && indexOf(ops, "Mul", silu) > silu) p.push_back("Gated MLP (SiLU * x)");
  if (indexOf(ops, "MatMul") >= 0) p.push_back("GEMM with fused epilogue");
  if (indexOf(ops, "Convolution") >= 0) p.push_back("Convolution with fused epilogue");
  return p;
}

DecodedKernel decodeKernelName(std::string_view name) {
  DecodedKernel d;
  std::string l = lower(name);
  if (startsWith(name, "__myl_")) {
    d.family = "myelin";
    d.ops = decodeMyelinOps(myelinChain(name), &d.unknown);
    d.patterns = recognizeMyelinPatterns(d.ops);
    d.category = myelinCategory(d);
    d.summary = "Myelin fused kernel: " + joinOps(d.ops);
  } else if (startsWith(name, "_gemm_mha") || contains(l, "fmha") || contains(l, "flash_fwd") ||
             contains(l, "sdpa")) {
    d.family = startsWith(name, "_gemm_mha") ? "myelin_mha" : (contains(l, "cudnn") ? "cudnn" : "attention");
    d.patterns = {"Attention (QK^T, softmax, AV fused)"};
    d.category = KernelCategory::kAttention;
    d.summary = "fused multi-head attention";
  } else {
    if (contains(l, "xmma")) d.family = "xmma";
    else if (startsWith(l, "nvjet")) d.family = "cublas";
    else if (contains(l, "cutlass")) d.family = "cutlass";
    else if (contains(l, "cudnn")) d.family = "cudnn";
    else if (contains(l, "gemm")) d.family = "cublas";
    else if (contains(name, "generatedNativePointwise")) d.family = "trt_pointwise";
    else if (contains(name, "genericReformat")) d.family = "trt_reformat";
    else if (contains(name, "cuSliceLayer") || contains(name, "cuEltwise") || contains(name, "cuInt8"))
      d.family = "trt_helper";
    else if (startsWith(l, "triton_")) d.family = "triton";
    else if (contains(name, "at::native") || contains(name, "at::cuda")) d.family = "pytorch";
    else if (startsWith(l, "nccl")) d.family = "nccl";
    else d.family = "other";
    decodeLibrary(name, d);
    d.category = classifyKernelName(name);
    if (d.family == "triton") {
      // triton_<poi|red|per|tem>_fused_<op>_<op>..._<n>
      static const std::regex kTriton("^triton_(poi|red|per|tem)_fused_(.*?)(?:_\\d+)?$");
      std::smatch m;
      if (std::regex_match(l, m, kTriton)) {
        std::string ops = m[2].str();
        size_t b = 0;
        while (b <= ops.size()) {
          size_t e = ops.find('_', b);
          if (e == std::string::npos) e = ops.size();
          if (e > b) d.ops.push_back(ops.substr(b, e - b));
          b = e + 1;
        }
      }
    }
    d.summary = d.family;
    if (d.family == "trt_pointwise") d.summary = "TensorRT generated point-wise kernel (PWN layer)";
    if (d.family == "trt_reformat") d.summary = "TensorRT reformat (layout/precision copy)";
    if (!d.arch.empty()) d.summary += " " + d.arch;
    d.summary += std::string(" ") + kernelCategoryName(d.category);
    if (!d.dtypes.empty()) d.summary += " types=" + d.dtypes;
    if (!d.layout.empty()) d.summary += " layout=" + d.layout;
    if (!d.tile.empty()) d.summary += " tile=" + d.tile;
    if (d.tensor_cores) d.summary += " tensor-cores";
  }
  if (!d.patterns.empty()) {
    d.summary += " [";
    for (size_t i = 0; i < d.patterns.size(); ++i) d.summary += (i ? ", " : "") + d.patterns[i];
    d.summary += "]";
  }
  return d;
}

}  // namespace gpuscope::analysis
