// readKinetoJson: the top-level walk. The structure scanner finds the
// top-level members and the event objects of "traceEvents"; events are
// parsed by simdjson On-Demand in batches of about kBatchBytes, so the
// parser's memory does not grow with the file; each event goes to the
// EventSink, which builds the tables.
#include "importers/kineto_json/reader.h"

#include <simdjson.h>

#include <algorithm>
#include <vector>

#include "importers/kineto_json/event_parser.h"
#include "importers/kineto_json/event_sink.h"
#include "importers/kineto_json/structure_scanner.h"
#include "importers/kineto_json/top_level.h"

namespace gpuscope::importers {
namespace {

namespace od = simdjson::ondemand;
using kineto_json::EventSink;
using kineto_json::ParseFailure;
using kineto_json::RawEvent;
using kineto_json::ScanError;
using kineto_json::StructureScanner;
using kineto_json::TopLevelReader;

constexpr size_t kBatchBytes = 1 << 20;

// A byte for an error message: itself if printable, else \xNN.
std::string shown(char c) {
  if (c >= 0x20 && c < 0x7f) return std::string(1, c);
  static const char* kHex = "0123456789abcdef";
  auto u = static_cast<unsigned char>(c);
  return std::string("\\x") + kHex[u >> 4] + kHex[u & 15];
}
constexpr int64_t kEpoch2000Ns = 946684800LL * 1000000000LL;

class KinetoReader {
 public:
  KinetoReader(std::string& json, const std::string& path)
      : json_(json), scan_(json), path_(path), sink_(trace_, json.size() / 300 + 16),
        top_(trace_, sink_, path) {}

  StatusOr<model::Trace> run();

 private:
  Status fail(size_t offset, std::string_view what) const {
    return InvalidInput(path_ + ": " + std::string(what) + " at byte " + std::to_string(offset));
  }
  Status fail(const ScanError& e) const { return fail(e.offset, e.what); }
  Status readObject(size_t pos);
  Status readEventArray(size_t pos, size_t* end);
  Status flushBatch();
  Status parseBatch(size_t first, size_t last, bool* ok, ParseFailure* failure,
                    size_t* failed_event);
  void finishMeta();

