// Application replay (--replay-mode application): each run of the program
// collects one pass of every profiled kernel around the application's own
// launch, and the kernel's counter data goes to the next run in a state file
// (app_pass_file.h). Nothing is replayed inside the process: no checkpoint,
// no memory restore, the kernel runs exactly as the program runs it.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "inject/app_pass_file.h"
#include "inject/state.h"

namespace gpuscope::profiler::inject {
namespace {

std::string statePath(long long seq) { return g_settings.app_state + "/kernel-" + std::to_string(seq) + ".bin"; }

// The whole file, or false when it cannot be opened.
bool readAll(const std::string& path, std::string& out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  char buf[1 << 16];
  size_t n = 0;
  out.clear();
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  const bool ok = !std::ferror(f);
  std::fclose(f);
  return ok;
}

// Written beside and renamed over, so a run killed mid-write leaves the
// previous state or none, never half a file.
bool writeAll(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return false;
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = std::fclose(f) == 0 && ok;
  if (ok) ok = std::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) std::remove(tmp.c_str());
  return ok;
}

Failure mismatch(const std::string& what) {
  return {"replay", "application replay, run " + std::to_string(g_settings.app_run + 1) + ": " + what +
                        "; the program must launch the same kernels in every run (else use --replay-mode kernel)"};
}

}  // namespace

bool ownsAppReplay() {
  // The first process of each run to profile a kernel creates the run's
  // marker; kernel ordinals are per process, so only that one takes part.
  static const bool owner = [] {
    const std::string marker = g_settings.app_state + "/owner-run-" + std::to_string(g_settings.app_run);
    const int fd = ::open(marker.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
    if (fd < 0) return false;
    ::close(fd);
    return true;
  }();
  return owner;
}

Failure beginAppPass(ContextState& st, long long seq, const std::string& key) {
  AppPassState state;
  if (g_settings.app_run > 0) {
    std::string bytes;
    if (!readAll(statePath(seq), bytes))
      return mismatch("profiled kernel " + std::to_string(seq) + " (" + key + ") was not profiled by the first run");
    if (std::string why = decodeAppPass(bytes, state); !why.empty())
      return {"internal", statePath(seq) + ": " + why};
    if (state.key != key)
      return mismatch("profiled kernel " + std::to_string(seq) + " is " + key + ", in the first run " + state.key);
    if (state.config_hash != st.session->configHash())
      return {"internal", "application replay: the metric configuration differs from the first run's"};
  }
  return st.session->armApplicationPass(state.image, state.pass_index, state.target_level);
}

Failure endAppPass(const Pending& p, std::vector<double>& values, bool& complete) {
  complete = false;
  RangeSession& s = *p.state->session;
  CUresult rc = cuStreamSynchronize(p.stream);
  AppPassState next;
  bool all = false;
  Failure f = s.stopApplicationPass(next.pass_index, next.target_level, all);
  if (!f.ok()) return f;
  if (rc != CUDA_SUCCESS) return {"internal", "the profiled kernel failed with CUDA error " + std::to_string(rc)};
  if (all) {
    complete = true;
    return s.evaluate(values);
  }
  next.config_hash = s.configHash();
  next.key = p.app_key;
  next.image = s.counterData();
  if (!writeAll(statePath(p.seq), encodeAppPass(next)))
    return {"internal", "application replay: cannot write " + statePath(p.seq)};
  return {};
}

}  // namespace gpuscope::profiler::inject
