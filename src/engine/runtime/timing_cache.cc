#include "engine/runtime/timing_cache.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "base/file.h"

namespace gpuscope::engine {
namespace {

constexpr const char* kMagic = "gpuscope-timing-cache";

std::string escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else out += c;
  }
  return out;
}

bool unescape(std::string_view s, std::string& out) {
  out.clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) return false;
    switch (s[i]) {
      case '\\': out += '\\'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      default: return false;
    }
  }
  return true;
}

void appendAttr(std::string& sig, const AttrValue& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, int64_t>) sig += fmt::format("i:{}", x);
        else if constexpr (std::is_same_v<T, float>) sig += fmt::format("f:{}", x);
        else if constexpr (std::is_same_v<T, std::string>) sig += "s:" + x;
        else if constexpr (std::is_same_v<T, std::vector<int64_t>>) sig += fmt::format("I:{}", fmt::join(x, ","));
        else if constexpr (std::is_same_v<T, std::vector<float>>) sig += fmt::format("F:{}", fmt::join(x, ","));
        else if constexpr (std::is_same_v<T, std::vector<std::string>>) sig += fmt::format("S:{}", fmt::join(x, ","));
        else if (x)
          sig += fmt::format("t:{}:{}:{:016x}", dtypeName(x->dtype()), shapeText(x->shape()),
                             fnv1a64(x->raw(), x->byteSize()));
        else sig += "t:null";
      },
      v);
}

void appendDesc(std::string& sig, const TensorDesc& d) { sig += fmt::format("{}[{}]", dtypeName(d.dtype), shapeText(d.shape)); }

}  // namespace

uint64_t fnv1a64(const void* data, size_t size, uint64_t seed) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t h = seed;
  for (size_t i = 0; i < size; ++i) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string layerSignature(const Graph& graph, NodeId n, int cc_major, int cc_minor) {
  const Node& node = graph.nodes[size_t(n)];
  std::string sig = node.op + "|";
  for (const auto& [name, value] : node.attrs.all()) {
    sig += name + "=";
    appendAttr(sig, value);
    sig += ";";
  }
  sig += "|in:";
  for (ValueId v : node.inputs) {
    if (v == kNoValue) {
      sig += "none,";
      continue;
    }
    appendDesc(sig, graph.values[size_t(v)].desc);
    if (const HostTensor* c = graph.constantOf(v)) {
      sig += "=const";
      if (c->elements() <= 256) sig += fmt::format(":{:016x}", fnv1a64(c->raw(), c->byteSize()));
    }
    sig += ",";
  }
  sig += "|out:";
  for (ValueId v : node.outputs) {
    appendDesc(sig, graph.values[size_t(v)].desc);
    sig += ",";
  }
  sig += fmt::format("|sm_{}{}", cc_major, cc_minor);
  return sig;
}

std::optional<TimingEntry> TimingCache::find(const std::string& signature) const {
  auto it = entries_.find(signature);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

std::string TimingCache::serialize() const {
  std::string out = fmt::format("{} {}\n", kMagic, kTimingCacheVersion);
  for (const auto& [sig, e] : entries_) out += fmt::format("{:016x}\t{:.9g}\t{}\n", e.tactic, e.ms, escape(sig));
  return out;
}

StatusOr<TimingCache> TimingCache::parse(const std::string& text, const std::string& path) {
  TimingCache cache;
  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) return InvalidInput(fmt::format("{}: line {} is truncated (no newline)", path, line_no + 1));
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line_no == 1) {
      std::string expected = fmt::format("{} {}", kMagic, kTimingCacheVersion);
      if (line != expected)
        return InvalidInput(fmt::format("{}: line 1: expected header '{}', got '{}'", path, expected,
                                        std::string(line.substr(0, 64))));
      continue;
    }
    size_t t1 = line.find('\t'), t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string_view::npos) return InvalidInput(fmt::format("{}: line {}: expected 3 tab-separated fields", path, line_no));
    std::string id(line.substr(0, t1)), ms(line.substr(t1 + 1, t2 - t1 - 1));
    char* stop = nullptr;
    errno = 0;
    TimingEntry e;
    e.tactic = std::strtoull(id.c_str(), &stop, 16);
    if (id.size() != 16 || errno != 0 || *stop != '\0')
      return InvalidInput(fmt::format("{}: line {}: tactic '{}' is not 16 hex digits", path, line_no, id));
    e.ms = std::strtod(ms.c_str(), &stop);
    if (ms.empty() || *stop != '\0' || !(e.ms >= 0))
      return InvalidInput(fmt::format("{}: line {}: time '{}' is not a non-negative number", path, line_no, ms));
    std::string sig;
    if (!unescape(line.substr(t2 + 1), sig) || sig.empty())
      return InvalidInput(fmt::format("{}: line {}: bad signature escape", path, line_no));
    cache.entries_[sig] = e;
  }
  if (line_no == 0) return InvalidInput(fmt::format("{}: empty file (expected header '{} {}')", path, kMagic, kTimingCacheVersion));
  return cache;
}

TimingCache TimingCache::load(const std::string& path, std::string* warning) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  auto text = readFile(path);
  if (!text.ok()) {
    if (warning) *warning = text.status().message();
    return {};
  }
  auto cache = parse(*text, path);
  if (!cache.ok()) {
    if (warning) *warning = cache.status().message() + "; ignoring the timing cache";
    return {};
  }
  return std::move(cache).value();
}

Status TimingCache::save(const std::string& path) const {
  GS_ASSIGN_OR_RETURN(AtomicOutput out, AtomicOutput::create(path, /*force=*/true));
  GS_RETURN_IF_ERROR(out.write(serialize()));
  return out.commit();
}

}  // namespace gpuscope::engine
