// Golden comparison: every report that nsys defines by SQL is recomputed
// here from the SQLite file itself, with queries written from
// reference/nsys.md §2-§3 (GROUP BY over CUPTI_ACTIVITY_KIND_* joined to
// StringIds; the API<->GPU join on correlationId and globalPid), and the
// statistics computed in this file from the SQL-fetched values. The
// gpuscope side loads the same file with importers::readNsysSqlite and runs
// the report. Inputs: every nsys export under ../shared/data/nsys (skipped
// when absent) and synthetic exports from tests/fixtures/nsys_fixture.h.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "fixtures/nsys_fixture.h"
#include "importers/nsys_sqlite/reader.h"
#include "stats/context.h"
#include "stats/registry.h"
#include "unit/stats/report_test_util.h"

namespace gpuscope::stats {
namespace {

namespace fs = std::filesystem;

// ---- SQL side ---------------------------------------------------------

class Db {
 public:
  explicit Db(const std::string& path) { sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr); }
  ~Db() { sqlite3_close(db_); }
  bool hasTable(const std::string& t) {
    return !query("SELECT name FROM sqlite_master WHERE type='table' AND name='" + t + "'").empty();
  }
  bool hasColumn(const std::string& t, const std::string& c) {
    for (auto& row : query("PRAGMA table_info(" + t + ")")) {
      if (row[1] == c) return true;
    }
    return false;
  }
  // All values as text; NULL as "\x01NULL".
  std::vector<std::vector<std::string>> query(const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sqlite3_errmsg(db_) << " in " << sql;
      return out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const unsigned char* v = sqlite3_column_text(st, i);
        row.emplace_back(v ? reinterpret_cast<const char*>(v) : kNull);
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(st);
    return out;
  }
  static inline const std::string kNull = "\x01NULL";

