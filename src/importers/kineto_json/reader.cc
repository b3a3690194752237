// readKinetoJson: the top-level walk. The structure scanner finds the
// top-level members and the event objects of "traceEvents"; events are
// parsed by simdjson On-Demand in batches of about kBatchBytes, so the
// parser's memory does not grow with the file; each event goes to the
// EventSink, which builds the tables.
//
// Parsing a batch (simdjson's index, then every event into a RawEvent) is
// most of an import and needs nothing but the batch's bytes, so batches are
// parsed by worker threads (and by this thread while it waits), each with
// its own parser and a copy of the batch (batch_pipeline.h); this thread scans, and
// hands the parsed events to the sink strictly in file order. The sink, and
// so the trace, and the first error reported, are the same as one thread's.
#include "importers/kineto_json/reader.h"

#include <simdjson.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "importers/kineto_json/batch_pipeline.h"
#include "importers/kineto_json/event_parser.h"
#include "importers/kineto_json/event_sink.h"
#include "importers/kineto_json/structure_scanner.h"
#include "importers/kineto_json/top_level.h"

namespace gpuscope::importers {
namespace {

using kineto_json::Batch;
using kineto_json::EventSink;
using kineto_json::parseBatch;
using kineto_json::ParseFailure;
using kineto_json::Pipeline;
using kineto_json::RawEvent;
using kineto_json::ScanError;
using kineto_json::StructureScanner;
using kineto_json::TopLevelReader;

// Small enough that a batch, its copy and simdjson's index of it (4 bytes
// per input byte) stay in a core's L2 cache while it is parsed, and that the
// batches in flight add little memory (about 2 MiB each).
constexpr size_t kBatchBytes = 1 << 18;

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
        top_(trace_, sink_, path), pipeline_(json) {}

  StatusOr<model::Trace> run();

 private:
  Status fail(size_t offset, std::string_view what) const {
    return InvalidInput(path_ + ": " + std::string(what) + " at byte " + std::to_string(offset));
  }
  Status fail(const ScanError& e) const { return fail(e.offset, e.what); }
  Status readObject(size_t pos);
  Status readEventArray(size_t pos, size_t* end);
  // Queues the batch being filled; hands parsed batches to the sink while
  // more than the pipeline holds are queued (all of them if `drain`).
  Status submitBatch(bool drain);
  Status drain();
  Status consume(std::unique_ptr<Batch> b);
  Status batchError(Batch& b);
  void finishMeta();

  std::string& json_;
  StructureScanner scan_;
  const std::string& path_;
  model::Trace trace_;
  EventSink sink_;
  TopLevelReader top_;
  Pipeline pipeline_;
  std::unique_ptr<Batch> filling_;  // the batch the scanner adds events to
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
  // A structural error is reported after the events before it, as one
  // thread that parses each batch as soon as it is full would: an error in
  // an earlier batch comes first.
  auto scanFail = [&](Status status) {
    filling_.reset();  // a partial batch is never parsed
    Status earlier = drain();
    return earlier.ok() ? status : earlier;
  };
  pos = scan_.skipWhitespace(pos + 1);
  if (pos < text.size() && text[pos] == ']') {
    *end = pos + 1;
    return OkStatus();
  }
  for (;;) {
    if (pos >= text.size()) {
      return scanFail(fail(pos, "unexpected end of input in \"traceEvents\" (truncated?)"));
    }
    if (text[pos] != '{') {
      return scanFail(fail(pos, "\"traceEvents\"[" + std::to_string(index) +
                                    "]: expected an event object, found '" + shown(text[pos]) + "'"));
    }
    size_t event_end = 0;
    if (!scan_.skipValue(pos, "traceEvents", &event_end, &err)) return scanFail(fail(err));
    if (!filling_) filling_ = pipeline_.take();
    filling_->starts.push_back(pos);
    filling_->ends.push_back(event_end);
    ++index;
    if (event_end - filling_->starts.front() >= kBatchBytes) GS_RETURN_IF_ERROR(submitBatch(false));
    pos = scan_.skipWhitespace(event_end);
    if (pos >= text.size()) {
      return scanFail(fail(pos, "unexpected end of input in \"traceEvents\" (truncated?)"));
    }
    if (text[pos] == ',') {
      pos = scan_.skipWhitespace(pos + 1);
      continue;
    }
    if (text[pos] != ']') return scanFail(fail(pos, "expected ',' or ']' in \"traceEvents\""));
    *end = pos + 1;
    return submitBatch(true);
  }
}

Status KinetoReader::submitBatch(bool drain_all) {
  if (filling_ && !filling_->starts.empty()) pipeline_.submit(std::move(filling_));
  filling_.reset();
  if (drain_all) return drain();
  while (pipeline_.inFlight() > pipeline_.capacity()) {
    GS_RETURN_IF_ERROR(consume(pipeline_.next()));
  }
  return OkStatus();
}

Status KinetoReader::drain() {
  while (pipeline_.inFlight() > 0) GS_RETURN_IF_ERROR(consume(pipeline_.next()));
  return OkStatus();
}

Status KinetoReader::consume(std::unique_ptr<Batch> b) {
  for (const RawEvent& ev : b->events) sink_.handle(ev);
  if (!b->ok) return batchError(*b);
  pipeline_.release(std::move(b));
  return OkStatus();
}

// The failed batch's events before the failure went to the sink already.
Status KinetoReader::batchError(Batch& b) {
  // Errors found by simdjson's first stage (bad UTF-8, bad characters)
  // have no position: parse the events one by one to name the culprit.
  // Events before it are handled; the import fails anyway.
  // If each event parses on its own, the batch's failure stands, placed at
  // the last event.
  ParseFailure failure = std::move(b.failure);
  size_t failed = b.failed_event;
  if (failure.at == nullptr) {
    for (size_t k = failed; k < b.starts.size(); ++k) {
      parseBatch(json_, b, k, k);
      for (const RawEvent& ev : b.events) sink_.handle(ev);
      failed = b.failed_event;
      if (!b.ok) {
        failure = std::move(b.failure);
        break;
      }
    }
  }
  size_t offset = b.starts[failed];
  const char* base = b.copy.data();
  if (failure.at != nullptr && failure.at >= base) {
    offset = std::min(b.begin + static_cast<size_t>(failure.at - base), scan_.size());
  }
  return fail(offset, failure.what);
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
  KinetoReader reader(json, path);
  return reader.run();
}

}  // namespace gpuscope::importers
