// Files of many parse batches (256 KiB each, parsed on worker threads):
// events reach the tables in file order, and the error reported is the
// first one in the file even when the scanner has already seen a later one.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "fixtures/kineto_fixture.h"
#include "unit/kineto/import_text.h"

namespace gpuscope::testing {
namespace {

constexpr int kEvents = 40000;  // about 5 MiB: about 20 batches

KinetoJsonBuilder manyEvents() {
  KinetoJsonBuilder b;
  for (int i = 0; i < kEvents; ++i) {
    // Names repeat with period 1000, so interning order shows in the ids.
    b.complete("cpu_op", "op_" + std::to_string(i % 1000), "1", "1", std::to_string(i) + ".25", "0.5",
               R"("External id": )" + std::to_string(i));
  }
  return b;
}

long long errorOffset(const Status& s) {
  std::smatch m;
  const std::string& msg = s.message();
  EXPECT_TRUE(std::regex_search(msg, m, std::regex("^bad\\.json: .+ at byte ([0-9]+)$"))) << msg;
  return m.size() > 1 ? std::stoll(m[1]) : -1;
}

TEST(KinetoBatches, EventsKeepFileOrderAcrossBatches) {
  std::string text = manyEvents().str();
  ASSERT_GT(text.size(), size_t{4} << 20);
  auto t = importKinetoText(text);
  ASSERT_TRUE(t.ok()) << t.status().message();
  ASSERT_EQ(t->cpu_ops.size(), static_cast<size_t>(kEvents));
  for (size_t i = 0; i < t->cpu_ops.size(); ++i) {
    ASSERT_EQ(t->cpu_ops.start[i], static_cast<int64_t>(i) * 1000 + 250) << i;
    ASSERT_EQ(t->cpu_ops.external_id[i], static_cast<int64_t>(i)) << i;
    ASSERT_EQ(t->str(t->cpu_ops.name[i]), "op_" + std::to_string(i % 1000)) << i;
  }
  // Names are interned in first-seen order: op_0 first, op_999 last of them.
  EXPECT_LT(t->cpu_ops.name[0], t->cpu_ops.name[999]);
  EXPECT_EQ(t->cpu_ops.name[0], t->cpu_ops.name[1000]);
}

TEST(KinetoBatches, EarlierBadEventWinsOverLaterTruncation) {
  const std::string good = manyEvents().str();
  const size_t cut = good.size() * 9 / 10;
  // A bad number early (its batch long handed over when the scanner meets
  // the cut) and one in the batch just before the cut (still queued then).
  for (size_t at : {good.size() / 5, good.size() * 3 / 4}) {
    SCOPED_TRACE("bad number after byte " + std::to_string(at));
    std::string text = good;
    size_t bad = text.find("\"dur\": 0.5", at);
    ASSERT_NE(bad, std::string::npos);
    ASSERT_LT(bad, cut);
    text.replace(bad + 7, 3, "0x5");
    auto t = importKinetoText(text.substr(0, cut), "bad.json");
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(errorOffset(t.status()), static_cast<long long>(bad + 7)) << t.status().message();
  }
  // Without a bad number, the truncation is what is reported.
  auto t = importKinetoText(good.substr(0, cut), "bad.json");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("truncated"), std::string::npos) << t.status().message();
  EXPECT_EQ(errorOffset(t.status()), static_cast<long long>(cut));
}

TEST(KinetoBatches, BadUtf8InALaterBatchNamesItsEvent) {
  std::string text = manyEvents().str();
  size_t name = text.find("\"op_", text.size() * 2 / 3);  // in a later batch
  ASSERT_NE(name, std::string::npos);
  text[name + 2] = '\xff';  // "o" -> an invalid UTF-8 byte
  size_t event = text.rfind('{', name);
  auto t = importKinetoText(text, "bad.json");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(errorOffset(t.status()), static_cast<long long>(event)) << t.status().message();
}

// The scanner's bracket stack holds 1024 levels (simdjson's limit): the
// event object is level 1, so 1023 nested arrays fit and one more does not.
TEST(KinetoBatches, NestingPastTheLimitNamesTheBracket) {
  auto withDepth = [](int arrays) {
    return R"({"traceEvents": [{"ph": "X", "a": )" + std::string(static_cast<size_t>(arrays), '[') +
           std::string(static_cast<size_t>(arrays), ']') + "}]}";
  };
  std::string fits = withDepth(1023);
  auto t = importKinetoText(fits, "bad.json");
  EXPECT_TRUE(t.ok()) << t.status().message();

  std::string deep = withDepth(1024);
  t = importKinetoText(deep, "bad.json");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("nesting deeper than 1024 levels"), std::string::npos)
      << t.status().message();
  // The 1024th '[' (level 1025): the first one is at the offset of "[[".
  EXPECT_EQ(errorOffset(t.status()), static_cast<long long>(deep.find("[[") + 1023));
}

}  // namespace
}  // namespace gpuscope::testing
