#include "unit/engine_onnx/onnx_test_util.h"

#include <unistd.h>

#include <atomic>

namespace gpuscope::engine::test {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  dir_ = std::filesystem::temp_directory_path() /
         ("gpuscope_onnx_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

onnx::ModelProto parseModel(const std::string& bytes) {
  onnx::ModelProto model;
  EXPECT_TRUE(model.ParseFromString(bytes));
  return model;
}

std::string serialize(const onnx::ModelProto& model) {
  std::string bytes;
  model.SerializeToString(&bytes);
  return bytes;
}

void expectInvalid(const Status& status, std::initializer_list<std::string> fragments) {
  ASSERT_FALSE(status.ok()) << "expected an error containing '" << *fragments.begin() << "'";
  EXPECT_EQ(status.code(), StatusCode::kInvalidInput) << status.message();
  for (const auto& f : fragments)
    EXPECT_NE(status.message().find(f), std::string::npos) << "'" << f << "' not in: " << status.message();
}

}  // namespace gpuscope::engine::test
