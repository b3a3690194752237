// Escaping for HTML text and attribute values (& < > " '): every string from
// a trace or an engine file that lands in an HTML page or a Graphviz HTML
// label goes through here.
#pragma once

#include <string>
#include <string_view>

namespace gpuscope {

void appendHtmlEscaped(std::string& out, std::string_view s);
std::string htmlEscape(std::string_view s);

}  // namespace gpuscope
