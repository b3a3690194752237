// Formatting: the aligned table, CSV and JSON, units and --timeunit, the
// SKIPPED note. Expected text is written out by hand.
#include "stats/format.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "stats/context.h"
#include "stats/registry.h"
#include "unit/stats/hand_trace.h"

namespace gpuscope::stats {
namespace {

ReportTable smallTable() {
  ReportTable t("demo", "Demo Summary");
  t.addColumn("Total Time", Unit::kDurNs, ValueType::kInt);
  t.addColumn("Avg", Unit::kDurNs, ValueType::kDouble);
  t.addColumn("Name", Unit::kText, ValueType::kText);
  size_t r = t.appendRow();
  t.setInt(r, 0, 1234567);
  t.setDouble(r, 1, 1234.5);
  t.setText(r, 2, t.internText("x"));
  r = t.appendRow();
  t.setInt(r, 0, 5);
  t.setDouble(r, 1, 0.5);
  t.setText(r, 2, t.internText("longer name"));
  return t;
}

TEST(TableFormat, AlignedColumnsLikeNsys) {
  FormatOptions o;
  std::string s = formatReport(smallTable(), o);
  EXPECT_EQ(s,
            " Total Time (ns)  Avg (ns)      Name\n"
            " ---------------  --------  -----------\n"
            "       1,234,567   1,234.5  x\n"
            "               5       0.5  longer name\n");
}

TEST(TableFormat, TimeUnitScalesDurations) {
  FormatOptions o;
  o.time_unit = TimeUnit::kUs;
  std::string s = formatReport(smallTable(), o);
  EXPECT_EQ(s,
            " Total Time (us)  Avg (us)      Name\n"
            " ---------------  --------  -----------\n"
            "      1,234.5670    1.2345  x\n"
            "          0.0050    0.0005  longer name\n");
  o.time_unit = TimeUnit::kSec;
  EXPECT_NE(formatReport(smallTable(), o).find("Total Time (sec)"), std::string::npos);
}

TEST(CsvFormat, RawNumbersAndQuoting) {
  FormatOptions o;
  o.format = OutputFormat::kCsv;
  ReportTable t = smallTable();
  size_t r = t.appendRow();
  t.setText(r, 2, t.internText("void f<int, \"q\">()"));  // NULL numbers stay empty
  EXPECT_EQ(formatReport(t, o),
            "Total Time (ns),Avg (ns),Name\n"
            "1234567,1234.5,x\n"
            "5,0.5,longer name\n"
            ",,\"void f<int, \"\"q\"\">()\"\n");
  o.time_unit = TimeUnit::kMs;
  EXPECT_EQ(formatReport(smallTable(), o),
            "Total Time (ms),Avg (ms),Name\n"
            "1.234567,0.0012345,x\n"
            "5e-06,5e-07,longer name\n");
}

TEST(JsonFormat, ParsesBackWithTypedValues) {
  FormatOptions o;
  o.format = OutputFormat::kJson;
  ReportTable t = smallTable();
  t.appendRow();  // all NULL
  nlohmann::json j = nlohmann::json::parse(formatReport(t, o));
  EXPECT_EQ(j["report"], "demo");
  ASSERT_EQ(j["rows"].size(), 3u);
  EXPECT_EQ(j["rows"][0]["Total Time (ns)"].get<int64_t>(), 1234567);
  EXPECT_DOUBLE_EQ(j["rows"][1]["Avg (ns)"].get<double>(), 0.5);
  EXPECT_EQ(j["rows"][1]["Name"], "longer name");
  EXPECT_TRUE(j["rows"][2]["Name"].is_null());
}

TEST(Units, MemorySizesInMegabytesOfOneMillionBytes) {
  ReportTable t("m", "M");
  t.addColumn("Total", Unit::kMemB, ValueType::kInt);
  t.setInt(t.appendRow(), 0, 4194304);  // 4 MiB: nsys prints 4.194
  FormatOptions o;
  EXPECT_EQ(formatReport(t, o), " Total (MB)\n ----------\n      4.194\n");
  o.format = OutputFormat::kCsv;
  EXPECT_EQ(formatReport(t, o), "Total (MB)\n4.194304\n");
}

TEST(Skipped, NoteNamesTheFileInEveryFormat) {
  model::Trace empty;
  ReportContext ctx(empty);
  ReportTable t = runReport(ctx, ReportRequest{findReport("osrt_sum"), {}});
  FormatOptions o;
  o.source_name = "run.sqlite";
  EXPECT_EQ(formatReport(t, o), "SKIPPED: run.sqlite does not contain OS Runtime trace data.\n");
  o.format = OutputFormat::kCsv;
  EXPECT_EQ(formatReport(t, o), "SKIPPED: run.sqlite does not contain OS Runtime trace data.\n");
  o.format = OutputFormat::kJson;
  nlohmann::json j = nlohmann::json::parse(formatReport(t, o));
  EXPECT_EQ(j["skipped"], "SKIPPED: run.sqlite does not contain OS Runtime trace data.");
}

TEST(SeveralReports, HeadingsAndJsonArray) {
  model::Trace trace = testing::makeHandTrace();
  ReportContext ctx(trace);
  std::vector<ReportTable> tables;
  tables.push_back(runReport(ctx, ReportRequest{findReport("cuda_api_sum"), {}}));
  tables.push_back(runReport(ctx, ReportRequest{findReport("osrt_sum"), {}}));
  FormatOptions o;
  o.source_name = "t.gpuscope";
  std::string text;
  {
    TextSink sink(&text);
    writeReports(tables, o, sink);
  }
  EXPECT_EQ(text.rfind(" ** CUDA API Summary (cuda_api_sum):\n\n", 0), 0u);
  EXPECT_NE(text.find("\n ** OS Runtime Summary (osrt_sum):\n\nSKIPPED: t.gpuscope does not contain OS "
                      "Runtime trace data.\n"),
            std::string::npos);
  // 93.3% with one decimal, total 140 and the sample stddev with one decimal
  EXPECT_NE(text.find("     93.3              140          4      35.0      35.0        10        60"
                      "         28.9  cudaLaunchKernel\n"),
            std::string::npos)
      << text;
  o.format = OutputFormat::kJson;
  std::string js;
  {
    TextSink sink(&js);
    writeReports(tables, o, sink);
  }
  nlohmann::json j = nlohmann::json::parse(js);
  ASSERT_TRUE(j.is_array());
  EXPECT_EQ(j[0]["rows"][0]["Num Calls"], 4);
  EXPECT_DOUBLE_EQ(j[0]["rows"][0]["Time (%)"].get<double>(), 93.3);
  EXPECT_TRUE(j[1].contains("skipped"));
}

TEST(ParseOptions, FormatsAndUnits) {
  EXPECT_EQ(*parseOutputFormat("csv"), OutputFormat::kCsv);
  EXPECT_EQ(*parseOutputFormat("column"), OutputFormat::kTable);
  EXPECT_FALSE(parseOutputFormat("xml").ok());
  EXPECT_EQ(*parseTimeUnit("usec"), TimeUnit::kUs);
  EXPECT_EQ(*parseTimeUnit("sec"), TimeUnit::kSec);
  EXPECT_FALSE(parseTimeUnit("min").ok());
}

}  // namespace
}  // namespace gpuscope::stats
