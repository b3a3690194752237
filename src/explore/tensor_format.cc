#include "explore/tensor_format.h"

#include <array>
#include <utility>

namespace gpuscope::explore {
namespace {

// TREx's table (trex/activations.py), after '.' is removed from the input.
constexpr std::array<std::pair<std::string_view, std::string_view>, 45> kLongFormats{{
    {"Four wide channel vectorized row major Int8 format", "Int8 NC/4HW4"},
    {"Four wide channel vectorized row major FP32 format", "FP32 NC/4HW4"},
    {"Thirty-two wide channel vectorized row major Int8 format", "Int8 NC/32HW32"},
    {"Thirty-two wide channel vectorized row major FP32 format", "FP32 NC/32HW32"},
    {"Thirty-two wide channel vectorized row major FP16 format", "FP16 NC/32HW32"},
    {"Thirty-two wide channel vectorized row major Int8 format with 3 spatial dimensions", "Int8 NC32DHW"},
    {"Thirty-two wide channel vectorized row major FP16 format with 3 spatial dimensions", "FP16 NC32DHW"},
    {"Sixteen wide channel vectorized row major FP16 format", "FP16 NC16HW"},
    {"Channel major FP16 format where channel % 4 == 0", "FP16 NHWC4"},
    {"Channel major FP32 format where channel % 4 == 0", "FP32 NHWC4"},
    {"Channel major Int8 format where channel % 4 == 0", "Int8 NHWC4"},
    {"Channel major FP16 format where channel % 8 == 0", "FP16 NHWC8"},
    {"Channel major FP16 format where channel % 16 == 0", "FP16 NHWC16"},
    {"Channel major FP16 format where channel == 4 and column stride % 32 == 0", "FP16 NHWC4"},
    {"Channel major INT8 format where channel == 4 and column stride % 32 == 0", "Int8 NHWC4"},
    {"Channel major FP16 format where channel % 2 == 0", "FP16 NHWC2"},
    {"Channel major INT8 format where column stride % 32 == 0", "Int8 NHWC1"},
    {"Channel major INT8 format where channel % 16 == 0", "Int8 NHWC16"},
    {"Row major INT8 format where column stride % 64 == 0", "Int8 NCHW"},
    {"Channel major FP16 format where channel % 8 == 0 with 3 spatial dimensions", "FP16 NDHWC8"},
    {"Channel major FP16 format where channel == 1 and column stride % 32 == 0", "FP16 NHWC1"},
    {"Row major FP16 format where column stride % 64 == 0", "FP16"},
    {"Two wide channel vectorized row major FP16 format", "FP16 NC/2HW2"},
    {"Row major linear FP32", "FP32 NCHW"},
    {"Row major linear Int32", "INT32 NCHW"},
    {"Row major linear FP16 format", "FP16 NCHW"},
    {"Row major Int8 format", "Int8 NCHW"},
    {"Channel major FP32 format", "FP32 NHWC"},
    {"Channel major FP16 format", "FP16 NHWC"},
    {"Channel major Int8 format", "Int8 NHWC"},
    {"Row major linear BOOL", "Bool"},
    {"Channel major FP32 format with 3 spatial dimensions", "FP32 NDHWC"},
    {"Channel major FP32 format with 3 spatial dimensions where channel % 4 == 0", "FP32 NDHWC4"},
    {"Channel major FP32 format where channel % 4 == 0 with 3 spatial dimensions", "FP32 NDHWC4"},
    {"Row major linear UInt8 format", "UInt8 NCHW"},
    {"Channel major UInt8 format", "UInt8 NHWC"},
    {"Row major linear Int64 format", "Int64 NCHW"},
    {"Row major linear BFloat16 format", "BF16 NCHW"},
    {"Channel major BFloat16 format where channel % 8 == 0", "BF16 NHWC8"},
    {"Channel major BFloat16 format where channel % 4 == 0", "BF16 NHWC4"},
    {"Channel major BFloat16 format where channel % 8 == 0 with 3 spatial dimensions", "BF16 NDHWC8"},
    {"Channel major BFloat16 format where channel % 2 == 0", "BF16 NHWC2"},
    {"Two wide channel vectorized row major BFloat16 format", "BF16 NC2HW"},
    {"Row major linear FP8 format", "FP8 NCHW"},
    {"Unknown format", "Unknown format"},
}};

// Myelin tensors carry a bare type name, which maps to itself.
constexpr std::array<std::string_view, 17> kBareTypes{
    "BFloat16", "Bool",  "Double", "DoubleComplex", "Float",  "FloatComplex",
    "FP8",      "Half",  "Int16",  "Int32",         "Int64",  "Int8",
    "None",     "UInt16", "UInt32", "UInt64",       "UInt8"};

struct TypeEntry {
  std::string_view word, precision;
  double bytes;
};

// TREx's precision table keyed by the first word of the short format.
constexpr std::array<TypeEntry, 16> kTrexTypes{{
    {"FP8", "FP8", 1},     {"FP16", "FP16", 2},     {"Half", "FP16", 2},
    {"FP32", "FP32", 4},   {"Float", "FP32", 4},    {"Double", "FP64", 8},
    {"BFloat16", "FP32", 2}, {"Int8", "INT8", 1},   {"Int16", "INT16", 2},
    {"INT32", "INT32", 4}, {"Int32", "INT32", 4},   {"Int64", "INT64", 8},
    {"UInt8", "UINT8", 1}, {"UInt16", "UINT16", 2}, {"UInt32", "UINT32", 4},
    {"UInt64", "UINT64", 8},
}};

// Types TREx misses or mis-sizes, and words found in formats outside its table.
constexpr std::array<TypeEntry, 14> kFixedTypes{{
    {"BFloat16", "BF16", 2}, {"BF16", "BF16", 2},  {"Bool", "BOOL", 1},
    {"BOOL", "BOOL", 1},     {"INT8", "INT8", 1},  {"Int4", "INT4", 0.5},
    {"INT4", "INT4", 0.5},   {"FP4", "FP4", 0.5},  {"FP4E2M1", "FP4", 0.5},
    {"E8M0", "E8M0", 1},     {"Int32", "INT32", 4}, {"UInt8", "UINT8", 1},
    {"Int64", "INT64", 8},   {"FloatComplex", "COMPLEX64", 8},
}};

const TypeEntry* findType(std::string_view word, bool trex_compat) {
  if (!trex_compat)
    for (const auto& e : kFixedTypes)
      if (e.word == word) return &e;
  for (const auto& e : kTrexTypes)
    if (e.word == word) return &e;
  return nullptr;
}

std::string_view firstWord(std::string_view s) {
  size_t sp = s.find(' ');
  return sp == std::string_view::npos ? s : s.substr(0, sp);
}

// For descriptions outside TREx's table: the first word of the description
// that names a type ("... FP8 format where ...").
const TypeEntry* scanForType(std::string_view s) {
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t end = s.find(' ', pos);
    if (end == std::string_view::npos) end = s.size();
    if (const TypeEntry* e = findType(s.substr(pos, end - pos), false)) return e;
    pos = end + 1;
  }
  return nullptr;
}

}  // namespace

