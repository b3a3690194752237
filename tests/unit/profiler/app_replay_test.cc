// --replay-mode application's loop over runs of the program (profiler/
// app_replay.h), with scripted runs standing in for the program: how many
// runs, which run's kernels come back, the warnings, and the failures when
// a run profiles other kernels than the first.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <string>
#include <vector>

#include "profiler/app_replay.h"

namespace gpuscope::profiler {
namespace {

// A run with `done` kernels complete and `left` pending (needing `passes`).
RunOutcome runWith(size_t done, size_t left, int passes, std::vector<std::string> warnings = {}) {
  RunOutcome o;
  for (size_t i = 0; i < done; ++i) {
    KernelRecord k;
    k.name = "k" + std::to_string(i);
    o.run.kernels.push_back(k);
  }
  for (size_t i = 0; i < left; ++i) o.run.pending.push_back({static_cast<int64_t>(i), passes});
  o.run.warnings = std::move(warnings);
  return o;
}

TEST(ApplicationReplay, RunsOncePerPassAndReturnsTheLastRun) {
  std::vector<int64_t> calls;
  StatusOr<RunOutcome> out = applicationReplay("prog", true, [&](int64_t r) -> StatusOr<RunOutcome> {
    calls.push_back(r);
    // 2 kernels, 3 passes: pending after runs 0 and 1, complete in run 2.
    if (r < 2) return runWith(0, 2, 3, {"carveout estimated"});
    return runWith(2, 0, 3, {"carveout estimated", "last run only"});
  });
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_EQ(calls, (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(out->run.kernels.size(), 2u);
  EXPECT_EQ(out->run.warnings, (std::vector<std::string>{"carveout estimated", "last run only"}));
}

TEST(ApplicationReplay, OnePassIsOneRun) {
  int calls = 0;
  StatusOr<RunOutcome> out = applicationReplay("prog", true, [&](int64_t) -> StatusOr<RunOutcome> {
    ++calls;
    return runWith(3, 0, 1);
  });
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(out->run.kernels.size(), 3u);
}

TEST(ApplicationReplay, OtherKernelCountInALaterRunIsExit2) {
  StatusOr<RunOutcome> out = applicationReplay("prog", true, [&](int64_t r) -> StatusOr<RunOutcome> {
    return r == 0 ? runWith(0, 4, 2) : runWith(3, 0, 2);
  });
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().exitCode(), 2);
  EXPECT_EQ(out.status().message(),
            "application replay, run 2: 3 kernels profiled, 4 in the first run; the program must launch the same "
            "kernels in every run (else use --replay-mode kernel)");
}

// The injection's own check (a kernel's name or grid differs) comes back as the run's error.
TEST(ApplicationReplay, ARunsErrorsEndTheLoopWithThatRun) {
  int calls = 0;
  StatusOr<RunOutcome> out = applicationReplay("prog", true, [&](int64_t r) -> StatusOr<RunOutcome> {
    ++calls;
    RunOutcome o = runWith(0, 1, 5);
    if (r == 1) o.run.errors.emplace_back("replay", "application replay, run 2: profiled kernel 0 is b");
    return o;
  });
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(calls, 2);
  ASSERT_EQ(out->run.errors.size(), 1u);
  EXPECT_EQ(out->run.errors[0].first, "replay");
}

TEST(ApplicationReplay, PassesThatNeverEndAreAnInternalError) {
  int calls = 0;
  StatusOr<RunOutcome> out = applicationReplay("prog", true, [&](int64_t) -> StatusOr<RunOutcome> {
    ++calls;
    return runWith(0, 1, 2);
  });
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInternal);
  EXPECT_EQ(calls, 3);  // the 2 passes and one run of slack
}

TEST(ApplicationReplay, AFailingRunIsReturnedAndAnExitStatusIsAWarning) {
  StatusOr<RunOutcome> failed = applicationReplay("prog", true, [&](int64_t) -> StatusOr<RunOutcome> {
    return InvalidInput("cannot run 'prog': No such file or directory");
  });
  EXPECT_EQ(failed.status().exitCode(), 2);
  StatusOr<RunOutcome> out = applicationReplay("prog", true, [&](int64_t r) -> StatusOr<RunOutcome> {
    RunOutcome o = r == 0 ? runWith(0, 1, 2) : runWith(1, 0, 2);
    if (r == 0) o.wstatus = 3 << 8;  // exit(3)
    return o;
  });
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->run.warnings, (std::vector<std::string>{"application replay, run 1: prog exited with status 3"}));
}

}  // namespace
}  // namespace gpuscope::profiler
