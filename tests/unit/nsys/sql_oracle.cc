#include "unit/nsys/sql_oracle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace gpuscope::testing {
namespace {

std::string num(int64_t v) { return v == model::kNullI64 ? "NULL" : std::to_string(v); }
std::string num32(int32_t v) { return v == model::kNullI32 ? "NULL" : std::to_string(v); }

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

const char* kValid = " start IS NOT NULL AND \"end\" IS NOT NULL AND \"end\" >= start ";

std::string pidOf(const std::string& col) { return "((" + col + " >> 24) & 16777215)"; }
std::string tidOf(const std::string& col) { return "(" + col + " & 16777215)"; }

// Expression and WHERE filter giving api_kind for RUNTIME alias r (and
// enum alias e), following ENUM_NSYS_EVENT_CLASS names when present.
std::pair<std::string, std::string> apiKindSql(const SqlFile& db) {
  if (db.hasTable("ENUM_NSYS_EVENT_CLASS")) {
    return {"CASE e.name WHEN 'TRACE_PROCESS_EVENT_CUDA_RUNTIME' THEN 0 "
            "WHEN 'TRACE_PROCESS_EVENT_CUDA_DRIVER' THEN 1 WHEN 'TRACE_PROCESS_EVENT_CUDNN' THEN 2 "
            "WHEN 'TRACE_PROCESS_EVENT_CUBLAS' THEN 3 ELSE 4 END",
            "e.id IS NOT NULL AND e.name <> 'TRACE_PROCESS_EVENT_CUDABACKTRACE'"};
  }
  return {"CASE r.eventClass WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 28 THEN 2 WHEN 29 THEN 3 "
          "WHEN 27 THEN 4 END",
          "r.eventClass IN (0, 1, 27, 28, 29)"};
}

std::string runtimeFrom(const SqlFile& db) {
  std::string from = " FROM CUPTI_ACTIVITY_KIND_RUNTIME r ";
  if (db.hasTable("ENUM_NSYS_EVENT_CLASS")) from += "LEFT JOIN ENUM_NSYS_EVENT_CLASS e ON e.id = r.eventClass ";
  return from;
}

}  // namespace

SqlFile::SqlFile(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << path;
  }
}

SqlFile::~SqlFile() { sqlite3_close(db_); }

std::vector<std::string> SqlFile::rows(const std::string& sql) const {
  std::vector<std::string> out;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    return out;
  }
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      if (i) row += '|';
      const unsigned char* t = sqlite3_column_text(stmt, i);
      row += t ? reinterpret_cast<const char*>(t) : "NULL";
    }
    out.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  return out;
}

int64_t SqlFile::scalar(const std::string& sql) const {
  auto r = rows(sql);
  return r.empty() || r[0] == "NULL" ? 0 : std::stoll(r[0]);
}

std::string SqlFile::text(const std::string& sql) const {
  auto r = rows(sql);
  return r.empty() ? "" : r[0];
}

bool SqlFile::hasTable(const std::string& table) const {
  return scalar("SELECT count(*) FROM sqlite_master WHERE name = '" + table + "'") > 0;
}

bool SqlFile::hasColumn(const std::string& table, const std::string& column) const {
  return scalar("SELECT count(*) FROM pragma_table_info('" + table + "') WHERE name = '" + column +
                "'") > 0;
}

std::vector<std::string> kernelRows(const model::Trace& t) {
  std::vector<std::string> v;
  const auto& k = t.kernels;
  for (size_t i = 0; i < k.size(); ++i) {
    v.push_back(num(k.pid[i]) + "|" + num(k.correlation_id[i]) + "|" + std::string(t.str(k.name[i])) +
                "|" + num(k.start[i]) + "|" + num(k.end[i]));
  }
  return sorted(v);
}

std::vector<std::string> sqlKernelRows(const SqlFile& db) {
  if (!db.hasTable("CUPTI_ACTIVITY_KIND_KERNEL")) return {};
  return sorted(db.rows("SELECT " + pidOf("k.globalPid") +
                        ", k.correlationId, COALESCE(d.value, s.value), k.start, k.\"end\" "
                        "FROM CUPTI_ACTIVITY_KIND_KERNEL k "
                        "LEFT JOIN StringIds d ON d.id = k.demangledName "
                        "LEFT JOIN StringIds s ON s.id = k.shortName WHERE" +
                        std::string(kValid)));
}

