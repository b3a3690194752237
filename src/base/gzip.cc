#include "base/gzip.h"

#include <zlib.h>

namespace gpuscope {

StatusOr<std::string> gunzip(std::string_view data, const std::string& path, size_t padding) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return InternalError("zlib: inflateInit2 failed");
  std::string out;
  // Compressed traces expand ~10-20x; start there and grow geometrically.
  out.resize(data.size() * 8 + 4096);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  size_t produced = 0;
  for (;;) {
    if (produced == out.size()) out.resize(out.size() * 2);
    size_t room = std::min<size_t>(out.size() - produced, 1u << 30);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(room);
    int rc = inflate(&zs, Z_NO_FLUSH);
    produced += room - zs.avail_out;
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows (concatenated .gz files are valid).
      if (inflateReset(&zs) != Z_OK) break;
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      size_t at = data.size();
      inflateEnd(&zs);
      return InvalidInput(path + ": gzip stream truncated at compressed byte " + std::to_string(at));
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      size_t at = data.size() - zs.avail_in;
      std::string why = zs.msg != nullptr ? zs.msg : "corrupt data";
      inflateEnd(&zs);
      return InvalidInput(path + ": gzip: " + why + " at compressed byte " + std::to_string(at));
    }
  }
  inflateEnd(&zs);
  out.resize(produced);
  out.reserve(produced + padding);
  return out;
}

}  // namespace gpuscope
