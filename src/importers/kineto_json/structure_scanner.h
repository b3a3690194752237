// A byte-level scanner that finds the extents of JSON values without
// parsing them: the members of the top-level object and the elements of the
// "traceEvents" array. The importer hands simdjson On-Demand one batch of
// events at a time, so simdjson's index (about 5.7 bytes per input byte)
// stays bounded by the batch size instead of growing with the file.
//
// The scanner checks what On-Demand would skip without checking: bracket
// pairing and string termination. Tokens inside the values are validated by
// simdjson when the batch is parsed.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace gpuscope::importers::kineto_json {

struct ScanError {
  size_t offset = 0;
  std::string what;
};

class StructureScanner {
 public:
  explicit StructureScanner(std::string_view text) : text_(text) {}

  size_t size() const { return text_.size(); }
  std::string_view text() const { return text_; }

  // Returns the offset of the first non-whitespace byte at or after `pos`.
  size_t skipWhitespace(size_t pos) const;

  // `pos` is at a value's first byte. Returns the offset just past it, or
  // false with `error` set. `context` names the enclosing member for
  // truncation messages ("traceEvents").
  bool skipValue(size_t pos, std::string_view context, size_t* end, ScanError* error);

  // `pos` is at an opening quote. Returns the offset just past the closing
  // quote; `escaped` (may be null) tells whether it contains backslashes.
  bool skipString(size_t pos, std::string_view context, size_t* end, bool* escaped,
                  ScanError* error) const;

 private:
  bool skipContainer(size_t pos, std::string_view context, size_t* end, ScanError* error);

  static constexpr size_t kMaxDepth = 1024;  // simdjson's default depth limit

  std::string_view text_;
  std::array<char, kMaxDepth> stack_{};  // open brackets of the value being skipped
  size_t depth_ = 0;
};

}  // namespace gpuscope::importers::kineto_json
