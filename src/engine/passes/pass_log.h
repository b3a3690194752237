// The optimizer's verbose log: TensorRT-style lines ("Original: 52 layers",
// "Running: ConvReluFusion on conv1", "ConvReluFusion: Fusing conv1 with relu1",
// "Removing relu1"), stored without the "[V] [TRT] " prefix the builder adds
// when it prints them (reference/trtexec.md §7, trt_naming.md §6).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace gpuscope::engine {

class PassLog {
 public:
  void add(std::string line) { lines_.push_back(std::move(line)); }
  template <typename... Args>
  void addf(fmt::format_string<Args...> f, Args&&... args) {
    lines_.push_back(fmt::format(f, std::forward<Args>(args)...));
  }
  const std::vector<std::string>& lines() const { return lines_; }
  // All lines, each as "<prefix><line>\n".
  std::string text(const std::string& prefix = "[V] [TRT] ") const {
    std::string out;
    for (const std::string& l : lines_) out += prefix + l + "\n";
    return out;
  }

 private:
  std::vector<std::string> lines_;
};

}  // namespace gpuscope::engine
