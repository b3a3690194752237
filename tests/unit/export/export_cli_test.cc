// `gpuscope export` end to end through the built binary: a small Kineto
// trace written here goes in, and exit codes, outputs and leftovers are
// checked. Skips when the binary has not been built.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <algorithm>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

// cudaLaunchKernel (correlation 501) on thread 4242 launches gemm_kernel on
// device 0, stream 7: one flow, two named rows.
constexpr const char* kKinetoTrace = R"({"schemaVersion":1,
"deviceProperties":[{"id":0,"name":"NVIDIA H100","numSms":132}],
"traceEvents":[
{"ph":"X","cat":"cpu_op","name":"aten::mm","pid":4242,"tid":4242,"ts":100.000,"dur":50.000,"args":{"External id":7}},
{"ph":"X","cat":"cuda_runtime","name":"cudaLaunchKernel","pid":4242,"tid":4242,"ts":110.000,"dur":10.000,"args":{"External id":7,"correlation":501}},
{"ph":"X","cat":"kernel","name":"gemm_kernel","pid":0,"tid":7,"ts":130.500,"dur":20.250,"args":{"device":0,"context":1,"stream":7,"correlation":501,"grid":[10,1,1],"block":[128,1,1]}},
{"ph":"M","name":"process_name","pid":4242,"tid":0,"args":{"name":"python3"}}
]})";

class ExportCli : public ::testing::Test {
 protected:
  void SetUp() override {
#ifdef GPUSCOPE_BINARY
    binary_ = GPUSCOPE_BINARY;
#endif
    if (binary_.empty() || !fs::exists(binary_)) {
      GTEST_SKIP() << "gpuscope binary not built (" << binary_ << "); build target 'gpuscope'";
    }
    dir_ = fs::temp_directory_path() / ("gpuscope_export_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream(dir_ / "in.json") << kKinetoTrace;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  // Runs `gpuscope ARGS` in dir_; returns the exit status.
  int run(const std::string& args) {
    std::string cmd = "cd '" + dir_.string() + "' && '" + binary_ + "' " + args + " 2>stderr.txt";
    int rc = std::system(cmd.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  std::string stderrText() {
    std::ifstream in(dir_ / "stderr.txt");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::vector<std::string> listing() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
  std::string binary_;
  fs::path dir_;
};

TEST_F(ExportCli, ChromeFromKineto) {
  ASSERT_EQ(run("export --type chrome in.json -o out.json"), 0) << stderrText();
  std::ifstream in(dir_ / "out.json");
  nlohmann::json doc = nlohmann::json::parse(in);
  int flows_s = 0, flows_f = 0;
  std::set<std::string> names;
  for (const auto& e : doc.at("traceEvents")) {
    if (e.at("ph") == "s") ++flows_s;
    if (e.at("ph") == "f") ++flows_f;
    if (e.at("ph") == "M" && e.at("name") == "process_name") names.insert(e.at("args").at("name"));
    if (e.at("name") == "gemm_kernel") {
      EXPECT_EQ(e.at("dur").get<double>(), 20.25);
    }
  }
  EXPECT_EQ(flows_s, 1);
  EXPECT_EQ(flows_f, 1);
  EXPECT_TRUE(names.count("python3"));
  EXPECT_TRUE(names.count("GPU 0: NVIDIA H100"));
}

TEST_F(ExportCli, ExistingOutputAndBadFlagsExitTwoAndLeaveNothing) {
  std::ofstream(dir_ / "out.json") << "keep";
  EXPECT_EQ(run("export in.json -o out.json"), 2);
  EXPECT_EQ(stderrText().rfind("gpuscope: error: out.json", 0), 0u) << stderrText();
  EXPECT_EQ(run("export --type csv in.json -o tables --tables kernels,bogus"), 2);
  EXPECT_NE(stderrText().find("bogus"), std::string::npos);
  EXPECT_EQ(run("export --type chrome in.json -o x.json --tables kernels"), 2);
  EXPECT_EQ(run("export --type chrome missing.json -o y.json"), 2);
  EXPECT_EQ(listing(), (std::vector<std::string>{"in.json", "out.json", "stderr.txt"}));
  std::ifstream kept(dir_ / "out.json");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(kept), {}), "keep");
}

TEST_F(ExportCli, CsvTables) {
  ASSERT_EQ(run("export --type csv in.json -o tables --tables kernels,api_calls"), 0)
      << stderrText();
  EXPECT_TRUE(fs::exists(dir_ / "tables" / "kernels.csv"));
  EXPECT_TRUE(fs::exists(dir_ / "tables" / "api_calls.csv"));
  EXPECT_FALSE(fs::exists(dir_ / "tables" / "cpu_ops.csv"));
}

}  // namespace
