#include "importers/kineto_json/structure_scanner.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace gpuscope::importers::kineto_json {
namespace {

std::string truncated(std::string_view context) {
  std::string s = "unexpected end of input";
  if (!context.empty()) {
    s += " in \"";
    s.append(context);
    s += "\"";
  }
  s += " (truncated?)";
  return s;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// First '"' or '\\' in [p, end), eight bytes at a time (SWAR: a byte equal
// to the pattern becomes zero; the lowest flagged byte is exact).
const char* findQuoteOrBackslash(const char* p, const char* end) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    uint64_t q = w ^ (kOnes * '"');
    uint64_t b = w ^ (kOnes * '\\');
    uint64_t m = (((q - kOnes) & ~q) | ((b - kOnes) & ~b)) & kHigh;
    if (m != 0) return p + (__builtin_ctzll(m) >> 3);
    p += 8;
  }
  while (p < end && *p != '"' && *p != '\\') ++p;
  return p;
}

}  // namespace

size_t StructureScanner::skipWhitespace(size_t pos) const {
  while (pos < text_.size() && isSpace(text_[pos])) ++pos;
  return pos;
}

bool StructureScanner::skipString(size_t pos, std::string_view context, size_t* end,
                                  bool* escaped, ScanError* error) const {
  const char* base = text_.data();
  const char* stop = base + text_.size();
  const char* p = base + pos + 1;
  bool any_escape = false;
  for (;;) {
    p = findQuoteOrBackslash(p, stop);
    if (p >= stop) break;
    if (*p == '"') {
      *end = static_cast<size_t>(p - base) + 1;
      if (escaped != nullptr) *escaped = any_escape;
      return true;
    }
    any_escape = true;
    p += 2;  // the backslash and the character it escapes
  }
  *error = {text_.size(),
            truncated(context) + ": unterminated string starting at byte " + std::to_string(pos)};
  return false;
}

bool StructureScanner::skipValue(size_t pos, std::string_view context, size_t* end,
                                 ScanError* error) {
  if (pos >= text_.size()) {
    *error = {text_.size(), truncated(context)};
    return false;
  }
  const char* base = text_.data();
  char c = base[pos];
  if (c == '"') return skipString(pos, context, end, nullptr, error);
  if (c != '{' && c != '[') {
    // A scalar: runs until a structural character or whitespace.
    size_t i = pos;
    while (i < text_.size()) {
      char d = base[i];
      if (d == ',' || d == '}' || d == ']' || d == ':' || isSpace(d) || d == '{' || d == '[' ||
          d == '"') {
        break;
      }
      ++i;
    }
    if (i == pos) {
      *error = {pos, std::string("expected a JSON value, found '") + c + "'"};
      return false;
    }
    *end = i;
    return true;
  }
  return skipContainer(pos, context, end, error);
}

// Opening and closing brackets outside strings drive a depth stack. With
// SSE2, 64 bytes are classified at once: the in-string mask is the prefix
// XOR of the quote mask, so only brackets cost work; a block holding a
// backslash (escapes are rare in traces) takes the byte-wise path.
bool StructureScanner::skipContainer(size_t pos, std::string_view context, size_t* end,
                                     ScanError* error) {
  depth_ = 0;
  const char* base = text_.data();
  const size_t n = text_.size();
  // 1: value ended at k; 0: continue; -1: error.
  // Inlined: traces have several brackets per event, this runs for each.
  auto bracket = [&](size_t k, char d) __attribute__((always_inline)) -> int {
    if (d == '{' || d == '[') {
      if (depth_ >= kMaxDepth) {
        *error = {k, "nesting deeper than " + std::to_string(kMaxDepth) + " levels"};
        return -1;
      }
      stack_[depth_++] = d;
      return 0;
    }
    const char open = d == '}' ? '{' : '[';
    if (depth_ == 0 || stack_[depth_ - 1] != open) {
      *error = {k, std::string("mismatched '") + d + "'"};
      return -1;
    }
    if (--depth_ != 0) return 0;
    *end = k + 1;
    return 1;
  };
  size_t i = pos;
  bool in_string = false;
  while (i < n) {
#ifdef __SSE2__
    if (n - i >= 64) {
      uint64_t quote = 0, backslash = 0, brackets = 0;
      for (int lane = 0; lane < 4; ++lane) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i + 16 * lane));
        auto bits = [&](__m128i eq) {
          return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(eq))) << (16 * lane);
        };
        // '[' | 0x20 == '{' and ']' | 0x20 == '}', and no other byte maps
        // to those two: two compares find all four brackets.
        __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
        quote |= bits(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
        backslash |= bits(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
        brackets |= bits(_mm_or_si128(_mm_cmpeq_epi8(folded, _mm_set1_epi8('{')),
                                      _mm_cmpeq_epi8(folded, _mm_set1_epi8('}'))));
      }
      if (backslash == 0) {
        uint64_t inside = quote;  // prefix XOR: 1 from an opening quote up to its closing one
        inside ^= inside << 1;
        inside ^= inside << 2;
        inside ^= inside << 4;
        inside ^= inside << 8;
        inside ^= inside << 16;
        inside ^= inside << 32;
        if (in_string) inside = ~inside;
        for (uint64_t b = brackets & ~inside; b != 0; b &= b - 1) {
          size_t k = i + static_cast<size_t>(__builtin_ctzll(b));
          int r = bracket(k, base[k]);
          if (r != 0) return r > 0;
        }
        in_string = (inside >> 63) != 0;
        i += 64;
        continue;
      }
    }
#endif
    const size_t limit = std::min(n, i + 64);
    while (i < limit) {
      const char d = base[i];
      if (in_string) {
        if (d == '\\') {
          i += 2;  // the escaped character may lie past `limit`: fine
          continue;
        }
        if (d == '"') in_string = false;
      } else if (d == '"') {
        in_string = true;
      } else if (d == '{' || d == '}' || d == '[' || d == ']') {
        int r = bracket(i, d);
        if (r != 0) return r > 0;
      }
      ++i;
    }
  }
  *error = {n, truncated(context)};
  return false;
}

}  // namespace gpuscope::importers::kineto_json
