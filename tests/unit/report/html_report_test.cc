// The whole page: hostile names cannot leave their <script> element, the
// embedded JSON parses, the blob decodes back to the trace's times, and
// the file is written atomically and refused when it exists.
#include "report/html_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/gzip.h"
#include "unit/report/hand_trace.h"

namespace gpuscope::report {
namespace {

using testing::kHostile;
using testing::makeHandTrace;

size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Text of the element <script ... id="ID">...</script>.
std::string scriptText(const std::string& html, const std::string& id) {
  std::string open = "id=\"" + id + "\">";
  size_t b = html.find(open);
  if (b == std::string::npos) return "";
  b += open.size();
  return html.substr(b, html.find("</script>", b) - b);
}

std::string base64Decode(std::string_view s) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
          : c == '+' ? 62 : c == '/' ? 63 : -1;
    if (v < 0) break;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) bits -= 8, out.push_back(static_cast<char>((acc >> bits) & 0xFF));
  }
  return out;
}

HtmlReportOptions options(std::string title, std::string source) {
  HtmlReportOptions o;
  o.title = std::move(title);
  o.source = std::move(source);
  return o;
}

std::string render(const model::Trace& t, HtmlReportOptions o = {}) {
  StatusOr<std::string> html = renderHtmlReport(t, o);
  EXPECT_TRUE(html.ok()) << html.status().message();
  return html.ok() ? *html : std::string();
}

TEST(HtmlEscape, AllFiveCharacters) {
  std::string out;
  appendHtmlEscaped(out, "<a href=\"x\">'&'</a>");
  EXPECT_EQ(out, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(HtmlReport, HostileNamesStayInsideTheirScriptElement) {
  model::Trace t = makeHandTrace();
  std::string html = render(t, options(kHostile, "hand.json"));
  // The report's own four: JSON data, blob, timeline.js, pages.js.
  EXPECT_EQ(count(lower(html), "<script"), 4u);
  EXPECT_EQ(count(lower(html), "</script"), 4u);
  EXPECT_EQ(html.find(kHostile), std::string::npos);
  EXPECT_EQ(html.find("alert(1)</"), std::string::npos);
  // The title is HTML-escaped, the JSON copy uses \u003c escapes.
  EXPECT_NE(html.find("<title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; · gpuscope report</title>"),
            std::string::npos);
  EXPECT_NE(html.find("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"), std::string::npos);
  // No network: a CSP forbidding every fetch, and no external URL.
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(HtmlReport, EmbeddedJsonAndBlobRoundTrip) {
  model::Trace t = makeHandTrace();
  std::string html = render(t, options("", "dir/hand.json"));
  nlohmann::json j = nlohmann::json::parse(scriptText(html, "gs-data"));
  EXPECT_EQ(j["title"], "hand.json");
  EXPECT_EQ(j["t0"], 800);
  EXPECT_EQ(j["events"], 16);
  EXPECT_EQ(j["counts"]["kernels"], 3);
  std::vector<std::string> strings = j["strings"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(strings.begin(), strings.end(), kHostile), strings.end());
  // Stats tables ran: the kernel summary lists 3 kernel names.
  bool kern = false;
  for (const auto& s : j["stats"]) {
    if (s["name"] == "cuda_gpu_kern_sum") {
      kern = true;
      EXPECT_EQ(s["row_count"], 3);
    }
  }
  EXPECT_TRUE(kern);
  // Two idle gaps of the default 10 us threshold are findings' material;
  // the longest kernel comes first.
  ASSERT_FALSE(j["longest"].empty());
  EXPECT_EQ(j["longest"][0]["dur"], 1000);

  StatusOr<std::string> raw = gunzip(base64Decode(scriptText(html, "gs-blob")), "blob");
  ASSERT_TRUE(raw.ok()) << raw.status().message();
  size_t pos = 0, n = j["events"];
  std::map<std::string, std::vector<int64_t>> cols;
  for (const auto& c : j["columns"]) {
    ASSERT_EQ(c["length"], n);
    std::vector<int64_t>& v = cols[c["name"]];
    for (size_t i = 0; i < n; ++i) {
      uint64_t x = 0;
      int shift = 0;
      unsigned char b;
      do {
        b = static_cast<unsigned char>(raw->at(pos++));
        x |= static_cast<uint64_t>(b & 0x7F) << shift;
        shift += 7;
      } while (b & 0x80);
      v.push_back(static_cast<int64_t>(x));
    }
  }
  EXPECT_EQ(pos, raw->size());
  // Track "stream 7": starts are deltas within the track, the first from t0.
  for (const auto& tr : j["tracks"]) {
    if (tr["name"] != "stream 7") continue;
    size_t f = tr["first"];
    EXPECT_EQ(tr["count"], 3);
    EXPECT_EQ(cols["start"][f], 2000 - 800);
    EXPECT_EQ(cols["start"][f + 1], 1000);
    EXPECT_EQ(cols["start"][f + 2], 17000);
    EXPECT_EQ(cols["dur"][f], 1000);
    EXPECT_EQ(cols["dur"][f + 1], 500);
    EXPECT_EQ(strings[static_cast<size_t>(cols["name"][f + 1])], kHostile);
    EXPECT_EQ(cols["kind"][f + 2], 1);  // memcpy
    EXPECT_GT(cols["link"][f], 0);      // link + 1
  }
}

TEST(HtmlReport, EmptyTraceStillRenders) {
  model::Trace t;
  std::string html = render(t);
  nlohmann::json j = nlohmann::json::parse(scriptText(html, "gs-data"));
  EXPECT_EQ(j["events"], 0);
  EXPECT_TRUE(j["findings"].empty());
}

TEST(HtmlReport, WritesAtomicallyAndRefusesExisting) {
  model::Trace t = makeHandTrace();
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("gs_report_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "r.html").string();
  StatusOr<HtmlReportStats> s = writeHtmlReport(t, path, false, {});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->events, 16u);
  EXPECT_EQ(std::filesystem::file_size(path), s->bytes);
  StatusOr<HtmlReportStats> again = writeHtmlReport(t, path, false, {});
  EXPECT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kInvalidInput);
  EXPECT_TRUE(writeHtmlReport(t, path, true, {}).ok());
  size_t files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir)) (void)e, ++files;
  EXPECT_EQ(files, 1u);  // no temporary left behind
  std::filesystem::remove_all(dir);
}

TEST(HtmlReport, AssetsCannotCloseTheirElements) {
  model::Trace t;
  std::string html = render(t);
  // Between the first <script> of the assets and the end, only the four
  // closing tags of the report's own elements.
  EXPECT_EQ(count(lower(html), "</style"), 1u);
  EXPECT_NE(html.find("class Timeline"), std::string::npos);
  EXPECT_NE(html.find("function buildStats"), std::string::npos);
}

}  // namespace
}  // namespace gpuscope::report
