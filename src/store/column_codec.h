// One chunk of one column in the store's column cache (column_chunks.data):
// the column's native values, little-endian, compressed with zstd. Integer
// columns may be delta-encoded first (codec "zstd_delta": value 0, then each
// value minus the one before, wrapping), which turns sorted timestamps,
// dense correlation ids and constant columns into small repeating numbers.
// The writer picks per chunk whichever of the two a sample compresses
// smaller; the reader accepts both.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "model/table_macros.h"

namespace gpuscope::store {

enum class ChunkCodec { kZstd, kZstdDelta };
std::string_view codecName(ChunkCodec c);  // "zstd", "zstd_delta"
bool parseCodec(std::string_view name, ChunkCodec* out);

// Bytes per value of a column type (int64 8, int32 4, double 8, string id 4).
size_t valueWidth(model::ColumnType type);

// Compresses `rows` values of `type` at `values` (native layout) into *out,
// choosing the codec; returns it. Delta is never chosen for REAL columns.
ChunkCodec encodeChunk(const void* values, size_t rows, model::ColumnType type, std::string* out);

// Decompresses `blob` into `dest`, which holds exactly `rows` values of
// `type`; undoes the delta step. Returns "" on success, else what is wrong
// with the blob (for an error message that names where it came from).
std::string decodeChunk(std::string_view blob, ChunkCodec codec, model::ColumnType type,
                        size_t rows, void* dest);

}  // namespace gpuscope::store
