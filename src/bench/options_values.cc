// Values of trtexec's options: numbers, the trtexec version, profiling
// verbosity, memory pool sizes and tensor shape lists. Which options exist
// in which version is options.cc's business.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

#include "bench/options.h"
#include "bench/options_values.h"

namespace gpuscope::bench {
namespace {

// "1024" (MiB), 10+: "512M", "1.5G", "4096K", "100B".
StatusOr<int64_t> parsePoolSize(const TrtexecVersion& v, const std::string& key, const std::string& text) {
  if (text.empty()) return badValue(key, text, "a size");
  double unit = double(1 << 20);
  std::string number = text;
  char last = text.back();
  if (v.major >= 10 && (last == 'B' || last == 'K' || last == 'M' || last == 'G')) {
    unit = last == 'B' ? 1.0 : last == 'K' ? 1024.0 : last == 'M' ? double(1 << 20) : double(1 << 30);
    number.pop_back();
  }
  GS_ASSIGN_OR_RETURN(float size, parseFloat(key, number));
  if (size < 0) return badValue(key, text, "a size >= 0");
  return int64_t(std::llround(double(size) * unit));
}

}  // namespace

Status badValue(const std::string& key, const std::string& value, const std::string& expected) {
  return InvalidInput(fmt::format("{}={}: expected {}", key, value, expected));
}

StatusOr<int64_t> parseInt(const std::string& key, const std::string& value) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno == ERANGE) return badValue(key, value, "an integer");
  return int64_t(v);
}

StatusOr<float> parseFloat(const std::string& key, const std::string& value) {
  errno = 0;
  char* end = nullptr;
  float v = std::strtof(value.c_str(), &end);
  if (value.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v)) return badValue(key, value, "a number");
  return v;
}

StatusOr<TrtexecVersion> parseVersion(const std::string& value) {
  TrtexecVersion v;
  if (value == "8.6" || value == "8.6.1") return TrtexecVersion{8, 6};
  if (value == "10") return TrtexecVersion{10, 16};
  if (value == "11" || value == "11.0") return TrtexecVersion{11, 0};
  if (value == "11.1") return TrtexecVersion{11, 1};
  if (value.rfind("10.", 0) == 0) {
    auto minor = parseInt("--trtexecVersion", value.substr(3));
    if (minor.ok() && *minor >= 0 && *minor <= 16) return TrtexecVersion{10, int(*minor)};
  }
  return badValue("--trtexecVersion", value, "8.6, 10, 10.N (N = 0..16), 11 or 11.1");
}

StatusOr<engine::ProfilingVerbosity> parseVerbosity(const std::string& key, const std::string& value,
                                                     std::vector<std::string>& warnings) {
  using PV = engine::ProfilingVerbosity;
  if (value == "layer_names_only") return PV::kLayerNamesOnly;
  if (value == "detailed") return PV::kDetailed;
  if (value == "none") return PV::kNone;
  if (value == "default" || value == "verbose") {
    warnings.push_back(fmt::format("--profilingVerbosity={} has been deprecated, use --profilingVerbosity={}",
                                   value, value == "default" ? "layer_names_only" : "detailed"));
    return value == "default" ? PV::kLayerNamesOnly : PV::kDetailed;
  }
  return badValue(key, value, "layer_names_only, detailed or none");
}

Status parseMemPool(const TrtexecVersion& v, const std::string& value, BenchOptions& o,
                    std::vector<std::string>& warnings) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t colon = item.find(':');
    if (colon == std::string::npos) return badValue("--memPoolSize", value, "pool:size,... (workspace:1024)");
    std::string pool = item.substr(0, colon);
    GS_ASSIGN_OR_RETURN(int64_t bytes, parsePoolSize(v, "--memPoolSize", item.substr(colon + 1)));
    if (pool == "workspace") {
      o.workspace_bytes = bytes;
    } else if (pool == "dlaSRAM" || pool == "dlaLocalDRAM" || pool == "dlaGlobalDRAM" ||
               (pool == "tacticSharedMem" && v.major >= 10)) {
      warnings.push_back("--memPoolSize: pool " + pool + " does not apply to gpuscope's engine; ignored");
    } else {
      return badValue("--memPoolSize", value, "pools workspace, dlaSRAM, dlaLocalDRAM, dlaGlobalDRAM" +
                                                  std::string(v.major >= 10 ? ", tacticSharedMem" : ""));
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return OkStatus();
}

std::string TrtexecVersion::text() const { return fmt::format("{}.{}", major, minor); }

StatusOr<ShapeList> parseShapeSpec(const std::string& option, const std::string& spec) {
  ShapeList out;
  size_t pos = 0;
  while (pos < spec.size()) {
    std::string name;
    if (spec[pos] == '\'' || spec[pos] == '"') {  // quoted names may hold ':' and ','
      char q = spec[pos];
      size_t close = spec.find(q, pos + 1);
      if (close == std::string::npos) return badValue(option, spec, "a closing quote after the name");
      name = spec.substr(pos + 1, close - pos - 1);
      pos = close + 1;
      if (pos >= spec.size() || spec[pos] != ':') return badValue(option, spec, "name:AxBxC after a quoted name");
    } else {
      size_t colon = spec.rfind(':', spec.find(',', pos) == std::string::npos ? std::string::npos
                                                                               : spec.find(',', pos));
      if (colon == std::string::npos || colon < pos) return badValue(option, spec, "name:AxBxC[,name:...]");
      name = spec.substr(pos, colon - pos);
      pos = colon;
    }
    ++pos;  // ':'
    size_t comma = spec.find(',', pos);
    std::string dims = spec.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? spec.size() : comma + 1;
    if (name.empty()) return badValue(option, spec, "a tensor name before ':'");
    engine::Shape shape;
    if (!dims.empty() && dims != "scalar") {
      size_t s = 0;
      while (true) {
        size_t x = dims.find('x', s);
        std::string d = dims.substr(s, x == std::string::npos ? std::string::npos : x - s);
        auto v = parseInt(option, d);
        if (!v.ok() || *v < 0) return badValue(option, spec, "dimensions >= 0 separated by 'x' for '" + name + "'");
        shape.push_back(*v);
        if (x == std::string::npos) break;
        s = x + 1;
      }
    }
    for (const auto& [n, _] : out)
      if (n == name) return InvalidInput(option + ": tensor '" + name + "' is given twice");
    out.emplace_back(name, std::move(shape));
  }
  return out;
}

}  // namespace gpuscope::bench
