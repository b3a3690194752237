#include "profiler/store_export.h"

#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <utility>

#include "profiler/evaluate.h"
#include "profiler/rules.h"

namespace gpuscope::profiler {

bool isStorePath(const std::string& path) {
  static constexpr std::string_view kExt = ".gpuscope";
  return path.size() > kExt.size() && path.compare(path.size() - kExt.size(), kExt.size(), kExt) == 0;
}

model::Trace toTrace(const ProfileRun& run, const ReportSpec& spec, const std::string& command_line) {
  model::Trace t;
  t.meta[model::kMetaSourceFormat] = "gpuscope_kernels";
  t.meta[model::kMetaSourcePath] = command_line;

  std::set<int> pids;
  for (const KernelRecord& k : run.kernels) {
    if (!pids.insert(k.pid).second) continue;
    model::ProcessTable::Row p;
    p.pid = k.pid;
    p.name = t.strings.intern(k.process);
    t.processes.push(p);
  }
  std::set<int> ordinals;  // the devices table has one row per ordinal
  for (const DeviceInfo& d : run.devices) {
    if (!ordinals.insert(d.ordinal).second) continue;
    model::DeviceTable::Row r;
    r.id = d.ordinal;
    r.name = t.strings.intern(d.name);
    r.compute_major = d.cc_major;
    r.compute_minor = d.cc_minor;
    r.sm_count = d.sm_count;
    r.l2_cache_size = d.l2_bytes;
    r.warp_size = d.warp_size;
    r.max_threads_per_sm = d.max_threads_per_sm;
    r.max_blocks_per_sm = d.max_blocks_per_sm;
    r.max_registers_per_block = d.regs_per_block;
    r.max_registers_per_sm = d.regs_per_sm;
    r.max_shared_memory_per_block = d.smem_per_block_optin;
    r.max_shared_memory_per_sm = d.smem_per_sm;
    t.devices.push(r);
  }

  struct RowSpec {
    model::StringId section, label, metric, unit;
  };
  std::vector<RowSpec> rows;
  for (const ReportRow& r : reportRows(spec))  // a --metrics row's empty section id interns to kEmptyString
    rows.push_back({t.strings.intern(r.section_id), t.strings.intern(r.label), t.strings.intern(r.metric),
                    t.strings.intern(baseUnitName(r.unit))});

  static const DeviceInfo kUnknown;
  for (const KernelRecord& k : run.kernels) {
    const DeviceInfo* d = run.device(k.pid, k.device);
    KernelMetrics metrics(k, d ? *d : kUnknown);
    const model::StringId name = t.strings.intern(k.name);
    for (const RowSpec& r : rows) {
      model::KernelMetricTable::Row m;
      m.pid = k.pid;
      m.kernel_id = k.id;
      m.device_id = k.device;
      m.context_id = k.context;
      m.stream_id = static_cast<int64_t>(k.stream);
      m.name = name;
      m.section = r.section;
      m.label = r.label;
      m.metric = r.metric;
      m.unit = r.unit;
      std::optional<double> v = metrics.value(t.strings.get(r.metric));
      m.value = v ? *v : std::numeric_limits<double>::quiet_NaN();
      t.kernel_metrics.push(m);
    }
    for (const RuleResult& r : applyRules(metrics, d ? *d : kUnknown, spec)) {
      model::KernelRuleTable::Row row;
      row.pid = k.pid;
      row.kernel_id = k.id;
      row.name = name;
      row.section = t.strings.intern(r.section_id);
      row.rule = t.strings.intern(r.name);
      row.type = t.strings.intern(r.type);
      row.description = t.strings.intern(r.description);
      row.speedup_type = t.strings.intern(r.speedup_type);
      row.speedup = r.speedup_type.empty() ? std::numeric_limits<double>::quiet_NaN() : r.speedup;
      t.kernel_rules.push(row);
    }
  }
  return t;
}

}  // namespace gpuscope::profiler
