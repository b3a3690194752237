// Stage progress for long work (importing a large trace, writing a store):
// one line on stderr, rewritten in place, only when stderr is a terminal and
// the user did not ask for quiet (-q). Piped output stays clean.
#pragma once

#include <string>
#include <string_view>

namespace gpuscope {

class Progress {
 public:
  explicit Progress(bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Replaces the line with "gpuscope: <what>...".
  void stage(std::string_view what);

 private:
  bool on_ = false;
  bool shown_ = false;
};

// "285.3 MB": sizes in progress lines and summaries.
std::string humanBytes(double bytes);

}  // namespace gpuscope