FormatInfo describeFormat(std::string_view raw, bool trex_compat) {
  std::string cleaned;
  cleaned.reserve(raw.size());
  for (char c : raw)
    if (c != '.') cleaned.push_back(c);
  FormatInfo info;
  info.format = "Unknown format";
  for (const auto& [k, v] : kLongFormats)
    if (k == cleaned) info.format = v;
  if (info.format == "Unknown format")
    for (auto b : kBareTypes)
      if (b == cleaned) info.format = b;
  if (!trex_compat && cleaned == "FP4E2M1") info.format = "FP4";

  std::string_view word = firstWord(info.format);
  if (const TypeEntry* e = findType(word, trex_compat)) {
    info.precision = e->precision;
    info.element_bytes = e->bytes;
  } else {
    // TREx: (word, 0), with "Unknown format"/"None" giving "Unknown".
    info.precision = (word == "None") ? "Unknown" : std::string(word);
    info.element_bytes = 0;
    if (!trex_compat && info.format == "Unknown format") {
      if (const TypeEntry* t = scanForType(cleaned)) {
        info.precision = t->precision;
        info.element_bytes = t->bytes;
        info.format = std::string(t->precision) + " (" + cleaned + ")";
      }
    }
  }
  return info;
}

double weightElementBytes(std::string_view type, bool trex_compat) {
  if (type == "Int8") return 1;
  if (type == "Half" || type == "FP16") return 2;
  if (type == "Float" || type == "FP32" || type == "Int32") return 4;
  if (trex_compat) return 0;
  if (type == "BFloat16" || type == "BF16") return 2;
  if (type == "FP8" || type == "UInt8" || type == "Bool") return 1;
  if (type == "Int4" || type == "FP4") return 0.5;
  if (type == "Int64" || type == "Double") return 8;
  return 0;
}

std::string formatShape(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

}  // namespace gpuscope::explore
