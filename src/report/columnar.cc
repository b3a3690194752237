#include "report/columnar.h"

#include <zlib.h>

namespace gpuscope::report {

void appendVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

size_t ColumnSet::addColumn(std::string name, bool is_signed) {
  columns_.push_back(Column{std::move(name), is_signed, 0, {}});
  return columns_.size() - 1;
}

void ColumnSet::put(size_t column, int64_t value) {
  Column& c = columns_[column];
  appendVarint(c.data, c.is_signed ? zigzag(value) : static_cast<uint64_t>(value));
  ++c.count;
}

std::string ColumnSet::bytes() const {
  size_t n = 0;
  for (const Column& c : columns_) n += c.data.size();
  std::string out;
  out.reserve(n);
  for (const Column& c : columns_) out += c.data;
  return out;
}

StatusOr<std::string> gzipCompress(std::string_view data, int level) {
  z_stream zs{};
  // windowBits 15 + 16: write a gzip header and trailer (DecompressionStream("gzip")).
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return InternalError("report: zlib deflateInit2 failed");
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  size_t written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return InternalError("report: zlib deflate did not finish (rc " + std::to_string(rc) + ")");
  out.resize(written);
  return out;
}

std::string base64Encode(std::string_view data) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t v = p[i] << 16;
    if (rest == 2) v |= p[i + 1] << 8;
    out.push_back(kAlphabet[v >> 18]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

}  // namespace gpuscope::report
