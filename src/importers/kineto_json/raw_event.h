// One trace event as read from the JSON, before it becomes a table row.
// Strings point into simdjson's buffer for the current batch: a handler
// that keeps one past the batch interns it first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/table_macros.h"

namespace gpuscope::importers::kineto_json {

// pid, tid and flow ids are numbers in Kineto but strings in some rows
// ("Spans", "stream 7" in PyTorch 1.x, "" for the record-window marker).
struct IdField {
  bool present = false;
  bool numeric = false;  // `value` holds the number (also for "123" and "stream 7")
  int64_t value = 0;
  std::string_view text;  // the string as written, when it was a string
};

// The args the importer uses; everything else in "args" is skipped. Integers
// are model::kNullI64 when absent.
struct EventArgs {
  int64_t external_id = model::kNullI64;
  int64_t correlation = model::kNullI64;
  int64_t device = model::kNullI64;
  int64_t stream = model::kNullI64;
  int64_t context = model::kNullI64;
  int64_t registers_per_thread = model::kNullI64;
  int64_t shared_memory = model::kNullI64;
  int64_t bytes = model::kNullI64;
  int64_t sequence_number = model::kNullI64;
  int64_t graph_id = model::kNullI64;
  int64_t graph_node_id = model::kNullI64;
  int64_t from_device = model::kNullI64;
  int64_t to_device = model::kNullI64;
  int64_t wait_event_id = model::kNullI64;
  int64_t grid[3] = {model::kNullI64, model::kNullI64, model::kNullI64};
  int64_t block[3] = {model::kNullI64, model::kNullI64, model::kNullI64};
  std::string_view input_dims;  // raw JSON text of "Input Dims"
  std::string_view name;        // metadata events: args.name
  std::string_view labels;      // process_labels: args.labels
  int32_t unusable_values = 0;  // args of a used key with an unusable type/range
};

struct RawEvent {
  size_t offset = 0;  // byte offset of the event's '{' in the file
  std::string_view ph, cat, name, bp;
  IdField pid, tid, id;
  bool has_ts = false;
  bool has_dur = false;
  int64_t ts_ns = 0;
  int64_t dur_ns = 0;
  EventArgs args;
};

}  // namespace gpuscope::importers::kineto_json
