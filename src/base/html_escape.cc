#include "base/html_escape.h"

namespace gpuscope {

void appendHtmlEscaped(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
}

std::string htmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  appendHtmlEscaped(out, s);
  return out;
}

}  // namespace gpuscope
