// Content sniffing helpers beyond registry.h's sniffFormat, kept in their own
// object so that code needing only the sniffer does not link every reader.
#pragma once

#include <cstddef>
#include <string_view>

namespace gpuscope::importers {

// Offset of the first byte that is not a UTF-8 byte-order mark or JSON
// whitespace: where a text format's content starts (and where an error
// about unrecognised content points).
size_t contentStart(std::string_view head);

inline constexpr std::string_view kSqliteMagic{"SQLite format 3\0", 16};

}  // namespace gpuscope::importers
