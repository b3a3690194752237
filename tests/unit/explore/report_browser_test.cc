// The report card opened in headless Chromium: the inline script runs to its
// end (marks <body data-ready="yes">), the console shows no errors, and the
// screenshot is far from blank. Suite ExploreBrowser (CTest: -R ExploreBrowser);
// skipped when no chromium is installed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fixtures/engine_fixture.h"
#include "explore/report_card.h"
#include "test_paths.h"

namespace gpuscope::explore {
namespace {

std::string chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
    if (std::filesystem::exists(p)) return p;
  return "";
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct BrowserRun {
  std::string dom, log;
  uintmax_t screenshot_bytes = 0;
};

// Two runs: one dumps the DOM after scripts ran, one takes the screenshot;
// both log the console to stderr.
BrowserRun openInChromium(const std::string& html_path, const std::string& dir) {
  BrowserRun r;
  std::string flags = " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                      " --disable-background-networking --disable-component-update --disable-sync"
                      " --enable-logging=stderr --v=0 --window-size=1280,2000";
  std::string base = "timeout 120 " + chromium() + flags;
  std::string png = html_path + ".png";
  std::filesystem::remove(png);
  std::string cmd1 = base + " --user-data-dir=" + dir + "/profile1 --dump-dom file://" + html_path + " >" + html_path +
                     ".dom 2>" + html_path + ".log1";
  std::string cmd2 = base + " --user-data-dir=" + dir + "/profile2 --screenshot=" + png + " file://" + html_path +
                     " >/dev/null 2>" + html_path + ".log2";
  EXPECT_EQ(std::system(cmd1.c_str()), 0) << cmd1;
  EXPECT_EQ(std::system(cmd2.c_str()), 0) << cmd2;
  r.dom = slurp(html_path + ".dom");
  r.log = slurp(html_path + ".log1") + slurp(html_path + ".log2");
  if (std::filesystem::exists(png)) r.screenshot_bytes = std::filesystem::file_size(png);
  return r;
}

// Console messages that are errors: uncaught exceptions and console.error.
std::vector<std::string> consoleErrors(const std::string& log) {
  std::vector<std::string> out;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);)
    if (line.find("CONSOLE") != std::string::npos &&
        (line.find("Uncaught") != std::string::npos || line.find(":ERROR:") != std::string::npos ||
         line.find("Error") != std::string::npos))
      out.push_back(line);
  return out;
}

void checkReport(const EnginePlan& plan, const std::string& dir) {
  auto html = renderReportCard(plan, {});
  ASSERT_TRUE(html.ok()) << html.status().message();
  ASSERT_TRUE(testing::writeTextFile(dir + "/card.html", *html));
  ASSERT_TRUE(testing::writeTextFile(dir + "/blank.html", "<!DOCTYPE html><html><body></body></html>"));
  BrowserRun card = openInChromium(dir + "/card.html", dir);
  BrowserRun blank = openInChromium(dir + "/blank.html", dir);
  EXPECT_NE(card.dom.find("data-ready=\"yes\""), std::string::npos) << "the report's script did not finish";
  EXPECT_TRUE(consoleErrors(card.log).empty()) << consoleErrors(card.log)[0];
  ASSERT_GT(blank.screenshot_bytes, 0u);
  EXPECT_GT(card.screenshot_bytes, 5 * blank.screenshot_bytes) << "screenshot looks blank";
  EXPECT_EQ(html->find("http://cdn"), std::string::npos);
  EXPECT_EQ(html->find("<script src"), std::string::npos);
  EXPECT_EQ(html->find("<link "), std::string::npos);
}

TEST(ExploreBrowser, ConsoleErrorsAreDetected) {
  if (chromium().empty()) GTEST_SKIP() << "SKIPPED: chromium not installed";
  std::string dir = test::scratchDir();
  ASSERT_TRUE(testing::writeTextFile(dir + "/bad.html", "<html><body><script>notAFunction();</script></body></html>"));
  BrowserRun r = openInChromium(dir + "/bad.html", dir);
  EXPECT_FALSE(consoleErrors(r.log).empty()) << r.log;
}

TEST(ExploreBrowser, GeneratedEngineReportOpensCleanly) {
  if (chromium().empty()) GTEST_SKIP() << "SKIPPED: chromium not installed";
  std::string dir = test::scratchDir();
  testing::EngineFixtureSpec spec;
  spec.blocks = 12;
  ASSERT_TRUE(testing::writeTextFile(dir + "/e.graph.json", testing::makeEngineGraphJson(spec)));
  ASSERT_TRUE(testing::writeTextFile(dir + "/e.profile.json", testing::makeEngineProfileJson(spec)));
  LoadOptions o;
  o.graph = dir + "/e.graph.json";
  auto plan = loadEnginePlan(o);
  ASSERT_TRUE(plan.ok());
  // A hostile layer name must come out escaped, not as markup.
  plan->layers[1].name = "<script>alert(1)</script> & \"x\"";
  checkReport(*plan, dir);
  auto html = renderReportCard(*plan, {});
  EXPECT_EQ(html->find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(html->find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;"), std::string::npos);
}

TEST(ExploreBrowser, MobilenetReportOpensCleanly) {
  GS_REQUIRE_SHARED_TRT();
  if (chromium().empty()) GTEST_SKIP() << "SKIPPED: chromium not installed";
  LoadOptions o;
  o.graph = test::trexInput("mobilenet.qat.onnx.engine.graph.json");
  auto plan = loadEnginePlan(o);
  ASSERT_TRUE(plan.ok());
  checkReport(*plan, test::scratchDir());
}

}  // namespace
}  // namespace gpuscope::explore
