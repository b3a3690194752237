#include "importers/kineto_json/event_sink.h"

#include <algorithm>

namespace gpuscope::importers::kineto_json {
namespace {

using model::Severity;

constexpr size_t kMaxCategoryChars = 64;   // of a category echoed in a counter name
constexpr size_t kMaxDynamicCounters = 200;

// Chrome trace phases that exist but are not modelled (async, object,
// sample, mark, clock-sync, context events).
bool isKnownChromePhase(char ph) {
  switch (ph) {
    case 'b': case 'n': case 'e': case 'P': case 'N': case 'O': case 'D':
    case 'V': case 'v': case 'R': case 'c': case '(': case ')':
      return true;
    default:
      return false;
  }
}

std::string counterName(std::string_view prefix, std::string_view suffix) {
  std::string name(prefix);
  if (!suffix.empty()) {
    name += ':';
    name.append(suffix.substr(0, kMaxCategoryChars));
  }
  return name;
}

}  // namespace

EventSink::EventSink(model::Trace& trace, size_t expected_events) : trace_(trace) {
  // Proportions seen in PyTorch training traces; vectors still grow if off.
  trace_.cpu_ops.reserve(expected_events * 2 / 5);
  trace_.api_calls.reserve(expected_events / 5);
  trace_.kernels.reserve(expected_events / 6);
  ac2g_starts_.reserve(expected_events / 8);
  ac2g_ends_.reserve(expected_events / 6);
}

void EventSink::count(std::string_view name, Severity severity, std::string_view description,
                      size_t offset, int64_t n) {
  if (last_counter_ < counters_.size() && counters_[last_counter_].name == name) {
    counters_[last_counter_].count += n;
    return;
  }
  for (size_t i = 0; i < counters_.size(); ++i) {
    if (counters_[i].name == name) {
      counters_[i].count += n;
      last_counter_ = i;
      return;
    }
  }
  counters_.push_back({std::string(name), severity, std::string(description), n, offset});
  last_counter_ = counters_.size() - 1;
}

void EventSink::countSkippedCategory(const RawEvent& e, Category c, std::string_view prefix) {
  std::string name = counterName(prefix, e.cat);
  std::string_view description;
  std::string owned;
  if (prefix == "kineto_skipped_instant") {
    description = "instant events (ph i/I: iteration markers, Record Window End, [memory]): the "
                  "model has no instant-event table";
  } else if (prefix == "kineto_skipped_counter") {
    description = "counter events (ph C): the model has no counter table";
  } else if (prefix == "kineto_skipped_flow") {
    description = c == Category::kFwdBwd
                      ? skipReason(c)
                      : "flow events of a category other than ac2g: not used for linking";
  } else if (c == Category::kUnknown || c == Category::kNone) {
    name = counterName("kineto_unknown_category", e.cat.empty() ? "(none)" : e.cat);
    owned = "events of category '" + std::string(e.cat.substr(0, kMaxCategoryChars)) +
            "' are not recognised by the Kineto importer";
    description = owned;
  } else {
    description = skipReason(c);
  }
  if (counters_.size() >= kMaxDynamicCounters) {
    bool exists = std::any_of(counters_.begin(), counters_.end(),
                              [&](const Counter& k) { return k.name == name; });
    if (!exists) name = std::string(prefix) + ":(more categories)";
  }
  count(name, Severity::kInfo, description, e.offset);
}

void EventSink::handle(const RawEvent& e) {
  if (e.ph.empty()) {
    count("kineto_event_without_ph", Severity::kDataLoss,
          "events without a \"ph\" (phase) string cannot be interpreted", e.offset);
    return;
  }
  const char ph = e.ph.size() == 1 ? e.ph[0] : '?';
  const Category c = classifyCategory(e.cat);
  switch (ph) {
    case 'X': handleComplete(e, c); return;
    case 'B': handleBegin(e); return;
    case 'E': handleEnd(e); return;
    case 'i':
    case 'I': countSkippedCategory(e, c, "kineto_skipped_instant"); return;
    case 's':
    case 'f':
    case 't': handleFlow(e, c); return;
    case 'M': handleMetadata(e); return;
    case 'C': countSkippedCategory(e, c, "kineto_skipped_counter"); return;
    default: break;
  }
  std::string_view shown = e.ph.substr(0, 8);
  if (isKnownChromePhase(ph)) {
    count(counterName("kineto_skipped_phase", shown), Severity::kInfo,
          "Chrome trace phases for async, object, sample, mark and clock-sync events are not "
          "modelled",
          e.offset);
  } else {
    count(counterName("kineto_unknown_phase", shown), Severity::kInfo,
          "events with a phase (\"ph\") that is not a Chrome trace phase", e.offset);
  }
}

void EventSink::handleComplete(const RawEvent& e, Category c) {
  if (!e.has_ts) {
    count("kineto_event_without_ts", Severity::kDataLoss,
          "duration events without a \"ts\" cannot be placed in time", e.offset);
    return;
  }
  if (e.has_dur && e.dur_ns < 0) {
    count("kineto_negative_duration_clamped", Severity::kInfo,
          "events with a negative \"dur\": stored with duration 0, as Kineto does", e.offset);
  }
  switch (c) {
    case Category::kCpuOp: addCpuOp(e, static_cast<int32_t>(model::CpuOpKind::kCpuOp)); return;
    case Category::kPythonFunction:
      addCpuOp(e, static_cast<int32_t>(model::CpuOpKind::kPythonFunction));
      return;
    case Category::kUserAnnotation: addUserAnnotation(e); return;
    case Category::kGpuUserAnnotation: addGpuAnnotation(e); return;
    case Category::kCudaRuntime: addApiCall(e, static_cast<int32_t>(model::ApiKind::kRuntime)); return;
    case Category::kCudaDriver: addApiCall(e, static_cast<int32_t>(model::ApiKind::kDriver)); return;
    case Category::kKernel: addKernel(e); return;
    case Category::kGpuMemcpy: addMemcpy(e); return;
    case Category::kGpuMemset: addMemset(e); return;
    case Category::kCudaSync: addSync(e); return;
    case Category::kTrace:
      if (span_start_ == model::kNullI64) {
        span_start_ = e.ts_ns;
        span_end_ = endOf(e);
      }
      countSkippedCategory(e, c, "kineto_skipped");
      return;
    default: countSkippedCategory(e, c, "kineto_skipped"); return;
  }
}

void EventSink::handleBegin(const RawEvent& e) {
  std::string key = std::to_string(e.pid.value) + "/" + std::string(e.pid.text) + "/" +
                    std::to_string(e.tid.value) + "/" + std::string(e.tid.text);
  OpenBegin open{e, e.offset};
  // The event's strings live in the batch buffer: keep interned copies.
  open.event.name = trace_.str(trace_.strings.intern(e.name));
  open.event.cat = trace_.str(trace_.strings.intern(e.cat));
  open.event.pid.text = trace_.str(trace_.strings.intern(e.pid.text));
  open.event.tid.text = trace_.str(trace_.strings.intern(e.tid.text));
  open.event.args.input_dims = trace_.str(trace_.strings.intern(e.args.input_dims));
  open.event.args.name = {};
  open.event.args.labels = {};
  open.event.ph = "X";
  open.event.bp = {};
  open_begins_[key].push_back(std::move(open));
}

void EventSink::handleEnd(const RawEvent& e) {
  std::string key = std::to_string(e.pid.value) + "/" + std::string(e.pid.text) + "/" +
                    std::to_string(e.tid.value) + "/" + std::string(e.tid.text);
  auto it = open_begins_.find(key);
  if (it == open_begins_.end() || it->second.empty() || !e.has_ts) {
    count("kineto_end_without_begin", Severity::kDataLoss,
          "\"E\" events with no open \"B\" event on their thread (or without ts)", e.offset);
    return;
  }
  OpenBegin open = std::move(it->second.back());
  it->second.pop_back();
  RawEvent complete = open.event;
  complete.has_dur = true;
  complete.dur_ns = complete.has_ts ? e.ts_ns - complete.ts_ns : 0;
  handleComplete(complete, classifyCategory(complete.cat));
}

void EventSink::handleFlow(const RawEvent& e, Category c) {
  if (c != Category::kAc2g) {
    countSkippedCategory(e, c, "kineto_skipped_flow");
    return;
  }
  const char ph = e.ph[0];
  if (ph == 't' || !e.has_ts || !e.id.present || !e.id.numeric) {
    count("kineto_flow_ac2g_unusable", Severity::kInfo,
          "ac2g flow steps, or ac2g flows without ts or numeric id: not usable for linking",
          e.offset);
    return;
  }
  FlowEnd f{e.pid.numeric ? e.pid.value : model::kNullI64,
            e.tid.numeric ? e.tid.value : model::kNullI64, e.ts_ns, e.id.value};
  (ph == 's' ? ac2g_starts_ : ac2g_ends_).push_back(f);
}

void EventSink::handleMetadata(const RawEvent& e) {
  const bool is_process_name = e.name == "process_name";
  const bool is_thread_name = e.name == "thread_name";
  if ((is_process_name || is_thread_name) && e.pid.numeric) {
    meta_rows_.push_back({is_process_name ? "process_name" : "thread_name", e.pid.value,
                          e.tid.numeric ? e.tid.value : 0, trace_.strings.intern(e.args.name)});
    return;  // rows on GPU device pids are counted in fillEntityTables()
  }
  if (e.name == "process_labels" && e.pid.numeric) {
    // "GPU 3" marks a device row; "CPU" a host process.
    if (e.args.labels.substr(0, 3) == "GPU") noteDevicePid(e.pid.value);
    return;
  }
  count(counterName("kineto_skipped_metadata", e.name), Severity::kInfo,
        "metadata events that only order or label viewer rows (sort indexes, rows of non-numeric "
        "pids such as \"Spans\")",
        e.offset);
}

}  // namespace gpuscope::importers::kineto_json
