// gzip decompression (zlib), for traces shipped as .json.gz.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace gpuscope {

inline bool isGzip(std::string_view head) {
  return head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
         static_cast<unsigned char>(head[1]) == 0x8b;
}

// Inflates all gzip members of `data`. The result has capacity() >= size() +
// padding. A truncated or corrupt stream is InvalidInput naming `path` and
// the compressed byte offset.
StatusOr<std::string> gunzip(std::string_view data, const std::string& path, size_t padding = 0);

}  // namespace gpuscope