std::vector<std::string> apiRows(const model::Trace& t) {
  std::vector<std::string> v;
  const auto& a = t.api_calls;
  for (size_t i = 0; i < a.size(); ++i) {
    v.push_back(num(a.pid[i]) + "|" + num(a.tid[i]) + "|" + num(a.correlation_id[i]) + "|" +
                std::string(t.str(a.name[i])) + "|" + num32(a.api_kind[i]) + "|" + num(a.start[i]) +
                "|" + num(a.end[i]));
  }
  return sorted(v);
}

std::vector<std::string> sqlApiRows(const SqlFile& db) {
  if (!db.hasTable("CUPTI_ACTIVITY_KIND_RUNTIME")) return {};
  auto [kind, filter] = apiKindSql(db);
  // nsys's own suffix rule, as in cuda_api_sum.py.
  return sorted(db.rows(
      "SELECT " + pidOf("r.globalTid") + ", " + tidOf("r.globalTid") +
      ", r.correlationId, CASE substr(s.value, -6, 2) WHEN '_v' THEN "
      "substr(s.value, 1, length(s.value) - 6) ELSE s.value END, " +
      kind + ", r.start, r.\"end\"" + runtimeFrom(db) +
      "LEFT JOIN StringIds s ON s.id = r.nameId WHERE r.start IS NOT NULL AND r.\"end\" IS NOT NULL "
      "AND r.\"end\" >= r.start AND " + filter));
}

std::vector<std::string> memcpyRows(const model::Trace& t) {
  std::vector<std::string> v;
  const auto& m = t.memcpys;
  for (size_t i = 0; i < m.size(); ++i) {
    v.push_back(num(m.pid[i]) + "|" + num(m.correlation_id[i]) + "|" + num(m.bytes[i]) + "|" +
                num32(m.copy_kind[i]) + "|" + num(m.start[i]) + "|" + num(m.end[i]));
  }
  return sorted(v);
}

std::vector<std::string> sqlMemcpyRows(const SqlFile& db) {
  if (!db.hasTable("CUPTI_ACTIVITY_KIND_MEMCPY")) return {};
  return sorted(db.rows("SELECT " + pidOf("globalPid") +
                        ", correlationId, bytes, copyKind, start, \"end\" "
                        "FROM CUPTI_ACTIVITY_KIND_MEMCPY WHERE copyKind BETWEEN 0 AND 13 AND" +
                        std::string(kValid)));
}

std::vector<std::string> nvtxRows(const model::Trace& t) {
  std::vector<std::string> v;
  const auto& n = t.nvtx;
  for (size_t i = 0; i < n.size(); ++i) {
    v.push_back(num(n.pid[i]) + "|" + num(n.tid[i]) + "|" + num32(n.kind[i]) + "|" + num(n.start[i]) +
                "|" + num(n.end[i]) + "|" + std::string(t.str(n.text[i])) + "|" +
                std::string(t.str(n.domain[i])));
  }
  return sorted(v);
}

std::vector<std::string> sqlNvtxRows(const SqlFile& db) {
  if (!db.hasTable("NVTX_EVENTS")) return {};
  const bool text_id = db.hasColumn("NVTX_EVENTS", "textId");
  const bool domain = db.hasColumn("NVTX_EVENTS", "domainId");
  std::string text = text_id ? "COALESCE(n.text, (SELECT value FROM StringIds WHERE id = n.textId), '')"
                             : "COALESCE(n.text, '')";
  std::string domain_text = text_id ? "COALESCE(d.text, (SELECT value FROM StringIds WHERE id = d.textId))"
                                    : "d.text";
  std::string dom =
      domain ? "CASE WHEN n.domainId IS NULL OR n.domainId = 0 THEN '' ELSE COALESCE((SELECT " +
                   domain_text + " FROM NVTX_EVENTS d WHERE d.eventType = 75 AND d.domainId = n.domainId AND " +
                   pidOf("d.globalTid") + " = " + pidOf("n.globalTid") +
                   " LIMIT 1), 'domain ' || n.domainId) END"
             : "''";
  return sorted(db.rows("SELECT " + pidOf("n.globalTid") + ", " + tidOf("n.globalTid") +
                        ", CASE n.eventType WHEN 59 THEN 0 WHEN 60 THEN 1 ELSE 2 END, n.start, n.\"end\", " +
                        text + ", " + dom +
                        " FROM NVTX_EVENTS n WHERE n.eventType IN (34, 59, 60) AND n.start IS NOT NULL "
                        "AND (n.\"end\" IS NULL OR n.\"end\" >= n.start)"));
}

