// Parsing Kineto event batches on worker threads. A Batch is a run of
// event objects of the file (their offsets, found by the structure
// scanner); parseBatch turns it into RawEvents with a simdjson parser of its
// own, from a copy of its bytes, so batches parse independently. Pipeline
// queues batches for parsing and returns them in the order they were
// submitted; see reader.cc for how the importer uses it.
#pragma once

#include <simdjson.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "importers/kineto_json/event_parser.h"
#include "importers/kineto_json/raw_event.h"

namespace gpuscope::importers::kineto_json {

// One batch of events and what parsing it gave. The events' strings point
// into `copy` and `parser`, so a slot is reused only after its events went
// to the sink.
struct Batch {
  std::vector<size_t> starts;  // event offsets in the file
  std::vector<size_t> ends;
  simdjson::ondemand::parser parser;
  std::string copy;  // '[' + the events + ']', with simdjson's padding
  std::vector<RawEvent> events;
  bool ok = false;
  ParseFailure failure;
  size_t failed_event = 0;  // index into starts
  size_t begin = 0;         // file offset of the copy's '['
  bool parsed = false;      // guarded by Pipeline::mutex_
};

// Parses events [first, last] of `b` as one document; stops at the first
// event that fails. Touches nothing but `b` (the file is only read).
void parseBatch(std::string_view file, Batch& b, size_t first, size_t last);

// Batches in file order: submit() queues one for parsing, next() returns
// the oldest once parsed (parsing queued ones itself while it waits), then
// the caller gives it back with release(). Workers start with the second
// batch, so small files use no thread.
class Pipeline {
 public:
  explicit Pipeline(std::string_view file) : file_(file) {}
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;
  ~Pipeline();  // joins the workers (they finish the batch in hand)

  // An empty batch to fill (starts/ends), recycled when possible.
  std::unique_ptr<Batch> take();
  void submit(std::unique_ptr<Batch> b);
  // Batches submitted and not yet returned by next(); capacity() is how
  // many the caller should keep in flight to keep the workers busy.
  size_t inFlight() const { return order_.size(); }
  size_t capacity() const { return 2 * (workers_.size() + 1); }
  // The oldest submitted batch, parsed. Call only when inFlight() > 0.
  std::unique_ptr<Batch> next();
  void release(std::unique_ptr<Batch> b) { free_.push_back(std::move(b)); }

 private:
  void startWorkers();
  void work();
  // Parses the oldest queued batch; `lock` is held on entry and on return.
  void parseOne(std::unique_lock<std::mutex>& lock);

  std::string_view file_;
  std::mutex mutex_;
  std::condition_variable work_, done_;
  std::deque<std::unique_ptr<Batch>> order_;  // submitted, oldest first (this thread only)
  std::deque<Batch*> queue_;                   // submitted, not yet taken for parsing
  std::vector<std::unique_ptr<Batch>> free_;
  std::vector<std::thread> workers_;
  size_t submitted_ = 0;
  bool stop_ = false;
};

}  // namespace gpuscope::importers::kineto_json
