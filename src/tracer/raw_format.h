// The per-process raw file: an 16-byte header, then frames appended as the
// process runs. A frame is
//   u8 type | u8 0 | u16 0 | u32 payload length | payload | u32 crc32
// (crc over type..payload, little-endian), so a file cut by SIGKILL or a
// full disk is read up to its last whole frame. Strings are sent once per
// file as StringDef frames and referred to by id afterwards; a model row is
// one frame whose type is kRowBase + the table's index in Trace order and
// whose payload is its columns in declaration order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "tracer/recording.h"

namespace gpuscope::tracer {

inline constexpr std::string_view kRawMagic{"GSRAW\x01\0\0", 8};
inline constexpr uint32_t kRawVersion = 1;
inline constexpr size_t kRawHeaderSize = 16;

// Encodes a Recording into frames, remembering which strings it already
// sent, so the same writer must see the same Recording every time.
class RawEncoder {
 public:
  static std::string header();
  // Appends frames for everything in `rec` (not its already-sent strings).
  void encode(const Recording& rec, std::string* out);

 private:
  size_t strings_sent_ = 1;  // id 0 is the empty string on both sides
};

// Decodes a whole raw file image. Damage past the header (a cut frame, a
// bad checksum) stops decoding there; what came before is kept and the
// loss is counted in rec.bytes_lost and the "raw_file_truncated"
// diagnostic. A bad header is InvalidInput naming `name`.
StatusOr<Recording> decodeRaw(std::string_view bytes, const std::string& name);
StatusOr<Recording> readRawFile(const std::string& path);

}  // namespace gpuscope::tracer
