#include "store_test_util.h"

#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace gpuscope::store::testing {

ScratchDir::ScratchDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base != nullptr ? base : "/tmp") + "/gpuscope_store_XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

std::vector<std::string> ScratchDir::entries() const {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(path_)) {
    names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

const std::vector<std::string>& hostileStrings() {
  static const std::vector<std::string> kStrings = {
      "</script><script>alert(1)</script>",
      "say \"hi\" and 'bye'",
      "line one\nline two\r\nline three\ttab",
      "日本語カーネル ∑ µs — ünïcödé 🚀",
      "'); DROP TABLE kernels; --",
      "void gemm<float, 128>(float const*, float*, int)",
      "back\\slash and %s %d {}",
      std::string(3000, 'x'),
  };
  return kStrings;
}

namespace {

// Values an integer column cycles through; kNull is the "unknown" sentinel
// and must come back as itself, the extremes next to it must not become it.
constexpr int64_t kI64Values[] = {0,
                                  1,
                                  -1,
                                  123456789012345,
                                  model::kNullI64,
                                  std::numeric_limits<int64_t>::max(),
                                  std::numeric_limits<int64_t>::min() + 1,
                                  42};
constexpr int32_t kI32Values[] = {0,
                                  1,
                                  -1,
                                  65536,
                                  model::kNullI32,
                                  std::numeric_limits<int32_t>::max(),
                                  std::numeric_limits<int32_t>::min() + 1,
                                  7};

}  // namespace

model::Trace makeFullTrace(size_t rows_per_table) {
  model::Trace trace;
  std::vector<model::StringId> ids = {model::kEmptyString};
  for (const auto& s : hostileStrings()) ids.push_back(trace.strings.intern(s));
  for (int i = 0; i < 5; ++i) ids.push_back(trace.strings.intern("name_" + std::to_string(i)));

  size_t table_index = 0;
  trace.forEachTable([&](auto& table) {
    using Table = std::decay_t<decltype(table)>;
    for (size_t r = 0; r < rows_per_table; ++r) {
      size_t column_index = 0;
      Table::forEachColumn(table, [&](const model::ColumnInfo&, auto& column) {
        using T = typename std::decay_t<decltype(column)>::value_type;
        // Offsets differ per table and column so no two columns are equal.
        size_t k = r + column_index * 3 + table_index * 5;
        if constexpr (std::is_same_v<T, int64_t>) {
          column.push_back(kI64Values[k % std::size(kI64Values)] + (k % 8 == 7 ? int64_t(r) : 0));
        } else if constexpr (std::is_same_v<T, int32_t>) {
          column.push_back(kI32Values[k % std::size(kI32Values)]);
        } else if constexpr (std::is_same_v<T, double>) {
          column.push_back(static_cast<double>(k) / 3.0);
        } else {
          column.push_back(ids[k % ids.size()]);
        }
        ++column_index;
      });
    }
    table.setSizeFromColumns();
    ++table_index;
  });

  trace.meta[model::kMetaSourceFormat] = "kineto_json";
  trace.meta[model::kMetaSourcePath] = "/data/run \"1\"/trace.json";
  trace.meta[model::kMetaTimeBaseNs] = "1700000000123456789";
  trace.meta["custom_key"] = hostileStrings()[2];
  trace.diagnostics.add("kernel_end_before_start", model::Severity::kDataLoss,
                        "kernel rows whose end precedes start were skipped", "row 17 of KERNEL", 3);
  trace.diagnostics.add("unknown_event_category", model::Severity::kInfo, hostileStrings()[0],
                        "byte 4096", 1);
  trace.diagnostics.add("broken_flow", model::Severity::kError, "", "", 12);
  return trace;
}

// Kernels (pid, start, end, correlation, name):
//   100  1000  1500  1  gemm</script>   500 ns
//   100  2000  4000  2  relu           2000 ns  graph 5
//   100  5000  5100  3  gemm</script>   100 ns
//   100  6000  9000  4  softmax "q"    3000 ns
//   200  6500  6600  1  relu            100 ns
// Launches start 100 ns before each kernel; pid 100 also has a cudaMemcpy
// (correlation 5) with no kernel.
model::Trace makeSmallTrace() {
  model::Trace t;
  const auto gemm = t.strings.intern("gemm</script>");
  const auto relu = t.strings.intern("relu");
  const auto softmax = t.strings.intern("softmax \"q\"");
  const auto launch = t.strings.intern("cudaLaunchKernel");
  struct K {
    int64_t pid, start, end, corr;
    model::StringId name;
    int64_t graph;
  };
  const K kernels[] = {{100, 1000, 1500, 1, gemm, model::kNullI64},
                       {100, 2000, 4000, 2, relu, 5},
                       {100, 5000, 5100, 3, gemm, model::kNullI64},
                       {100, 6000, 9000, 4, softmax, model::kNullI64},
                       {200, 6500, 6600, 1, relu, model::kNullI64}};
  for (const auto& k : kernels) {
    model::KernelTable::Row r;
    r.pid = k.pid;
    r.start = k.start;
    r.end = k.end;
    r.correlation_id = k.corr;
    r.name = k.name;
    r.short_name = k.name;
    r.graph_id = k.graph;
    r.device_id = 0;
    r.stream_id = 7;
    t.kernels.push(r);
    model::ApiCallTable::Row a;
    a.pid = k.pid;
    a.tid = k.pid + 1;
    a.start = k.start - 100;
    a.end = k.start - 50;
    a.correlation_id = k.corr;
    a.name = launch;
    a.api_kind = 0;
    a.return_code = 0;
    t.api_calls.push(a);
  }
  model::ApiCallTable::Row memcpy_call;
  memcpy_call.pid = 100;
  memcpy_call.tid = 101;
  memcpy_call.start = 9100;
  memcpy_call.end = 9900;
  memcpy_call.correlation_id = 5;
  memcpy_call.name = t.strings.intern("cudaMemcpy");
  t.api_calls.push(memcpy_call);

  model::NvtxTable::Row range;
  range.pid = 100;
  range.tid = 101;
  range.start = 800;
  range.end = 5200;
  range.kind = static_cast<int32_t>(model::NvtxKind::kPushPop);
  range.depth = 0;
  range.text = t.strings.intern("step 1");
  t.nvtx.push(range);
  model::NvtxTable::Row mark;
  mark.pid = 100;
  mark.tid = 101;
  mark.start = 5300;
  mark.kind = static_cast<int32_t>(model::NvtxKind::kMark);
  mark.text = t.strings.intern("checkpoint");
  t.nvtx.push(mark);

  model::MemcpyTable::Row h2d;
  h2d.pid = 100;
  h2d.start = 9200;
  h2d.end = 10200;
  h2d.bytes = 1 << 20;
  h2d.copy_kind = static_cast<int32_t>(model::CopyKind::kHtoD);
  h2d.correlation_id = 5;
  t.memcpys.push(h2d);
  model::MemcpyTable::Row d2h = h2d;
  d2h.start = 11000;
  d2h.end = 11500;
  d2h.bytes = 2 << 20;
  d2h.copy_kind = static_cast<int32_t>(model::CopyKind::kDtoH);
  t.memcpys.push(d2h);

  t.meta[model::kMetaSourceFormat] = "nsys_sqlite";
  t.meta[model::kMetaTimeBaseNs] = "1700000000000000000";
  t.diagnostics.add("kernel_end_before_start", model::Severity::kDataLoss,
                    "kernel rows whose end precedes start", "row 3 of CUPTI_ACTIVITY_KIND_KERNEL",
                    2);
  return t;
}

namespace {

struct Db {
  sqlite3* db = nullptr;
  Db(const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
      throw std::runtime_error("cannot open " + path);
    }
  }
  ~Db() { sqlite3_close(db); }
};

}  // namespace

