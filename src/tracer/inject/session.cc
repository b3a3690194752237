#include "tracer/inject/session.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tracer/tsc_clock.h"

namespace gpuscope::tracer::inject {
namespace {

// Records decoded per hold of Session::mu (~0.1-0.3 ms of work).
constexpr int kRecordsPerLock = 2048;

Session* g_session = nullptr;

int64_t epochNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::string readCommandLine() {
  std::ifstream f("/proc/self/cmdline", std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  while (!s.empty() && s.back() == '\0') s.pop_back();
  for (char& c : s) if (c == '\0') c = ' ';
  return s;
}

std::string threadName(pid_t pid, int64_t tid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/comm");
  std::string name;
  std::getline(f, name);
  return name;
}

void writeAll(Session* s, const std::string& bytes) {
  if (s->fd < 0 || s->write_failed || bytes.empty()) return;
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(s->fd, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::fprintf(stderr, "gpuscope: cannot write the raw trace of process %d: %s\n", int(s->pid),
                   std::strerror(errno));
      s->write_failed = true;
      return;
    }
    off += size_t(n);
  }
}

// With our own clock (GPUSCOPE_TRACE_AB clock=tsc|monotonic) the merge maps
// process times to the epoch through anchors (clock_map.h); CUPTI's own
// clock is CLOCK_REALTIME, for which the process frame's anchor is exact.
void addClockAnchorLocked(Session* s) {
  if (!usingOwnClock()) return;
  int64_t clock = nowNs();
  s->rec.clock_anchors.push_back({clock, epochNs()});
}

// The writer thread. Decoding here, not in bufferCompleted, keeps it off
// CUPTI's threads and application threads; the periodic non-forced flush
// hands over buffers whose records are complete (no GPU synchronization),
// so a killed program loses at most one interval.
void flusherLoop(Session* s) {
  if (s->ab.writer_nice > 0) setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), s->ab.writer_nice);
  s->buffers->prefill(s->ab.prefill);
  // With flush=cupti or flush=none (A/B knobs) CUPTI alone decides when
  // buffers come back; the loop then only wakes to decode them.
  const bool periodic = s->ab.flush == FlushKind::kOurs;
  const auto period = std::chrono::milliseconds(periodic ? s->config.flush_interval_ms : 1000);
  auto next_flush = std::chrono::steady_clock::now() + period;
  while (!s->flusher_stop.load()) {
    s->buffers->waitCompleted(next_flush, s->flusher_stop);
    if (s->flusher_stop.load()) break;
    bool anchor = false;
    if (std::chrono::steady_clock::now() >= next_flush) {
      if (periodic) cuptiActivityFlushAll(0);
      next_flush = std::chrono::steady_clock::now() + period;
      anchor = true;
    }
    drainCompleted(s);
    std::lock_guard<std::mutex> lock(s->mu);
    if (anchor) addClockAnchorLocked(s);
    writePendingLocked(s);  // rows added by callbacks (capture edges, graph nodes)
  }
}

void startFlusherLocked(Session* s) {
  s->flusher_stop.store(false);
  s->flusher = new std::thread(flusherLoop, s);
}

// Opens <dir>/<pid>.raw and writes the header and the process frame.
void openRawFileLocked(Session* s) {
  s->pid = getpid();
  std::string path = s->config.output_dir + "/" + std::to_string(s->pid) + ".raw";
  s->fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_APPEND, 0644);
  if (s->fd < 0) {
    std::fprintf(stderr, "gpuscope: cannot create %s: %s (this process is not traced)\n", path.c_str(),
                 std::strerror(errno));
    return;
  }
  ProcessInfo p;
  p.pid = s->pid;
  p.ppid = getppid();
  p.clock_ns = nowNs();
  p.epoch_ns = epochNs();
  p.command = readCommandLine();
  s->rec.process.push_back(std::move(p));
  uint32_t version = 0;
  cuptiGetVersion(&version);
  s->rec.rows.meta["cupti_version"] = std::to_string(version);
  s->rec.rows.meta["trace_clock"] = clockInUse();
  writeAll(s, RawEncoder::header());
  writePendingLocked(s);
}

const char* apiName(bool driver, uint32_t cbid) {
  const char* name = nullptr;
  if (cuptiGetCallbackName(driver ? CUPTI_CB_DOMAIN_DRIVER_API : CUPTI_CB_DOMAIN_RUNTIME_API, cbid, &name) !=
      CUPTI_SUCCESS)
    return nullptr;
  return name;
}

