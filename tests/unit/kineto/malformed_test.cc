// Bad input: every case is InvalidInput naming the path and a byte offset,
// never a crash and never a partial trace.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "fixtures/kineto_fixture.h"
#include "unit/kineto/import_text.h"

namespace gpuscope::testing {
namespace {

// Expects InvalidInput "bad.json: ... at byte N" and returns N.
long long expectInvalid(const std::string& text, const std::string& what_substring = "") {
  auto result = importKinetoText(text, "bad.json");
  EXPECT_FALSE(result.ok()) << "accepted: " << text.substr(0, 200);
  if (result.ok()) return -1;
  const Status& s = result.status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput) << s.message();
  std::smatch m;
  const std::string& msg = s.message();
  EXPECT_TRUE(std::regex_search(msg, m, std::regex("^bad\\.json: .+ at byte ([0-9]+)$"))) << msg;
  if (!what_substring.empty()) {
    EXPECT_NE(msg.find(what_substring), std::string::npos) << msg;
  }
  return m.size() > 1 ? std::stoll(m[1]) : -1;
}

TEST(KinetoMalformed, NotATrace) {
  EXPECT_EQ(expectInvalid(R"({"a":1})", "no \"traceEvents\""), 0);
  EXPECT_EQ(expectInvalid("[1, 2, 3]", "expected an event object"), 1);
  expectInvalid("", "empty input");
  expectInvalid("   \n", "empty input");
  expectInvalid("42");
  expectInvalid(R"({"traceEvents": {"a": 1}})", "not an array");
  expectInvalid(R"({"traceEvents": [1]})", "expected an event object");
}

TEST(KinetoMalformed, InvalidJson) {
  // The byte offsets point at the fault, counted by hand.
  EXPECT_EQ(expectInvalid(R"({"traceEvents": [{"ph": "X",}]})"), 28);
  EXPECT_EQ(expectInvalid(R"({"traceEvents": [{"ph": "X"}, ]})", "expected an event object"), 30);
  EXPECT_EQ(expectInvalid(R"({"traceEvents": [{"ph": "X"]})", "mismatched"), 27);
  expectInvalid(R"({"traceEvents": []} x)", "unexpected content");
  expectInvalid(R"({"traceEvents": [] "x": 1})", "expected ','");
  expectInvalid("{\"traceEvents\": [{\"ph\": \"X\", \"name\": \"\xff\xfe\"}]}");  // bad UTF-8
  expectInvalid(R"({"traceEvents": [{"ph": "X", "name": "a\qb"}]})");  // bad escape
  expectInvalid(R"({"traceEvents": [], "schemaVersion": tru})");
}

TEST(KinetoMalformed, BadTimes) {
  // "ts" at byte 17 + 7 = 24 in each of these.
  EXPECT_EQ(expectInvalid(R"({"traceEvents": [{"ts": NaN, "ph": "X"}]})", "\"ts\""), 24);
  EXPECT_EQ(expectInvalid(R"({"traceEvents": [{"ts": Infinity, "ph": "X"}]})", "\"ts\""), 24);
  EXPECT_EQ(expectInvalid(R"({"traceEvents": [{"ts": "12", "ph": "X"}]})", "\"ts\""), 24);
  EXPECT_EQ(expectInvalid(R"({"traceEvents": [{"ts": 1e300, "ph": "X"}]})", "out of range"), 24);
  EXPECT_EQ(expectInvalid(R"({"traceEvents": [{"ts": 99999999999999999999, "ph": "X"}]})",
                          "out of range"),
            24);
  expectInvalid(R"({"traceEvents": [{"ts": 9223372036854775.000, "dur": 9000000, "ph": "X"}]})",
                "out of range");
  expectInvalid(R"({"traceEvents": [{"ph": "X", "ts": 1, "dur": 12abc}]})");
  expectInvalid(R"({"baseTimeNanoseconds": 1.5, "traceEvents": []})", "baseTimeNanoseconds");
}

TEST(KinetoMalformed, EveryTruncationIsAnError) {
  const std::string full = makeKinetoCoverageTrace();
  ASSERT_TRUE(importKinetoText(full).ok());
  // Cut after the last '}' is still a complete document; every shorter
  // prefix that ends inside the object must fail with an offset in range.
  const size_t last_brace = full.rfind('}');
  for (size_t cut = 0; cut <= last_brace; cut += (cut < 200 || cut + 200 > last_brace) ? 1 : 7) {
    long long at = expectInvalid(full.substr(0, cut));
    EXPECT_GE(at, 0);
    EXPECT_LE(at, static_cast<long long>(cut)) << "cut " << cut;
  }
}

TEST(KinetoMalformed, TruncatedInsideEventsSaysTruncated) {
  std::string text = makeKinetoCoverageTrace();
  size_t cut = text.find("\"cat\": \"kernel\"") + 10;
  long long at = expectInvalid(text.substr(0, cut), "truncated");
  EXPECT_EQ(at, static_cast<long long>(cut));
}

TEST(KinetoMalformed, HostileStringsDoNotConfuseTheScanner) {
  // Brackets, quotes and backslashes inside strings, across SIMD block
  // boundaries (names longer than 64 bytes).
  std::string tricky = R"(}]\"{[ \\\" \\ \u0022 </script> )";
  std::string name = tricky + std::string(70, 'x') + tricky + std::string(33, ']') + "\\\\";
  KinetoJsonBuilder b;
  for (int i = 0; i < 5; ++i) b.complete("cpu_op", name, "1", "1", std::to_string(i + 1), "1");
  auto t = importKinetoText(b.str());
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_EQ(t->cpu_ops.size(), 5u);
  std::string decoded = std::string("}]\"{[ \\\" \\ \" </script> ") + std::string(70, 'x') +
                        "}]\"{[ \\\" \\ \" </script> " + std::string(33, ']') + "\\";
  EXPECT_EQ(t->str(t->cpu_ops.name[0]), decoded);
}

}  // namespace
}  // namespace gpuscope::testing