int64_t queryInt(const std::string& path, const std::string& sql) {
  Db d(path, SQLITE_OPEN_READONLY);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(d.db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    throw std::runtime_error(sql + ": " + sqlite3_errmsg(d.db));
  }
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_finalize(s);
    throw std::runtime_error(sql + ": no row");
  }
  int64_t v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

std::string queryText(const std::string& path, const std::string& sql) {
  Db d(path, SQLITE_OPEN_READONLY);
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(d.db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    throw std::runtime_error(sql + ": " + sqlite3_errmsg(d.db));
  }
  if (sqlite3_step(s) != SQLITE_ROW) {
    sqlite3_finalize(s);
    throw std::runtime_error(sql + ": no row");
  }
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  std::string v = p == nullptr ? "<NULL>" : std::string(p, sqlite3_column_bytes(s, 0));
  sqlite3_finalize(s);
  return v;
}

bool execSql(const std::string& path, const std::string& sql, std::string* error) {
  Db d(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  char* err = nullptr;
  bool ok = sqlite3_exec(d.db, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK;
  if (!ok && error != nullptr) *error = err != nullptr ? err : "";
  sqlite3_free(err);
  return ok;
}

void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

template <typename Table>
void expectTablesEqual(const Table& a, const Table& b) {
  ASSERT_EQ(a.size(), b.size()) << Table::kSqlName;
  size_t ia = 0;
  Table::forEachColumn(a, [&](const model::ColumnInfo& info, const auto& ca) {
    size_t ib = 0;
    Table::forEachColumn(b, [&](const model::ColumnInfo&, const auto& cb) {
      if constexpr (std::is_same_v<decltype(ca), decltype(cb)>) {
        if (ia == ib) {
          ASSERT_EQ(ca.size(), cb.size()) << Table::kSqlName << "." << info.name;
          for (size_t i = 0; i < ca.size(); ++i) {
            EXPECT_EQ(ca[i], cb[i]) << Table::kSqlName << "." << info.name << " row " << i;
          }
        }
      }
      ++ib;
    });
    ++ia;
  });
}

}  // namespace

void expectTracesEqual(const model::Trace& a, const model::Trace& b) {
  size_t ia = 0;
  a.forEachTable([&](const auto& ta) {
    size_t ib = 0;
    b.forEachTable([&](const auto& tb) {
      if constexpr (std::is_same_v<decltype(ta), decltype(tb)>) {
        if (ia == ib) expectTablesEqual(ta, tb);
      }
      ++ib;
    });
    ++ia;
  });
  ASSERT_EQ(a.strings.size(), b.strings.size());
  for (model::StringId id = 0; id < a.strings.size(); ++id) {
    EXPECT_EQ(a.strings.get(id), b.strings.get(id)) << "string id " << id;
  }
  const auto& da = a.diagnostics.all();
  const auto& db = b.diagnostics.all();
  ASSERT_EQ(da.size(), db.size());
  for (size_t i = 0; i < da.size(); ++i) {
    EXPECT_EQ(da[i].name, db[i].name);
    EXPECT_EQ(da[i].severity, db[i].severity) << da[i].name;
    EXPECT_EQ(da[i].count, db[i].count) << da[i].name;
    EXPECT_EQ(da[i].first_position, db[i].first_position) << da[i].name;
    EXPECT_EQ(da[i].description, db[i].description) << da[i].name;
  }
}

}  // namespace gpuscope::store::testing
