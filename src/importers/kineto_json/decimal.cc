#include "importers/kineto_json/decimal.h"

namespace gpuscope::importers::kineto_json {
namespace {

using U128 = unsigned __int128;

// 36 significant digits always fit in 128 bits (10^36 < 2^120), which leaves
// room for the scaling below without overflow checks on every digit.
constexpr int kMaxSignificant = 36;

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

U128 pow10(int k) {
  U128 p = 1;
  for (int i = 0; i < k; ++i) p *= 10;
  return p;
}

}  // namespace

DecimalResult parseScaledDecimal(std::string_view text, int scale, int64_t* out) {
  // Fast path for what Kineto writes: [digits][.digits], at most 19 digits
  // in all (< 10^19 fits uint64), no sign or exponent, at most `scale`
  // decimals.
  {
    const char* p = text.data();
    const char* end = p + text.size();
    uint64_t v = 0;
    int digits = 0;
    while (p != end && static_cast<unsigned>(*p - '0') < 10) {
      v = v * 10 + static_cast<unsigned>(*p - '0');
      ++p;
      ++digits;
    }
    int decimals = 0;
    if (p != end && *p == '.' && digits > 0) {
      ++p;
      while (p != end && static_cast<unsigned>(*p - '0') < 10 && decimals <= scale) {
        v = v * 10 + static_cast<unsigned>(*p - '0');
        ++p;
        ++decimals;
        ++digits;
      }
      if (decimals == 0) digits = 99;  // "1." is not a number: take the slow path
    }
    while (p != end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
    if (p == end && digits > 0 && digits + (scale - decimals) <= 19 && decimals <= scale) {
      for (int k = decimals; k < scale; ++k) v *= 10;
      if (v <= static_cast<uint64_t>(INT64_MAX)) {
        *out = static_cast<int64_t>(v);
        return DecimalResult::kOk;
      }
    }
  }
  size_t n = text.size();
  while (n > 0 && isSpace(text[n - 1])) --n;
  const char* p = text.data();
  const char* end = p + n;
  if (p == end) return DecimalResult::kNotANumber;
  bool negative = false;
  if (*p == '-') {
    negative = true;
    ++p;
  }
  if (p == end || !isDigit(*p)) return DecimalResult::kNotANumber;

  U128 mantissa = 0;
  int significant = 0;
  int exponent = 0;  // decimal exponent applied to `mantissa`
  for (; p != end && isDigit(*p); ++p) {
    if (significant == 0 && *p == '0') continue;  // leading zeros carry no value
    if (significant < kMaxSignificant) {
      mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
      ++significant;
    } else {
      ++exponent;  // integer digit beyond our precision: only its magnitude matters
    }
  }
  if (p != end && *p == '.') {
    ++p;
    if (p == end || !isDigit(*p)) return DecimalResult::kNotANumber;
    for (; p != end && isDigit(*p); ++p) {
      if (significant == 0 && *p == '0') {
        --exponent;
        continue;
      }
      if (significant < kMaxSignificant) {
        mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
        ++significant;
        --exponent;
      }
      // Fraction digits beyond 36 significant ones cannot change the rounded
      // result at scale <= 3 for any value that fits in int64.
    }
  }
  if (p != end && (*p == 'e' || *p == 'E')) {
    ++p;
    bool exp_negative = false;
    if (p != end && (*p == '+' || *p == '-')) {
      exp_negative = *p == '-';
      ++p;
    }
    if (p == end || !isDigit(*p)) return DecimalResult::kNotANumber;
    int e = 0;
    for (; p != end && isDigit(*p); ++p) {
      if (e < 100000) e = e * 10 + (*p - '0');
    }
    exponent += exp_negative ? -e : e;
  }
  if (p != end) return DecimalResult::kNotANumber;

  exponent += scale;
  U128 magnitude;
  if (mantissa == 0) {
    magnitude = 0;
  } else if (exponent >= 0) {
    // int64 holds < 10^19: more than 19 digits in total cannot fit.
    if (significant + exponent > 20) return DecimalResult::kOutOfRange;
    magnitude = mantissa * pow10(exponent);
  } else {
    int k = -exponent;
    if (k > kMaxSignificant + 2) {
      magnitude = 0;  // |value| < 10^36 / 10^39 < 0.5
    } else {
      U128 divisor = pow10(k);
      magnitude = mantissa / divisor;
      U128 remainder = mantissa % divisor;
      if (remainder * 2 >= divisor) ++magnitude;  // half away from zero
    }
  }
  const U128 limit = negative ? (U128{1} << 63) : (U128{1} << 63) - 1;
  if (magnitude > limit) return DecimalResult::kOutOfRange;
  if (negative) {
    *out = magnitude == (U128{1} << 63) ? INT64_MIN : -static_cast<int64_t>(magnitude);
  } else {
    *out = static_cast<int64_t>(magnitude);
  }
  return DecimalResult::kOk;
}

}  // namespace gpuscope::importers::kineto_json
