// trtexec's log: every line `[MM/DD/YYYY-HH:MM:SS] [X] text`, X in V I W E;
// INFO and VERBOSE to stdout, WARNING and ERROR to stderr; VERBOSE only with
// --verbose. Engine messages get `[TRT] ` after the tag, as TensorRT's do, so
// trtexec log parsers (TREx, gpuscope explore --log) read bench logs.
#pragma once

#include <functional>
#include <mutex>
#include <ostream>
#include <string>

namespace gpuscope::bench {

class Logger {
 public:
  using Clock = std::function<std::string()>;  // "[11/29/2026-21:05:00]"
  Logger(std::ostream& out, std::ostream& err, bool verbose, Clock clock = localStamp);

  // Splits `text` at '\n'; each line gets the prefix. Thread-safe.
  void log(char severity, const std::string& text, bool from_engine = false);
  void info(const std::string& text) { log('I', text); }
  void warn(const std::string& text) { log('W', text); }
  void error(const std::string& text) { log('E', text); }
  void verbose(const std::string& text) { log('V', text); }
  // Lines without prefix (the &&&& banner).
  void raw(const std::string& line);
  bool isVerbose() const { return verbose_; }

  static std::string localStamp();

 private:
  std::ostream& out_;
  std::ostream& err_;
  bool verbose_;
  Clock clock_;
  std::mutex mu_;
};

}  // namespace gpuscope::bench
