// Paths of the shared TREx fixtures and scratch files for explore's tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace gpuscope::explore::test {

inline std::string trexInput(const std::string& file) {
  return std::string(GPUSCOPE_SHARED_DATA) + "/trt/tests/inputs/" + file;
}
inline std::string verboseLogDir() { return std::string(GPUSCOPE_SHARED_DATA) + "/trt/trtexec-verbose-log/"; }
inline bool haveSharedTrt() { return std::filesystem::exists(trexInput("mobilenet.qat.onnx.engine.graph.json")); }

// A fresh directory per test under the system temp dir.
inline std::string scratchDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::temp_directory_path() /
             ("gpuscope_explore_" + std::string(info->test_suite_name()) + "_" + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace gpuscope::explore::test

#define GS_REQUIRE_SHARED_TRT()                                                            \
  do {                                                                                     \
    if (!::gpuscope::explore::test::haveSharedTrt())                                       \
      GTEST_SKIP() << "SKIPPED: shared TensorRT fixtures not found under " GPUSCOPE_SHARED_DATA; \
  } while (0)
