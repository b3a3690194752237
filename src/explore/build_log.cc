#include "explore/build_log.h"

#include <algorithm>
#include <ctime>
#include <fmt/format.h>
#include <regex>
#include <sstream>
#include <unordered_map>

#include "base/file.h"

namespace gpuscope::explore {
namespace {

struct Line {
  double t = -1;          // seconds (from the [MM/DD/YYYY-HH:MM:SS] stamp), -1 without
  char severity = 0;      // I, V, W, E, F
  bool trt = false;       // came from the TensorRT library ("[TRT] ")
  std::string_view text;  // after the prefixes
};

// "[10/31/2023-17:53:30] [V] [TRT] text"
Line splitLine(std::string_view s) {
  Line l;
  l.text = s;
  if (s.size() < 26 || s[0] != '[' || s[20] != ']') return l;
  int mo, d, y, h, mi, se;
  if (std::sscanf(std::string(s.substr(1, 19)).c_str(), "%d/%d/%d-%d:%d:%d", &mo, &d, &y, &h, &mi, &se) != 6) return l;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  l.t = double(timegm(&tm));
  s.remove_prefix(21);
  if (s.size() >= 4 && s[0] == ' ' && s[1] == '[' && s[3] == ']') {
    l.severity = s[2];
    s.remove_prefix(4);
  }
  if (s.size() >= 1 && s[0] == ' ') s.remove_prefix(1);
  if (s.rfind("[TRT] ", 0) == 0) {
    l.trt = true;
    s.remove_prefix(6);
  }
  l.text = s;
  return l;
}

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string sectionKey(std::string_view header) {
  // "Model Options" -> model_options, "Device Information" -> device_information
  std::string k;
  for (char c : header) k += c == ' ' ? '_' : char(std::tolower(static_cast<unsigned char>(c)));
  return k;
}

double parseDouble(const std::string& s, double fallback) {
  try {
    size_t used = 0;
    double v = std::stod(s, &used);
    return used ? v : fallback;
  } catch (...) {
    return fallback;
  }
}

}  // namespace

StatusOr<BuildLog> readBuildLog(const std::string& path) {
  GS_ASSIGN_OR_RETURN(std::string text, readFile(path));
  BuildLog log;
  static const std::regex version_re(R"(\[TensorRT v([0-9]+)\])");
  static const std::regex phase_re(R"(^(Original|After [^:]+): ([0-9]+) layers$)");
  static const std::regex fusing_re(R"(^(\w+): Fusing (.+) with (.+)$)");
  static const std::regex fusing_into_re(R"(^(\w+): fusing (.+) into (.+)$)");
  static const std::regex runner_re(R"(^-+ Timing Runner: (.+) \(([A-Za-z0-9_]+)(\[0x[0-9a-f]+\])?\)$)");
  static const std::regex tactic_re(R"(^(Tactic Name: \S+ )?Tactic: (0x[0-9a-f]+|[0-9]+) [Tt]ime:? ([0-9.eE+-]+))");
  static const std::regex fastest_re(R"(Fastest Tactic: (0x[0-9a-f]+|[0-9]+) Time: ([0-9.eE+-]+))");
  static const std::regex chose_re(R"(^>+ Chose Runner Type: (\S+) Tactic: (0x[0-9a-f]+|[0-9]+))");
  static const std::regex set_name_re(R"(^(.+) Set Tactic Name: (\S+) Tactic: (0x[0-9a-f]+))");
  static const std::regex scratch_re(R"(^Layer: (.+) Host Persistent: [0-9]+ Device Persistent: [0-9]+ Scratch Memory: ([0-9]+))");
  static const std::regex seconds_re(R"(completed in ([0-9.eE+-]+) seconds)");

  std::unordered_map<std::string, size_t> layer_at;
  auto layerFor = [&](const std::string& name) -> TunedLayer& {
    auto [it, fresh] = layer_at.emplace(name, log.layers.size());
    if (fresh) {
      log.layers.emplace_back();
      log.layers.back().name = name;
    }
    return log.layers[it->second];
  };
  std::string section;            // current "=== X ===" block of trtexec key: value lines
  bool selection_done = false;    // after "Formats and tactics selection completed"
  // Layer of the current timing block, by index: log.layers grows meanwhile.
  constexpr size_t kNone = static_cast<size_t>(-1);
  size_t block_at = kNone;
  double block_start = -1;
  auto closeBlock = [&](double now) {
    if (block_at != kNone && block_start >= 0 && now >= block_start)
      log.layers[block_at].autotune_s += now - block_start;
    block_at = kNone;
    block_start = -1;
  };

  std::istringstream in(text);
  std::string raw;
  std::smatch m;
  while (std::getline(in, raw)) {
    ++log.lines;
    if (!raw.empty() && raw.back() == '\r') raw.pop_back();
    if (startsWith(raw, "&&&& RUNNING")) {
      if (std::regex_search(raw, m, version_re)) log.trt_version = m[1];
      size_t hash = raw.find(" # ");
      if (hash != std::string::npos) log.command = raw.substr(hash + 3);
      continue;
    }
    Line l = splitLine(raw);
    TunedLayer* block = block_at == kNone ? nullptr : &log.layers[block_at];
    std::string t(l.text);
    // trtexec's own option blocks.
    if (!l.trt && startsWith(t, "=== ") && t.size() > 8 && t.compare(t.size() - 4, 4, " ===") == 0) {
      section = sectionKey(t.substr(4, t.size() - 8));
      log.sections[section] = nlohmann::ordered_json::object();
      continue;
    }
    if (!section.empty()) {
      size_t colon = t.find(':');
      if (!l.trt && l.severity == 'I' && colon != std::string::npos && colon > 0) {
        std::string value = t.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        log.sections[section][t.substr(0, colon)] = value;
        continue;
      }
      section.clear();
    }
    if (!l.trt) {
      if (startsWith(t, "Engine built in ")) log.engine_built_s = parseDouble(t.substr(16), -1);
      else if (startsWith(t, "Created engine with size: ")) log.engine_size_mib = parseDouble(t.substr(26), -1);
      continue;
    }
    // TensorRT library lines.
    // Cheap substring tests guard the regexes: logs run to millions of lines.
    const bool has_tactic = t.find("Tactic") != std::string::npos;
    if (t.size() > 7 && t.compare(t.size() - 7, 7, " layers") == 0 && std::regex_match(t, m, phase_re)) {
      log.phases.push_back({m[1], std::stoll(m[2])});
    } else if (t.find("using ") != std::string::npos &&
               (std::regex_match(t, m, fusing_re) || std::regex_match(t, m, fusing_into_re))) {
      // "Fusing A with B": B absorbed into A; "fusing X into Conv": X into Conv.
      bool with = t.find(": Fusing ") != std::string::npos;
      log.fusions.push_back({m[1], with ? m[2].str() : m[3].str(), with ? m[3].str() : m[2].str()});
    } else if (startsWith(t, "Merging layers: ")) {
      log.merges.push_back(t.substr(16));
    } else if (startsWith(t, "Removing ")) {
      ++log.removed_layers;
    } else if (startsWith(t, "[GpuLayer] ")) {
      size_t colon = t.find(": ", 11);
      if (colon != std::string::npos) log.gpu_layers.push_back({t.substr(11, colon - 11), t.substr(colon + 2)});
    } else if (startsWith(t, "---------------") && std::regex_match(t, m, runner_re)) {
      closeBlock(l.t);
      TunedLayer& tl = layerFor(m[1]);
      std::string runner = m[2];
      if (std::find(tl.runners.begin(), tl.runners.end(), runner) == tl.runners.end()) tl.runners.push_back(runner);
      if (runner == "Myelin" || startsWith(tl.name, "{ForeignNode")) tl.myelin = true;
      block_at = static_cast<size_t>(&tl - log.layers.data());
      block_start = l.t;
      ++log.timing_blocks;
    } else if (block && has_tactic && t.find("Set Tactic Name") == std::string::npos &&
               std::regex_search(t, m, tactic_re) && !startsWith(t, "Fastest")) {
      ++block->tactics_timed;
      ++log.tactics_timed;
    } else if (block && has_tactic && std::regex_search(t, m, fastest_re)) {
      double ms = parseDouble(m[2], -1);
      if (ms >= 0 && (block->fastest_ms < 0 || ms < block->fastest_ms)) block->fastest_ms = ms;
      // 10.x: "<layer> (<Runner>[0x..]) profiling completed in S seconds. Fastest Tactic: ..."
      if (std::regex_search(t, m, seconds_re)) {
        block->autotune_s += parseDouble(m[1], 0);
        block_start = -1;
      }
    } else if (block && (t.find("skipping") != std::string::npos || startsWith(t, "Skipping "))) {
      ++block->runners_skipped;
    } else if (startsWith(t, ">>>>") && std::regex_search(t, m, chose_re)) {
      if (block) {
        block->chosen_runner = m[1];
        block->chosen_tactic = m[2];
      }
      closeBlock(l.t);
    } else if (startsWith(t, "=============== Computing") || startsWith(t, "*************** Autotuning")) {
      closeBlock(l.t);
    } else if (has_tactic && t.find(" Set Tactic Name: ") != std::string::npos && std::regex_match(t, m, set_name_re)) {
      // Before selection ends these name the tactic being timed; after, the final choice.
      if (selection_done) {
        auto it = layer_at.find(m[1]);
        if (it != layer_at.end()) log.layers[it->second].kernel = m[2];
      }
    } else if (startsWith(t, "Formats and tactics selection completed")) {
      closeBlock(l.t);
      selection_done = true;
      if (std::regex_search(t, m, seconds_re)) log.tactic_selection_s = parseDouble(m[1], -1);
    } else if (startsWith(t, "Graph construction and optimization completed") ||
               startsWith(t, "Graph optimization time")) {
      std::smatch s2;
      static const std::regex any_s(R"(([0-9.eE+-]+) seconds)");
      if (std::regex_search(t, s2, any_s)) log.graph_optimization_s = parseDouble(s2[1], -1);
    } else if (startsWith(t, "Engine generation completed in ")) {
      log.engine_generation_s = parseDouble(t.substr(31), -1);
    } else if (startsWith(t, "Total Activation Memory: ")) {
      log.activation_memory_bytes = std::stoll("0" + t.substr(25));
    } else if (startsWith(t, "Layer: ") && std::regex_match(t, m, scratch_re)) {
      auto it = layer_at.find(m[1]);
      if (it != layer_at.end()) log.layers[it->second].scratch_bytes = std::stoll(m[2]);
    }
  }
  if (log.lines == 0) return InvalidInput(path + ": empty log");
  if (log.sections.empty() && log.phases.empty() && log.layers.empty() && log.trt_version.empty())
    return InvalidInput(path + ": no trtexec/TensorRT log lines found (expected '[MM/DD/YYYY-HH:MM:SS] [I] ...')");
  return log;
}

nlohmann::ordered_json buildLogMetadata(const BuildLog& log) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& [k, v] : log.sections) {
    nlohmann::ordered_json sec = v;
    if (k == "performance_summary") {
      for (auto& [key, val] : sec.items()) {
        if (!val.is_string()) continue;
        std::string s = val.get<std::string>();
        if (key == "Throughput" || key == "Total Host Walltime" || key == "Total GPU Compute Time") {
          val = parseDouble(s, 0);
        } else if (s.find('=') != std::string::npos) {
          // "min = 0.34 ms, max = ..." -> [0.34, ...]
          nlohmann::ordered_json arr = nlohmann::ordered_json::array();
          for (size_t p = s.find('='); p != std::string::npos; p = s.find('=', p + 1)) arr.push_back(parseDouble(s.substr(p + 1), 0));
          val = arr;
        }
      }
    }
    out[k] = sec;
  }
  return out;
}

