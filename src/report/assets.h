// The report's front end, embedded at build time from src/report/assets/
// (see embed_assets.cmake): each function returns one file's bytes.
#pragma once

#include <string_view>

namespace gpuscope::report {

std::string_view asset_report_css();
std::string_view asset_timeline_js();
std::string_view asset_pages_js();

}  // namespace gpuscope::report