// fork() without exec: the child keeps our memory but is a new process. It
// must not append to the parent's file nor re-write the parent's pending
// rows, and the flusher thread did not survive the fork.
void atforkPrepare() {
  if (g_session == nullptr) return;
  g_session->mu.lock();
  g_session->registered_mu.lock();
  g_session->ids_mu.lock();
  g_session->buffers->lockForFork();
}
void atforkParent() {
  if (g_session == nullptr) return;
  g_session->buffers->unlockAfterFork();
  g_session->ids_mu.unlock();
  g_session->registered_mu.unlock();
  g_session->mu.unlock();
}
void atforkChild() {
  Session* s = g_session;
  if (s == nullptr) return;
  s->buffers->dropCompletedLocked();  // the parent's records
  s->buffers->unlockAfterFork();
  s->pending_start_end_ids.clear();  // the parent's ranges
  s->pending_syncs.clear();
  s->ids_mu.unlock();
  s->registered_mu.unlock();
  if (s->fd >= 0) ::close(s->fd);
  s->fd = -1;
  s->write_failed = false;
  s->rec.clearEvents();
  s->encoder = RawEncoder();
  s->tids_seen.clear();
  s->flusher = nullptr;  // the parent's thread; not ours to join
  s->decoder = std::make_unique<RecordDecoder>(&s->rec, getpid(), apiName);
  s->graphs = std::make_unique<GraphNodeTracker>(&s->rec, getpid());
  s->forked_child = true;
  openRawFileLocked(s);
  s->mu.unlock();
}

void finish() {
  Session* s = g_session;
  if (s == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(s->mu);
    if (s->finished) return;
    s->finished = true;
    s->flusher_stop.store(true);
  }
  s->buffers->wake();
  bool cupti_usable = s->flusher != nullptr;  // false in a fork child that never used CUDA
  if (s->flusher != nullptr) s->flusher->join();
  // Forced: incomplete records too, this is the last chance.
  if (cupti_usable) flushAll(s, CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  std::lock_guard<std::mutex> lock(s->mu);
  size_t dropped = 0;
  if (cupti_usable && cuptiActivityGetNumDroppedRecords(nullptr, 0, &dropped) == CUPTI_SUCCESS)
    s->decoder->addDroppedRecords(int64_t(dropped));
  addClockAnchorLocked(s);
  for (int64_t tid : s->tids_seen) {
    std::string name = threadName(s->pid, tid);
    if (!name.empty()) s->rec.rows.threads.push({s->pid, tid, s->rec.rows.strings.intern(name)});
  }
  writePendingLocked(s);
  if (s->fd >= 0) ::close(s->fd);
  s->fd = -1;
}

}  // namespace

Session* session() { return g_session; }

void ensureFlusher() {
  Session* s = g_session;
  if (s == nullptr) return;
  std::lock_guard<std::mutex> lock(s->mu);
  if (s->flusher == nullptr && !s->finished) startFlusherLocked(s);
}

namespace {
TscClock g_tsc;
uint64_t CUPTIAPI monotonicClock() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}
uint64_t CUPTIAPI tscClock() { return uint64_t(g_tsc.toNs(readTsc())); }
CUpti_TimestampCallbackFunc g_clock = nullptr;  // nullptr: CUPTI's own
}  // namespace

// The TSC is a safe clock where the kernel itself keeps time with it: it
// checked at boot that the TSC is invariant and synchronized across CPUs
// (else it marks it unstable and switches to hpet/acpi_pm, and so do we, to
// CUPTI's own clock).
static bool kernelClocksourceIsTsc() {
  std::FILE* f = std::fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");
  if (f == nullptr) return false;
  char name[32] = {0};
  bool tsc = std::fgets(name, sizeof name, f) != nullptr && std::strncmp(name, "tsc", 3) == 0 &&
             (name[3] == '\n' || name[3] == '\0');
  std::fclose(f);
  return tsc;
}

CUpti_TimestampCallbackFunc chooseClock(ClockKind kind) {
  if (kind == ClockKind::kMonotonic) {
    g_clock = monotonicClock;
  } else if (kind == ClockKind::kTsc && readTsc() != 0 && kernelClocksourceIsTsc()) {
    // Rate from two samples 20 ms apart, on CLOCK_REALTIME so times stay
    // near CUPTI's default epoch. Once per process, inside cuInit.
    uint64_t t0 = readTsc();
    int64_t n0 = epochNs();
    timespec pause{0, 20000000};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {}
    uint64_t t1 = readTsc();
    int64_t n1 = epochNs();
    g_tsc = TscClock::fromSamples(t0, n0, t1, n1);
    g_clock = tscClock;
  }
  return g_clock;
}

bool usingOwnClock() { return g_clock != nullptr; }

const char* clockInUse() {
  if (g_clock == tscClock) return "tsc";
  if (g_clock == monotonicClock) return "monotonic";
  return "cupti";
}

int64_t nowNs() {
  if (g_clock != nullptr) return int64_t(g_clock());
  uint64_t t = 0;
  cuptiGetTimestamp(&t);
  return int64_t(t);
}

