// Formats one Chrome trace event at a time straight into the output buffer:
//   {"ph":"X","name":"...","cat":"kernel","pid":P,"tid":T,"ts":1.234,"dur":0.5,"args":{...}}
// Keys and categories are literals of this exporter (never escaped); every
// name and string value from the trace goes through appendJsonString.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "export/buffered_writer.h"
#include "export/json_text.h"
#include "model/table_macros.h"

namespace gpuscope::exporters {

class ChromeEventWriter {
 public:
  explicit ChromeEventWriter(BufferedWriter& w) : w_(w), b_(w.buffer()) {}

  // Starts an event; ts in ns. Must be followed by end().
  void begin(char ph, std::string_view name, std::string_view cat, int64_t pid, int64_t tid,
             int64_t ts_ns) {
    if (!first_) b_.append(",\n");
    first_ = false;
    b_.append("{\"ph\":\"");
    b_.push_back(ph);
    b_.append("\",\"name\":");
    appendJsonString(b_, name);
    b_.append(",\"cat\":\"");
    b_.append(cat);
    b_.append("\",\"pid\":");
    appendInt(pid);
    b_.append(",\"tid\":");
    appendInt(tid);
    b_.append(",\"ts\":");
    appendMicros(b_, ts_ns);
    args_open_ = false;
  }
  void dur(int64_t ns) {
    b_.append(",\"dur\":");
    appendMicros(b_, ns);
  }
  // A field outside args with a literal value, e.g. field("s", "\"t\"").
  void field(std::string_view key, std::string_view raw_json) {
    b_.append(",\"");
    b_.append(key);
    b_.append("\":");
    b_.append(raw_json);
  }
  void fieldInt(std::string_view key, int64_t v) {
    b_.append(",\"");
    b_.append(key);
    b_.append("\":");
    appendInt(v);
  }

  // args entries; NULL integers are left out.
  void argInt(std::string_view key, int64_t v) {
    if (v == model::kNullI64) return;
    argKey(key);
    appendInt(v);
  }
  void argInt(std::string_view key, int32_t v) {
    if (v == model::kNullI32) return;
    argKey(key);
    appendInt(v);
  }
  void argStr(std::string_view key, std::string_view v) {
    argKey(key);
    appendJsonString(b_, v);
  }
  void argRaw(std::string_view key, std::string_view raw_json) {
    argKey(key);
    b_.append(raw_json);
  }
  // [x, y, z], left out when any is NULL.
  void argDim3(std::string_view key, int32_t x, int32_t y, int32_t z) {
    if (x == model::kNullI32 || y == model::kNullI32 || z == model::kNullI32) return;
    argKey(key);
    b_.push_back('[');
    appendInt(x);
    b_.push_back(',');
    appendInt(y);
    b_.push_back(',');
    appendInt(z);
    b_.push_back(']');
  }

  void end() {
    if (args_open_) b_.push_back('}');
    b_.push_back('}');
    ++events_;
    w_.maybeFlush();
  }

  // Flow ends: "s" at the launching call, "f" bound to the enclosing slice
  // (the GPU work starting at that instant).
  void flow(char ph, uint64_t id, int64_t pid, int64_t tid, int64_t ts_ns) {
    begin(ph, "ac2g", "ac2g", pid, tid, ts_ns);
    b_.append(",\"id\":");
    appendInt(static_cast<int64_t>(id));
    if (ph == 'f') b_.append(",\"bp\":\"e\"");
    end();
  }

  bool* firstFlag() { return &first_; }
  uint64_t events() const { return events_; }

 private:
  void argKey(std::string_view key) {
    b_.append(args_open_ ? ",\"" : ",\"args\":{\"");
    args_open_ = true;
    b_.append(key);
    b_.append("\":");
  }
  void appendInt(int64_t v) {
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
    b_.append(tmp, static_cast<size_t>(r.ptr - tmp));
  }

  BufferedWriter& w_;
  std::string& b_;
  bool first_ = true;
  bool args_open_ = false;
  uint64_t events_ = 0;
};

}  // namespace gpuscope::exporters
