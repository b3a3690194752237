#include "importers/kineto_json/names.h"

#include <array>
#include <utility>

#include "model/enums.h"

namespace gpuscope::importers::kineto_json {
namespace {

using model::CopyKind;
using model::MemKind;

int32_t memKindFromText(std::string_view s) {
  // Kineto's memoryKindString() spellings.
  static constexpr std::array<std::pair<std::string_view, MemKind>, 7> kKinds = {{
      {"Pageable", MemKind::kPageable},
      {"Pinned", MemKind::kPinned},
      {"Device", MemKind::kDevice},
      {"Array", MemKind::kArray},
      {"Managed", MemKind::kManaged},
      {"Device Static", MemKind::kDeviceStatic},
      {"Managed Static", MemKind::kManagedStatic},
  }};
  for (const auto& [text, kind] : kKinds) {
    if (s == text) return static_cast<int32_t>(kind);
  }
  return static_cast<int32_t>(MemKind::kUnknown);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Index of the bracket matching the closing one at `close`, scanning back;
// npos if unbalanced.
size_t matchBackward(std::string_view s, size_t close, char open_c, char close_c) {
  int depth = 0;
  for (size_t i = close + 1; i-- > 0;) {
    if (s[i] == close_c) ++depth;
    else if (s[i] == open_c && --depth == 0) return i;
  }
  return std::string_view::npos;
}

}  // namespace

MemcpyKinds parseMemcpyName(std::string_view name) {
  MemcpyKinds k{static_cast<int32_t>(CopyKind::kUnknown), static_cast<int32_t>(MemKind::kUnknown),
                static_cast<int32_t>(MemKind::kUnknown)};
  constexpr std::string_view kPrefix = "Memcpy ";
  if (name.substr(0, kPrefix.size()) != kPrefix) return k;
  std::string_view rest = name.substr(kPrefix.size());
  size_t space = rest.find(' ');
  std::string_view kind = rest.substr(0, space);
  for (int32_t c = 1; c <= static_cast<int32_t>(CopyKind::kUvmDtoD); ++c) {
    if (kind == model::copyKindName(c)) {
      k.copy_kind = c;
      break;
    }
  }
  if (space == std::string_view::npos) return k;
  std::string_view paren = trim(rest.substr(space));
  if (paren.size() < 2 || paren.front() != '(' || paren.back() != ')') return k;
  paren = paren.substr(1, paren.size() - 2);
  size_t arrow = paren.find("->");
  if (arrow == std::string_view::npos) return k;
  k.src_kind = memKindFromText(trim(paren.substr(0, arrow)));
  k.dst_kind = memKindFromText(trim(paren.substr(arrow + 2)));
  return k;
}

int32_t parseMemsetKind(std::string_view name) {
  constexpr std::string_view kPrefix = "Memset (";
  if (name.substr(0, kPrefix.size()) != kPrefix || name.back() != ')') {
    return static_cast<int32_t>(MemKind::kUnknown);
  }
  return memKindFromText(trim(name.substr(kPrefix.size(), name.size() - kPrefix.size() - 1)));
}

int32_t parseSyncType(std::string_view name) {
  using model::SyncType;
  if (name == "Event Sync") return static_cast<int32_t>(SyncType::kEventSynchronize);
  if (name == "Stream Wait Event") return static_cast<int32_t>(SyncType::kStreamWaitEvent);
  if (name == "Stream Sync") return static_cast<int32_t>(SyncType::kStreamSynchronize);
  if (name == "Context Sync") return static_cast<int32_t>(SyncType::kContextSynchronize);
  return static_cast<int32_t>(SyncType::kUnknown);
}

std::string_view kernelBaseName(std::string_view name) {
  std::string_view s = trim(name);
  // Trailing qualifiers of a member signature ("... const").
  if (s.size() > 6 && s.substr(s.size() - 6) == " const") s = trim(s.substr(0, s.size() - 6));
  if (!s.empty() && s.back() == ')') {
    size_t open = matchBackward(s, s.size() - 1, '(', ')');
    if (open == std::string_view::npos || open == 0) return name;
    s = trim(s.substr(0, open));
  }
  if (!s.empty() && s.back() == '>') {
    size_t open = matchBackward(s, s.size() - 1, '<', '>');
    if (open == std::string_view::npos || open == 0) return name;
    s = trim(s.substr(0, open));
  }
  // The last "::" or space outside brackets starts the unqualified name.
  int depth = 0;
  for (size_t i = s.size(); i-- > 0;) {
    char c = s[i];
    if (c == '>' || c == ')' || c == '}') ++depth;
    else if (c == '<' || c == '(' || c == '{') --depth;
    else if (depth == 0 && (c == ' ' || (c == ':' && i > 0 && s[i - 1] == ':'))) {
      s = s.substr(i + 1);
      break;
    }
  }
  return s.empty() ? name : s;
}

}  // namespace gpuscope::importers::kineto_json