 private:
  sqlite3* db_ = nullptr;
};

int64_t num(const std::string& s) { return std::stoll(s); }

struct Expected {  // one summary row
  std::vector<std::string> keys;
  int64_t count = 0, total = 0, min = 0, max = 0;
  double mean = 0, median = 0, stddev = 0;
};

// Statistics as nsys defines them (reference §3.1), computed plainly.
Expected stat(std::vector<std::string> keys, std::vector<int64_t> v) {
  Expected e;
  e.keys = std::move(keys);
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  e.count = static_cast<int64_t>(n);
  for (int64_t x : v) e.total += x;
  e.min = v.front();
  e.max = v.back();
  e.mean = static_cast<double>(e.total) / static_cast<double>(n);
  e.median = n % 2 ? static_cast<double>(v[n / 2]) : (static_cast<double>(v[n / 2 - 1]) + static_cast<double>(v[n / 2])) / 2;
  double ss = 0;
  for (int64_t x : v) ss += (static_cast<double>(x) - e.mean) * (static_cast<double>(x) - e.mean);
  e.stddev = n > 1 ? std::sqrt(ss / static_cast<double>(n - 1)) : 0.0;
  return e;
}

// Groups (keys..., value) rows and orders them as the summary reports do.
std::vector<Expected> summarizeSql(const std::vector<std::vector<std::string>>& rows) {
  std::map<std::vector<std::string>, std::vector<int64_t>> groups;
  for (const auto& r : rows) groups[std::vector<std::string>(r.begin(), r.end() - 1)].push_back(num(r.back()));
  std::vector<Expected> out;
  for (auto& [k, v] : groups) out.push_back(stat(k, v));
  std::stable_sort(out.begin(), out.end(), [](const Expected& a, const Expected& b) {
    if (a.total != b.total) return a.total > b.total;
    return a.count > b.count;  // then keys ascending (map order, kept by stable_sort)
  });
  return out;
}

std::string copyLabel(int64_t kind) {  // reference §2.4, current nsys labels
  static const char* k[] = {"Unknown", "Host-to-Device", "Device-to-Host", "Host-to-Array", "Array-to-Host",
                            "Array-to-Array", "Array-to-Device", "Device-to-Array", "Device-to-Device",
                            "Host-to-Host", "Peer-to-Peer", "Unified Host-to-Device",
                            "Unified Device-to-Host", "Unified Device-to-Device"};
  return std::string("[CUDA memcpy ") + k[kind] + "]";
}

// API name with nsys's suffix rule: drop 6 chars when substr(name,-6,2)='_v'.
const char* kApiName =
    "CASE WHEN substr(s.value,-6,2)='_v' THEN substr(s.value,1,length(s.value)-6) ELSE s.value END";

// ---- comparison ---------------------------------------------------------

using testing::col;

void expectSummary(const ReportTable& t, const std::vector<Expected>& want, const std::string& count_label,
                   const std::vector<std::string>& key_labels, bool percent, const std::string& file) {
  SCOPED_TRACE(file + " / " + t.name());
  if (want.empty()) {
    EXPECT_TRUE(t.skipped().has_value());
    return;
  }
  ASSERT_FALSE(t.skipped().has_value()) << *t.skipped();
  ASSERT_EQ(t.rowCount(), want.size());
  int64_t grand = 0;
  for (const auto& w : want) grand += w.total;
  std::string total_label = percent ? "Total Time" : "Total";
  for (size_t r = 0; r < want.size(); ++r) {
    const Expected& w = want[r];
    for (size_t k = 0; k < key_labels.size(); ++k) EXPECT_EQ(t.textAt(r, col(t, key_labels[k])), w.keys[k]) << "row " << r;
    EXPECT_EQ(t.intAt(r, col(t, total_label)), w.total) << "row " << r;
    EXPECT_EQ(t.intAt(r, col(t, count_label)), w.count);
    EXPECT_NEAR(t.doubleAt(r, col(t, "Avg")), w.mean, 1e-6 * std::max(1.0, w.mean));
    EXPECT_DOUBLE_EQ(t.doubleAt(r, col(t, "Med")), w.median);
    EXPECT_EQ(t.intAt(r, col(t, "Min")), w.min);
    EXPECT_EQ(t.intAt(r, col(t, "Max")), w.max);
    EXPECT_NEAR(t.doubleAt(r, col(t, "StdDev")), w.stddev, 1e-6 * std::max(1.0, w.stddev));
    if (percent) {
      double pct = std::round(1000.0 * static_cast<double>(w.total) / static_cast<double>(grand)) / 10.0;
      EXPECT_DOUBLE_EQ(t.doubleAt(r, col(t, "Time")), pct);
    }
  }
}

ReportTable report(ReportContext& ctx, const std::string& name) {
  auto reqs = parseReportList(name);
  return runReport(ctx, reqs->at(0));
}

// Rows compared per derived report, so that a fixture with NVTX and
// kernels cannot pass by comparing nothing.
struct Compared {
  size_t proj_trace = 0, kern_sum = 0, kern_exec = 0, gpu_trace = 0;
  size_t nvtx_styles = 0;  // styles (0..2) with ranges, each compared by its one-style summary
  size_t combined = 0;     // API calls + GPU ops behind cuda_api_gpu_sum
};

void checkFile(const std::string& path, Compared* compared = nullptr) {
  Compared local;
  if (compared == nullptr) compared = &local;
  SCOPED_TRACE(path);
  auto loaded = importers::readNsysSqlite(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  model::Trace& trace = *loaded;
  ReportContext ctx(trace);
  Db db(path);

  // cuda_api_sum: RUNTIME rows, CUDA backtrace rows (eventClass 67) aside.
  std::vector<Expected> api;
  if (db.hasTable("CUPTI_ACTIVITY_KIND_RUNTIME")) {
    std::string where = "r.end >= r.start";
    if (db.hasColumn("CUPTI_ACTIVITY_KIND_RUNTIME", "eventClass")) where += " AND r.eventClass != 67";
    api = summarizeSql(db.query(std::string("SELECT ") + kApiName +
                                ", r.end - r.start FROM CUPTI_ACTIVITY_KIND_RUNTIME r JOIN StringIds s "
                                "ON s.id = r.nameId WHERE " + where));
  }
  expectSummary(report(ctx, "cuda_api_sum"), api, "Num Calls", {"Name"}, true, path);
  // Rows (Category, Operation, duration) of cuda_gpu_sum / cuda_api_gpu_sum.
  std::vector<std::vector<std::string>> combined_api, combined_gpu;
  if (db.hasTable("CUPTI_ACTIVITY_KIND_RUNTIME")) {
    std::string where = "r.end >= r.start";
    if (db.hasColumn("CUPTI_ACTIVITY_KIND_RUNTIME", "eventClass")) where += " AND r.eventClass != 67";
    for (auto& r : db.query(std::string("SELECT ") + kApiName +
                            ", r.end - r.start FROM CUPTI_ACTIVITY_KIND_RUNTIME r JOIN StringIds s "
                            "ON s.id = r.nameId WHERE " + where)) {
      combined_api.push_back({"CUDA_API", r[0], r[1]});
    }
  }

  // cuda_gpu_kern_sum: demangled names.
  std::vector<Expected> kern;
  if (db.hasTable("CUPTI_ACTIVITY_KIND_KERNEL")) {
    kern = summarizeSql(db.query(
        "SELECT s.value, k.end - k.start FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s "
        "ON s.id = k.demangledName WHERE k.end >= k.start"));
  }
  expectSummary(report(ctx, "cuda_gpu_kern_sum"), kern, "Instances", {"Name"}, true, path);

  // cuda_gpu_kern_gb_sum: demangled name and launch geometry, printed as
  // nsys's SQL does (printf('%4d %4d %4d', ...)).
  std::vector<Expected> kern_gb;
  if (db.hasTable("CUPTI_ACTIVITY_KIND_KERNEL")) {
    kern_gb = summarizeSql(db.query(
        "SELECT printf('%4d %4d %4d', k.gridX, k.gridY, k.gridZ), printf('%4d %4d %4d', k.blockX, k.blockY, "
        "k.blockZ), s.value, k.end - k.start FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s "
        "ON s.id = k.demangledName WHERE k.end >= k.start"));
    for (auto& r : db.query("SELECT s.value, k.end - k.start FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s "
                            "ON s.id = k.demangledName WHERE k.end >= k.start")) {
      combined_gpu.push_back({"CUDA_KERNEL", r[0], r[1]});
    }
  }
  expectSummary(report(ctx, "cuda_gpu_kern_gb_sum"), kern_gb, "Instances", {"GridXYZ", "BlockXYZ", "Name"}, true,
                path);

  // cuda_gpu_mem_time_sum / cuda_gpu_mem_size_sum.
  std::vector<std::vector<std::string>> mem_time, mem_size;
  if (db.hasTable("CUPTI_ACTIVITY_KIND_MEMCPY")) {
    for (auto& r : db.query("SELECT copyKind, end - start, bytes FROM CUPTI_ACTIVITY_KIND_MEMCPY "
                            "WHERE end >= start AND copyKind BETWEEN 0 AND 13")) {
      mem_time.push_back({copyLabel(num(r[0])), r[1]});
      mem_size.push_back({copyLabel(num(r[0])), r[2]});
    }
  }
  if (db.hasTable("CUPTI_ACTIVITY_KIND_MEMSET")) {
    for (auto& r : db.query("SELECT end - start, bytes FROM CUPTI_ACTIVITY_KIND_MEMSET WHERE end >= start")) {
      mem_time.push_back({"[CUDA memset]", r[0]});
      mem_size.push_back({"[CUDA memset]", r[1]});
    }
  }
  expectSummary(report(ctx, "cuda_gpu_mem_time_sum"), summarizeSql(mem_time), "Count", {"Operation"}, true, path);
  expectSummary(report(ctx, "cuda_gpu_mem_size_sum"), summarizeSql(mem_size), "Count", {"Operation"}, false, path);

  // cuda_gpu_sum = kernels + memops; cuda_api_gpu_sum = API calls + both.
  for (const auto& m : mem_time) combined_gpu.push_back({"MEMORY_OPER", m[0], m[1]});
  std::vector<std::vector<std::string>> combined_all = combined_api;
  combined_all.insert(combined_all.end(), combined_gpu.begin(), combined_gpu.end());
  ReportTable gpu_sum = report(ctx, "cuda_gpu_sum");
  ReportTable api_gpu_sum = report(ctx, "cuda_api_gpu_sum");
  expectSummary(gpu_sum, summarizeSql(combined_gpu), "Instances", {"Category", "Operation"}, true, path);
  expectSummary(api_gpu_sum, summarizeSql(combined_all), "Instances", {"Category", "Operation"}, true, path);
  // Per category, the report's totals equal plain SQL sums over each table.
  auto sqlSum = [&](const std::string& table, const std::string& where) -> int64_t {
    if (!db.hasTable(table)) return 0;
    auto q = db.query("SELECT coalesce(sum(end - start), 0) FROM " + table + " WHERE end >= start" + where);
    return num(q.at(0).at(0));
  };
  std::map<std::string, int64_t> want_totals = {
      {"CUDA_API", sqlSum("CUPTI_ACTIVITY_KIND_RUNTIME",
                          db.hasColumn("CUPTI_ACTIVITY_KIND_RUNTIME", "eventClass") ? " AND eventClass != 67" : "")},
      {"CUDA_KERNEL", sqlSum("CUPTI_ACTIVITY_KIND_KERNEL", "")},
      {"MEMORY_OPER", sqlSum("CUPTI_ACTIVITY_KIND_MEMCPY", " AND copyKind BETWEEN 0 AND 13") +
                          sqlSum("CUPTI_ACTIVITY_KIND_MEMSET", "")}};
  for (const ReportTable* t : {&gpu_sum, &api_gpu_sum}) {
    if (t->skipped()) continue;
    std::map<std::string, int64_t> got;
    for (size_t r = 0; r < t->rowCount(); ++r) {
      got[std::string(t->textAt(r, col(*t, "Category")))] += t->intAt(r, col(*t, "Total Time"));
    }
    for (const auto& [category, total] : want_totals) {
      if (t == &gpu_sum && category == "CUDA_API") continue;
      EXPECT_EQ(got[category], total) << t->name() << " " << category;
    }
  }

  // osrt_sum: eventClass 27 only.
  std::vector<Expected> osrt;
  if (db.hasTable("OSRT_API")) {
    osrt = summarizeSql(db.query("SELECT s.value, o.end - o.start FROM OSRT_API o JOIN StringIds s "
                                 "ON s.id = o.nameId WHERE o.end >= o.start AND o.eventClass = 27"));
  }
  expectSummary(report(ctx, "osrt_sum"), osrt, "Num Calls", {"Name"}, true, path);

  // NVTX: names resolved as COALESCE(text, StringIds(textId)), domains by
  // (domainId, PID) from eventType 75; open ranges end at the largest
  // range timestamp.
  std::vector<Expected> nvtx;
  std::vector<std::vector<std::string>> pushpop_rows, startend_rows;  // (Range, duration) per style
  std::vector<std::tuple<int64_t, int64_t, int64_t, std::string, std::string, int64_t>> ranges;  // start,end,gtid,name,style,endGtid-null?
  if (db.hasTable("NVTX_EVENTS")) {
    std::string text = db.hasColumn("NVTX_EVENTS", "textId")
                           ? "COALESCE(n.text, (SELECT value FROM StringIds WHERE id = n.textId))"
                           : "n.text";
    std::string dom = db.hasColumn("NVTX_EVENTS", "domainId") ? "n.domainId" : "0";
    std::map<std::pair<int64_t, int64_t>, std::string> domains;
    for (auto& r : db.query("SELECT " + dom + ", (n.globalTid >> 24) & 16777215, " + text +
                            " FROM NVTX_EVENTS n WHERE n.eventType = 75")) {
      domains[{num(r[0]), num(r[1])}] = r[2];
    }
    auto mx = db.query("SELECT max(max(start), coalesce(max(end), 0)) FROM NVTX_EVENTS WHERE eventType IN (59, 60)");
    int64_t max_ts = mx.empty() || mx[0][0] == Db::kNull ? 0 : num(mx[0][0]);
    std::vector<std::vector<std::string>> rows;
    std::string end_gtid = db.hasColumn("NVTX_EVENTS", "endGlobalTid") ? "n.endGlobalTid" : "NULL";
    for (auto& r : db.query("SELECT n.start, COALESCE(n.end, " + std::to_string(max_ts) + "), n.globalTid, " +
                            dom + ", " + text + ", n.eventType, " + end_gtid +
                            " FROM NVTX_EVENTS n WHERE n.eventType IN (59, 60) AND (n.end IS NULL OR n.end >= n.start)")) {
      int64_t gtid = num(r[2]), d = r[3] == Db::kNull ? 0 : num(r[3]);
      std::string name = r[4] == Db::kNull ? "" : r[4];
      auto it = domains.find({d, (gtid >> 24) & 0xFFFFFF});
      if (d != 0 && it != domains.end()) name = it->second + ":" + name;
      std::string style = r[5] == "59" ? "PushPop" : "StartEnd";
      rows.push_back({style, name, std::to_string(num(r[1]) - num(r[0]))});
      (style == "PushPop" ? pushpop_rows : startend_rows).push_back({name, std::to_string(num(r[1]) - num(r[0]))});
      bool same_thread = r[6] == Db::kNull || num(r[6]) == gtid;
      if (same_thread) ranges.emplace_back(num(r[0]), num(r[1]), gtid, name, style, 0);
    }
    nvtx = summarizeSql(rows);
  }
  expectSummary(report(ctx, "nvtx_sum"), nvtx, "Instances", {"Style", "Range"}, true, path);
  expectSummary(report(ctx, "nvtx_pushpop_sum"), summarizeSql(pushpop_rows), "Instances", {"Range"}, true, path);
  expectSummary(report(ctx, "nvtx_startend_sum"), summarizeSql(startend_rows), "Instances", {"Range"}, true, path);
  compared->nvtx_styles = (pushpop_rows.empty() ? 0 : 1) + (startend_rows.empty() ? 0 : 1);
  compared->combined = combined_all.size();

  // nvtx_gpu_proj_trace: per range, GPU ops whose launching RUNTIME call
  // (same globalTid) starts and ends inside it.
  if (!ranges.empty() && db.hasTable("CUPTI_ACTIVITY_KIND_RUNTIME")) {
    std::vector<std::string> op_tables;
    for (const char* t : {"CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_MEMCPY", "CUPTI_ACTIVITY_KIND_MEMSET"}) {
      if (db.hasTable(t)) op_tables.push_back(t);
    }
    std::string ops;
    for (const auto& t : op_tables) {
      ops += (ops.empty() ? "" : " UNION ALL ") + std::string("SELECT start, end, correlationId, globalPid FROM ") + t +
             " WHERE end >= start";
    }
    std::string where_api = "r.end >= r.start";
    if (db.hasColumn("CUPTI_ACTIVITY_KIND_RUNTIME", "eventClass")) where_api += " AND r.eventClass != 67";
    // (start, duration desc, orig start, name) -> (proj start, proj dur, orig dur, ops)
    std::vector<std::tuple<int64_t, int64_t, int64_t, std::string, int64_t, int64_t>> want;
    std::map<std::tuple<std::string, std::string, int64_t, int64_t, std::string>, std::vector<int64_t>> kern_groups;
    for (auto& [start, end, gtid, name, style, unused] : ranges) {
      if (ops.empty()) break;
      auto q = db.query("SELECT min(op.start), max(op.end), count(DISTINCT r.correlationId) FROM (" + ops +
                        ") op JOIN CUPTI_ACTIVITY_KIND_RUNTIME r ON op.correlationId = r.correlationId AND "
                        "op.globalPid = (r.globalTid & -16777216) WHERE " + where_api + " AND r.globalTid = " +
                        std::to_string(gtid) + " AND r.start >= " + std::to_string(start) + " AND r.end <= " +
                        std::to_string(end));
      if (!q.empty() && q[0][2] != "0") {
        want.emplace_back(num(q[0][0]), -(num(q[0][1]) - num(q[0][0])), start, name, end - start, num(q[0][2]));
      }
      if (!db.hasTable("CUPTI_ACTIVITY_KIND_KERNEL")) continue;
      for (auto& k : db.query("SELECT s.value, k.end - k.start FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN StringIds s ON "
                              "s.id = k.demangledName JOIN CUPTI_ACTIVITY_KIND_RUNTIME r ON k.correlationId = "
                              "r.correlationId AND k.globalPid = (r.globalTid & -16777216) WHERE k.end >= k.start AND " +
                              where_api + " AND r.globalTid = " + std::to_string(gtid) + " AND r.start >= " +
                              std::to_string(start) + " AND r.end <= " + std::to_string(end))) {
        kern_groups[{name, style, (gtid >> 24) & 0xFFFFFF, gtid & 0xFFFFFF, k[0]}].push_back(num(k[1]));
      }
    }
    std::sort(want.begin(), want.end());
    ReportTable t = report(ctx, "nvtx_gpu_proj_trace");
    SCOPED_TRACE("nvtx_gpu_proj_trace");
    if (want.empty()) {
      EXPECT_TRUE(t.skipped().has_value());
    } else {
      ASSERT_EQ(t.rowCount(), want.size());
      std::vector<std::tuple<int64_t, int64_t, int64_t, std::string, int64_t, int64_t>> got;
      for (size_t r = 0; r < t.rowCount(); ++r) {
        got.emplace_back(t.intAt(r, col(t, "Projected Start")), -t.intAt(r, col(t, "Projected Duration")),
                         t.intAt(r, col(t, "Orig Start")), std::string(t.textAt(r, col(t, "Name"))),
                         t.intAt(r, col(t, "Orig Duration")), t.intAt(r, col(t, "NumGPUOps")));
      }
      // Report order is (projected start, projected duration desc); ties in
      // both are ordered here by the remaining fields on both sides.
      std::sort(got.begin(), got.end());
      EXPECT_EQ(got, want);
      compared->proj_trace = want.size();
    }
    // nvtx_kern_sum: kernel counts in every enclosing range.
    ReportTable ks = report(ctx, "nvtx_kern_sum");
    if (kern_groups.empty()) {
      EXPECT_TRUE(ks.skipped().has_value());
    } else {
      ASSERT_EQ(ks.rowCount(), kern_groups.size());
      for (size_t r = 0; r < ks.rowCount(); ++r) {
        auto key = std::make_tuple(std::string(ks.textAt(r, col(ks, "NVTX Range"))),
                                   std::string(ks.textAt(r, col(ks, "Style"))), ks.intAt(r, col(ks, "PID")),
                                   ks.intAt(r, col(ks, "TID")), std::string(ks.textAt(r, col(ks, "Kernel Name"))));
        auto it = kern_groups.find(key);
        ASSERT_NE(it, kern_groups.end()) << "unexpected row " << r;
        Expected e = stat({}, it->second);
        EXPECT_EQ(ks.intAt(r, col(ks, "Total Time")), e.total);
        EXPECT_DOUBLE_EQ(ks.doubleAt(r, col(ks, "Med")), e.median);
        EXPECT_NEAR(ks.doubleAt(r, col(ks, "StdDev")), e.stddev, 1e-6 * std::max(1.0, e.stddev));
        EXPECT_EQ(ks.intAt(r, col(ks, "Kern Inst")), e.count);  // nested same-name ranges are not generated
      }
      compared->kern_sum = ks.rowCount();
    }
  }

  // cuda_kern_exec_sum: per (pid, tid, device, API, kernel): T, A, Q, K.
  if (db.hasTable("CUPTI_ACTIVITY_KIND_KERNEL") && db.hasTable("CUPTI_ACTIVITY_KIND_RUNTIME")) {
    std::string where_api = "r.end >= r.start";
    if (db.hasColumn("CUPTI_ACTIVITY_KIND_RUNTIME", "eventClass")) where_api += " AND r.eventClass != 67";
    std::map<std::vector<std::string>, std::vector<std::vector<int64_t>>> groups;  // T, A, K, Q(-1 = NULL)
    for (auto& x : db.query(std::string("SELECT (r.globalTid >> 24) & 16777215, r.globalTid & 16777215, k.deviceId, ") +
                            kApiName + ", ks.value, max(r.end, k.end) - r.start, r.end - r.start, k.end - k.start, "
                            "CASE WHEN k.start - r.end >= 0 THEN k.start - r.end ELSE -1 END "
                            "FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN CUPTI_ACTIVITY_KIND_RUNTIME r ON "
                            "k.correlationId = r.correlationId AND k.globalPid = (r.globalTid & -16777216) "
                            "JOIN StringIds s ON s.id = r.nameId JOIN StringIds ks ON ks.id = k.demangledName "
                            "WHERE k.end >= k.start AND " + where_api)) {
      auto& g = groups[{x[0], x[1], x[2], x[3], x[4]}];
      g.resize(4);
      for (int i = 0; i < 3; ++i) g[i].push_back(num(x[5 + i]));
      if (num(x[8]) >= 0) g[3].push_back(num(x[8]));
    }
    ReportTable t = report(ctx, "cuda_kern_exec_sum");
    SCOPED_TRACE("cuda_kern_exec_sum");
    if (groups.empty()) {
      EXPECT_TRUE(t.skipped().has_value());
    } else {
      ASSERT_EQ(t.rowCount(), groups.size());
      double prev = INFINITY;
      for (size_t r = 0; r < t.rowCount(); ++r) {
        std::vector<std::string> key = {std::to_string(t.intAt(r, col(t, "PID"))), std::to_string(t.intAt(r, col(t, "TID"))),
                                        std::to_string(t.intAt(r, col(t, "DevId"))), std::string(t.textAt(r, col(t, "API Name"))),
                                        std::string(t.textAt(r, col(t, "Kernel Name")))};
        auto it = groups.find(key);
        ASSERT_NE(it, groups.end()) << "unexpected row " << r;
        Expected tt = stat({}, it->second[0]), aa = stat({}, it->second[1]), kk = stat({}, it->second[2]);
        EXPECT_EQ(t.intAt(r, col(t, "Count")), tt.count);
        EXPECT_EQ(t.intAt(r, col(t, "QCount")), static_cast<int64_t>(it->second[3].size()));
        EXPECT_NEAR(t.doubleAt(r, col(t, "TAvg")), tt.mean, 1e-6 * tt.mean);
        EXPECT_DOUBLE_EQ(t.doubleAt(r, col(t, "AMed")), aa.median);
        EXPECT_EQ(t.intAt(r, col(t, "KMax")), kk.max);
        EXPECT_LE(t.doubleAt(r, col(t, "TAvg")), prev);  // ORDER BY TAvg DESC
        prev = t.doubleAt(r, col(t, "TAvg"));
      }
      compared->kern_exec = t.rowCount();
    }
  }

  // cuda_gpu_trace: every kernel, memcpy and memset, with the integer-SQL throughput.
  {
    std::vector<std::tuple<int64_t, int64_t, std::string, std::string>> want;  // start, dur, corr, throughput
    auto add = [&](const std::string& sql) {
      for (auto& r : db.query(sql)) want.emplace_back(num(r[0]), num(r[1]), r[2], r[3]);
    };
    if (db.hasTable("CUPTI_ACTIVITY_KIND_KERNEL"))
      add("SELECT start, end - start, correlationId, NULL FROM CUPTI_ACTIVITY_KIND_KERNEL WHERE end >= start");
    if (db.hasTable("CUPTI_ACTIVITY_KIND_MEMCPY"))
      add("SELECT start, end - start, correlationId, bytes * (1000000000 / (end - start)) FROM "
          "CUPTI_ACTIVITY_KIND_MEMCPY WHERE end >= start AND copyKind BETWEEN 0 AND 13");
    if (db.hasTable("CUPTI_ACTIVITY_KIND_MEMSET"))
      add("SELECT start, end - start, correlationId, bytes * (1000000000 / (end - start)) FROM "
          "CUPTI_ACTIVITY_KIND_MEMSET WHERE end >= start");
    ReportTable t = report(ctx, "cuda_gpu_trace");
    SCOPED_TRACE("cuda_gpu_trace");
    if (want.empty()) {
      EXPECT_TRUE(t.skipped().has_value());
    } else {
      ASSERT_EQ(t.rowCount(), want.size());
      std::vector<std::tuple<int64_t, int64_t, std::string, std::string>> got;
      int64_t prev = INT64_MIN;
      for (size_t r = 0; r < t.rowCount(); ++r) {
        int64_t start = t.intAt(r, col(t, "Start"));
        EXPECT_GE(start, prev);
        prev = start;
        size_t c_corr = col(t, "CorrId"), c_thru = col(t, "Throughput");
        got.emplace_back(start, t.intAt(r, col(t, "Duration")),
                         t.isNull(r, c_corr) ? Db::kNull : std::to_string(t.intAt(r, c_corr)),
                         t.isNull(r, c_thru) ? Db::kNull : std::to_string(t.intAt(r, c_thru)));
      }
      std::sort(got.begin(), got.end());
      std::sort(want.begin(), want.end());
      EXPECT_EQ(got, want);
      compared->gpu_trace = want.size();
    }
  }
}

TEST(GoldenSql, SharedNsysExports) {
  fs::path dir = fs::path(GPUSCOPE_SHARED_DATA) / "nsys";
  if (!fs::exists(dir)) GTEST_SKIP() << "SKIPPED: " << dir << " not present (no shared data in this clone)";
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".sqlite") continue;
    checkFile(e.path().string());
    ++files;
  }
  EXPECT_GT(files, 0);
}

