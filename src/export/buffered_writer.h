// Streaming output for exporters: formatting appends to an in-memory buffer
// and the buffer goes to a sink in large chunks, so writing a 10^8-event
// trace costs one syscall per MiB rather than one per event, and no
// document is ever held whole in memory.
#pragma once

#include <charconv>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/file.h"
#include "base/status.h"

namespace gpuscope::exporters {

// Where flushed bytes go. A sink returns an error once and the writer keeps it.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status write(std::string_view bytes) = 0;
  // Called once after the last write (gzip writes its trailer here).
  virtual Status finish() { return OkStatus(); }
};

// Appends to a string (tests, small outputs).
class StringSink : public ByteSink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  Status write(std::string_view bytes) override {
    out_->append(bytes);
    return OkStatus();
  }

 private:
  std::string* out_;
};

// Writes into the temporary file of an AtomicOutput; the caller commits.
class AtomicFileSink : public ByteSink {
 public:
  explicit AtomicFileSink(AtomicOutput* out) : out_(out) {}
  Status write(std::string_view bytes) override { return out_->write(bytes); }

 private:
  AtomicOutput* out_;
};

// gzip-compresses into another sink (zlib, a single gzip member).
class GzipSink : public ByteSink {
 public:
  // `level` is a zlib level; 1 keeps compression faster than formatting.
  static StatusOr<std::unique_ptr<GzipSink>> create(ByteSink* next, std::string name, int level = 1);
  ~GzipSink() override;
  Status write(std::string_view bytes) override;
  Status finish() override;

 private:
  GzipSink(ByteSink* next, std::string name) : next_(next), name_(std::move(name)) {}
  Status deflateChunk(std::string_view bytes, bool final);
  ByteSink* next_;
  std::string name_;
  void* stream_ = nullptr;  // z_stream*, kept out of this header
  std::string out_;
};

class BufferedWriter {
 public:
  static constexpr size_t kFlushBytes = size_t{1} << 20;

  explicit BufferedWriter(ByteSink* sink) : sink_(sink) { buf_.reserve(kFlushBytes + 4096); }

  void append(std::string_view s) {
    buf_.append(s);
    maybeFlush();
  }
  void put(char c) {
    buf_.push_back(c);
    maybeFlush();
  }
  void appendInt(int64_t v) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    buf_.append(tmp, static_cast<size_t>(r.ptr - tmp));
    maybeFlush();
  }
  // Direct access for formatters that build in place; call maybeFlush() after.
  std::string& buffer() { return buf_; }
  void maybeFlush() {
    if (buf_.size() >= kFlushBytes) flush();
  }
  // Hands the buffer to the sink. The first error is kept and later writes
  // are dropped, so formatting loops need not check every append.
  void flush();
  // Flushes and finishes the sink; returns the first error seen.
  Status finish();
  const Status& status() const { return status_; }
  // Bytes handed to the sink so far plus those still buffered.
  uint64_t bytesWritten() const { return flushed_ + buf_.size(); }

 private:
  ByteSink* sink_;
  std::string buf_;
  Status status_;
  uint64_t flushed_ = 0;
};

}  // namespace gpuscope::exporters
