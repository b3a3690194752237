// docs/trace-format.md cannot drift from the schema: every model table and
// column is listed with its type, no extra column is listed, and every
// example query in it runs on a real store and returns rows.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "store/schema.h"
#include "store/store.h"
#include "store_test_util.h"

namespace gpuscope::store {
namespace {

std::string readDoc() {
  std::ifstream in(std::string(GPUSCOPE_SOURCE_DIR) + "/docs/trace-format.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string docTypeName(model::ColumnType t) {
  switch (t) {
    case model::ColumnType::kI64:
      return "INTEGER (int64)";
    case model::ColumnType::kI32:
      return "INTEGER (int32)";
    case model::ColumnType::kF64:
      return "REAL";
    case model::ColumnType::kStr:
      return "INTEGER → strings.id";
  }
  return "?";
}

// The text from "### `name`" up to the next heading.
std::string section(const std::string& doc, const std::string& table) {
  const std::string heading = "### `" + table + "`";
  size_t begin = doc.find(heading);
  if (begin == std::string::npos) return "";
  size_t end = doc.find("\n#", begin + heading.size());
  return doc.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

size_t countOf(const std::string& s, const std::string& part) {
  size_t n = 0;
  for (size_t at = s.find(part); at != std::string::npos; at = s.find(part, at + 1)) ++n;
  return n;
}

TEST(TraceFormatDoc, ListsEveryTableAndColumnWithItsType) {
  const std::string doc = readDoc();
  ASSERT_FALSE(doc.empty()) << "docs/trace-format.md not found under " << GPUSCOPE_SOURCE_DIR;
  model::Trace t;
  t.forEachTable([&](const auto& table) {
    using Table = std::decay_t<decltype(table)>;
    const std::string text = section(doc, Table::kSqlName);
    ASSERT_FALSE(text.empty()) << "no section for table " << Table::kSqlName;
    bool has_string = false;
    for (const auto& c : columnsOf<Table>()) {
      const std::string row = std::string("| `") + c.name + "` | " + docTypeName(c.type) + " |";
      EXPECT_NE(text.find(row), std::string::npos) << Table::kSqlName << ": missing " << row;
      has_string |= c.type == model::ColumnType::kStr;
    }
    EXPECT_EQ(countOf(text, "\n| `"), columnsOf<Table>().size())
        << Table::kSqlName << ": the doc lists a different number of columns";
    if (has_string) {
      EXPECT_NE(text.find(std::string("`") + Table::kSqlName + "_named`"), std::string::npos)
          << Table::kSqlName;
    }
  });
  for (const char* fixed : {"meta", "strings", "diagnostics"}) {
    EXPECT_FALSE(section(doc, fixed).empty()) << fixed;
  }
  EXPECT_NE(doc.find("currently **" + std::to_string(kSchemaVersion) + "**"), std::string::npos)
      << "the doc states another schema version";
}

TEST(TraceFormatDoc, ExampleQueriesRunAndReturnRows) {
  const std::string doc = readDoc();
  testing::ScratchDir dir;
  const std::string path = dir.file("small.gpuscope");
  ASSERT_TRUE(writeStore(testing::makeSmallTrace(), path, false).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);

  const std::regex block("```sql\\n([\\s\\S]*?)```");
  size_t queries = 0;
  for (std::sregex_iterator it(doc.begin(), doc.end(), block), end; it != end; ++it) {
    const std::string sql = (*it)[1];
    ++queries;
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db) << "\n"
        << sql;
    size_t rows = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) ++rows;
    EXPECT_EQ(rc, SQLITE_DONE) << sqlite3_errmsg(db) << "\n" << sql;
    EXPECT_GT(rows, 0u) << sql;
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  EXPECT_GE(queries, 5u);
}

}  // namespace
}  // namespace gpuscope::store
