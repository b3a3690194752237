// The injected process's results file (format: src/profiler/results_file.h):
// one file per process, appended and flushed per kernel so that a crash of
// the profiled program keeps what was measured.
#include <cxxabi.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "inject/state.h"

namespace gpuscope::profiler::inject {

namespace {

std::FILE* g_out = nullptr;
std::mutex g_write_mutex;
std::map<int, bool> g_devices_written;
std::mutex g_corr_mutex;
std::map<uint32_t, long long> g_corr_to_seq;

int attr(CUdevice dev, CUdevice_attribute a) {
  int v = 0;
  cuDeviceGetAttribute(&v, a, dev);
  return v;
}

}  // namespace

bool openResults(const char* dir) {
  char path[4096];
  std::snprintf(path, sizeof(path), "%s/%010d.tsv", dir, static_cast<int>(getpid()));
  g_out = std::fopen(path, "w");
  return g_out != nullptr;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void appendField(std::string& line, const std::string& field) {
  line += '\t';
  line += field;
}

void writeLine(const std::string& line) {
  std::lock_guard<std::mutex> lock(g_write_mutex);
  if (!g_out) return;
  std::fputs(line.c_str(), g_out);
  std::fputc('\n', g_out);
  std::fflush(g_out);
}

void reportFailure(const Failure& f) {
  writeLine("error\t" + f.kind + "\t" + escape(f.message));
  if (!g_settings.quiet) std::fprintf(stderr, "gpuscope: error: %s\n", f.message.c_str());
  g_disabled = true;  // like ncu: the program runs on, unprofiled
}

std::string demangle(const char* mangled) {
  int status = 0;
  char* out = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string s = status == 0 && out ? out : mangled;
  std::free(out);
  return s;
}

void writeDevice(uint32_t index, const std::string& chip) {
  if (g_devices_written[index]) return;
  g_devices_written[index] = true;
  CUdevice dev = 0;
  cuDeviceGet(&dev, static_cast<int>(index));
  char name[256] = {0};
  cuDeviceGetName(name, sizeof(name), dev);
  std::string line = "device\t" + std::to_string(getpid()) + "\t" + std::to_string(index) + "\t" +
                     escape(name) + "\t" + escape(chip);
  for (CUdevice_attribute a :
       {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
        CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR,
        CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR, CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR,
        CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK, CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR,
        CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
        CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK, CU_DEVICE_ATTRIBUTE_WARP_SIZE,
        CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE})
    appendField(line, std::to_string(attr(dev, a)));
  writeLine(line);
}

void completeKernel(const Pending& p, const Failure& f, const std::vector<double>& values) {
  const std::string seq = std::to_string(p.seq);
  Failure next = p.state->session->rearm();
  if (!next.ok()) {
    // This context cannot profile further kernels; the others still can.
    p.state->failed = true;
    writeLine("warning\t" + escape("profiling stopped in a context: " + next.message));
  }
  if (!f.ok()) {
    writeLine("warning\t" + escape("kernel " + seq + " dropped: " + f.message));
    return;
  }
  std::string out = p.kernel_line;
  for (size_t i = 0; i < values.size() && i < g_settings.metrics.size(); ++i) {
    if (std::isnan(values[i])) continue;  // not measured
    char num[64];
    std::snprintf(num, sizeof(num), "%.17g", values[i]);
    out += "\nmetric\t" + seq + "\t" + g_settings.metrics[i] + "\t" + num;
  }
  writeLine(out);
}

void rememberCorrelation(uint32_t correlation_id, long long seq) {
  std::lock_guard<std::mutex> lock(g_corr_mutex);
  g_corr_to_seq[correlation_id] = seq;
}

bool takeCorrelation(uint32_t correlation_id, long long& seq) {
  std::lock_guard<std::mutex> lock(g_corr_mutex);
  auto it = g_corr_to_seq.find(correlation_id);
  if (it == g_corr_to_seq.end()) return false;
  seq = it->second;
  g_corr_to_seq.erase(it);
  return true;
}

}  // namespace gpuscope::profiler::inject
