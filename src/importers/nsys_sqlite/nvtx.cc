// NVTX_EVENTS: push/pop ranges (59), start/end ranges (60), marks (34) and
// the domain registrations (75) that name the domainId of other rows. Text
// is COALESCE(text, StringIds[textId]): registered strings arrive as textId,
// literal ones as text. Domains are owned by a process: (domainId, PID).
#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "importers/nsys_sqlite/global_tid.h"
#include "importers/nsys_sqlite/import_context.h"

namespace gpuscope::importers::nsys_sqlite {
namespace {

// ENUM_NSYS_EVENT_TYPE values (stable across every known release).
constexpr int64_t kCategory = 33;
constexpr int64_t kMark = 34;
constexpr int64_t kPushPop = 59;
constexpr int64_t kStartEnd = 60;
constexpr int64_t kDomainCreate = 75;

enum Col { kStart, kEnd, kType, kRangeId, kCategoryCol, kColor, kText, kGtid, kEndGtid, kTextId,
           kDomainId };

}  // namespace

Status readNvtx(ImportContext& ctx) {
  if (!ctx.db.hasTable(kNvtxTable)) return OkStatus();
  for (std::string_view col : {"start", "eventType", "globalTid"}) {
    if (!ctx.db.hasColumn(kNvtxTable, col)) {
      return InvalidInput(ctx.db.path() + ": table " + std::string(kNvtxTable) +
                          ": missing column '" + std::string(col) + "'");
    }
  }
  const int64_t n = rowCountHint(ctx.db, kNvtxTable);
  auto& t = ctx.trace.nvtx;
  const size_t first = t.size();
  t.reserve(first + static_cast<size_t>(n));
  GS_ASSIGN_OR_RETURN(TableCursor c,
                      TableCursor::open(ctx.db, kNvtxTable,
                                        {"start", "end", "eventType", "rangeId", "category",
                                         "color", "text", "globalTid", "endGlobalTid", "textId",
                                         "domainId"}));
  std::map<std::pair<int64_t, int64_t>, model::StringId> domains;  // (domainId, pid) -> name
  std::vector<int64_t> row_domain;                                  // domainId per kept row
  row_domain.reserve(static_cast<size_t>(n));
  NvtxTable::Row r;
  while (true) {
    GS_ASSIGN_OR_RETURN(bool more, c.next());
    if (!more) break;
    const int64_t type = c.i64(kType);
    const int64_t gtid = c.i64(kGtid);
    auto text = [&]() -> model::StringId {
      if (!c.isNull(kText)) return ctx.trace.strings.intern(c.text(kText));
      return ctx.str(c.i64(kTextId));
    };
    if (type == kDomainCreate) {
      domains[{c.i64(kDomainId), pidOf(gtid)}] = text();
      continue;
    }
    if (type == kCategory) {
      ctx.count("nvtx_category_registration", model::Severity::kInfo,
                "NVTX category-name registrations (eventType 33) carry no interval; not imported",
                c);
      continue;
    }
    if (type != kPushPop && type != kStartEnd && type != kMark) {
      ctx.count("nvtx_other_event_type", model::Severity::kInfo,
                "NVTX rows of other event types (thread naming, domain destroy, ...) were not "
                "imported",
                c);
      continue;
    }
    r.start = c.i64(kStart);
    r.end = c.i64(kEnd);
    // A range whose end is NULL was never closed; a mark has no end.
    if (!checkInterval(ctx, c, "nvtx", r.start, r.end, false)) continue;
    r.kind = static_cast<int32_t>(type == kPushPop    ? model::NvtxKind::kPushPop
                                  : type == kStartEnd ? model::NvtxKind::kStartEnd
                                                      : model::NvtxKind::kMark);
    r.pid = pidOf(gtid);
    r.tid = tidOf(gtid);
    r.end_tid = tidOf(c.i64(kEndGtid));
    r.text = text();
    r.domain = model::kEmptyString;
    r.category = c.i32(kCategoryCol);
    r.color = c.i64(kColor);
    r.depth = model::kNullI32;
    r.range_id = c.i64(kRangeId);
    t.push(r);
    row_domain.push_back(c.i64(kDomainId));
  }
  // Domain rows may follow the rows that use them in table order.
  for (size_t i = 0; i < row_domain.size(); ++i) {
    int64_t d = row_domain[i];
    if (d == model::kNullI64 || d == 0) continue;  // 0 = the default domain
    auto it = domains.find({d, t.pid[first + i]});
    if (it != domains.end()) {
      t.domain[first + i] = it->second;
    } else {
      t.domain[first + i] = ctx.trace.strings.intern("domain " + std::to_string(d));
      ctx.trace.diagnostics.add("nvtx_unnamed_domain", model::Severity::kInfo,
                                "NVTX rows in a domain with no NvtxDomainCreate row are labelled "
                                "'domain <id>'",
                                "row " + std::to_string(i + 1) + " of imported NVTX rows");
    }
  }
  computeNvtxDepth(t);
  return OkStatus();
}

void computeNvtxDepth(NvtxTable& nvtx) {
  const int32_t push_pop = static_cast<int32_t>(model::NvtxKind::kPushPop);
  std::vector<uint32_t> order;
  for (size_t i = 0; i < nvtx.size(); ++i) {
    if (nvtx.kind[i] == push_pop) order.push_back(static_cast<uint32_t>(i));
  }
  // An open range (end NULL) encloses everything after its start.
  auto endOf = [&](uint32_t i) {
    return nvtx.end[i] == model::kNullI64 ? std::numeric_limits<int64_t>::max() : nvtx.end[i];
  };
  // Per thread, by start; on equal starts the longer range is the parent.
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (nvtx.pid[a] != nvtx.pid[b]) return nvtx.pid[a] < nvtx.pid[b];
    if (nvtx.tid[a] != nvtx.tid[b]) return nvtx.tid[a] < nvtx.tid[b];
    if (nvtx.start[a] != nvtx.start[b]) return nvtx.start[a] < nvtx.start[b];
    if (endOf(a) != endOf(b)) return endOf(a) > endOf(b);
    return a < b;
  });
  std::vector<int64_t> open_ends;  // ends of the enclosing ranges, innermost last
  for (size_t k = 0; k < order.size(); ++k) {
    uint32_t i = order[k];
    if (k == 0 || nvtx.pid[i] != nvtx.pid[order[k - 1]] || nvtx.tid[i] != nvtx.tid[order[k - 1]]) {
      open_ends.clear();
    }
    // A range that ended at or before this start is a finished sibling.
    while (!open_ends.empty() && open_ends.back() <= nvtx.start[i]) open_ends.pop_back();
    nvtx.depth[i] = static_cast<int32_t>(open_ends.size());
    open_ends.push_back(endOf(i));
  }
}

}  // namespace gpuscope::importers::nsys_sqlite
