// sniffFormat decides by content: magic bytes, then the first non-blank
// character. Inputs are written out byte by byte.
#include "importers/sniff.h"

#include <gtest/gtest.h>

#include <string>

#include "importers/registry.h"

namespace gpuscope::importers {
namespace {

using namespace std::string_literals;

TEST(SniffFormat, MagicNumbers) {
  EXPECT_EQ(sniffFormat("\x1f\x8b\x08\x00\x00\x00\x00\x00"s), Format::kGzip);
  EXPECT_EQ(sniffFormat("SQLite format 3\0\x10\x00\x01\x01"s), Format::kSqlite);
  // The magic includes its NUL: without it this is just text.
  EXPECT_EQ(sniffFormat("SQLite format 3 is a file format"s), Format::kUnknown);
  EXPECT_EQ(sniffFormat("\x1f"s), Format::kUnknown);
  EXPECT_EQ(sniffFormat("\x1f\x8a"s), Format::kUnknown);
}

TEST(SniffFormat, JsonAfterBomAndWhitespace) {
  EXPECT_EQ(sniffFormat(R"({"traceEvents": [])"), Format::kKinetoJson);
  EXPECT_EQ(sniffFormat(R"([{"ph": "X"}])"), Format::kKinetoJson);
  EXPECT_EQ(sniffFormat(" \t\r\n  {\"schemaVersion\": 1"), Format::kKinetoJson);
  EXPECT_EQ(sniffFormat("\xEF\xBB\xBF{\"traceEvents\":[]}"), Format::kKinetoJson);
  EXPECT_EQ(sniffFormat("\xEF\xBB\xBF\n\n["), Format::kKinetoJson);
}

TEST(SniffFormat, Unknown) {
  EXPECT_EQ(sniffFormat(""), Format::kUnknown);
  EXPECT_EQ(sniffFormat("   \n"), Format::kUnknown);
  EXPECT_EQ(sniffFormat("\xEF\xBB\xBF"), Format::kUnknown);
  EXPECT_EQ(sniffFormat("hello {"), Format::kUnknown);
  EXPECT_EQ(sniffFormat("PK\x03\x04"), Format::kUnknown);  // zip
  EXPECT_EQ(sniffFormat("\xEF\xBB{"), Format::kUnknown);   // half a BOM
  EXPECT_EQ(sniffFormat("\v{"), Format::kUnknown);         // not JSON whitespace
  EXPECT_EQ(sniffFormat("\"traceEvents\""), Format::kUnknown);
}

TEST(SniffFormat, ContentStart) {
  EXPECT_EQ(contentStart(""), 0u);
  EXPECT_EQ(contentStart("{"), 0u);
  EXPECT_EQ(contentStart("  \n{"), 3u);
  EXPECT_EQ(contentStart("\xEF\xBB\xBF  x"), 5u);
  EXPECT_EQ(contentStart("   "), 3u);
}

TEST(FormatName, EveryFormatHasAStableName) {
  EXPECT_EQ(formatName(Format::kUnknown), "unknown");
  EXPECT_EQ(formatName(Format::kGzip), "gzip");
  EXPECT_EQ(formatName(Format::kSqlite), "sqlite");
  EXPECT_EQ(formatName(Format::kGpuscopeStore), "gpuscope");
  EXPECT_EQ(formatName(Format::kNsysSqlite), "nsys_sqlite");
  EXPECT_EQ(formatName(Format::kKinetoJson), "kineto_json");
}

}  // namespace
}  // namespace gpuscope::importers
