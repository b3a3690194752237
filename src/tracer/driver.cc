#include "tracer/driver.h"

#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/file.h"
#include "store/store.h"
#include "tracer/child_process.h"
#include "tracer/merge.h"

namespace gpuscope::tracer {
namespace {

constexpr const char* kLibName = "libgpuscope_inject.so";

bool fileExists(const std::string& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string absolute(const std::string& p) {
  char buf[PATH_MAX];
  return realpath(p.c_str(), buf) != nullptr ? std::string(buf) : p;
}

int64_t epochNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::string defaultOutput() {
  for (int i = 1;; ++i) {
    std::string p = "report" + std::to_string(i) + ".gpuscope";
    struct stat st {};
    if (stat(p.c_str(), &st) != 0) return p;
  }
}

void removeDirectory(const std::string& dir) {
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") unlink((dir + "/" + n).c_str());
    }
    closedir(d);
  }
  rmdir(dir.c_str());
}

std::string joinCommand(const std::vector<std::string>& argv) {
  std::string s;
  for (const std::string& a : argv) s += (s.empty() ? "" : " ") + a;
  return s;
}

}  // namespace

StatusOr<std::string> findInjectionLibrary(const std::string& explicit_path) {
  std::string candidate = explicit_path;
  if (candidate.empty()) {
    if (const char* env = std::getenv("GPUSCOPE_INJECT_LIB")) candidate = env;
  }
  if (!candidate.empty()) {
    if (!fileExists(candidate))
      return EnvironmentError("injection library '" + candidate + "' does not exist");
    return absolute(candidate);
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    std::string dir(exe);
    dir = dir.substr(0, dir.rfind('/'));
    for (const std::string& p : {dir + "/" + kLibName, dir + "/../lib/" + kLibName})
      if (fileExists(p)) return absolute(p);
  }
  return EnvironmentError(std::string(kLibName) +
                          " not found beside the gpuscope binary; build the gpuscope_inject target "
                          "or set GPUSCOPE_INJECT_LIB");
}

Status checkTracingEnvironment(const std::string& inject_library) {
  void* cuda = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (cuda == nullptr)
    return EnvironmentError("no NVIDIA driver: libcuda.so.1 cannot be loaded; gpuscope trace needs a CUDA GPU");
  using InitFn = int (*)(unsigned);
  using CountFn = int (*)(int*);
  auto init = reinterpret_cast<InitFn>(dlsym(cuda, "cuInit"));
  auto count = reinterpret_cast<CountFn>(dlsym(cuda, "cuDeviceGetCount"));
  int devices = 0;
  int rc = init != nullptr ? init(0) : -1;
  if (rc == 0 && count != nullptr) count(&devices);
  dlclose(cuda);
  if (rc != 0 || devices == 0)
    return EnvironmentError("no CUDA device available (cuInit returned " + std::to_string(rc) +
                            "); gpuscope trace needs a CUDA GPU");
  // Loading the library resolves libcupti.so; its constructors do nothing.
  void* lib = dlopen(inject_library.c_str(), RTLD_LAZY | RTLD_LOCAL);
  if (lib == nullptr)
    return EnvironmentError(std::string("cannot load the injection library (is CUPTI installed?): ") + dlerror());
  dlclose(lib);
  return OkStatus();
}

