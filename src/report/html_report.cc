#include "report/html_report.h"

#include "analysis/analysis.h"
#include "base/file.h"
#include "report/assets.h"
#include "report/page_data.h"
#include "report/timeline_data.h"

namespace gpuscope::report {
namespace {

std::string baseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The page shell. Layout and behaviour live in the embedded assets; the
// Content-Security-Policy forbids every network request, so the file is
// provably self-contained.
constexpr std::string_view kHead =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta name=\"generator\" content=\"gpuscope report\">\n";

constexpr std::string_view kBody = R"html(<body>
<header id="gs-header">
  <div class="gs-brand">gpuscope</div>
  <div class="gs-title" id="gs-title"></div>
  <nav id="gs-tabs">
    <button data-page="timeline" class="active">Timeline</button>
    <button data-page="summary">Summary</button>
    <button data-page="findings">Findings</button>
    <button data-page="layers">Layers</button>
    <button data-page="stats">Stats</button>
  </nav>
</header>
<main>
  <section id="page-timeline" class="gs-page active">
    <div id="gs-toolbar">
      <input id="gs-search" type="search" placeholder="Search names (Enter: next match)" autocomplete="off">
      <span id="gs-search-info"></span>
      <button id="gs-reset" title="Show the whole trace (0)">Reset zoom</button>
      <span class="gs-help">wheel / W S: zoom · drag / A D: pan · shift+wheel: scroll rows · shift+drag: select range · click: select, links kernel and API call</span>
    </div>
    <div id="gs-timeline-wrap">
      <canvas id="gs-canvas" tabindex="0"></canvas>
      <div id="gs-tooltip" hidden></div>
      <div id="gs-empty" hidden>This trace holds no timeline events (kernels, copies, API calls, NVTX ranges, OS runtime calls or framework ops); the summary pages show what it has.</div>
    </div>
    <div id="gs-details"><div id="gs-selection" class="gs-panel"></div><div id="gs-legend" class="gs-panel"></div><div id="gs-range" class="gs-panel"></div></div>
  </section>
  <section id="page-summary" class="gs-page"></section>
  <section id="page-findings" class="gs-page"></section>
  <section id="page-layers" class="gs-page"></section>
  <section id="page-stats" class="gs-page"></section>
  <div id="gs-error" hidden></div>
</main>
)html";

}  // namespace

StatusOr<std::string> renderHtmlReport(const model::Trace& trace, const HtmlReportOptions& options,
                                       HtmlReportStats* stats) {
  HtmlReportOptions o = options;
  if (o.title.empty()) o.title = o.source.empty() ? std::string("trace") : baseName(o.source);
  analysis::AnalysisOptions ao;
  ao.gap_min_ns = o.gap_min_ns;
  ao.layers = true;
  ao.top_k = 15;
  ao.rows = 20;
  analysis::AnalysisReport analysis = analysis::analyzeTrace(trace, ao);
  TimelineOptions to;
  to.gap_min_ns = o.gap_min_ns;
  if (analysis.layers) to.iteration_name = analysis.layers->iteration_name;
  TimelineData timeline = buildTimeline(trace, to);
  GS_ASSIGN_OR_RETURN(PageData page, buildPageData(trace, timeline, analysis, o));

  std::string out;
  out.reserve(page.json.size() + page.blob_base64.size() + asset_timeline_js().size() +
              asset_pages_js().size() + asset_report_css().size() + 4096);
  out += kHead;
  out += "<title>";
  appendHtmlEscaped(out, o.title);
  out += " · gpuscope report</title>\n<style>\n";
  out += asset_report_css();
  out += "</style>\n</head>\n";
  out += kBody;
  // JSON with < > & escaped by appendJsonString: "</script>" cannot occur.
  out += "<script type=\"application/json\" id=\"gs-data\">";
  out += page.json;
  out += "</script>\n<script type=\"application/octet-stream\" id=\"gs-blob\">";
  out += page.blob_base64;
  out += "</script>\n<script>\n";
  out += asset_timeline_js();
  out += "</script>\n<script>\n";
  out += asset_pages_js();
  out += "</script>\n</body>\n</html>\n";
  if (stats != nullptr) {
    stats->events = page.events;
    stats->bytes = out.size();
  }
  return out;
}

StatusOr<HtmlReportStats> writeHtmlReport(const model::Trace& trace, const std::string& path, bool force,
                                          const HtmlReportOptions& options) {
  GS_ASSIGN_OR_RETURN(AtomicOutput output, AtomicOutput::create(path, force));
  HtmlReportStats stats;
  GS_ASSIGN_OR_RETURN(std::string html, renderHtmlReport(trace, options, &stats));
  GS_RETURN_IF_ERROR(output.write(html));
  GS_RETURN_IF_ERROR(output.commit());
  return stats;
}

}  // namespace gpuscope::report
