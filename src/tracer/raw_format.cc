#include "tracer/raw_format.h"

#include <zlib.h>

#include <cstring>
#include <type_traits>

#include "base/file.h"

namespace gpuscope::tracer {
namespace {

enum FrameType : uint8_t {
  kProcessInfo = 1,
  kStringDef = 2,
  kNvtxEnd = 3,
  kMarkerData = 4,
  kStartEndId = 5,
  kCaptureEdge = 6,
  kExternal = 7,
  kDiagnostic = 8,
  kMeta = 9,
  kClockAnchor = 10,
  kRowBase = 32,  // + table index in Trace::forEachTable order
};

constexpr size_t kFrameHeader = 8;
constexpr size_t kFrameTrailer = 4;

void put32(std::string* o, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  o->append(b, 4);
}
void put64(std::string* o, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  o->append(b, 8);
}
void putStr(std::string* o, std::string_view s) {
  put32(o, static_cast<uint32_t>(s.size()));
  o->append(s);
}

// Writes a frame around whatever `body` appends.
template <typename F>
void frame(std::string* out, uint8_t type, F&& body) {
  size_t at = out->size();
  out->push_back(static_cast<char>(type));
  out->append(3, '\0');
  put32(out, 0);
  body(out);
  uint32_t len = static_cast<uint32_t>(out->size() - at - kFrameHeader);
  for (int i = 0; i < 4; ++i) (*out)[at + 4 + i] = static_cast<char>(len >> (8 * i));
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(out->data() + at), out->size() - at);
  put32(out, static_cast<uint32_t>(crc));
}

// Bounds-checked reader of one payload; ok() turns false on overrun.
class Cursor {
 public:
  explicit Cursor(std::string_view p) : p_(p) {}
  uint32_t u32() {
    if (!need(4)) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(uint8_t(p_[pos_ + i])) << (8 * i);
    pos_ += 4;
    return v;
  }
  uint64_t u64() {
    if (!need(8)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(uint8_t(p_[pos_ + i])) << (8 * i);
    pos_ += 8;
    return v;
  }
  int64_t i64() { return static_cast<int64_t>(u64()); }
  std::string_view str() {
    uint32_t n = u32();
    if (!need(n)) return {};
    std::string_view s = p_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  bool ok() const { return ok_; }
  bool atEnd() const { return pos_ == p_.size(); }

 private:
  bool need(size_t n) {
    if (!ok_ || p_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::string_view p_;
  size_t pos_ = 0;
  bool ok_ = true;
};

template <typename Table>
void encodeRows(const Table& t, uint8_t type, std::string* out) {
  for (size_t i = 0; i < t.size(); ++i) {
    frame(out, type, [&](std::string* o) {
      Table::forEachColumn(t, [&](const model::ColumnInfo&, const auto& col) {
        using V = typename std::decay_t<decltype(col)>::value_type;
        if constexpr (std::is_same_v<V, double>) {
          uint64_t bits;
          std::memcpy(&bits, &col[i], 8);
          put64(o, bits);
        } else if constexpr (std::is_same_v<V, int64_t>) {
          put64(o, static_cast<uint64_t>(col[i]));
        } else {  // int32_t and StringId: both 4 bytes
          put32(o, static_cast<uint32_t>(col[i]));
        }
      });
    });
  }
}

// Appends one row to `t` from `c`; on a short or long payload the columns
// are cut back so the table stays rectangular.
template <typename Table>
bool decodeRow(Table& t, Cursor& c, const std::vector<model::StringId>& ids) {
  size_t n = t.size();
  bool ok = true;
  Table::forEachColumn(t, [&](const model::ColumnInfo&, auto& col) {
    using V = typename std::decay_t<decltype(col)>::value_type;
    if constexpr (std::is_same_v<V, double>) {
      uint64_t bits = c.u64();
      double d;
      std::memcpy(&d, &bits, 8);
      col.push_back(d);
    } else if constexpr (std::is_same_v<V, int64_t>) {
      col.push_back(c.i64());
    } else if constexpr (std::is_same_v<V, int32_t>) {
      col.push_back(static_cast<int32_t>(c.u32()));
    } else {
      uint32_t local = c.u32();
      if (local >= ids.size()) ok = false;
      col.push_back(local < ids.size() ? ids[local] : model::kEmptyString);
    }
  });
  if (!c.ok() || !c.atEnd() || !ok) {
    Table::forEachColumn(t, [&](const model::ColumnInfo&, auto& col) { col.resize(n); });
    return false;
  }
  t.setSizeFromColumns();
  return true;
}

}  // namespace

void Recording::clearEvents() {
  process.clear();
  rows.forEachTable([](auto& t) { t = std::decay_t<decltype(t)>{}; });
  rows.diagnostics = model::Diagnostics{};
  rows.meta.clear();
  nvtx_ends.clear();
  marker_data.clear();
  start_end_range_ids.clear();
  capture_edges.clear();
  external.clear();
  clock_anchors.clear();
}

std::string RawEncoder::header() {
  std::string h(kRawMagic);
  put32(&h, kRawVersion);
  put32(&h, 0);
  return h;
}

void RawEncoder::encode(const Recording& rec, std::string* out) {
  for (const ProcessInfo& p : rec.process) {
    frame(out, kProcessInfo, [&](std::string* o) {
      put64(o, p.pid);
      put64(o, p.ppid);
      put64(o, p.clock_ns);
      put64(o, p.epoch_ns);
      putStr(o, p.command);
    });
  }
  for (; strings_sent_ < rec.rows.strings.size(); ++strings_sent_) {
    frame(out, kStringDef, [&](std::string* o) {
      put32(o, static_cast<uint32_t>(strings_sent_));
      putStr(o, rec.rows.strings.get(static_cast<model::StringId>(strings_sent_)));
    });
  }
  // An entry, not structured bindings: clang 14 (the fuzz preset) cannot
  // capture those in a lambda.
  for (const auto& entry : rec.rows.meta)
    frame(out, kMeta, [&](std::string* o) { putStr(o, entry.first); putStr(o, entry.second); });
  uint8_t index = 0;
  rec.rows.forEachTable([&](const auto& t) { encodeRows(t, uint8_t(kRowBase + index++), out); });
  for (const NvtxRangeEnd& e : rec.nvtx_ends)
    frame(out, kNvtxEnd, [&](std::string* o) { put64(o, e.range_id); put64(o, e.time); put64(o, e.tid); });
  for (const NvtxMarkerData& d : rec.marker_data)
    frame(out, kMarkerData, [&](std::string* o) {
      put64(o, d.range_id); put64(o, d.color); put32(o, uint32_t(d.category));
    });
  for (int64_t id : rec.start_end_range_ids)
    frame(out, kStartEndId, [&](std::string* o) { put64(o, id); });
  for (const CaptureEdge& e : rec.capture_edges)
    frame(out, kCaptureEdge, [&](std::string* o) { put64(o, e.time); put32(o, e.begin ? 1 : 0); });
  for (const ExternalCorrelation& x : rec.external)
    frame(out, kExternal, [&](std::string* o) { put64(o, x.correlation_id); put64(o, x.external_id); });
  for (const ClockAnchor& a : rec.clock_anchors)
    frame(out, kClockAnchor, [&](std::string* o) { put64(o, a.clock_ns); put64(o, a.epoch_ns); });
  for (const model::Diagnostic& d : rec.rows.diagnostics.all())
    frame(out, kDiagnostic, [&](std::string* o) {
      putStr(o, d.name); put32(o, uint32_t(d.severity)); put64(o, d.count);
      putStr(o, d.first_position); putStr(o, d.description);
    });
}

StatusOr<Recording> decodeRaw(std::string_view bytes, const std::string& name) {
  if (bytes.size() < kRawHeaderSize || bytes.substr(0, kRawMagic.size()) != kRawMagic)
    return InvalidInput(name + ":byte 0: not a gpuscope raw trace file (bad magic)");
  Cursor h(bytes.substr(8, 8));
  uint32_t version = h.u32();
  if (version != kRawVersion)
    return InvalidInput(name + ":byte 8: raw file version " + std::to_string(version) +
                        ", expected " + std::to_string(kRawVersion));
  Recording rec;
  std::vector<model::StringId> ids{model::kEmptyString};
  size_t pos = kRawHeaderSize;
  auto damaged = [&](const char* what) {
    rec.bytes_lost = static_cast<int64_t>(bytes.size() - pos);
    rec.rows.diagnostics.add("raw_file_truncated", model::Severity::kDataLoss,
                             "a raw trace file ended inside a frame or had a damaged frame; "
                             "events after it were lost (process killed while writing?)",
                             name + ":byte " + std::to_string(pos) + ": " + what,
                             rec.bytes_lost);
  };
  while (pos < bytes.size()) {
    if (bytes.size() - pos < kFrameHeader + kFrameTrailer) { damaged("cut frame header"); break; }
    Cursor fh(bytes.substr(pos + 4, 4));
    uint32_t len = fh.u32();
    if (bytes.size() - pos - kFrameHeader - kFrameTrailer < len) { damaged("cut frame"); break; }
    size_t total = kFrameHeader + len;
    uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(bytes.data() + pos), total);
    Cursor ct(bytes.substr(pos + total, 4));
    if (ct.u32() != static_cast<uint32_t>(crc)) { damaged("checksum mismatch"); break; }
    uint8_t type = static_cast<uint8_t>(bytes[pos]);
    Cursor c(bytes.substr(pos + kFrameHeader, len));
    bool ok = true;
    switch (type) {
      case kProcessInfo: {
        ProcessInfo p;
        p.pid = c.i64(); p.ppid = c.i64(); p.clock_ns = c.i64(); p.epoch_ns = c.i64();
        p.command = std::string(c.str());
        ok = c.ok();
        if (ok && rec.process.empty()) rec.process.push_back(std::move(p));
        break;
      }
      case kStringDef: {
        uint32_t id = c.u32();
        std::string_view s = c.str();
        ok = c.ok() && id == ids.size();  // dense, in order
        if (ok) ids.push_back(rec.rows.strings.intern(s));
        break;
      }
      case kMeta: {
        std::string_view k = c.str(), v = c.str();
        if ((ok = c.ok())) rec.rows.meta[std::string(k)] = std::string(v);
        break;
      }
      case kNvtxEnd: {
        NvtxRangeEnd e{c.i64(), c.i64(), c.i64()};
        if ((ok = c.ok())) rec.nvtx_ends.push_back(e);
        break;
      }
      case kMarkerData: {
        NvtxMarkerData d;
        d.range_id = c.i64(); d.color = c.i64(); d.category = int32_t(c.u32());
        if ((ok = c.ok())) rec.marker_data.push_back(d);
        break;
      }
      case kStartEndId: {
        int64_t id = c.i64();
        if ((ok = c.ok())) rec.start_end_range_ids.push_back(id);
        break;
      }
      case kCaptureEdge: {
        CaptureEdge e;
        e.time = c.i64(); e.begin = c.u32() != 0;
        if ((ok = c.ok())) rec.capture_edges.push_back(e);
        break;
      }
      case kExternal: {
        ExternalCorrelation x{c.i64(), c.i64()};
        if ((ok = c.ok())) rec.external.push_back(x);
        break;
      }
      case kClockAnchor: {
        ClockAnchor a{c.i64(), c.i64()};
        if ((ok = c.ok())) rec.clock_anchors.push_back(a);
        break;
      }
      case kDiagnostic: {
        std::string_view n = c.str();
        uint32_t sev = c.u32();
        int64_t count = c.i64();
        std::string_view first = c.str(), desc = c.str();
        if ((ok = c.ok() && sev <= 2))
          rec.rows.diagnostics.add(n, model::Severity(sev), desc, first, count);
        break;
      }
      default: {
        uint8_t index = 0;
        bool found = false;
        rec.rows.forEachTable([&](auto& t) {
          if (type == kRowBase + index++) {
            found = true;
            ok = decodeRow(t, c, ids);
          }
        });
        ok = ok && found;
      }
    }
    if (!ok) {
      // A whole frame with a valid checksum but a payload we cannot read:
      // skip it, count it, keep going.
      rec.rows.diagnostics.add("raw_frame_unreadable", model::Severity::kDataLoss,
                               "a raw trace frame had an unknown type or malformed payload",
                               name + ":byte " + std::to_string(pos) + ": frame type " +
                                   std::to_string(type));
    }
    pos += total + kFrameTrailer;
  }
  return rec;
}

StatusOr<Recording> readRawFile(const std::string& path) {
  GS_ASSIGN_OR_RETURN(std::string bytes, readFile(path));
  return decodeRaw(bytes, path);
}

}  // namespace gpuscope::tracer