  std::string& json_;
  StructureScanner scan_;
  const std::string& path_;
  model::Trace trace_;
  EventSink sink_;
  TopLevelReader top_;
  od::parser parser_;
  std::string batch_;
  std::vector<size_t> starts_;  // event offsets of the pending batch
  std::vector<size_t> ends_;
  size_t batch_begin_ = 0;            // file offset of the batch document's '['
  const char* batch_base_ = nullptr;  // where that '[' is in memory
  bool saw_events_ = false;
};

StatusOr<model::Trace> KinetoReader::run() {
  std::string_view text = scan_.text();
  size_t pos = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // UTF-8 byte order mark
  pos = scan_.skipWhitespace(pos);
  if (pos >= text.size()) return fail(pos, "empty input: expected a JSON object with \"traceEvents\"");
  size_t end = 0;
  if (text[pos] == '{') {
    GS_RETURN_IF_ERROR(readObject(pos));
    if (!saw_events_) {
      return fail(pos, "not a Kineto/Chrome trace: the top-level object has no \"traceEvents\" array");
    }
  } else if (text[pos] == '[') {
    // Chrome's "JSON array format": the file is the event array itself.
    GS_RETURN_IF_ERROR(readEventArray(pos, &end));
    size_t after = scan_.skipWhitespace(end);
    if (after != text.size()) return fail(after, "unexpected content after the top-level array");
  } else {
    return fail(pos, "not a Kineto/Chrome trace: expected '{' or '[', found '" + shown(text[pos]) +
                         "'");
  }
  sink_.finish();
  trace_.sortByTime();
  finishMeta();
  return std::move(trace_);
}

Status KinetoReader::readObject(size_t pos) {
  std::string_view text = scan_.text();
  ScanError err;
  pos = scan_.skipWhitespace(pos + 1);
  if (pos < text.size() && text[pos] == '}') {
    pos = scan_.skipWhitespace(pos + 1);
    if (pos != text.size()) return fail(pos, "unexpected content after the top-level object");
    return OkStatus();
  }
  for (;;) {
    if (pos >= text.size()) return fail(pos, "unexpected end of input in the top-level object (truncated?)");
    if (text[pos] != '"') return fail(pos, "expected a member name (a string) in the top-level object");
    size_t key_end = 0;
    bool escaped = false;
    if (!scan_.skipString(pos, "", &key_end, &escaped, &err)) return fail(err);
    std::string_view key = text.substr(pos + 1, key_end - pos - 2);  // raw; escapes never match
    pos = scan_.skipWhitespace(key_end);
    if (pos >= text.size() || text[pos] != ':') {
      return pos >= text.size() ? fail(pos, "unexpected end of input in the top-level object (truncated?)")
                                : fail(pos, "expected ':' after a member name");
    }
    pos = scan_.skipWhitespace(pos + 1);
    size_t value_end = 0;
    if (key == "traceEvents") {
      if (pos >= text.size()) return fail(pos, "unexpected end of input in \"traceEvents\" (truncated?)");
      if (text[pos] != '[') return fail(pos, "\"traceEvents\" is not an array");
      GS_RETURN_IF_ERROR(readEventArray(pos, &value_end));
      saw_events_ = true;
    } else {
      if (!scan_.skipValue(pos, key, &value_end, &err)) return fail(err);
      GS_RETURN_IF_ERROR(top_.read(key, text.substr(pos, value_end - pos), pos));
    }
    pos = scan_.skipWhitespace(value_end);
    if (pos >= text.size()) return fail(pos, "unexpected end of input in the top-level object (truncated?)");
    if (text[pos] == ',') {
      pos = scan_.skipWhitespace(pos + 1);
      continue;
    }
    if (text[pos] != '}') return fail(pos, "expected ',' or '}' in the top-level object");
    pos = scan_.skipWhitespace(pos + 1);
    if (pos != text.size()) return fail(pos, "unexpected content after the top-level object");
    return OkStatus();
  }
}

Status KinetoReader::readEventArray(size_t pos, size_t* end) {
  std::string_view text = scan_.text();
  ScanError err;
  size_t index = 0;
  pos = scan_.skipWhitespace(pos + 1);
  if (pos < text.size() && text[pos] == ']') {
    *end = pos + 1;
    return OkStatus();
  }
  for (;;) {
    if (pos >= text.size()) return fail(pos, "unexpected end of input in \"traceEvents\" (truncated?)");
    if (text[pos] != '{') {
      return fail(pos, "\"traceEvents\"[" + std::to_string(index) +
                           "]: expected an event object, found '" + shown(text[pos]) + "'");
    }
    size_t event_end = 0;
    if (!scan_.skipValue(pos, "traceEvents", &event_end, &err)) return fail(err);
    starts_.push_back(pos);
    ends_.push_back(event_end);
    ++index;
    if (event_end - starts_.front() >= kBatchBytes) GS_RETURN_IF_ERROR(flushBatch());
    pos = scan_.skipWhitespace(event_end);
    if (pos >= text.size()) return fail(pos, "unexpected end of input in \"traceEvents\" (truncated?)");
    if (text[pos] == ',') {
      pos = scan_.skipWhitespace(pos + 1);
      continue;
    }
    if (text[pos] != ']') return fail(pos, "expected ',' or ']' in \"traceEvents\"");
    *end = pos + 1;
    return flushBatch();
  }
}

// Parses events [first, last] of the pending batch as one document: the
// separators around them are turned into '[' and ']' for the duration of
// the parse (the caller's buffer is ours to use; it is restored before
// returning), or, without room for simdjson's padding, a copy is parsed.
Status KinetoReader::parseBatch(size_t first, size_t last, bool* ok, ParseFailure* failure,
                                size_t* failed_event) {
  const size_t begin = starts_[first];
  const size_t end = ends_[last];
  const size_t doc_begin = begin - 1;  // every event follows '[' or ','/whitespace
  const size_t doc_length = end + 1 - doc_begin;
  const bool in_place = end < json_.size() &&
                        json_.capacity() >= doc_begin + doc_length + simdjson::SIMDJSON_PADDING;
  struct Restore {
    std::string* s = nullptr;
    size_t a = 0, b = 0;
    char ca = 0, cb = 0;
    ~Restore() {
      if (s != nullptr) {
        (*s)[a] = ca;
        (*s)[b] = cb;
      }
    }
  } restore;
  simdjson::padded_string_view view;
  if (in_place) {
    restore = Restore{&json_, doc_begin, end, json_[doc_begin], json_[end]};
    json_[doc_begin] = '[';
    json_[end] = ']';
    batch_base_ = json_.data() + doc_begin;
    view = simdjson::padded_string_view(batch_base_, doc_length, json_.capacity() - doc_begin);
  } else {
    batch_.clear();
    batch_.reserve(doc_length + simdjson::SIMDJSON_PADDING);
    batch_.push_back('[');
    batch_.append(json_, begin, end - begin);
    batch_.push_back(']');
    batch_base_ = batch_.data();
    view = simdjson::padded_string_view(batch_.data(), batch_.size(), batch_.capacity());
  }
  batch_begin_ = doc_begin;
  *ok = false;
  *failed_event = first;
  od::document doc;
  if (auto e = parser_.iterate(view).get(doc)) {
    failure->at = nullptr;
    failure->what = std::string("invalid JSON: ") + simdjson::error_message(e);
    return OkStatus();
  }
  od::array array;
  if (auto e = doc.get_array().get(array)) {
    failure->at = nullptr;
    failure->what = std::string("invalid JSON: ") + simdjson::error_message(e);
    return OkStatus();
  }
  size_t k = first;
  for (auto element : array) {
    *failed_event = k;
    od::object object;
    if (auto e = element.get_object().get(object)) {
      failure->at = nullptr;
      failure->what = std::string("invalid JSON: ") + simdjson::error_message(e);
      return OkStatus();
    }
    RawEvent ev;
    ev.offset = starts_[k];
    if (!kineto_json::parseEvent(object, doc, &ev, failure)) return OkStatus();
    sink_.handle(ev);
    ++k;
  }
  *ok = true;
  return OkStatus();
}

Status KinetoReader::flushBatch() {
  if (starts_.empty()) return OkStatus();
  bool ok = false;
  ParseFailure failure;
  size_t failed = 0;
  GS_RETURN_IF_ERROR(parseBatch(0, starts_.size() - 1, &ok, &failure, &failed));
  if (!ok) {
    // Errors found by simdjson's first stage (bad UTF-8, bad characters)
    // have no position: parse the events one by one to name the culprit.
    // Events before it were already handled; the import fails anyway.
    if (failure.at == nullptr) {
      for (size_t k = failed; k < starts_.size(); ++k) {
        GS_RETURN_IF_ERROR(parseBatch(k, k, &ok, &failure, &failed));
        if (!ok) break;
      }
    }
    size_t offset = starts_[failed];
    if (failure.at != nullptr && failure.at >= batch_base_) {
      offset = std::min(batch_begin_ + static_cast<size_t>(failure.at - batch_base_), scan_.size());
    }
    return fail(offset, failure.what);
  }
  starts_.clear();
  ends_.clear();
  return OkStatus();
}

void KinetoReader::finishMeta() {
  trace_.meta[model::kMetaSourceFormat] = "kineto_json";
  trace_.meta[model::kMetaSourcePath] = path_;
  if (trace_.meta.count(model::kMetaTimeBaseNs)) return;
  // Before baseTimeNanoseconds (2024), Kineto wrote epoch microseconds.
  int64_t first = INT64_MAX;
  trace_.forEachTable([&](const auto& t) {
    if constexpr (requires { t.start; }) {
      if (!t.start.empty()) first = std::min(first, t.start.front());
    }
  });
  if (first != INT64_MAX && first >= kEpoch2000Ns) trace_.meta[model::kMetaTimeBaseNs] = std::to_string(0);
}

}  // namespace

StatusOr<model::Trace> readKinetoJson(std::string& json, const std::string& path) {
  // Batches are parsed in place when `json` has simdjson's padding, from a
  // copy otherwise.
  KinetoReader reader(json, path);
  return reader.run();
}

}  // namespace gpuscope::importers
