// The top-level members of a Kineto file other than "traceEvents":
// deviceProperties -> devices, baseTimeNanoseconds -> meta time_base_ns,
// schemaVersion, traceName, displayTimeUnit, distributedInfo and the other
// scalar metadata Kineto and PyTorch write (cupti_version, trace_id,
// host_name, ...) -> meta. Every member is optional.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "base/status.h"
#include "importers/kineto_json/event_sink.h"
#include "model/trace.h"

namespace gpuscope::importers::kineto_json {

// Meta keys this importer writes (besides model::kMeta*).
inline constexpr const char* kMetaKinetoSchemaVersion = "kineto_schema_version";
inline constexpr const char* kMetaTraceName = "trace_name";
inline constexpr const char* kMetaDisplayTimeUnit = "kineto_display_time_unit";
inline constexpr const char* kMetaDistributedRank = "distributed_rank";
inline constexpr const char* kMetaDistributedWorldSize = "distributed_world_size";
inline constexpr const char* kMetaDistributedBackend = "distributed_backend";

class TopLevelReader {
 public:
  TopLevelReader(model::Trace& trace, EventSink& sink, const std::string& path)
      : trace_(trace), sink_(sink), path_(path) {}

  // `value` is the member's JSON text, found at byte `offset` of the file.
  Status read(std::string_view key, std::string_view value, size_t offset);

 private:
  Status readDeviceProperties(simdjson::ondemand::value& v);
  Status readDistributedInfo(simdjson::ondemand::value& v);
  Status error(simdjson::error_code code, std::string_view key);
  Status errorAt(const char* at, std::string_view what);

  model::Trace& trace_;
  EventSink& sink_;
  const std::string& path_;
  simdjson::ondemand::parser parser_;
  simdjson::ondemand::document doc_;
  bool doc_valid_ = false;
  std::string buffer_;
  size_t offset_ = 0;
};

}  // namespace gpuscope::importers::kineto_json
