#include "bench/log.h"

#include <ctime>

namespace gpuscope::bench {

Logger::Logger(std::ostream& out, std::ostream& err, bool verbose, Clock clock)
    : out_(out), err_(err), verbose_(verbose), clock_(std::move(clock)) {}

std::string Logger::localStamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "[%m/%d/%Y-%H:%M:%S]", &tm);
  return buf;
}

void Logger::log(char severity, const std::string& text, bool from_engine) {
  if (severity == 'V' && !verbose_) return;
  std::ostream& os = (severity == 'I' || severity == 'V') ? out_ : err_;
  std::lock_guard<std::mutex> lock(mu_);
  const std::string prefix = clock_() + " [" + severity + "] " + (from_engine ? "[TRT] " : "");
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    os << prefix << text.substr(start, nl == std::string::npos ? std::string::npos : nl - start) << '\n';
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  // Warnings interleave with stdout lines in a terminal, as trtexec's do.
  os.flush();
}

void Logger::raw(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  out_ << line << '\n';
  out_.flush();
}

}  // namespace gpuscope::bench
