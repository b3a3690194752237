#include "tracer/ab_knobs.h"

#include <charconv>

namespace gpuscope::tracer {
namespace {

Status bad(std::string_view token, std::string_view expected) {
  return InvalidInput(std::string(kEnvTraceAb) + ": token '" + std::string(token) + "': expected " +
                      std::string(expected));
}

// "0"/"1" -> bool.
bool parseBool(std::string_view v, bool* out) {
  if (v == "0") *out = false;
  else if (v == "1") *out = true;
  else return false;
  return true;
}

bool parseInt(std::string_view v, int64_t lo, int64_t hi, int64_t* out) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi) return false;
  *out = n;
  return true;
}

Status applyToken(std::string_view token, AbKnobs* k) {
  size_t eq = token.find('=');
  if (eq == std::string_view::npos) return bad(token, "NAME=VALUE (see src/tracer/ab_knobs.h)");
  std::string_view name = token.substr(0, eq), v = token.substr(eq + 1);
  int64_t n = 0;
  auto boolean = [&](bool* field) { return parseBool(v, field) ? OkStatus() : bad(token, "0 or 1"); };
  if (name == "driver") return boolean(&k->driver);
  if (name == "zeroed") return boolean(&k->zeroed);
  if (name == "graph_cb") return boolean(&k->graph_cb);
  if (name == "reset_cb") return boolean(&k->reset_cb);
  if (name == "subscribe") return boolean(&k->subscribe);
  if (name == "extcorr") return boolean(&k->extcorr);
  if (name == "graph_trace") return boolean(&k->graph_trace);
  if (name == "kernel_first") return boolean(&k->kernel_first);
  if (name == "api") return boolean(&k->api);
  if (name == "api_ids") return boolean(&k->api_ids);
  if (name == "kernels") return boolean(&k->kernels);
  if (name == "memcpy") return boolean(&k->memcpy_kind);
  if (name == "memset") return boolean(&k->memset_kind);
  if (name == "decode") return boolean(&k->decode);
  if (name == "dropped_query") return boolean(&k->dropped_query);
  if (name == "per_thread") {
    bool b = false;
    if (!parseBool(v, &b)) return bad(token, "0 or 1");
    k->per_thread = b ? 1 : 0;
    return OkStatus();
  }
  if (name == "filter") {
    if (v == "ours") k->filter = ApiFilterKind::kOurs;
    else if (v == "kineto") k->filter = ApiFilterKind::kKineto;
    else if (v == "none") k->filter = ApiFilterKind::kNone;
    else return bad(token, "ours, kineto or none");
    return OkStatus();
  }
  if (name == "tid") {
    if (v == "system") k->tid_system = true;
    else if (v == "default") k->tid_system = false;
    else return bad(token, "system or default");
    return OkStatus();
  }
  if (name == "flush") {
    if (v == "ours") k->flush = FlushKind::kOurs;
    else if (v == "cupti") k->flush = FlushKind::kCupti;
    else if (v == "none") k->flush = FlushKind::kNone;
    else return bad(token, "ours, cupti or none");
    return OkStatus();
  }
  if (name == "sync") {
    if (v == "cb") k->sync = SyncKind::kCallbacks;
    else if (v == "kind") k->sync = SyncKind::kActivity;
    else if (v == "0") k->sync = SyncKind::kOff;
    else return bad(token, "cb, kind or 0");
    return OkStatus();
  }
  if (name == "nvtx_cb") {
    if (v == "ids") k->nvtx_cb = NvtxCallbackKind::kIds;
    else if (v == "domain") k->nvtx_cb = NvtxCallbackKind::kDomain;
    else if (v == "off") k->nvtx_cb = NvtxCallbackKind::kOff;
    else return bad(token, "ids, domain or off");
    return OkStatus();
  }
  if (name == "clock") {
    if (v == "cupti") k->clock = ClockKind::kCupti;
    else if (v == "monotonic") k->clock = ClockKind::kMonotonic;
    else if (v == "tsc") k->clock = ClockKind::kTsc;
    else return bad(token, "cupti, monotonic or tsc");
    return OkStatus();
  }
  if (name == "buf_kb") {
    if (!parseInt(v, 64, 262144, &n)) return bad(token, "KiB 64..262144");
    k->buffer_bytes = size_t(n) << 10;
    return OkStatus();
  }
  if (name == "dev_buf_kb") {
    if (!parseInt(v, 256, 1048576, &n)) return bad(token, "KiB 256..1048576");
    k->device_buffer_bytes = size_t(n) << 10;
    return OkStatus();
  }
  if (name == "prefill") {
    if (!parseInt(v, 0, 64, &n)) return bad(token, "0..64");
    k->prefill = size_t(n);
    return OkStatus();
  }
  if (name == "max_idle") {
    if (!parseInt(v, 0, 256, &n)) return bad(token, "0..256");
    k->max_idle = size_t(n);
    return OkStatus();
  }
  if (name == "writer_nice") {
    if (!parseInt(v, 0, 19, &n)) return bad(token, "0..19");
    k->writer_nice = int(n);
    return OkStatus();
  }
  return bad(token, "a knob listed in src/tracer/ab_knobs.h");
}

