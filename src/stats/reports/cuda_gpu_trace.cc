// cuda_gpu_trace: every kernel, memcpy and memset in start order, with the
// launch geometry of kernels and the size and throughput of memory ops.
#include <string>
#include <unordered_map>

#include "model/enums.h"
#include "stats/reports/reports.h"

namespace gpuscope::stats {
namespace {

using model::kNullI32;
using model::kNullI64;

struct Columns {
  size_t start, dur, corr, gx, gy, gz, bx, by, bz, regs, ssmem, dsmem, bytes, thru, src, dst, device,
      ctx, strm, name;
};

Columns addColumns(ReportTable& t) {
  Columns c{};
  c.start = t.addColumn("Start", Unit::kTsNs, ValueType::kInt);
  c.dur = t.addColumn("Duration", Unit::kDurNs, ValueType::kInt);
  c.corr = t.addColumn("CorrId", Unit::kCount, ValueType::kInt);
  c.gx = t.addColumn("GrdX", Unit::kCount, ValueType::kInt);
  c.gy = t.addColumn("GrdY", Unit::kCount, ValueType::kInt);
  c.gz = t.addColumn("GrdZ", Unit::kCount, ValueType::kInt);
  c.bx = t.addColumn("BlkX", Unit::kCount, ValueType::kInt);
  c.by = t.addColumn("BlkY", Unit::kCount, ValueType::kInt);
  c.bz = t.addColumn("BlkZ", Unit::kCount, ValueType::kInt);
  c.regs = t.addColumn("Reg/Trd", Unit::kCount, ValueType::kInt);
  c.ssmem = t.addColumn("StcSMem", Unit::kMemB, ValueType::kInt);
  c.dsmem = t.addColumn("DymSMem", Unit::kMemB, ValueType::kInt);
  c.bytes = t.addColumn("Bytes", Unit::kMemB, ValueType::kInt);
  c.thru = t.addColumn("Throughput", Unit::kThruB, ValueType::kInt);
  c.src = t.addColumn("SrcMemKd", Unit::kText, ValueType::kText);
  c.dst = t.addColumn("DstMemKd", Unit::kText, ValueType::kText);
  c.device = t.addColumn("Device", Unit::kText, ValueType::kText);
  c.ctx = t.addColumn("Ctx", Unit::kCount, ValueType::kInt);
  c.strm = t.addColumn("Strm", Unit::kCount, ValueType::kInt);
  c.name = t.addColumn("Name", Unit::kText, ValueType::kText);
  return c;
}

int64_t widen(int32_t v) { return v == kNullI32 ? kNullInt : v; }

// nsys computes bytes * (1000000000 / duration) in integer SQL: the integer
// division truncates first (so 200 MB in 20.9 ms reads 9,400 MB/s, not
// 9,563), and a zero duration gives NULL.
int64_t throughput(int64_t bytes, int64_t duration) {
  if (bytes == kNullI64 || duration <= 0) return kNullInt;
  return bytes * (1000000000 / duration);
}

}  // namespace

ReportTable cudaGpuTrace(ReportContext& ctx, const ReportOptions& o) {
  const model::Trace& tr = ctx.trace();
  const auto& k = tr.kernels;
  const auto& m = tr.memcpys;
  const auto& s = tr.memsets;
  ReportTable t("cuda_gpu_trace", "CUDA GPU Trace");
  if (k.empty() && m.empty() && s.empty()) {
    t.setSkipped("does not contain CUDA trace data");
    return t;
  }
  Columns c = addColumns(t);
  std::unordered_map<int32_t, uint32_t> device_text;
  for (size_t i = 0; i < tr.devices.size(); ++i) {
    device_text.emplace(tr.devices.id[i], t.internText(std::string(tr.str(tr.devices.name[i])) + " (" +
                                                       std::to_string(tr.devices.id[i]) + ")"));
  }
  auto deviceText = [&](int32_t id) {
    auto it = device_text.find(id);
    if (it != device_text.end()) return it->second;
    uint32_t text = t.internText("GPU (" + std::to_string(id) + ")");
    device_text.emplace(id, text);
    return text;
  };
  auto memKindText = [&](int32_t kind) {
    return kind == kNullI32 ? kNullText : t.internText(model::memKindName(kind));
  };
  auto common = [&](const auto& table, size_t i) {
    size_t r = t.appendRow();
    t.setInt(r, c.start, table.start[i]);
    t.setInt(r, c.dur, table.end[i] == kNullI64 ? kNullInt : table.end[i] - table.start[i]);
    t.setInt(r, c.corr, table.correlation_id[i]);
    t.setText(r, c.device, deviceText(table.device_id[i]));
    t.setInt(r, c.ctx, table.context_id[i]);
    t.setInt(r, c.strm, table.stream_id[i]);
    return r;
  };
  const uint32_t memset_text = t.internText("[CUDA memset]");
  t.reserveRows(k.size() + m.size() + s.size());
  size_t ik = 0, im = 0, is = 0;
  // Three-way merge of tables already sorted by (start, end); ties keep
  // kernels before memcpys before memsets.
  while (ik < k.size() || im < m.size() || is < s.size()) {
    int64_t sk = ik < k.size() ? k.start[ik] : INT64_MAX;
    int64_t sm = im < m.size() ? m.start[im] : INT64_MAX;
    int64_t ss = is < s.size() ? s.start[is] : INT64_MAX;
    if (ik < k.size() && sk <= sm && sk <= ss) {
      size_t r = common(k, ik);
      t.setInt(r, c.gx, widen(k.grid_x[ik]));
      t.setInt(r, c.gy, widen(k.grid_y[ik]));
      t.setInt(r, c.gz, widen(k.grid_z[ik]));
      t.setInt(r, c.bx, widen(k.block_x[ik]));
      t.setInt(r, c.by, widen(k.block_y[ik]));
      t.setInt(r, c.bz, widen(k.block_z[ik]));
      t.setInt(r, c.regs, widen(k.registers_per_thread[ik]));
      t.setInt(r, c.ssmem, widen(k.static_shared_memory[ik]));
      t.setInt(r, c.dsmem, widen(k.dynamic_shared_memory[ik]));
      t.setText(r, c.name, t.traceText(tr.strings, kernelNameId(tr, ik, o)));
      ++ik;
    } else if (im < m.size() && sm <= ss) {
      size_t r = common(m, im);
      t.setInt(r, c.bytes, m.bytes[im]);
      t.setInt(r, c.thru, throughput(m.bytes[im], m.end[im] == kNullI64 ? 0 : m.end[im] - m.start[im]));
      t.setText(r, c.src, memKindText(m.src_kind[im]));
      t.setText(r, c.dst, memKindText(m.dst_kind[im]));
      t.setText(r, c.name, t.internText(model::copyKindLabel(m.copy_kind[im])));
      ++im;
    } else {
      size_t r = common(s, is);
      t.setInt(r, c.bytes, s.bytes[is]);
      t.setInt(r, c.thru, throughput(s.bytes[is], s.end[is] == kNullI64 ? 0 : s.end[is] - s.start[is]));
      t.setText(r, c.dst, memKindText(s.mem_kind[is]));
      t.setText(r, c.name, memset_text);
      ++is;
    }
  }
  return t;
}

}  // namespace gpuscope::stats