std::vector<Table> buildLogTables(const BuildLog& log, size_t max_rows) {
  std::vector<Table> out;
  Table b{"Build", {"key", "value"}, {}};
  auto add = [&](const std::string& k, const std::string& v) { b.rows.push_back({k, v}); };
  if (!log.trt_version.empty()) add("TensorRT", log.trt_version);
  if (!log.command.empty()) add("Command", log.command);
  if (!log.phases.empty())
    add("Layers", fmt::format("{} -> {}", log.phases.front().second, log.phases.back().second));
  if (log.graph_optimization_s >= 0) add("Graph optimization", fmt::format("{:g} s", log.graph_optimization_s));
  if (log.tactic_selection_s >= 0) add("Formats and tactics selection", fmt::format("{:g} s", log.tactic_selection_s));
  if (log.engine_generation_s >= 0) add("Engine generation", fmt::format("{:g} s", log.engine_generation_s));
  if (log.engine_built_s >= 0) add("Engine built in (trtexec)", fmt::format("{:g} s", log.engine_built_s));
  if (log.engine_size_mib >= 0) add("Engine size", fmt::format("{:g} MiB", log.engine_size_mib));
  if (log.activation_memory_bytes >= 0) add("Total activation memory", fmt::format("{} B", log.activation_memory_bytes));
  add("Timing runner blocks", std::to_string(log.timing_blocks));
  add("Tactics timed", std::to_string(log.tactics_timed));
  add("Layers tuned", std::to_string(log.layers.size()));
  add("Fusions", fmt::format("{} (+{} horizontal merges, {} layers removed)", log.fusions.size(), log.merges.size(),
                             log.removed_layers));
  int64_t myelin = 0;
  for (const auto& l : log.layers) myelin += l.myelin;
  add("Myelin foreign nodes", std::to_string(myelin));
  out.push_back(std::move(b));

  Table ph{"Optimization phases", {"phase", "layers"}, {}};
  for (const auto& [p, n] : log.phases) ph.rows.push_back({p, n});
  out.push_back(std::move(ph));

  // Runners: how often each was tried and chosen.
  std::map<std::string, std::pair<int64_t, int64_t>> runners;
  for (const auto& l : log.layers) {
    for (const auto& r : l.runners) runners[r].first++;
    if (!l.chosen_runner.empty()) runners[l.chosen_runner].second++;
  }
  Table rt{"Timing runners", {"runner", "layers tried", "layers chosen"}, {}};
  for (const auto& [r, v] : runners) rt.rows.push_back({r, v.first, v.second});
  out.push_back(std::move(rt));

  std::vector<const TunedLayer*> order;
  for (const auto& l : log.layers) order.push_back(&l);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->autotune_s > b->autotune_s; });
  Table lt{"Tactics by layer (slowest autotuning first)",
           {"layer", "runners", "tactics timed", "fastest ms", "chosen runner", "chosen tactic", "kernel", "autotune s"},
           {}};
  for (size_t i = 0; i < order.size() && i < max_rows; ++i) {
    const TunedLayer& l = *order[i];
    std::string runners_s;
    for (const auto& r : l.runners) runners_s += (runners_s.empty() ? "" : ",") + r;
    lt.rows.push_back({l.name, runners_s, l.tactics_timed, l.fastest_ms, l.chosen_runner, l.chosen_tactic, l.kernel,
                       l.autotune_s});
  }
  out.push_back(std::move(lt));

  Table my{"Myelin foreign nodes", {"layer", "autotune s", "chosen tactic", "scratch bytes"}, {}};
  for (const auto& l : log.layers)
    if (l.myelin) my.rows.push_back({l.name, l.autotune_s, l.chosen_tactic, l.scratch_bytes});
  out.push_back(std::move(my));

  std::map<std::string, int64_t> by_pass;
  for (const auto& f : log.fusions) by_pass[f.pass]++;
  Table fp{"Fusions by pass", {"pass", "count"}, {}};
  for (const auto& [p, n] : by_pass) fp.rows.push_back({p, n});
  out.push_back(std::move(fp));
  Table fl{"Fusions", {"pass", "into", "fused"}, {}};
  for (size_t i = 0; i < log.fusions.size() && i < max_rows; ++i)
    fl.rows.push_back({log.fusions[i].pass, log.fusions[i].into, log.fusions[i].fused});
  for (const auto& mrg : log.merges) fl.rows.push_back({std::string("Merging layers"), mrg, std::string("")});
  out.push_back(std::move(fl));
  return out;
}

}  // namespace gpuscope::explore