void writePendingLocked(Session* s) {
  {
    std::lock_guard<std::mutex> lock(s->ids_mu);
    s->rec.start_end_range_ids.insert(s->rec.start_end_range_ids.end(), s->pending_start_end_ids.begin(),
                                      s->pending_start_end_ids.end());
    s->pending_start_end_ids.clear();
    for (const model::SyncTable::Row& r : s->pending_syncs) s->rec.rows.syncs.push(r);
    s->pending_syncs.clear();
  }
  const auto& api = s->rec.rows.api_calls;
  for (size_t i = 0; i < api.size(); ++i) s->tids_seen.insert(api.tid[i]);
  const auto& nvtx = s->rec.rows.nvtx;
  for (size_t i = 0; i < nvtx.size(); ++i)
    if (nvtx.tid[i] != model::kNullI64) s->tids_seen.insert(nvtx.tid[i]);
  std::string bytes;
  s->encoder.encode(s->rec, &bytes);
  s->rec.clearEvents();
  writeAll(s, bytes);
}

// CUPTI's dropped-record count since the last read (it resets on each
// read). CUDA 13 completes buffers with no context, so the global count is
// the one; read on the writer thread, once per decoded buffer, so a
// SIGKILLed program's raw file still carries the drops up to its last flush.
static int64_t readDropped(Session* s) {
  size_t dropped = 0;
  if (!s->ab.dropped_query || cuptiActivityGetNumDroppedRecords(nullptr, 0, &dropped) != CUPTI_SUCCESS) return 0;
  return int64_t(dropped);
}

void drainCompleted(Session* s) {
  ActivityBufferPool::Completed c;
  while (s->buffers->takeCompleted(&c)) {
    if (!s->ab.decode) {  // A/B knob decode=0: measures what decoding costs the program
      int64_t dropped = readDropped(s);
      std::lock_guard<std::mutex> lock(s->mu);
      s->decoder->addDroppedRecords(c.dropped + dropped);
      s->buffers->recycle(c.data, c.valid_size);
      continue;
    }
    CUpti_Activity* record = nullptr;
    bool more = true;
    while (more) {
      std::lock_guard<std::mutex> lock(s->mu);
      for (int i = 0; i < kRecordsPerLock; ++i) {
        if (cuptiActivityGetNextRecord(c.data, c.valid_size, &record) != CUPTI_SUCCESS) {
          more = false;
          break;
        }
        s->decoder->decode(record);
      }
      if (!more) {
        s->decoder->addDroppedRecords(c.dropped + readDropped(s));
        writePendingLocked(s);
      }
    }
    s->buffers->recycle(c.data, c.valid_size);
  }
}

void flushAll(Session* s, uint32_t flags) {
  cuptiActivityFlushAll(flags);
  drainCompleted(s);
  std::lock_guard<std::mutex> lock(s->mu);
  writePendingLocked(s);
}

void CUPTIAPI bufferRequested(uint8_t** buffer, size_t* size, size_t* max_records) {
  // Application thread: the pool's O(1) pop, never the session lock.
  // Buffers are zeroed (CUPTI is told so: ZEROED_OUT_ACTIVITY_BUFFER).
  Session* s = g_session;
  constexpr size_t kFallbackSize = 1u << 20;  // only before the session exists
  uint8_t* b = s != nullptr ? s->buffers->acquire() : static_cast<uint8_t*>(std::calloc(1, kFallbackSize));
  *buffer = b;
  *size = b == nullptr ? 0 : s != nullptr ? s->buffers->bufferSize() : kFallbackSize;
  *max_records = 0;
}

void CUPTIAPI bufferCompleted(CUcontext, uint32_t, uint8_t* buffer, size_t, size_t valid_size) {
  Session* s = g_session;
  if (s == nullptr || buffer == nullptr) {
    std::free(buffer);
    return;
  }
  // Queued for the writer thread: decoding here would run on CUPTI's
  // thread or on an application thread inside a CUDA call. The dropped
  // count is read by the writer too (drainCompleted), not here.
  s->buffers->complete({buffer, valid_size, 0});
}

bool setupSession(const TracerConfig& config, const AbKnobs& ab) {
  auto* s = new Session();  // lives until exit: CUPTI may call back during teardown
  s->config = config;
  s->ab = ab;
  s->buffers = std::make_unique<ActivityBufferPool>(ab.buffer_bytes, ab.max_idle);
  std::string knobs = ab.describe();
  if (!knobs.empty()) s->rec.rows.meta["trace_ab"] = knobs;
  s->decoder = std::make_unique<RecordDecoder>(&s->rec, getpid(), apiName);
  s->graphs = std::make_unique<GraphNodeTracker>(&s->rec, getpid());
  {
    std::lock_guard<std::mutex> lock(s->mu);
    openRawFileLocked(s);
  }
  g_session = s;
  pthread_atfork(atforkPrepare, atforkParent, atforkChild);
  std::atexit(finish);
  std::lock_guard<std::mutex> lock(s->mu);
  startFlusherLocked(s);
  return true;
}

}  // namespace gpuscope::tracer::inject
