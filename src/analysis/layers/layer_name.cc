#include "analysis/layers/layer_name.h"

#include <nlohmann/json.hpp>
#include <regex>

#include "analysis/myelin/kernel_name_decoder.h"

namespace gpuscope::analysis {
namespace {

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool endsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

bool isUnnamed(std::string_view s) { return startsWith(s, "(Unnamed Layer* "); }

bool isConstant(std::string_view s) {
  return endsWith(s, ".weight") || endsWith(s, ".bias") || endsWith(s, "_weight") || endsWith(s, "_bias") ||
         (s.find("Constant") != std::string_view::npos && endsWith(s, "_output_0")) ||
         (isUnnamed(s) && endsWith(s, "[Constant]"));
}

// Adds the model nodes of one fused part, recursing into PWN(...).
void collect(std::string_view part, ParsedLayerName& p) {
  std::string s = trim(part);
  if (s.empty()) return;
  if (startsWith(s, "PWN(") && endsWith(s, ")")) {
    p.pwn = true;
    std::string inner = s.substr(4, s.size() - 5);
    for (const std::string& a : splitTopLevel(inner, ", "))
      for (const std::string& b : splitTopLevel(a, " + ")) collect(b, p);
    return;
  }
  if (isConstant(s)) p.constants.push_back(s);
  else if (isUnnamed(s)) p.helpers.push_back(s);
  else p.sources.push_back(s);
}

}  // namespace

const char* layerKindName(LayerKind k) {
  switch (k) {
    case LayerKind::kPlain: return "plain";
    case LayerKind::kFused: return "fused";
    case LayerKind::kForeignNode: return "myelin_region";
    case LayerKind::kReformat: return "reformat";
    case LayerKind::kUnnamed: return "unnamed";
    case LayerKind::kMyelinTag: return "myelin_node";
    case LayerKind::kMyelinGenerated: return "myelin_generated";
  }
  return "plain";
}

std::vector<std::string> splitTopLevel(std::string_view s, std::string_view sep) {
  std::vector<std::string> out;
  int depth = 0;
  size_t from = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '(' || c == '[' || c == '{') ++depth;
    else if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    else if (depth == 0 && s.compare(i, sep.size(), sep) == 0) {
      out.emplace_back(s.substr(from, i - from));
      i += sep.size() - 1;
      from = i + 1;
    }
  }
  out.emplace_back(s.substr(from));
  return out;
}

std::string layerNameFromNvtx(std::string_view text) {
  std::string t = trim(text);
  if (startsWith(t, "{\"")) {
    try {
      nlohmann::json j = nlohmann::json::parse(t);
      for (const char* key : {"Name", "name"})
        if (j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
    } catch (const std::exception&) {
      // Not JSON after all: fall through and use the text as it is.
    }
  }
  if (startsWith(t, "Name: ")) {
    std::string rest = t.substr(6);
    for (const char* end : {", LayerType:", ", Inputs:", "\n"}) {
      size_t e = rest.find(end);
      if (e != std::string::npos) return trim(rest.substr(0, e));
    }
    return trim(rest);
  }
  return t;
}

ParsedLayerName parseLayerName(std::string_view text) {
  ParsedLayerName p;
  p.name = layerNameFromNvtx(text);
  const std::string& n = p.name;
  // "$$myelin$$/a/b": the ONNX node "/a/b" inside a Myelin region.
  static const std::string kMyelinTag = "$$myelin$$";
  static const std::regex kReformat("^Reformatting CopyNode for (?:Input|Output) Tensor \\d+ to (.+)$");
  static const std::regex kForeign("^\\{ForeignNode\\[(.*)\\]\\}$");
  static const std::regex kMylSuffix("^(.*)_myl\\d+_\\d+$");
  std::smatch m;
  if (startsWith(n, kMyelinTag + "/")) {
    p.kind = LayerKind::kMyelinTag;
    p.myelin = true;
    p.sources.push_back(n.substr(kMyelinTag.size()));
    return p;
  }
  if (std::regex_match(n, m, kReformat)) {
    p.kind = LayerKind::kReformat;
    p.inserted = true;
    p.target = m[1].str();
    return p;
  }
  if (std::regex_match(n, m, kForeign)) {
    p.kind = LayerKind::kForeignNode;
    p.myelin = true;
    std::string inner = m[1].str();
    size_t dots = inner.find("...");
    p.foreign_first = dots == std::string::npos ? inner : inner.substr(0, dots);
    p.foreign_last = dots == std::string::npos ? inner : inner.substr(dots + 3);
    p.sources.push_back(p.foreign_first);
    if (p.foreign_last != p.foreign_first) p.sources.push_back(p.foreign_last);
    return p;
  }
  if (isUnnamed(n) && splitTopLevel(n, " + ").size() == 1) {
    p.kind = LayerKind::kUnnamed;
    p.inserted = true;
    p.helpers.push_back(n);
    return p;
  }
  if (std::regex_match(n, m, kMylSuffix)) {
    p.myelin = true;
    std::string base = m[1].str();
    if (startsWith(base, "__myl_")) {
      p.kind = LayerKind::kMyelinGenerated;
      p.myelin_ops = decodeMyelinOps(base.substr(6), nullptr);
    } else if (startsWith(base, "_gemm_mha")) {
      p.kind = LayerKind::kMyelinGenerated;
      p.myelin_ops = {"MatMul", "Softmax", "MatMul"};
    } else {
      p.kind = LayerKind::kPlain;  // one model node kept by Myelin
      p.sources.push_back(base);
    }
    return p;
  }
  std::vector<std::string> horizontal = splitTopLevel(n, " || ");
  for (const std::string& h : horizontal)
    for (const std::string& part : splitTopLevel(h, " + ")) collect(part, p);
  bool fused = horizontal.size() > 1 || p.pwn || p.sources.size() + p.helpers.size() > 1 || !p.constants.empty();
  p.kind = fused ? LayerKind::kFused : LayerKind::kPlain;
  if (!fused && p.sources.empty() && !p.helpers.empty()) p.kind = LayerKind::kUnnamed, p.inserted = true;
  return p;
}

}  // namespace gpuscope::analysis
