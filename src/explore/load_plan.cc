// Loading follows TREx's EnginePlan (reference/trex.md §2) step by step, with
// its known defects fixed: all signal/wait layers are removed, profiles are
// joined by name whenever the names disagree, names-only exports are accepted.
#include <cstdio>
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "base/file.h"
#include "explore/engine_plan.h"
#include "explore/tensor_format.h"

namespace gpuscope::explore {
namespace {

using ojson = nlohmann::ordered_json;

std::string replaceSeparators(std::string s) {
  for (char& c : s)
    if (c == '\x1e' || c == '\x1f') c = '+';
  return s;
}

std::string stringField(const ojson& obj, const char* key, std::string fallback = "") {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

StatusOr<Tensor> parseTensor(const ojson& t, bool compat, const std::string& where) {
  if (!t.is_object()) return InvalidInput(where + ": expected a tensor object");
  Tensor out;
  out.name = stringField(t, "Name");
  auto dims = t.find("Dimensions");
  if (dims != t.end()) {
    if (!dims->is_array()) return InvalidInput(where + ": \"Dimensions\" is not an array");
    for (const auto& d : *dims) {
      if (!d.is_number_integer())
        return InvalidInput(where + ": \"Dimensions\" holds a non-integer value");
      out.dims.push_back(d.get<int64_t>());
    }
  }
  out.raw_format = stringField(t, "Format/Datatype", "Unknown format");
  FormatInfo f = describeFormat(out.raw_format, compat);
  out.format = std::move(f.format);
  out.precision = std::move(f.precision);
  out.element_bytes = f.element_bytes;
  double elements = 1;
  bool dynamic = false;
  for (int64_t d : out.dims) {
    elements *= static_cast<double>(d);
    dynamic |= d < 0;
  }
  out.size_bytes = (dynamic && !compat) ? 0 : elements * out.element_bytes;
  return out;
}

double constantBytes(const ojson& raw, const char* key, bool compat) {
  auto it = raw.find(key);
  if (it == raw.end() || !it->is_object()) return 0;
  auto count = it->find("Count");
  if (count == it->end() || !count->is_number()) return 0;
  return count->get<double>() * weightElementBytes(stringField(*it, "Type"), compat);
}

StatusOr<Layer> parseLayer(ojson raw, bool compat, const std::string& where) {
  Layer l;
  l.name = stringField(raw, "Name");
  l.subtype = stringField(raw, "LayerType", "Unknown");
  l.type = stringField(raw, "ParameterType", l.subtype);
  l.tactic = stringField(raw, "TacticName", "TensorRT");
  l.metadata = stringField(raw, "Metadata");
  for (const char* key : {"Inputs", "Outputs"}) {
    auto it = raw.find(key);
    if (it == raw.end()) continue;
    if (!it->is_array()) return InvalidInput(where + ": \"" + key + "\" is not an array");
    auto& dst = key[0] == 'I' ? l.inputs : l.outputs;
    for (size_t i = 0; i < it->size(); ++i) {
      GS_ASSIGN_OR_RETURN(Tensor t, parseTensor((*it)[i], compat,
                                                where + " " + key + "[" + std::to_string(i) + "]"));
      l.io_bytes += t.size_bytes;
      dst.push_back(std::move(t));
    }
  }
  l.precision = l.inputs.empty() ? "" : l.inputs[0].precision;
  l.graph_inputs = l.inputs;
  l.graph_outputs = l.outputs;
  l.weights_bytes = constantBytes(raw, "Weights", compat);
  l.bias_bytes = compat ? 0 : constantBytes(raw, "Bias", compat);
  // The tensors live in inputs/outputs now; keeping them twice doubled the
  // memory of big engines.
  raw.erase("Inputs");
  raw.erase("Outputs");
  l.raw = std::move(raw);
  return l;
}

// Names-only exports give no types; the name grammar (reference/trt_naming.md)
// still tells a few kinds apart.
std::string typeFromName(const std::string& n) {
  if (n.rfind("Reformatting CopyNode", 0) == 0) return "Reformat";
  if (n.rfind("[trainStation", 0) == 0) return "TrainStation";
  if (n.rfind("{ForeignNode", 0) == 0) return "Myelin";
  if (n.size() > 10 && n.compare(n.size() - 10, 10, "[Constant]") == 0) return "Constant";
  return "Unknown";
}

// The k of a "[profile k]" marker in a name (TREx: "\[profile +[0-9]\]",
// which we extend to several digits), -1 without one. Hand-written: a regex
// per layer dominated loading 10,000-layer engines.
int profileOfName(const std::string& n) {
  for (size_t p = n.find("[profile "); p != std::string::npos; p = n.find("[profile ", p + 1)) {
    size_t i = p + 9;
    while (i < n.size() && n[i] == ' ') ++i;
    size_t digits = i;
    int k = 0;
    while (i < n.size() && n[i] >= '0' && n[i] <= '9' && i - digits < 6) k = k * 10 + (n[i++] - '0');
    if (i > digits && i < n.size() && n[i] == ']') return k;
  }
  return -1;
}

bool isConstantOrNoOp(const ojson& raw) {
  std::string t = stringField(raw, "LayerType");
  return t == "Constant" || t == "NoOp";
}

// TREx: a NoOp's input replaces its output at every consumer; a leaf NoOp whose
// output is a binding hands that output to the producer of its input.
void foldNoOps(std::vector<Layer>& layers, const std::vector<std::string>& bindings) {
  std::unordered_map<std::string, std::vector<std::pair<size_t, size_t>>> consumers, producers;
  for (size_t i = 0; i < layers.size(); ++i) {
    for (size_t p = 0; p < layers[i].graph_inputs.size(); ++p) consumers[layers[i].graph_inputs[p].name].push_back({i, p});
    for (size_t p = 0; p < layers[i].graph_outputs.size(); ++p) producers[layers[i].graph_outputs[p].name].push_back({i, p});
  }
  std::unordered_set<std::string> binding_set(bindings.begin(), bindings.end());
  for (size_t i = 0; i < layers.size(); ++i) {
    const Layer& noop = layers[i];
    if (noop.type != "NoOp" || noop.graph_inputs.empty() || noop.graph_outputs.empty()) continue;
    auto c = consumers.find(noop.graph_outputs[0].name);
    if (c != consumers.end()) {
      for (auto [li, port] : c->second) layers[li].graph_inputs[port] = noop.graph_inputs[0];
    } else if (binding_set.count(noop.graph_outputs[0].name)) {
      auto p = producers.find(noop.graph_inputs[0].name);
      if (p != producers.end())
        for (auto [li, port] : p->second) layers[li].graph_outputs[port] = noop.graph_outputs[0];
    }
  }
  std::erase_if(layers, [](const Layer& l) { return l.type == "NoOp"; });
}

Status mergeProfile(EnginePlan& plan, const std::string& path,
                    const std::unordered_set<std::string>& ignored, bool compat) {
  GS_ASSIGN_OR_RETURN(ojson doc, parseJsonFile(path));
  if (!doc.is_array())
    return InvalidInput(path + ": expected a JSON array of per-layer records (trtexec --exportProfile)");
  struct Rec { std::string name; double time, avg, median, pct; };
  std::vector<Rec> recs;
  for (size_t i = 0; i < doc.size(); ++i) {
    const ojson& r = doc[i];
    if (!r.is_object())
      return InvalidInput(path + ":record " + std::to_string(i) + ": expected an object");
    if (r.size() == 1 && r.contains("count") && r["count"].is_number_integer())
      plan.profile_iterations = r["count"].get<int64_t>();
    if (r.size() != 4 && r.size() != 5) continue;  // TREx keeps 4- and 5-key records only
    auto num = [&](const char* k, double& out) -> Status {
      auto it = r.find(k);
      if (it == r.end()) { out = 0; return k[0] == 'm' ? OkStatus() : InvalidInput(path + ":record " + std::to_string(i) + ": missing \"" + k + "\""); }
      if (!it->is_number()) return InvalidInput(path + ":record " + std::to_string(i) + ": \"" + k + "\" is not a number");
      out = it->get<double>();
      return OkStatus();
    };
    Rec rec;
    if (!r.contains("name") || !r["name"].is_string())
      return InvalidInput(path + ":record " + std::to_string(i) + ": expected a string \"name\" (trtexec --exportProfile)");
    rec.name = replaceSeparators(r["name"].get<std::string>());
    GS_RETURN_IF_ERROR(num("timeMs", rec.time));
    GS_RETURN_IF_ERROR(num("averageMs", rec.avg));
    GS_RETURN_IF_ERROR(num("medianMs", rec.median));
    GS_RETURN_IF_ERROR(num("percentage", rec.pct));
    if (ignored.count(rec.name)) continue;
    recs.push_back(std::move(rec));
  }
  auto assign = [](Layer& l, const Rec& r) {
    l.time_ms = r.time; l.avg_ms = r.avg; l.median_ms = r.median; l.pct = r.pct;
  };
  // TREx joins by position whenever the counts agree, without looking at the
  // names; we do so only when the names agree too (compat mode: always).
  bool positional = recs.size() == plan.layers.size();
  for (size_t i = 0; positional && !compat && i < recs.size(); ++i)
    positional = recs[i].name == plan.layers[i].name;
  if (positional) {
    // TREx joins by position without looking at names; say so when they differ.
    size_t mismatched = 0;
    for (size_t i = 0; i < recs.size(); ++i) {
      assign(plan.layers[i], recs[i]);
      mismatched += recs[i].name != plan.layers[i].name;
    }
    if (mismatched)
      plan.warnings.push_back(path + ": " + std::to_string(mismatched) +
                              " profile records joined by position have names that differ from the graph");
  } else {
    std::unordered_map<std::string, const Rec*> by_name;
    for (const Rec& r : recs) by_name.emplace(r.name, &r);
    size_t missing = 0;
    for (Layer& l : plan.layers) {
      auto it = by_name.find(l.name);
      if (it != by_name.end()) assign(l, *it->second); else ++missing;
    }
    plan.warnings.push_back("partial profiling data: the engine graph has " +
                            std::to_string(plan.layers.size()) + " layers, " + path + " has " +
                            std::to_string(recs.size()) + " records; joined by name, " +
                            std::to_string(missing) + " layers without a record count 0 ms");
  }
  plan.has_profile = true;
  return OkStatus();
}

StatusOr<ojson> metadataSection(const std::string& path, const ojson& doc, const char* key) {
  if (!doc.is_object()) return InvalidInput(path + ": expected a JSON object of trtexec metadata sections");
  auto it = doc.find(key);
  if (it == doc.end()) return ojson::object();
  if (!it->is_object()) return InvalidInput(path + ": \"" + key + "\" is not an object");
  return *it;
}

}  // namespace

StatusOr<ojson> parseJsonFile(const std::string& path) {
  GS_ASSIGN_OR_RETURN(std::string text, readFile(path));
  // TensorRT writes the U+001E/U+001F separators of names and Metadata raw,
  // which JSON forbids inside strings; TREx turns them into '+' anyway.
  for (char& c : text)
    if (c == '\x1e' || c == '\x1f') c = '+';
  try {
    return ojson::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    size_t colon = what.find(": ", what.find("parse error"));
    // nlohmann counts the offending character 1-based; report its 0-based offset.
    return InvalidInput(path + ":byte " + std::to_string(e.byte ? e.byte - 1 : 0) + ": malformed JSON" +
                        (colon == std::string::npos ? "" : what.substr(colon)));
  }
}

std::string siblingPath(const std::string& graph_path, const std::string& suffix) {
  const std::string tail = ".graph.json";
  if (graph_path.size() <= tail.size() ||
      graph_path.compare(graph_path.size() - tail.size(), tail.size(), tail) != 0)
    return "";
  std::string p = graph_path.substr(0, graph_path.size() - tail.size()) + suffix;
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec) ? p : "";
}

StatusOr<EnginePlan> loadEnginePlan(const LoadOptions& o) {
  const std::string& path = o.graph;
  GS_ASSIGN_OR_RETURN(ojson doc, parseJsonFile(path));
  EnginePlan plan;
  plan.graph_path = path;
  plan.name = o.name.empty() ? std::filesystem::path(path).filename().string() : o.name;
  ojson layers_json;
  if (doc.is_object() && doc.contains("Layers")) {
    layers_json = std::move(doc["Layers"]);
    if (doc.contains("Bindings")) {
      if (!doc["Bindings"].is_array()) return InvalidInput(path + ": \"Bindings\" is not an array");
      for (const auto& b : doc["Bindings"]) {
        if (!b.is_string()) return InvalidInput(path + ": \"Bindings\" holds a non-string entry");
        plan.bindings.push_back(b.get<std::string>());
      }
    }
  } else if (doc.is_array() && !doc.empty() && doc[0].is_object() && doc[0].contains("LayerType")) {
    layers_json = std::move(doc);  // TREx also accepts a bare list of layer objects
  } else {
    std::string hint;
    if (doc.is_array() && !doc.empty() && doc[0].is_object()) {
      if (doc[0].contains("count") || doc[0].contains("averageMs")) hint = " (this looks like a --exportProfile file)";
      else if (doc[0].contains("startEnqMs")) hint = " (this looks like a --exportTimes file)";
    }
    return InvalidInput(path + ": expected an object with a \"Layers\" array (trtexec --exportLayerInfo)" + hint);
  }
  if (!layers_json.is_array()) return InvalidInput(path + ": \"Layers\" is not an array");
  if (layers_json.empty()) return InvalidInput(path + ": \"Layers\" is empty (engine built with --profilingVerbosity=none?)");
  plan.detailed = layers_json[0].is_object();

  std::vector<ojson> raws;
  raws.reserve(layers_json.size());
  for (size_t i = 0; i < layers_json.size(); ++i) {
    ojson& e = layers_json[i];
    std::string where = path + ":layer " + std::to_string(i);
    if (plan.detailed) {
      if (!e.is_object()) return InvalidInput(where + ": expected a layer object like the layers before it");
      if (!e.contains("Name") || !e["Name"].is_string()) return InvalidInput(where + ": expected a string \"Name\"");
      e["Name"] = replaceSeparators(e["Name"].get<std::string>());
      if (e.contains("Metadata") && e["Metadata"].is_string())
        e["Metadata"] = replaceSeparators(e["Metadata"].get<std::string>());
      std::string lt = stringField(e, "LayerType");
      if (lt == "signal" || lt == "wait") continue;
      if (stringField(e, "ParameterType") == "Convolution" && lt == "CaskDeconvolutionV2")
        e["ParameterType"] = "Deconvolution";
      raws.push_back(std::move(e));
    } else {
      if (!e.is_string()) return InvalidInput(where + ": expected a layer name string like the layers before it");
      std::string name = replaceSeparators(e.get<std::string>());
      std::string t = typeFromName(name);
      raws.push_back(ojson{{"Name", name}, {"LayerType", t}});
    }
  }
  // Duplicate names: the 2nd occurrence becomes "<name>_2", the 3rd "<name>_3".
  std::unordered_map<std::string, int> seen;
  for (ojson& r : raws) {
    std::string n = r["Name"].get<std::string>();
    int c = ++seen[n];
    if (c > 1) r["Name"] = n + "_" + std::to_string(c);
  }
  // Optimisation profiles: profile k>0 names carry " [profile k]".
  auto use = [&](const std::string& n) {
    int k = profileOfName(n);
    return o.profile_id == 0 ? k < 0 : k == o.profile_id;
  };
  std::erase_if(raws, [&](const ojson& r) { return !use(r["Name"].get<std::string>()); });
  std::erase_if(plan.bindings, [&](const std::string& b) { return !use(b); });
  if (raws.empty())
    return InvalidInput(path + ": no layers belong to optimisation profile " + std::to_string(o.profile_id));
  std::erase_if(raws, [](const ojson& r) { return r.value("LayerType", "") == "shape_call"; });

  std::unordered_set<std::string> ignored;
  std::vector<Layer> all;
  all.reserve(raws.size());
  for (size_t i = 0; i < raws.size(); ++i) {
    if (isConstantOrNoOp(raws[i])) ignored.insert(raws[i]["Name"].get<std::string>());
    std::string where = path + ":layer '" + raws[i]["Name"].get<std::string>() + "'";
    GS_ASSIGN_OR_RETURN(Layer l, parseLayer(std::move(raws[i]), o.trex_compat, where));
    all.push_back(std::move(l));
  }
  foldNoOps(all, plan.bindings);
  for (Layer& l : all) {
    if (l.type == "Constant" || l.subtype == "Constant") plan.constants.push_back(std::move(l));
    else { l.index = plan.layers.size(); plan.layers.push_back(std::move(l)); }
  }

  std::string profile = o.profile;
  if (profile.empty() && o.discover_siblings) profile = siblingPath(path, ".profile.json");
  if (!profile.empty()) GS_RETURN_IF_ERROR(mergeProfile(plan, profile, ignored, o.trex_compat));
  else plan.warnings.push_back("no profile JSON: layer latencies are 0");

  std::string pmeta = o.profile_metadata;
  if (pmeta.empty() && o.discover_siblings) pmeta = siblingPath(path, ".profile.metadata.json");
  if (!pmeta.empty()) {
    GS_ASSIGN_OR_RETURN(ojson m, parseJsonFile(pmeta));
    GS_ASSIGN_OR_RETURN(plan.device, metadataSection(pmeta, m, "device_information"));
    GS_ASSIGN_OR_RETURN(plan.performance, metadataSection(pmeta, m, "performance_summary"));
    GS_ASSIGN_OR_RETURN(plan.inference, metadataSection(pmeta, m, "inference_options"));
  }
  std::string bmeta = o.build_metadata;
  if (bmeta.empty() && o.discover_siblings) bmeta = siblingPath(path, ".build.metadata.json");
  if (!bmeta.empty()) {
    GS_ASSIGN_OR_RETURN(ojson m, parseJsonFile(bmeta));
    GS_ASSIGN_OR_RETURN(plan.builder, metadataSection(bmeta, m, "model_options"));
    GS_ASSIGN_OR_RETURN(ojson b, metadataSection(bmeta, m, "build_options"));
    for (auto& [k, v] : b.items()) plan.builder[k] = v;
  }
  return plan;
}

}  // namespace gpuscope::explore