StatusOr<TraceSummary> runTrace(const TraceOptions& o) {
  std::string output = o.output.empty() ? defaultOutput() : o.output;
  GS_RETURN_IF_ERROR(checkOutputPath(output, o.force));
  GS_ASSIGN_OR_RETURN(std::string lib, findInjectionLibrary(o.inject_library));
  if (o.check_environment) GS_RETURN_IF_ERROR(checkTracingEnvironment(lib));

  const char* tmp = std::getenv("TMPDIR");
  std::string dir_template = std::string(tmp && *tmp ? tmp : "/tmp") + "/gpuscope-trace-XXXXXX";
  std::vector<char> buf(dir_template.begin(), dir_template.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr)
    return EnvironmentError(dir_template + ": cannot create a temporary directory: " + std::strerror(errno));
  std::string dir(buf.data());

  TracerConfig config = o.config;
  config.output_dir = dir;
  ChildOptions child;
  child.argv = o.command;
  child.env = configToEnv(config);
  child.env.push_back({"CUDA_INJECTION64_PATH", lib});
  if (config.trace_nvtx) child.env.push_back({"NVTX_INJECTION64_PATH", lib});
  child.stop_after_s = o.duration_s > 0 ? o.delay_s + o.duration_s : 0;

  int64_t launched = epochNowNs();
  StatusOr<ChildResult> ran = runChild(child);
  if (!ran.ok()) {
    removeDirectory(dir);
    return ran.status();
  }
  MergeOptions m;
  if (o.delay_s > 0) m.window_begin_epoch_ns = launched + int64_t(o.delay_s * 1e9);
  if (o.duration_s > 0) m.window_end_epoch_ns = launched + int64_t((o.delay_s + o.duration_s) * 1e9);
  m.capture = config.capture;
  m.capture_nvtx_name = config.capture_nvtx_name;
  m.command = joinCommand(o.command);
  StatusOr<model::Trace> merged = mergeRawDirectory(dir, m);
  if (!merged.ok()) return merged.status();  // keep the raw files for inspection
  model::Trace& trace = *merged;

  TraceSummary s;
  s.exit_code = ran->exit_code;
  s.output = output;
  s.processes = trace.processes.size();
  s.kernels = trace.kernels.size();
  s.memcpys = trace.memcpys.size();
  s.memsets = trace.memsets.size();
  s.syncs = trace.syncs.size();
  s.api_calls = trace.api_calls.size();
  s.nvtx = trace.nvtx.size();
  s.graph_launches = trace.graph_launches.size();
  s.graph_nodes = trace.graph_nodes.size();
  int64_t first = INT64_MAX, last = INT64_MIN;
  trace.forEachTable([&](const auto& t) {
    if constexpr (requires { t.start; t.end; })
      for (size_t i = 0; i < t.size(); ++i) {
        first = std::min(first, t.start[i]);
        last = std::max(last, t.end[i] == model::kNullI64 ? t.start[i] : t.end[i]);
      }
  });
  s.duration_ns = first <= last ? last - first : 0;
  s.dropped_records = trace.diagnostics.count("cupti_dropped_records");
  s.recovered_bytes_lost = trace.diagnostics.count("raw_file_truncated");
  if (s.processes == 0)
    s.warnings.push_back("no traced process initialized CUDA or NVTX: the trace is empty");
  if (ran->forwarded_signal != 0)
    s.warnings.push_back("forwarded signal " + std::to_string(ran->forwarded_signal) + " to the program");
  if (ran->stopped_by_deadline) s.warnings.push_back("--duration elapsed: the program was sent SIGTERM");
  for (const model::Diagnostic& d : trace.diagnostics.all())
    if (d.severity != model::Severity::kInfo)
      s.warnings.push_back(d.name + ": " + std::to_string(d.count) + " (" + d.description + ")");

  GS_RETURN_IF_ERROR(store::writeStore(trace, output, o.force));
  if (std::getenv("GPUSCOPE_KEEP_RAW") != nullptr) s.warnings.push_back("raw files kept in " + dir);
  else removeDirectory(dir);
  return s;
}

std::string formatSummary(const TraceSummary& s) {
  char line[512];
  std::string out;
  std::snprintf(line, sizeof line,
                "gpuscope: traced %zu process%s over %.3f ms: %zu kernels, %zu memcpys, %zu memsets, "
                "%zu syncs, %zu API calls, %zu NVTX events, %zu graph launches, %zu graph nodes\n",
                s.processes, s.processes == 1 ? "" : "es", double(s.duration_ns) / 1e6, s.kernels, s.memcpys,
                s.memsets, s.syncs, s.api_calls, s.nvtx, s.graph_launches, s.graph_nodes);
  out += line;
  std::snprintf(line, sizeof line, "gpuscope: dropped records: %lld\n", static_cast<long long>(s.dropped_records));
  out += line;
  for (const std::string& w : s.warnings) out += "gpuscope: warning: " + w + "\n";
  std::snprintf(line, sizeof line, "gpuscope: program exited with code %d; wrote %s\n", s.exit_code,
                s.output.c_str());
  out += line;
  return out;
}

}  // namespace gpuscope::tracer
