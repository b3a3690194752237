#include "bench/exports.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "base/file.h"
#include "bench/report.h"
#include "bench/stats.h"

namespace gpuscope::bench {

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  return out + "\"";
}

std::string timesJson(const std::vector<InferenceTrace>& trace, size_t first) {
  std::string os = "[\n";
  const char* sep = "  ";
  for (size_t i = first; i < trace.size(); ++i) {
    const InferenceTrace& t = trace[i];
    const InferenceTime it = traceToTiming(t);
    os += sep;
    os += "{ ";
    sep = ", ";
    os += "\"startEnqMs\" : " + num(t.enq_start) + sep + "\"endEnqMs\" : " + num(t.enq_end) + sep;
    os += "\"startH2dMs\" : " + num(t.h2d_start) + sep + "\"endH2dMs\" : " + num(t.h2d_end) + sep;
    os += "\"startComputeMs\" : " + num(t.compute_start) + sep + "\"endComputeMs\" : " + num(t.compute_end) + sep;
    os += "\"startD2hMs\" : " + num(t.d2h_start) + sep + "\"endD2hMs\" : " + num(t.d2h_end) + sep;
    os += "\"h2dMs\" : " + num(it.h2d) + sep + "\"computeMs\" : " + num(it.compute) + sep;
    os += "\"d2hMs\" : " + num(it.d2h) + sep + "\"latencyMs\" : " + num(it.latency()) + " }\n";
  }
  os += "]\n";
  return os;
}

std::string profileJson(const Profile& profile) {
  float total = 0.0F;
  for (const LayerProfile& l : profile.layers) total += l.total_ms;
  std::string os = "[\n  { \"count\" : " + std::to_string(profile.iterations()) + " }\n";
  for (const LayerProfile& l : profile.layers) {
    std::vector<float> sorted = l.samples_ms;
    std::sort(sorted.begin(), sorted.end());
    const float avg = l.samples_ms.empty() ? 0.0F : l.total_ms / float(l.samples_ms.size());
    const float median = sorted.empty() ? 0.0F : findMedian(sorted);
    const float pct = total > 0 ? l.total_ms / total * 100 : 0.0F;
    os += ", { \"name\" : " + jsonString(l.name) + ", \"timeMs\" : " + num(l.total_ms) + ", \"averageMs\" : " +
          num(avg) + ", \"medianMs\" : " + num(median) + ", \"percentage\" : " + num(pct) + " }\n";
  }
  os += "]\n";
  return os;
}

namespace {
std::string valueText(engine::DType dtype, const uint8_t* p) {
  using engine::DType;
  switch (dtype) {
    case DType::kFloat32: { float v; std::memcpy(&v, p, 4); return num(v); }
    case DType::kFloat16: { uint16_t v; std::memcpy(&v, p, 2); return num(engine::halfToFloat(v)); }
    case DType::kBFloat16: { uint16_t v; std::memcpy(&v, p, 2); return num(engine::bf16ToFloat(v)); }
    case DType::kFloat64: { double v; std::memcpy(&v, p, 8); return num(v); }
    case DType::kInt64: { int64_t v; std::memcpy(&v, p, 8); return std::to_string(v); }
    case DType::kInt32: { int32_t v; std::memcpy(&v, p, 4); return std::to_string(v); }
    case DType::kInt8: return std::to_string(int(int8_t(*p)));
    case DType::kUInt8: return std::to_string(int(*p));
    case DType::kBool: return *p ? "1" : "0";
  }
  return "0";
}
}  // namespace

std::string outputJson(const std::vector<OutputTensor>& outputs) {
  std::string os = "[\n";
  std::string sep = "  ";
  for (const OutputTensor& o : outputs) {
    os += sep + "{ \"name\" : " + jsonString(o.name) + "\n";
    sep = ", ";
    std::string dims;
    for (size_t i = 0; i < o.shape.size(); ++i) {
      if (i) dims += 'x';
      dims += std::to_string(o.shape[i]);
    }
    os += "  " + sep + "\"dimensions\" : \"" + dims + "\"\n";
    os += "  " + sep + "\"values\" : [ ";
    const size_t esize = engine::dtypeSize(o.dtype);
    for (size_t i = 0; esize && (i + 1) * esize <= o.bytes.size(); ++i) {
      if (i) os += sep;
      os += valueText(o.dtype, o.bytes.data() + i * esize);
    }
    os += " ]\n  }\n";
  }
  os += "]\n";
  return os;
}

StatusOr<std::vector<uint8_t>> loadInputFile(const std::string& tensor, const std::string& path,
                                             int64_t expected_bytes) {
  GS_ASSIGN_OR_RETURN(std::string data, readFile(path));
  if (int64_t(data.size()) != expected_bytes)
    return InvalidInput("--loadInputs: " + path + " has " + std::to_string(data.size()) + " bytes, input '" +
                        tensor + "' needs " + std::to_string(expected_bytes) +
                        " (raw values of the input's type, no header)");
  return std::vector<uint8_t>(data.begin(), data.end());
}

Status writeFileAtomic(const std::string& path, const std::string& text) {
  GS_ASSIGN_OR_RETURN(AtomicOutput out, AtomicOutput::create(path, /*force=*/true));
  GS_RETURN_IF_ERROR(out.write(text));
  return out.commit();
}

}  // namespace gpuscope::bench
