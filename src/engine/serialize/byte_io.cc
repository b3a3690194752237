#include "engine/serialize/byte_io.h"

#include <fmt/format.h>

namespace gpuscope::engine::serialize {

Status ByteReader::error(const std::string& what, size_t at) const {
  return InvalidInput(fmt::format("{}: {} at byte {}", path_, what, at));
}

Status ByteReader::need(size_t n, const char* what) const {
  if (remaining() < n)
    return error(fmt::format("truncated engine file: {} needs {} bytes, {} left", what, n, remaining()));
  return OkStatus();
}

Status ByteReader::raw(void* dst, size_t n, const char* what) {
  GS_RETURN_IF_ERROR(need(n, what));
  if (n) std::memcpy(dst, data_.data() + pos_, n);
  pos_ += n;
  return OkStatus();
}

StatusOr<std::string_view> ByteReader::view(size_t n, const char* what) {
  GS_RETURN_IF_ERROR(need(n, what));
  std::string_view v = data_.substr(pos_, n);
  pos_ += n;
  return v;
}

#define GS_READ_POD(name, type)                     \
  StatusOr<type> ByteReader::name(const char* what) { \
    type v{};                                       \
    GS_RETURN_IF_ERROR(raw(&v, sizeof(v), what));   \
    return v;                                       \
  }
GS_READ_POD(u8, uint8_t)
GS_READ_POD(u32, uint32_t)
GS_READ_POD(i32, int32_t)
GS_READ_POD(u64, uint64_t)
GS_READ_POD(i64, int64_t)
GS_READ_POD(f32, float)
#undef GS_READ_POD

StatusOr<std::string> ByteReader::str(const char* what, size_t max) {
  size_t at = pos_;
  GS_ASSIGN_OR_RETURN(uint64_t n, u64(what));
  if (n > max) return error(fmt::format("{} length {} exceeds the limit {}", what, n, max), at);
  GS_ASSIGN_OR_RETURN(std::string_view v, view(size_t(n), what));
  return std::string(v);
}

StatusOr<uint64_t> ByteReader::count(const char* what, size_t min_item_bytes) {
  size_t at = pos_;
  GS_ASSIGN_OR_RETURN(uint64_t n, u64(what));
  if (min_item_bytes > 0 && n > remaining() / min_item_bytes)
    return error(fmt::format("{} {} cannot fit in the {} bytes left (truncated or corrupt)", what, n, remaining()), at);
  return n;
}

}  // namespace gpuscope::engine::serialize
