// Helpers shared by the ONNX importer tests: temp folders, proto round trips.
#pragma once

#include <onnx/onnx_pb.h>  // defines ONNX_API, then includes onnx-ml.pb.h

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "base/status.h"

namespace gpuscope::engine::test {

// A fresh folder under the system temp dir, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  std::string path(const std::string& file) const { return (dir_ / file).string(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

onnx::ModelProto parseModel(const std::string& bytes);
std::string serialize(const onnx::ModelProto& model);

// Asserts an InvalidInput whose message contains every fragment.
void expectInvalid(const Status& status, std::initializer_list<std::string> fragments);

}  // namespace gpuscope::engine::test
