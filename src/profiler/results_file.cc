#include "profiler/results_file.h"

#include <charconv>
#include <cstdlib>
#include <map>
#include <vector>

#include "profiler/occupancy.h"

namespace gpuscope::profiler {
namespace {

std::string unescape(std::string_view f) {
  std::string out;
  out.reserve(f.size());
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '\\' && i + 1 < f.size()) {
      char c = f[++i];
      out += c == 't' ? '\t' : c == 'n' ? '\n' : c;
    } else {
      out += f[i];
    }
  }
  return out;
}

std::vector<std::string_view> splitTabs(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
}

class LineParser {
 public:
  LineParser(const std::string& path, size_t line) : path_(path), line_(line) {}
  Status error(const std::string& what) const {
    return InvalidInput(path_ + ":" + std::to_string(line_) + ": " + what);
  }
  template <typename T>
  bool integer(std::string_view f, T& out) const {
    auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), out);
    return ec == std::errc() && p == f.data() + f.size();
  }
  bool real(std::string_view f, double& out) const {
    std::string s(f);
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    return !s.empty() && end == s.c_str() + s.size();
  }

 private:
  const std::string& path_;
  size_t line_;
};

}  // namespace

std::string escapeField(std::string_view f) {
  std::string out;
  out.reserve(f.size());
  for (char c : f) {
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

Status parseResults(std::string_view text, const std::string& path, ProfileRun& run) {
  std::map<int64_t, size_t> by_seq;  // kernel seq in this file -> index in run.kernels
  std::map<int, std::string> process_names;
  std::vector<std::pair<int64_t, int64_t>> late_smem;  // (kernel seq, bytes)
  size_t line_no = 0;
  size_t pos = 0;
  bool saw_header = false;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (line.empty()) continue;
    LineParser lp(path, line_no);
    std::vector<std::string_view> f = splitTabs(line);
    const std::string_view kind = f[0];
    if (!saw_header) {
      int version = 0;
      if (kind != "gpuscope-kernels" || f.size() != 2 || !lp.integer(f[1], version))
        return lp.error("expected the header 'gpuscope-kernels<TAB>version'");
      if (version != kResultsVersion)
        return lp.error("results version " + std::to_string(version) + ", expected " +
                        std::to_string(kResultsVersion));
      saw_header = true;
      continue;
    }
    if (kind == "process") {
      int pid = 0;
      if (f.size() != 3 || !lp.integer(f[1], pid)) return lp.error("expected 'process pid name'");
      process_names[pid] = unescape(f[2]);
    } else if (kind == "device") {
      if (f.size() != 17) return lp.error("expected 17 fields in a device line, got " + std::to_string(f.size()));
      DeviceInfo d;
      bool ok = lp.integer(f[1], d.pid) && lp.integer(f[2], d.ordinal) && lp.integer(f[5], d.cc_major) &&
                lp.integer(f[6], d.cc_minor) && lp.integer(f[7], d.sm_count) &&
                lp.integer(f[8], d.max_threads_per_sm) && lp.integer(f[9], d.max_blocks_per_sm) &&
                lp.integer(f[10], d.regs_per_sm) && lp.integer(f[11], d.regs_per_block) &&
                lp.integer(f[12], d.smem_per_sm) && lp.integer(f[13], d.smem_per_block_optin) &&
                lp.integer(f[14], d.reserved_smem_per_block) && lp.integer(f[15], d.warp_size) &&
                lp.integer(f[16], d.l2_bytes);
      if (!ok) return lp.error("a device field is not an integer");
      d.name = unescape(f[3]);
      d.chip = unescape(f[4]);
      run.devices.push_back(std::move(d));
    } else if (kind == "kernel") {
      if (f.size() != 24) return lp.error("expected 24 fields in a kernel line, got " + std::to_string(f.size()));
      KernelRecord k;
      int64_t seq = 0;
      bool ok = lp.integer(f[1], seq) && lp.integer(f[2], k.pid) && lp.integer(f[3], k.device) &&
                lp.integer(f[4], k.context) && lp.integer(f[5], k.stream);
      for (int i = 0; i < 3 && ok; ++i)
        ok = lp.integer(f[6 + i], k.grid[i]) && lp.integer(f[9 + i], k.block[i]) &&
             lp.integer(f[12 + i], k.cluster[i]);
      ok = ok && lp.integer(f[15], k.registers) && lp.integer(f[16], k.smem_static) &&
           lp.integer(f[17], k.smem_dynamic) && lp.integer(f[18], k.local_bytes) &&
           lp.integer(f[19], k.stack_size) && lp.integer(f[20], k.driver_max_blocks) &&
           lp.integer(f[21], k.passes);
      if (!ok) return lp.error("a kernel field is not an integer");
      // The line holds the compiled count; ncu reports (and occupancy uses)
      // the allocated one.
      k.registers = allocatedRegistersPerThread(k.registers);
      if (by_seq.count(seq)) return lp.error("kernel " + std::to_string(seq) + " appears twice");
      k.mangled = unescape(f[22]);
      k.name = unescape(f[23]);
      if (k.name.empty()) k.name = k.mangled;
      k.id = static_cast<int64_t>(run.kernels.size());
      auto pn = process_names.find(k.pid);
      if (pn != process_names.end()) k.process = pn->second;
      by_seq[seq] = run.kernels.size();
      run.kernels.push_back(std::move(k));
    } else if (kind == "metric") {
      int64_t seq = 0;
      double v = 0;
      if (f.size() != 4 || !lp.integer(f[1], seq) || !lp.real(f[3], v))
        return lp.error("expected 'metric seq name value'");
      auto it = by_seq.find(seq);
      if (it == by_seq.end()) return lp.error("metric for unknown kernel " + std::to_string(seq));
      run.kernels[it->second].counters.emplace_back(unescape(f[2]), v);
    } else if (kind == "launch") {
      // Launch attributes the injection learns after the kernel ran (from
      // CUPTI activity records), possibly after the kernel's metric lines.
      int64_t seq = 0, v = 0;
      if (f.size() != 4 || !lp.integer(f[1], seq) || !lp.integer(f[3], v))
        return lp.error("expected 'launch seq name integer'");
      if (f[2] != "shared_mem_config_size")
        return lp.error("unknown launch attribute '" + std::string(f[2]) + "'");
      late_smem.emplace_back(seq, v);
    } else if (kind == "warning") {
      if (f.size() != 2) return lp.error("expected 'warning text'");
      run.warnings.push_back(unescape(f[1]));
    } else if (kind == "error") {
      if (f.size() != 3) return lp.error("expected 'error kind text'");
      run.errors.emplace_back(unescape(f[1]), unescape(f[2]));
    } else {
      return lp.error("unknown record '" + std::string(kind) + "'");
    }
  }
  if (!saw_header && !text.empty()) return InvalidInput(path + ": no header line");
  for (const auto& [seq, bytes] : late_smem) {
    auto it = by_seq.find(seq);
    // A kernel dropped after its launch (profiling failure) has no record.
    if (it != by_seq.end()) run.kernels[it->second].smem_config_executed = bytes;
  }
  return OkStatus();
}

}  // namespace gpuscope::profiler
