#include "tracer/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace gpuscope::tracer {
namespace {

std::atomic<pid_t> g_child{0};
std::atomic<int> g_forwarded{0};

// Terminal-generated signals (si_code SI_KERNEL) already reached the child,
// which shares our process group; only signals sent to us alone (kill,
// timeout, a batch system) are passed on.
void forwardSignal(int sig, siginfo_t* info, void*) {
  pid_t child = g_child.load();
  if (child > 0 && info != nullptr && info->si_code <= 0) {
    kill(child, sig);
    g_forwarded.store(sig);
  }
}

class SignalForwarding {
 public:
  SignalForwarding() {
    struct sigaction sa {};
    sa.sa_sigaction = forwardSignal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalForwarding() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

}  // namespace

StatusOr<ChildResult> runChild(const ChildOptions& o) {
  if (o.argv.empty()) return InvalidInput("trace: no command given");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return InternalError(std::string("pipe: ") + std::strerror(errno));
  std::vector<char*> argv;
  for (const std::string& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);

  SignalForwarding forwarding;
  g_forwarded.store(0);
  pid_t pid = fork();
  if (pid < 0) return InternalError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    close(fds[0]);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    for (const auto& [k, v] : o.env) setenv(k.c_str(), v.c_str(), 1);
    execvp(argv[0], argv.data());
    int err = errno;
    ssize_t ignored = write(fds[1], &err, sizeof err);
    (void)ignored;
    _exit(127);
  }
  g_child.store(pid);
  close(fds[1]);
  int exec_errno = 0;
  ssize_t got;
  do got = read(fds[0], &exec_errno, sizeof exec_errno); while (got < 0 && errno == EINTR);
  close(fds[0]);

  ChildResult result;
  auto started = std::chrono::steady_clock::now();
  bool termed = false, killed = false;
  int status = 0;
  while (true) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) {
      g_child.store(0);
      return InternalError(std::string("waitpid: ") + std::strerror(errno));
    }
    double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (o.stop_after_s > 0 && !termed && elapsed >= o.stop_after_s) {
      kill(pid, SIGTERM);
      termed = true;
      result.stopped_by_deadline = true;
    }
    if (termed && !killed && elapsed >= o.stop_after_s + 10) {
      kill(pid, SIGKILL);
      killed = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  g_child.store(0);
  result.forwarded_signal = g_forwarded.load();
  if (got == static_cast<ssize_t>(sizeof exec_errno))
    return InvalidInput("trace: cannot run '" + o.argv[0] + "': " + std::strerror(exec_errno));
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
  return result;
}

}  // namespace gpuscope::tracer