std::vector<std::string> osrtRows(const model::Trace& t) {
  std::vector<std::string> v;
  const auto& o = t.os_runtime;
  for (size_t i = 0; i < o.size(); ++i) {
    v.push_back(num(o.pid[i]) + "|" + num(o.tid[i]) + "|" + std::string(t.str(o.name[i])) + "|" +
                num(o.start[i]) + "|" + num(o.end[i]));
  }
  return sorted(v);
}

std::vector<std::string> sqlOsrtRows(const SqlFile& db) {
  if (!db.hasTable("OSRT_API")) return {};
  return sorted(db.rows("SELECT " + pidOf("o.globalTid") + ", " + tidOf("o.globalTid") +
                        ", s.value, o.start, o.\"end\" FROM OSRT_API o LEFT JOIN StringIds s ON s.id = o.nameId "
                        "WHERE o.eventClass = 27 AND o.start IS NOT NULL AND o.\"end\" IS NOT NULL AND o.\"end\" >= o.start"));
}

void expectTraceMatchesSql(const std::string& path, const model::Trace& trace) {
  SqlFile db(path);
  SCOPED_TRACE(path);
  EXPECT_EQ(trace.meta.at(model::kMetaSourceFormat), "nsys_sqlite");

  // Row-by-row equality of every event table with its SQL reading.
  EXPECT_EQ(kernelRows(trace), sqlKernelRows(db));
  EXPECT_EQ(apiRows(trace), sqlApiRows(db));
  EXPECT_EQ(memcpyRows(trace), sqlMemcpyRows(db));
  EXPECT_EQ(nvtxRows(trace), sqlNvtxRows(db));
  EXPECT_EQ(osrtRows(trace), sqlOsrtRows(db));

  // Counts of the other tables, and the skips counted in diagnostics.
  auto count = [&](const std::string& table, const std::string& where) -> int64_t {
    return db.hasTable(table) ? db.scalar("SELECT count(*) FROM " + table + " WHERE " + where) : 0;
  };
  EXPECT_EQ(static_cast<int64_t>(trace.memsets.size()), count("CUPTI_ACTIVITY_KIND_MEMSET", kValid));
  EXPECT_EQ(static_cast<int64_t>(trace.syncs.size()),
            count("CUPTI_ACTIVITY_KIND_SYNCHRONIZATION", kValid));
  EXPECT_EQ(static_cast<int64_t>(trace.graph_launches.size()),
            count("CUPTI_ACTIVITY_KIND_GRAPH_TRACE", kValid));
  EXPECT_EQ(trace.diagnostics.count("kernel_end_before_start"),
            count("CUPTI_ACTIVITY_KIND_KERNEL", "\"end\" < start"));
  EXPECT_EQ(trace.diagnostics.count("api_call_end_before_start"),
            count("CUPTI_ACTIVITY_KIND_RUNTIME", "\"end\" < start"));
  if (db.hasTable("CUPTI_ACTIVITY_KIND_RUNTIME")) {
    std::string backtrace =
        db.hasTable("ENUM_NSYS_EVENT_CLASS")
            ? "eventClass IN (SELECT id FROM ENUM_NSYS_EVENT_CLASS WHERE name = "
              "'TRACE_PROCESS_EVENT_CUDABACKTRACE')"
            : "eventClass = 67";
    EXPECT_EQ(trace.diagnostics.count("api_call_cuda_backtrace"),
              count("CUPTI_ACTIVITY_KIND_RUNTIME", backtrace + " AND " + kValid));
  }
  if (db.hasTable("OSRT_API")) {
    EXPECT_EQ(trace.diagnostics.count("osrt_non_call_event_class"), count("OSRT_API", "eventClass <> 27"));
  }

  // API call <-> kernel links: by (PID, correlationId) in the model, by
  // globalPid = globalTid & 0xFFFFFFFFFF000000 in SQL (cuda_kern_exec_sum).
  if (db.hasTable("CUPTI_ACTIVITY_KIND_KERNEL") && db.hasTable("CUPTI_ACTIVITY_KIND_RUNTIME")) {
    auto [kind, filter] = apiKindSql(db);
    int64_t expected = db.scalar(
        "SELECT count(*) FROM CUPTI_ACTIVITY_KIND_KERNEL k JOIN (SELECT r.* " + runtimeFrom(db) +
        " WHERE " + filter + " AND r.\"end\" >= r.start) r2 ON r2.correlationId = k.correlationId "
        "AND (r2.globalTid & -16777216) = k.globalPid WHERE k.\"end\" >= k.start");
    std::map<std::pair<int64_t, int64_t>, int64_t> calls;
    for (size_t i = 0; i < trace.api_calls.size(); ++i) {
      ++calls[{trace.api_calls.pid[i], trace.api_calls.correlation_id[i]}];
    }
    int64_t joined = 0;
    for (size_t i = 0; i < trace.kernels.size(); ++i) {
      auto it = calls.find({trace.kernels.pid[i], trace.kernels.correlation_id[i]});
      if (it != calls.end() && trace.kernels.correlation_id[i] != model::kNullI64) joined += it->second;
    }
    EXPECT_EQ(joined, expected);
  }

  // Devices: every TARGET_INFO_GPU id with its name and properties.
  if (db.hasTable("TARGET_INFO_GPU")) {
    auto gpus = db.rows("SELECT id, name, smCount, totalMemory, computeMajor, computeMinor "
                        "FROM TARGET_INFO_GPU GROUP BY id");
    std::set<std::string> have;
    for (size_t i = 0; i < trace.devices.size(); ++i) {
      const auto& d = trace.devices;
      have.insert(num32(d.id[i]) + "|" + std::string(trace.str(d.name[i])) + "|" + num32(d.sm_count[i]) +
                  "|" + num(d.total_memory[i]) + "|" + num32(d.compute_major[i]) + "|" +
                  num32(d.compute_minor[i]));
    }
    for (const auto& g : gpus) EXPECT_TRUE(have.count(g)) << "device " << g;
  }

  // Every event's process exists; metadata stamps come from the file.
  std::set<int64_t> pids(trace.processes.pid.begin(), trace.processes.pid.end());
  for (int64_t pid : trace.kernels.pid) EXPECT_TRUE(pids.count(pid)) << pid;
  for (int64_t pid : trace.api_calls.pid) EXPECT_TRUE(pids.count(pid)) << pid;
  for (const char* table : {"META_DATA_EXPORT", "EXPORT_META_DATA"}) {
    if (!db.hasTable(table)) continue;
    EXPECT_EQ(trace.meta.at("nsys_export_schema_version"),
              db.text(std::string("SELECT value FROM ") + table + " WHERE name = 'EXPORT_SCHEMA_VERSION'"));
    EXPECT_EQ(trace.meta.at("nsys_version"),
              db.text(std::string("SELECT value FROM ") + table + " WHERE name = 'EXPORT_PRODUCT_VERSION'"));
    break;
  }
  if (db.hasTable("TARGET_INFO_SESSION_START_TIME")) {
    EXPECT_EQ(trace.meta.at(model::kMetaTimeBaseNs),
              db.text("SELECT utcEpochNs FROM TARGET_INFO_SESSION_START_TIME"));
  }
  // Sorted by time, as consumers rely on.
  EXPECT_TRUE(std::is_sorted(trace.kernels.start.begin(), trace.kernels.start.end()));
  EXPECT_TRUE(std::is_sorted(trace.api_calls.start.begin(), trace.api_calls.start.end()));
}

}  // namespace gpuscope::testing
