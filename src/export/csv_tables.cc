#include "export/csv_tables.h"

#include <charconv>
#include <type_traits>

#include "export/output_directory.h"

namespace gpuscope::exporters {
namespace {

template <typename Table>
void writeTable(const Table& t, const model::StringTable& strings, BufferedWriter& w) {
  std::string& b = w.buffer();
  bool first = true;
  Table::forEachColumn(t, [&](const model::ColumnInfo& info, const auto&) {
    if (!first) b.push_back(',');
    first = false;
    appendCsvField(b, info.name);
  });
  b.push_back('\n');
  char tmp[32];
  for (size_t i = 0; i < t.size(); ++i) {
    first = true;
    Table::forEachColumn(t, [&](const model::ColumnInfo&, const auto& column) {
      if (!first) b.push_back(',');
      first = false;
      using V = std::decay_t<decltype(column[i])>;
      V v = column[i];
      if constexpr (std::is_same_v<V, model::StringId>) {
        appendCsvField(b, strings.get(v));
      } else if constexpr (std::is_floating_point_v<V>) {
        // Shortest text that reads back as the same double.
        auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
        b.append(tmp, static_cast<size_t>(r.ptr - tmp));
      } else {
        if (v == model::kNull<V>) return;  // NULL: empty field
        auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
        b.append(tmp, static_cast<size_t>(r.ptr - tmp));
      }
    });
    b.push_back('\n');
    w.maybeFlush();
  }
}

}  // namespace

std::vector<std::string> csvTableNames() {
  std::vector<std::string> names;
  model::Trace empty;
  empty.forEachTable([&](const auto& t) { names.emplace_back(t.kSqlName); });
  return names;
}

void appendCsvField(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

Status validateCsvTables(const std::vector<std::string>& tables) {
  std::vector<std::string> all = csvTableNames();
  for (const std::string& name : tables) {
    bool known = false;
    for (const std::string& n : all) known = known || n == name;
    if (!known) {
      std::string list;
      for (const std::string& n : all) list += (list.empty() ? "" : ", ") + n;
      return InvalidInput("--tables: no table named '" + name + "' (tables: " + list + ")");
    }
  }
  return OkStatus();
}

Status writeCsvTable(const model::Trace& trace, std::string_view name, BufferedWriter& w) {
  bool found = false;
  trace.forEachTable([&](const auto& t) {
    if (found || name != t.kSqlName) return;
    found = true;
    writeTable(t, trace.strings, w);
  });
  if (!found) return validateCsvTables({std::string(name)});
  return OkStatus();
}

StatusOr<std::vector<CsvTableWritten>> exportCsvTables(const model::Trace& trace,
                                                       const std::string& dir,
                                                       const CsvExportOptions& options) {
  // Validate the selection before touching the file system.
  GS_RETURN_IF_ERROR(validateCsvTables(options.tables));
  auto selected = [&](std::string_view name) {
    if (options.tables.empty()) return true;
    for (const std::string& n : options.tables) {
      if (n == name) return true;
    }
    return false;
  };

  GS_ASSIGN_OR_RETURN(OutputDirectory out, OutputDirectory::create(dir, options.force));
  std::vector<CsvTableWritten> written;
  Status status;
  trace.forEachTable([&](const auto& t) {
    if (!status.ok() || t.empty() || !selected(t.kSqlName)) return;
    StatusOr<AtomicOutput> file = out.createFile(std::string(t.kSqlName) + ".csv");
    if (!file.ok()) {
      status = file.status();
      return;
    }
    AtomicFileSink sink(&*file);
    BufferedWriter w(&sink);
    writeTable(t, trace.strings, w);
    status = w.finish();
    if (status.ok()) status = file->commit();
    if (status.ok()) written.push_back({t.kSqlName, t.size()});
  });
  GS_RETURN_IF_ERROR(status);
  GS_RETURN_IF_ERROR(out.commit());
  return written;
}

}  // namespace gpuscope::exporters
