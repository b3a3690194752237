#include "profiler/driver.h"

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "base/file.h"
#include "profiler/collection_plan.h"
#include "profiler/report_notes.h"
#include "profiler/environment.h"
#include "profiler/results_file.h"
#include "profiler/store_export.h"
#include "store/store.h"

extern char** environ;

namespace gpuscope::profiler {
namespace {

std::string join(const std::vector<std::string>& v, char sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : std::string(1, sep)) + s;
  return out;
}

bool isVariable(const char* entry, const char* name) {
  size_t n = std::strlen(name);
  return std::strncmp(entry, name, n) == 0 && entry[n] == '=';
}

bool isOurVariable(const char* entry) {
  for (const char* name : {kEnvDir, kEnvMetrics, kEnvKernelRegex, kEnvLaunchSkip, kEnvLaunchCount,
                           kEnvCacheControl, kEnvQuiet, "CUDA_INJECTION64_PATH"})
    if (isVariable(entry, name)) return true;
  return false;
}

// Removes the temporary results folder whatever happens.
struct TempDir {
  std::string path;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

StatusOr<ProfilePlan> planProfile(KernelsOptions& o) {
  GS_RETURN_IF_ERROR(validateOptions(o));
  ProfilePlan plan;
  for (const std::string& id : o.sections) {
    const Section* s = findSection(id);
    if (std::find(plan.spec.sections.begin(), plan.spec.sections.end(), s) == plan.spec.sections.end())
      plan.spec.sections.push_back(s);
  }
  plan.spec.metrics = o.metrics;
  plan.counters = counterMetrics(plan.spec.sections, o.metrics);
  return plan;
}

std::vector<std::string> injectionEnvironment(const KernelsOptions& o, const ProfilePlan& plan,
                                              const std::string& inject_library,
                                              const std::string& results_dir, char** base_env) {
  std::vector<std::string> env;
  // The user's kEnvUserReplay (an A/B switch) reaches the main run only.
  for (char** e = base_env; e && *e; ++e)
    if (!isOurVariable(*e) && !(plan.kernel_replay && isVariable(*e, kEnvUserReplay))) env.emplace_back(*e);
  if (plan.kernel_replay) env.push_back(std::string(kEnvUserReplay) + "=0");
  std::string regex = o.kernel_name_regex;
  if (regex.starts_with("regex:")) regex = regex.substr(6);
  env.push_back(std::string("CUDA_INJECTION64_PATH=") + inject_library);
  env.push_back(std::string(kEnvDir) + "=" + results_dir);
  // Section metrics carry a '?': a chip without one shows its rows as n/a
  // (CUPTI lacks e.g. dram__bytes_read.sum on GB202); a metric the user
  // named with --metrics must exist (else exit 2, unsupported metric).
  std::vector<std::string> marked;
  for (const std::string& c : plan.counters)
    marked.push_back(std::find(o.metrics.begin(), o.metrics.end(), c) != o.metrics.end() ? c : "?" + c);
  env.push_back(std::string(kEnvMetrics) + "=" + join(marked, ','));
  if (!regex.empty()) env.push_back(std::string(kEnvKernelRegex) + "=" + regex);
  env.push_back(std::string(kEnvLaunchSkip) + "=" + std::to_string(o.launch_skip));
  env.push_back(std::string(kEnvLaunchCount) + "=" + std::to_string(o.launch_count));
  env.push_back(std::string(kEnvCacheControl) + "=" + o.cache_control);
  env.push_back(std::string(kEnvQuiet) + "=" + (o.quiet ? "1" : "0"));
  return env;
}

StatusOr<ProfileRun> collectResults(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  if (ec) return InternalError("cannot list the results folder " + dir + ": " + ec.message());
  // Files are named by pid, zero-padded, so name order is start order in
  // the common case of increasing pids.
  std::sort(files.begin(), files.end());
  ProfileRun run;
  for (const std::string& f : files) {
    GS_ASSIGN_OR_RETURN(std::string text, readFile(f));
    GS_RETURN_IF_ERROR(parseResults(text, f, run));
  }
  return run;
}

Status checkRunErrors(const ProfileRun& run) {
  for (const auto& [kind, text] : run.errors) {
    if (kind == "metric") return InvalidInput(text);
    if (kind == "permission" || kind == "environment") return EnvironmentError(text);
  }
  for (const auto& [kind, text] : run.errors) return InternalError(text);
  return OkStatus();
}

std::string renderReport(const ProfileRun& run, const ReportSpec& spec, OutputFormat format,
                         bool per_kernel_summary) {
  switch (format) {
    case OutputFormat::kCsv: return formatCsv(run, spec);
    case OutputFormat::kJson: return formatJson(run, spec);
    case OutputFormat::kConsole: break;
  }
  return per_kernel_summary ? formatConsoleSummary(run, spec) : formatConsole(run, spec);
}

namespace {

// One run of the command with the injection library collecting `metrics`
// into a fresh results folder.
struct RunOutcome {
  ProfileRun run;
  int wstatus = 0;
};

StatusOr<RunOutcome> runOnce(const KernelsOptions& o, const ProfilePlan& plan, const std::string& inject) {
  TempDir results;
  std::string templ = (std::filesystem::temp_directory_path() / "gpuscope-kernels-XXXXXX").string();
  if (!mkdtemp(templ.data())) return InternalError("cannot create a temporary folder: " + std::string(std::strerror(errno)));
  results.path = templ;

  std::vector<std::string> env = injectionEnvironment(o, plan, inject, results.path, environ);
  std::vector<char*> envp, argv;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> command = o.command;
  for (std::string& a : command) argv.push_back(a.data());
  argv.push_back(nullptr);

  // The profiled program gets Ctrl-C; we stay to unlock clocks and report.
  struct sigaction ignore {}, old_int {}, old_quit {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), envp.data());
  RunOutcome out;
  if (rc == 0) {
    while (waitpid(pid, &out.wstatus, 0) < 0 && errno == EINTR) {
    }
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
  if (rc != 0) return InvalidInput("cannot run '" + o.command[0] + "': " + std::strerror(rc));
  GS_ASSIGN_OR_RETURN(out.run, collectResults(results.path));
  return out;
}

std::string exitWarning(const std::string& command, int wstatus) {
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != 0)
    return command + " exited with status " + std::to_string(WEXITSTATUS(wstatus));
  if (WIFSIGNALED(wstatus)) return command + " was killed by signal " + std::to_string(WTERMSIG(wstatus));
  return "";
}

// On only when set to "1" (A/B switches of extra runs, collection_plan.h).
bool envOptIn(const char* name) {
  const char* v = std::getenv(name);
  return v && std::strcmp(v, "1") == 0;
}

const char* purposeName(RunPurpose p) {
  return p == RunPurpose::kSass ? "SASS metrics" : p == RunPurpose::kTiming ? "timing metrics" : "metrics";
}

// Joins an extra run's values to the main run. A metric name CUPTI rejects
// is exit 2 as for any metric; any other failure of that run costs only its
// values, with a warning.
Status mergeExtraRun(const KernelsOptions& o, ProfileRun& run, RunPurpose purpose,
                     const StatusOr<RunOutcome>& outcome) {
  const std::string lost =
      purpose == RunPurpose::kSass ? "SASS metrics not collected: " : "timing metrics kept from user replay: ";
  if (!outcome.ok()) {
    run.warnings.push_back(lost + outcome.status().message());
    return OkStatus();
  }
  for (const auto& [kind, text] : outcome->run.errors)
    if (kind == "metric") return InvalidInput(text);
  const std::string label = purpose == RunPurpose::kSass ? "SASS run" : "timing run";
  for (const auto& [kind, text] : outcome->run.errors) run.warnings.push_back(lost + text);
  for (const std::string& w : outcome->run.warnings) run.warnings.push_back(label + ": " + w);
  if (std::string w = exitWarning(o.command[0], outcome->wstatus); !w.empty()) run.warnings.push_back(label + ": " + w);
  mergeRun(run, outcome->run, purpose);
  return OkStatus();
}

}  // namespace

Status runKernels(KernelsOptions o) {
  GS_ASSIGN_OR_RETURN(ProfilePlan plan, planProfile(o));
  if (!o.output.empty()) GS_RETURN_IF_ERROR(checkOutputPath(o.output, o.force));
  GS_RETURN_IF_ERROR(checkCudaGpu());
  GS_ASSIGN_OR_RETURN(std::string inject, findInjectLibrary(o.inject_library));

  PlanSwitches switches;
  switches.sass_split = envOptIn("GPUSCOPE_PROFILER_SASS_SPLIT");
  switches.timing_run = envOptIn("GPUSCOPE_PROFILER_TIMING_RUN");
  const std::vector<CollectionRun> runs = planCollectionRuns(plan.counters, o.cache_control, switches);

  ClockLock clocks;
  if (o.clock_control == "base") {
    std::string warning = clocks.lockToBase();
    if (!warning.empty()) std::fprintf(stderr, "gpuscope: warning: %s\n", warning.c_str());
  }
  ProfilePlan first = plan;
  first.counters = runs[0].metrics;
  StatusOr<RunOutcome> main_outcome = runOnce(o, first, inject);
  // The extra runs only when the first one worked: its errors (permission,
  // unsupported metric) are the run's errors.
  std::vector<StatusOr<RunOutcome>> extra;
  for (size_t i = 1; i < runs.size() && main_outcome.ok() && main_outcome->run.errors.empty(); ++i) {
    if (!o.quiet)
      std::fprintf(stderr, "gpuscope: %s: running %s again (kernel replay, %zu metric%s)\n",
                   purposeName(runs[i].purpose), o.command[0].c_str(), runs[i].metrics.size(),
                   runs[i].metrics.size() == 1 ? "" : "s");
    ProfilePlan again = plan;
    again.counters = runs[i].metrics;
    again.kernel_replay = runs[i].purpose == RunPurpose::kTiming;
    extra.push_back(runOnce(o, again, inject));
  }
  clocks.release();
  GS_RETURN_IF_ERROR(main_outcome.status());
  ProfileRun& run = main_outcome->run;
  GS_RETURN_IF_ERROR(checkRunErrors(run));
  for (size_t i = 0; i < extra.size(); ++i)
    GS_RETURN_IF_ERROR(mergeExtraRun(o, run, runs[i + 1].purpose, extra[i]));
  if (std::string w = sharedMemoryEstimateWarning(run, plan.spec); !w.empty()) run.warnings.push_back(w);
  if (std::string w = hitRateAbove100Warning(run, plan.spec); !w.empty()) run.warnings.push_back(w);
  if (!o.quiet) {
    for (const std::string& w : run.warnings) std::fprintf(stderr, "gpuscope: warning: %s\n", w.c_str());
    if (std::string w = exitWarning(o.command[0], main_outcome->wstatus); !w.empty())
      std::fprintf(stderr, "gpuscope: warning: %s\n", w.c_str());
    if (run.kernels.empty()) std::fprintf(stderr, "gpuscope: warning: no kernels were profiled\n");
  }

  if (isStorePath(o.output)) {
    std::string command_line;
    for (const std::string& a : o.command) {
      if (!command_line.empty()) command_line += ' ';
      command_line += a;
    }
    GS_RETURN_IF_ERROR(store::writeStore(toTrace(run, plan.spec, command_line), o.output, o.force));
  } else if (std::string report = renderReport(run, plan.spec, o.format, o.print_summary == "per-kernel");
             o.output.empty()) {
    std::fwrite(report.data(), 1, report.size(), stdout);
    std::fflush(stdout);
  } else {
    GS_ASSIGN_OR_RETURN(AtomicOutput out, AtomicOutput::create(o.output, o.force));
    GS_RETURN_IF_ERROR(out.write(report));
    GS_RETURN_IF_ERROR(out.commit());
  }
  if (!o.quiet)
    std::fprintf(stderr, "gpuscope: profiled %zu kernel%s%s%s\n", run.kernels.size(),
                 run.kernels.size() == 1 ? "" : "s", o.output.empty() ? "" : " into ",
                 o.output.c_str());
  return OkStatus();
}

}  // namespace gpuscope::profiler