namespace gpuscope::testing {
namespace {

// Errors in a later batch (events are parsed ~1 MiB at a time) still name
// the byte of the fault in the whole file.
TEST(KinetoMalformed, OffsetsAreFileOffsetsInLaterBatches) {
  KinetoJsonBuilder b;
  for (int i = 0; i < 12000; ++i) {
    b.complete("cpu_op", "aten::some_operator_with_a_long_name", "1", "1", std::to_string(i) + ".5",
               "1.25", R"("External id": 7, "Input Dims": [[1, 2], [3]])");
  }
  b.raw(R"("ph": "X", "cat": "cpu_op", "name": "bad", "pid": 1, "tid": 1, "ts": 5, "dur": 1x2)");
  std::string text = b.str();
  ASSERT_GT(text.size(), size_t{2} << 20);
  size_t fault = text.find("1x2");
  EXPECT_EQ(expectInvalid(text), static_cast<long long>(fault));

  std::string nan_text = text;
  nan_text.replace(fault, 3, "NaN");
  EXPECT_EQ(expectInvalid(nan_text, "\"dur\""), static_cast<long long>(fault));

  std::string good = text;
  good.replace(fault, 3, "1.5");
  auto t = importKinetoText(good);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->cpu_ops.size(), 12001u);
  // Sorted by start: "bad" (ts 5 us) sits between the events at 4.5 and 5.5 us.
  EXPECT_EQ(t->cpu_ops.start[5], 5000);
  EXPECT_EQ(t->cpu_ops.end[5], 6500);
  EXPECT_EQ(t->cpu_ops.start[12000], 11999500);
  EXPECT_EQ(t->cpu_ops.end[12000], 12000750);
}

}  // namespace
}  // namespace gpuscope::testing
