// The `trace` driver without a GPU: a stand-in program plays the traced
// process (it drops a prepared raw file where the injection would write).
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "store/store.h"
#include "tracer/child_process.h"
#include "tracer/driver.h"
#include "tracer/raw_format.h"
#include "unit/tracer/fake_cupti_buffer.h"

namespace gpuscope::tracer {
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("gs_driver_" + std::to_string(getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

TEST(ChildProcessTest, ExitCodesSignalsAndEnvironment) {
  StatusOr<ChildResult> r = runChild({{"sh", "-c", "test \"$GS_X\" = hello && exit 7"}, {{"GS_X", "hello"}}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 7);
  r = runChild({{"sh", "-c", "kill -9 $$"}, {}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 128 + 9);
  StatusOr<ChildResult> missing = runChild({{"/nonexistent/program"}, {}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidInput);
}

TEST(ChildProcessTest, DeadlineSendsSigterm) {
  auto t0 = std::chrono::steady_clock::now();
  StatusOr<ChildResult> r = runChild({{"sleep", "30"}, {}, 0.2});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->stopped_by_deadline);
  EXPECT_EQ(r->exit_code, 128 + SIGTERM);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
}

TEST(ChildProcessTest, SigtermToTheTracerIsForwarded) {
  std::thread sender([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    kill(getpid(), SIGTERM);  // as `kill <gpuscope pid>` would
  });
  StatusOr<ChildResult> r = runChild({{"sleep", "30"}, {}});
  sender.join();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->forwarded_signal, SIGTERM);
  EXPECT_EQ(r->exit_code, 128 + SIGTERM);
}

TEST(TraceDriverTest, RunsMergesWritesAndPassesTheExitCode) {
  TempDir tmp;
  // What a traced process would have written: two launches, one dropped count.
  Recording rec;
  rec.process.push_back({4242, 1, 1000, 1000, "fake program"});
  testing::FakeCuptiBuffer b;
  b.addRuntime(1000, 1010, 1, 211, 4242, 4243);
  b.addKernel(1020, 1030, 1, 7);
  b.addRuntime(2000, 2010, 2, 211, 4242, 4243);
  b.addKernel(2020, 2030, 2, 7);
  RecordDecoder d(&rec, 4242, testing::fakeApiName);
  b.decodeInto(d);
  d.addDroppedRecords(3);
  std::string bytes = RawEncoder::header();
  RawEncoder().encode(rec, &bytes);
  fs::path raw = tmp.path / "prepared.raw";
  std::ofstream(raw, std::ios::binary) << bytes;
  fs::path lib = tmp.path / "libgpuscope_inject.so";
  std::ofstream(lib) << "stand-in";

  TraceOptions o;
  o.inject_library = lib.string();
  o.check_environment = false;
  o.output = (tmp.path / "out.gpuscope").string();
  std::string script = "test \"$CUDA_INJECTION64_PATH\" = \"" + fs::canonical(lib).string() +
                       "\" && test \"$NVTX_INJECTION64_PATH\" = \"$CUDA_INJECTION64_PATH\" && "
                       "test \"$GPUSCOPE_CUDA_GRAPH_TRACE\" = graph && "
                       "test \"$GPUSCOPE_CUDA_TRACE_ALL_APIS\" = 0 && "
                       "cp " + raw.string() + " \"$GPUSCOPE_TRACE_DIR/4242.raw\" && exit 7";
  o.command = {"sh", "-c", script};
  StatusOr<TraceSummary> s = runTrace(o);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->exit_code, 7);
  EXPECT_EQ(s->processes, 1u);
  EXPECT_EQ(s->kernels, 2u);
  EXPECT_EQ(s->api_calls, 2u);
  EXPECT_EQ(s->dropped_records, 3);
  EXPECT_EQ(s->duration_ns, 1030);
  std::string text = formatSummary(*s);
  EXPECT_NE(text.find("2 kernels"), std::string::npos) << text;
  EXPECT_NE(text.find("dropped records: 3"), std::string::npos) << text;
  EXPECT_NE(text.find("exited with code 7; wrote " + o.output), std::string::npos) << text;

  StatusOr<model::Trace> stored = store::readStore(o.output);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(stored->kernels.size(), 2u);
  EXPECT_EQ(stored->str(stored->api_calls.name[0]), "cudaLaunchKernel");
  EXPECT_EQ(stored->diagnostics.count("cupti_dropped_records"), 3);

  // An existing output without --force: refused before the program runs.
  fs::path marker = tmp.path / "ran";
  o.command = {"touch", marker.string()};
  StatusOr<TraceSummary> again = runTrace(o);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kInvalidInput);
  EXPECT_FALSE(fs::exists(marker));
  o.force = true;
  ASSERT_TRUE(runTrace(o).ok());
  EXPECT_TRUE(fs::exists(marker));
}

TEST(TraceDriverTest, MissingInjectionLibraryIsAnEnvironmentError) {
  StatusOr<std::string> lib = findInjectionLibrary("/nonexistent/libgpuscope_inject.so");
  ASSERT_FALSE(lib.ok());
  EXPECT_EQ(lib.status().code(), StatusCode::kEnvironment);
  EXPECT_EQ(lib.status().exitCode(), 3);
}

}  // namespace
}  // namespace gpuscope::tracer
