// nsys packs host ids into one 64-bit value (Analysis Guide, SQLite schema):
// TID bits 0-23, PID bits 24-47, VM id bits 48-55, host id bits 56-63.
// `globalPid` is the same packing with TID = 0. The model keeps the decoded
// OS ids, so API calls (globalTid) and GPU work (globalPid) meet on pid.
#pragma once

#include <cstdint>

#include "model/table_macros.h"

namespace gpuscope::importers::nsys_sqlite {

inline int64_t pidOf(int64_t global_tid) {
  if (global_tid == model::kNullI64) return model::kNullI64;
  return static_cast<int64_t>((static_cast<uint64_t>(global_tid) >> 24) & 0xFFFFFFu);
}

inline int64_t tidOf(int64_t global_tid) {
  if (global_tid == model::kNullI64) return model::kNullI64;
  return static_cast<int64_t>(static_cast<uint64_t>(global_tid) & 0xFFFFFFu);
}

}  // namespace gpuscope::importers::nsys_sqlite
