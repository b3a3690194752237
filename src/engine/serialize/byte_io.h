// Little-endian binary writer and a bounds-checked reader for the engine
// file. The reader never reads past its input: every get checks the
// remaining size first and reports the byte offset of what it wanted.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/status.h"

namespace gpuscope::engine::serialize {

class ByteWriter {
 public:
  void u8(uint8_t v) { out_.push_back(char(v)); }
  void u32(uint32_t v) { raw(&v, 4); }
  void i32(int32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void i64(int64_t v) { raw(&v, 8); }
  void f32(float v) { raw(&v, 4); }
  void str(std::string_view s) {
    u64(s.size());
    out_.append(s.data(), s.size());
  }
  void raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  size_t size() const { return out_.size(); }
  std::string& bytes() { return out_; }

 private:
  std::string out_;  // the host is little-endian (x86-64, aarch64): memcpy is the encoding
};

class ByteReader {
 public:
  ByteReader(std::string_view data, std::string path) : data_(data), path_(std::move(path)) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool atEnd() const { return pos_ == data_.size(); }
  const std::string& path() const { return path_; }

  // "<file>: <what> at byte N"
  Status error(const std::string& what, size_t at) const;
  Status error(const std::string& what) const { return error(what, pos_); }

  StatusOr<uint8_t> u8(const char* what);
  StatusOr<uint32_t> u32(const char* what);
  StatusOr<int32_t> i32(const char* what);
  StatusOr<uint64_t> u64(const char* what);
  StatusOr<int64_t> i64(const char* what);
  StatusOr<float> f32(const char* what);
  // A length-prefixed string of at most `max` bytes.
  StatusOr<std::string> str(const char* what, size_t max = size_t(1) << 20);
  // A count that must fit in the rest of the input at `min_item_bytes` each.
  StatusOr<uint64_t> count(const char* what, size_t min_item_bytes);
  Status raw(void* dst, size_t n, const char* what);
  StatusOr<std::string_view> view(size_t n, const char* what);

 private:
  Status need(size_t n, const char* what) const;
  std::string_view data_;
  std::string path_;
  size_t pos_ = 0;
};

}  // namespace gpuscope::engine::serialize
