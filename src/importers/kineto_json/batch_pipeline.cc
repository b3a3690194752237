#include "importers/kineto_json/batch_pipeline.h"

#include <algorithm>
#include <system_error>

namespace gpuscope::importers::kineto_json {

namespace od = simdjson::ondemand;

constexpr size_t kMaxWorkers = 3;  // the sink (the importing thread) is the limit beyond that

void parseBatch(std::string_view file, Batch& b, size_t first, size_t last) {
  const size_t begin = b.starts[first];
  const size_t end = b.ends[last];
  b.events.clear();
  b.ok = false;
  b.failed_event = first;
  b.failure = ParseFailure{};
  b.begin = begin - 1;  // every event follows '[' or ','/whitespace
  b.copy.clear();
  b.copy.reserve(end - begin + 2 + simdjson::SIMDJSON_PADDING);
  b.copy.push_back('[');
  b.copy.append(file.data() + begin, end - begin);
  b.copy.push_back(']');
  simdjson::padded_string_view view(b.copy.data(), b.copy.size(), b.copy.capacity());
  od::document doc;
  if (auto e = b.parser.iterate(view).get(doc)) {
    b.failure.what = std::string("invalid JSON: ") + simdjson::error_message(e);
    return;
  }
  od::array array;
  if (auto e = doc.get_array().get(array)) {
    b.failure.what = std::string("invalid JSON: ") + simdjson::error_message(e);
    return;
  }
  size_t k = first;
  for (auto element : array) {
    b.failed_event = k;
    od::object object;
    if (auto e = element.get_object().get(object)) {
      b.failure.what = std::string("invalid JSON: ") + simdjson::error_message(e);
      return;
    }
    RawEvent& ev = b.events.emplace_back();
    ev.offset = b.starts[k];
    if (!parseEvent(object, doc, &ev, &b.failure)) {
      b.events.pop_back();
      return;
    }
    ++k;
  }
  b.ok = true;
}

Pipeline::~Pipeline() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  work_.notify_all();
  for (std::thread& t : workers_) t.join();
}

std::unique_ptr<Batch> Pipeline::take() {
  std::unique_ptr<Batch> b;
  if (!free_.empty()) {
    b = std::move(free_.back());
    free_.pop_back();
  } else {
    b = std::make_unique<Batch>();
  }
  b->starts.clear();
  b->ends.clear();
  b->parsed = false;
  return b;
}

void Pipeline::submit(std::unique_ptr<Batch> b) {
  Batch* raw = b.get();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    order_.push_back(std::move(b));
    queue_.push_back(raw);
  }
  ++submitted_;
  if (submitted_ == 2) startWorkers();
  work_.notify_one();
}

std::unique_ptr<Batch> Pipeline::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  Batch* oldest = order_.front().get();
  while (!oldest->parsed) {
    if (!queue_.empty()) {
      parseOne(lock);  // rather than wait, parse a queued one
    } else {
      done_.wait(lock);
    }
  }
  std::unique_ptr<Batch> b = std::move(order_.front());
  order_.pop_front();
  return b;
}

void Pipeline::parseOne(std::unique_lock<std::mutex>& lock) {
  Batch* b = queue_.front();
  queue_.pop_front();
  lock.unlock();
  parseBatch(file_, *b, 0, b->starts.size() - 1);
  lock.lock();
  b->parsed = true;
  done_.notify_all();
}

void Pipeline::startWorkers() {
  const size_t cores = std::thread::hardware_concurrency();
  const size_t n = std::min(kMaxWorkers, cores > 1 ? cores - 1 : 0);
  for (size_t i = 0; i < n; ++i) {
    try {
      workers_.emplace_back([this] { work(); });
    } catch (const std::system_error&) {
      break;  // no thread to be had: the importing thread parses
    }
  }
}

void Pipeline::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    work_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping
    parseOne(lock);
  }
}

}  // namespace gpuscope::importers::kineto_json