const char* filterName(ApiFilterKind f) {
  return f == ApiFilterKind::kOurs ? "ours" : f == ApiFilterKind::kKineto ? "kineto" : "none";
}
const char* flushName(FlushKind f) { return f == FlushKind::kOurs ? "ours" : f == FlushKind::kCupti ? "cupti" : "none"; }
const char* syncName(SyncKind k) {
  return k == SyncKind::kCallbacks ? "cb" : k == SyncKind::kActivity ? "kind" : "0";
}
const char* nvtxName(NvtxCallbackKind n) {
  return n == NvtxCallbackKind::kIds ? "ids" : n == NvtxCallbackKind::kDomain ? "domain" : "off";
}

}  // namespace

const char* clockName(ClockKind kind) {
  switch (kind) {
    case ClockKind::kMonotonic: return "monotonic";
    case ClockKind::kTsc: return "tsc";
    case ClockKind::kCupti: break;
  }
  return "cupti";
}

StatusOr<AbKnobs> parseAbKnobs(std::string_view text) {
  AbKnobs k;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view token = text.substr(pos, comma - pos);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (!token.empty()) GS_RETURN_IF_ERROR(applyToken(token, &k));
    pos = comma + 1;
  }
  return k;
}

std::string AbKnobs::describe() const {
  const AbKnobs d;
  std::string out;
  auto add = [&](const std::string& t) { out += out.empty() ? t : "," + t; };
  auto b = [](bool v) { return std::string(v ? "1" : "0"); };
  if (driver != d.driver) add("driver=" + b(driver));
  if (filter != d.filter) add(std::string("filter=") + filterName(filter));
  if (zeroed != d.zeroed) add("zeroed=" + b(zeroed));
  if (tid_system != d.tid_system) add(std::string("tid=") + (tid_system ? "system" : "default"));
  if (per_thread != d.per_thread) add("per_thread=" + std::to_string(per_thread));
  if (buffer_bytes != d.buffer_bytes) add("buf_kb=" + std::to_string(buffer_bytes >> 10));
  if (prefill != d.prefill) add("prefill=" + std::to_string(prefill));
  if (max_idle != d.max_idle) add("max_idle=" + std::to_string(max_idle));
  if (device_buffer_bytes != d.device_buffer_bytes) add("dev_buf_kb=" + std::to_string(device_buffer_bytes >> 10));
  if (flush != d.flush) add(std::string("flush=") + flushName(flush));
  if (nvtx_cb != d.nvtx_cb) add(std::string("nvtx_cb=") + nvtxName(nvtx_cb));
  if (graph_cb != d.graph_cb) add("graph_cb=" + b(graph_cb));
  if (reset_cb != d.reset_cb) add("reset_cb=" + b(reset_cb));
  if (subscribe != d.subscribe) add("subscribe=" + b(subscribe));
  if (sync != d.sync) add(std::string("sync=") + syncName(sync));
  if (extcorr != d.extcorr) add("extcorr=" + b(extcorr));
  if (graph_trace != d.graph_trace) add("graph_trace=" + b(graph_trace));
  if (kernel_first != d.kernel_first) add("kernel_first=" + b(kernel_first));
  if (api != d.api) add("api=" + b(api));
  if (api_ids != d.api_ids) add("api_ids=" + b(api_ids));
  if (kernels != d.kernels) add("kernels=" + b(kernels));
  if (memcpy_kind != d.memcpy_kind) add("memcpy=" + b(memcpy_kind));
  if (memset_kind != d.memset_kind) add("memset=" + b(memset_kind));
  if (decode != d.decode) add("decode=" + b(decode));
  if (dropped_query != d.dropped_query) add("dropped_query=" + b(dropped_query));
  if (writer_nice != d.writer_nice) add("writer_nice=" + std::to_string(writer_nice));
  if (clock != d.clock) add(std::string("clock=") + clockName(clock));
  return out;
}

}  // namespace gpuscope::tracer
