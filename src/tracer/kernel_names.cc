#include "tracer/kernel_names.h"

#include <cxxabi.h>

#include <cstdlib>

namespace gpuscope::tracer {

std::string demangleKernelName(const char* mangled) {
  if (mangled == nullptr) return {};
  if (mangled[0] != '_' || mangled[1] != 'Z') return mangled;
  int status = 0;
  char* out = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  if (status != 0 || out == nullptr) {
    std::free(out);
    return mangled;
  }
  std::string s(out);
  std::free(out);
  return s;
}

std::string_view kernelShortName(std::string_view s) {
  // Cut the argument list: the last top-level '(' (skipping "(anonymous
  // namespace)", which is followed by "::").
  int depth = 0;
  size_t args = std::string_view::npos;
  for (size_t i = s.size(); i-- > 0;) {
    char c = s[i];
    if (c == ')' || c == '>') ++depth;
    else if (c == '<') --depth;
    else if (c == '(' && --depth == 0) {
      if (s.substr(i, 21) == "(anonymous namespace)") continue;
      args = i;
      break;
    }
  }
  if (args == std::string_view::npos) return s;
  std::string_view head = s.substr(0, args);
  // Drop template arguments at the end of the name.
  if (!head.empty() && head.back() == '>') {
    int d = 0;
    for (size_t i = head.size(); i-- > 0;) {
      if (head[i] == '>') ++d;
      else if (head[i] == '<' && --d == 0) { head = head.substr(0, i); break; }
    }
  }
  // Last "::" component and after the return type (last top-level space).
  size_t cut = 0;
  int d = 0;
  for (size_t i = 0; i < head.size(); ++i) {
    char c = head[i];
    if (c == '<' || c == '(') ++d;
    else if (c == '>' || c == ')') --d;
    else if (d == 0 && c == ' ') cut = i + 1;
    else if (d == 0 && c == ':' && i + 1 < head.size() && head[i + 1] == ':') { cut = i + 2; ++i; }
  }
  std::string_view base = head.substr(cut);
  return base.empty() ? s : base;
}

}  // namespace gpuscope::tracer
