// Tables are declared once, as a column list, and everything else — the
// struct-of-arrays storage, the Row used to append, the store's SQL schema
// and its reader/writer — is generated from that list (as Perfetto's trace
// processor once did with its table macros).
//
// A column list is a macro taking C(TYPE, name, "description"), where TYPE is
// one of I64, I32, F64 (numbers) or STR (a StringId into Trace::strings).
// Integer columns use a sentinel (kNull) for "unknown"; the store writes it
// as SQL NULL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "model/string_table.h"

namespace gpuscope::model {

template <typename T>
inline constexpr T kNull = std::numeric_limits<T>::min();
inline constexpr int64_t kNullI64 = kNull<int64_t>;
inline constexpr int32_t kNullI32 = kNull<int32_t>;

enum class ColumnType { kI64, kI32, kF64, kStr };

struct ColumnInfo {
  const char* name;
  ColumnType type;
  const char* description;
};

using GS_TYPE_I64 = int64_t;
using GS_TYPE_I32 = int32_t;
using GS_TYPE_F64 = double;
using GS_TYPE_STR = StringId;

template <typename T>
constexpr T defaultValue() {
  if constexpr (std::is_same_v<T, StringId>) return kEmptyString;
  else if constexpr (std::is_same_v<T, double>) return 0.0;
  else return kNull<T>;
}

}  // namespace gpuscope::model

#define GS_COLUMN_TYPE_I64 ::gpuscope::model::ColumnType::kI64
#define GS_COLUMN_TYPE_I32 ::gpuscope::model::ColumnType::kI32
#define GS_COLUMN_TYPE_F64 ::gpuscope::model::ColumnType::kF64
#define GS_COLUMN_TYPE_STR ::gpuscope::model::ColumnType::kStr

#define GS_ROW_FIELD(TYPE, name, desc) \
  ::gpuscope::model::GS_TYPE_##TYPE name = ::gpuscope::model::defaultValue<::gpuscope::model::GS_TYPE_##TYPE>();
#define GS_COLUMN_FIELD(TYPE, name, desc) std::vector<::gpuscope::model::GS_TYPE_##TYPE> name;
#define GS_PUSH_FIELD(TYPE, name, desc) name.push_back(r.name);
#define GS_GET_FIELD(TYPE, name, desc) r.name = name[i];
#define GS_RESERVE_FIELD(TYPE, name, desc) name.reserve(n);
#define GS_VISIT_FIELD(TYPE, name, desc) \
  f(::gpuscope::model::ColumnInfo{#name, GS_COLUMN_TYPE_##TYPE, desc}, t.name);

// Declares `struct Name` with one std::vector per column, plus:
//   Row, push(Row), row(i), size(), reserve(n), kSqlName, kDescription,
//   forEachColumn(table, f) calling f(ColumnInfo, column-vector&).
#define GS_DECLARE_TABLE(Name, sql_name, description, COLUMNS)                   \
  struct Name {                                                                \
    static constexpr const char* kSqlName = sql_name;                          \
    static constexpr const char* kDescription = description;                   \
    struct Row {                                                               \
      COLUMNS(GS_ROW_FIELD)                                                    \
    };                                                                         \
    COLUMNS(GS_COLUMN_FIELD)                                                   \
    size_t rows_ = 0;                                                          \
    size_t size() const { return rows_; }                                      \
    bool empty() const { return rows_ == 0; }                                  \
    void push(const Row& r) {                                                  \
      COLUMNS(GS_PUSH_FIELD)                                                   \
      ++rows_;                                                                 \
    }                                                                          \
    Row row(size_t i) const {                                                  \
      Row r;                                                                   \
      COLUMNS(GS_GET_FIELD)                                                    \
      return r;                                                                \
    }                                                                          \
    void reserve(size_t n) { COLUMNS(GS_RESERVE_FIELD) }                       \
    template <typename T, typename F>                                          \
    static void forEachColumn(T& t, F&& f) {                                   \
      COLUMNS(GS_VISIT_FIELD)                                                  \
    }                                                                          \
    /* For readers that fill columns directly: call after resizing them. */   \
    void setSizeFromColumns() {                                                \
      size_t n = 0;                                                            \
      bool first = true;                                                       \
      forEachColumn(*this, [&](const ::gpuscope::model::ColumnInfo&, auto& c) { \
        if (first) n = c.size();                                               \
        first = false;                                                         \
      });                                                                      \
      rows_ = n;                                                               \
    }                                                                          \
  }