TEST(GoldenSql, GeneratedNsysExports) {
  fs::path dir = fs::temp_directory_path() / ("gpuscope_stats_golden_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct Variant {
    const char* name;
    gpuscope::testing::NsysFixtureOptions options;
  };
  std::vector<Variant> variants;
  variants.push_back({"default", {}});
  gpuscope::testing::NsysFixtureOptions legacy;
  legacy.legacy_meta_table = true;
  legacy.seed = 7;
  variants.push_back({"legacy", legacy});
  gpuscope::testing::NsysFixtureOptions ids;
  ids.nvtx_text_ids = true;
  ids.with_graphs = true;
  ids.processes = 3;
  ids.kernels = 40;
  ids.seed = 11;
  variants.push_back({"text_ids", ids});
  gpuscope::testing::NsysFixtureOptions bare;
  bare.with_nvtx = false;
  bare.with_osrt = false;
  bare.with_memset = false;
  bare.with_enum_tables = false;
  variants.push_back({"bare", bare});
  for (const Variant& v : variants) {
    std::string path = (dir / (std::string(v.name) + ".sqlite")).string();
    Status st = gpuscope::testing::writeNsysFixture(path, v.options);
    ASSERT_TRUE(st.ok()) << st.message();
    Compared compared;
    checkFile(path, &compared);
    EXPECT_GT(compared.kern_exec, 0u) << v.name;
    EXPECT_GT(compared.gpu_trace, 0u) << v.name;
    EXPECT_GT(compared.combined, 0u) << v.name;
    if (v.options.with_nvtx) {
      EXPECT_GT(compared.proj_trace, 0u) << v.name;
      EXPECT_GT(compared.kern_sum, 0u) << v.name;
      EXPECT_GT(compared.nvtx_styles, 0u) << v.name;
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace gpuscope::stats
