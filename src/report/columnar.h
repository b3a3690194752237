// Compact encoding of the timeline for the page: integer columns as LEB128
// varints (zigzag for signed values), concatenated, gzip-compressed and
// base64-encoded. The page inflates with the browser's DecompressionStream
// and decodes the varints into typed arrays (assets/timeline.js, decodeBlob).
// 1M events take about 5-8 MB of HTML this way, against ~60 MB as JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace gpuscope::report {

// Appends `v` as an unsigned LEB128 varint (7 bits per byte, low first).
void appendVarint(std::string& out, uint64_t v);
// Zigzag maps small negative and positive values to small unsigned ones.
inline uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

// A set of named integer columns of equal length, written column after
// column. Column names and lengths go into the page's JSON header.
class ColumnSet {
 public:
  // Returns the column's index; values are appended with put().
  size_t addColumn(std::string name, bool is_signed);
  void put(size_t column, int64_t value);
  size_t columnCount() const { return columns_.size(); }
  const std::string& name(size_t c) const { return columns_[c].name; }
  bool isSigned(size_t c) const { return columns_[c].is_signed; }
  size_t length(size_t c) const { return columns_[c].count; }
  // The columns' varint bytes, in column order.
  std::string bytes() const;

 private:
  struct Column {
    std::string name;
    bool is_signed = false;
    size_t count = 0;
    std::string data;
  };
  std::vector<Column> columns_;
};

// gzip (RFC 1952) of `data` at the given zlib level.
StatusOr<std::string> gzipCompress(std::string_view data, int level = 6);

// Standard base64 (RFC 4648, with '=' padding): only A-Z a-z 0-9 + / =, so
// the text is inert inside any HTML element.
std::string base64Encode(std::string_view data);

}  // namespace gpuscope::report
