#include "store/column_codec.h"

#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace gpuscope::store {
namespace {

// The blobs are the in-memory vectors as they are; a big-endian port would
// have to swap bytes here.
static_assert(std::endian::native == std::endian::little,
              "column_chunks stores little-endian values");

// Level 3 (zstd's default) compresses these columns ~20% smaller than
// level 1 at a similar speed; decompression speed barely depends on it.
constexpr int kLevel = 3;
// Values compressed both ways to choose the codec of a chunk.
constexpr size_t kSampleRows = 1 << 16;

struct CctxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DctxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};
// One context per thread: the writer and reader run chunks in parallel.
// Frames carry a checksum (XXH64, checked at >10 GB/s): a damaged blob is an
// error, never silently wrong values.
ZSTD_CCtx* threadCctx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CctxDeleter> ctx = [] {
    std::unique_ptr<ZSTD_CCtx, CctxDeleter> c(ZSTD_createCCtx());
    if (c) {
      ZSTD_CCtx_setParameter(c.get(), ZSTD_c_compressionLevel, kLevel);
      ZSTD_CCtx_setParameter(c.get(), ZSTD_c_checksumFlag, 1);
    }
    return c;
  }();
  return ctx.get();
}
ZSTD_DCtx* threadDctx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DctxDeleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}

// Unsigned arithmetic: differences wrap instead of overflowing.
template <typename U>
void deltaEncode(const void* in, size_t rows, void* out) {
  const auto* src = static_cast<const U*>(in);
  auto* dst = static_cast<U*>(out);
  U prev = 0;
  for (size_t i = 0; i < rows; ++i) {
    U v;
    std::memcpy(&v, src + i, sizeof v);
    dst[i] = static_cast<U>(v - prev);
    prev = v;
  }
}

template <typename U>
void deltaDecode(void* data, size_t rows) {
  auto* p = static_cast<U*>(data);
  U sum = 0;
  for (size_t i = 0; i < rows; ++i) {
    sum = static_cast<U>(sum + p[i]);
    p[i] = sum;
  }
}

void deltaEncode(const void* in, size_t rows, size_t width, void* out) {
  if (width == 8) deltaEncode<uint64_t>(in, rows, out);
  else deltaEncode<uint32_t>(in, rows, out);
}

// Compresses into a per-thread scratch buffer, then copies the exact size
// out: a blob kept at compressBound capacity would hold ~8 MB of memory for
// a few hundred KB of data (1.1 GB more peak RSS importing 10M kernels).
size_t compressInto(const void* data, size_t bytes, std::string* out) {
  thread_local std::vector<char> scratch;
  ZSTD_CCtx* ctx = threadCctx();
  const size_t bound = ZSTD_compressBound(bytes);
  if (scratch.size() < bound) scratch.resize(bound);
  // Compressing into a buffer of compressBound cannot fail but for memory;
  // an empty result tells the writer.
  size_t n = ctx == nullptr ? 0 : ZSTD_compress2(ctx, scratch.data(), bound, data, bytes);
  if (ZSTD_isError(n)) n = 0;
  out->assign(scratch.data(), n);
  return n;
}

}  // namespace

std::string_view codecName(ChunkCodec c) {
  return c == ChunkCodec::kZstdDelta ? "zstd_delta" : "zstd";
}

bool parseCodec(std::string_view name, ChunkCodec* out) {
  if (name == "zstd") *out = ChunkCodec::kZstd;
  else if (name == "zstd_delta") *out = ChunkCodec::kZstdDelta;
  else return false;
  return true;
}

size_t valueWidth(model::ColumnType type) {
  switch (type) {
    case model::ColumnType::kI64:
      return sizeof(int64_t);
    case model::ColumnType::kI32:
      return sizeof(int32_t);
    case model::ColumnType::kF64:
      return sizeof(double);
    case model::ColumnType::kStr:
      return sizeof(model::StringId);
  }
  return 8;
}

ChunkCodec encodeChunk(const void* values, size_t rows, model::ColumnType type, std::string* out) {
  const size_t width = valueWidth(type);
  const size_t bytes = rows * width;
  if (type == model::ColumnType::kF64 || rows < 2) {
    compressInto(values, bytes, out);
    return ChunkCodec::kZstd;
  }
  // Reused per thread: a fresh 8 MB buffer per chunk costs its page faults
  // every time.
  thread_local std::vector<unsigned char> delta;
  if (delta.size() < bytes) delta.resize(bytes);
  deltaEncode(values, rows, width, delta.data());
  const size_t sample = std::min(rows, kSampleRows) * width;
  std::string probe;
  size_t plain_size = compressInto(values, sample, &probe);
  size_t delta_size = compressInto(delta.data(), sample, &probe);
  if (delta_size < plain_size) {
    compressInto(delta.data(), bytes, out);
    return ChunkCodec::kZstdDelta;
  }
  compressInto(values, bytes, out);
  return ChunkCodec::kZstd;
}

std::string decodeChunk(std::string_view blob, ChunkCodec codec, model::ColumnType type,
                        size_t rows, void* dest) {
  const size_t width = valueWidth(type);
  const size_t expected = rows * width;
  if (codec == ChunkCodec::kZstdDelta && type == model::ColumnType::kF64) {
    return "codec zstd_delta is not valid for a REAL column";
  }
  unsigned long long content = ZSTD_getFrameContentSize(blob.data(), blob.size());
  if (content == ZSTD_CONTENTSIZE_ERROR) return "not a zstd frame";
  if (content == ZSTD_CONTENTSIZE_UNKNOWN || content != expected) {
    return "frame holds " +
           (content == ZSTD_CONTENTSIZE_UNKNOWN ? std::string("an unknown number of")
                                                : std::to_string(content)) +
           " bytes, expected " + std::to_string(expected) + " (" + std::to_string(rows) +
           " values of " + std::to_string(width) + " bytes)";
  }
  ZSTD_DCtx* ctx = threadDctx();
  if (ctx == nullptr) return "out of memory for a zstd context";
  unsigned char empty = 0;
  void* target = expected == 0 ? &empty : dest;
  size_t n = ZSTD_decompressDCtx(ctx, target, expected, blob.data(), blob.size());
  if (ZSTD_isError(n)) return std::string("zstd: ") + ZSTD_getErrorName(n);
  if (n != expected) {
    return "decompressed to " + std::to_string(n) + " bytes, expected " + std::to_string(expected);
  }
  if (codec == ChunkCodec::kZstdDelta) {
    if (width == 8) deltaDecode<uint64_t>(dest, rows);
    else deltaDecode<uint32_t>(dest, rows);
  }
  return "";
}

}  // namespace gpuscope::store
