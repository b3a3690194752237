#include "importers/kineto_json/event_parser.h"

#include <initializer_list>
#include <utility>

#include "importers/kineto_json/decimal.h"

namespace gpuscope::importers::kineto_json {
namespace {

namespace od = simdjson::ondemand;

enum class IntStatus { kOk, kWrongType, kInvalid };

bool fail(od::document& doc, const char* at, std::string what, ParseFailure* f) {
  if (at == nullptr) {
    const char* loc = nullptr;
    if (!doc.current_location().get(loc)) at = loc;
  }
  f->at = at;
  f->what = std::move(what);
  return false;
}

bool failCode(od::document& doc, simdjson::error_code code, ParseFailure* f) {
  return fail(doc, nullptr, std::string("invalid JSON: ") + simdjson::error_message(code), f);
}

IntStatus integerFromText(std::string_view text, int64_t* out) {
  switch (parseInteger(text, out)) {
    case DecimalResult::kOk: return IntStatus::kOk;
    case DecimalResult::kOutOfRange: return IntStatus::kWrongType;  // unusable, not malformed
    case DecimalResult::kNotANumber: return IntStatus::kInvalid;
  }
  return IntStatus::kInvalid;
}

// Numbers must be well-formed JSON (kInvalid otherwise); strings holding a
// number are accepted ("tid": "456" in PyTorch 1.x), other strings are
// kWrongType.
IntStatus readIntegerStatus(od::value& value, int64_t* out) {
  od::json_type type;
  if (value.type().get(type)) return IntStatus::kInvalid;
  if (type == od::json_type::number) return integerFromText(value.raw_json_token(), out);
  if (type == od::json_type::string) {
    std::string_view s;
    if (value.get_string().get(s)) return IntStatus::kInvalid;
    return integerFromText(s, out) == IntStatus::kOk ? IntStatus::kOk : IntStatus::kWrongType;
  }
  return IntStatus::kWrongType;
}

// pid / tid / flow id: a number, or a string that may hold one ("456",
// "stream 7").
bool readId(od::value& value, IdField* id, od::document& doc, ParseFailure* f) {
  od::json_type type;
  if (auto err = value.type().get(type)) return failCode(doc, err, f);
  id->present = true;
  if (type == od::json_type::number) {
    std::string_view tok = value.raw_json_token();
    if (integerFromText(tok, &id->value) == IntStatus::kInvalid) {
      return fail(doc, tok.data(), "invalid number", f);
    }
    id->numeric = true;  // out-of-range ids keep value 0 but are still numeric rows
    return true;
  }
  if (type == od::json_type::string) {
    std::string_view s;
    if (auto err = value.get_string().get(s)) return failCode(doc, err, f);
    id->text = s;
    std::string_view digits = s;
    if (digits.substr(0, 7) == "stream ") digits.remove_prefix(7);
    while (!digits.empty() && digits.back() == ' ') digits.remove_suffix(1);
    int64_t v = 0;
    if (!digits.empty() && integerFromText(digits, &v) == IntStatus::kOk &&
        digits.find_first_of(".eE") == std::string_view::npos) {
      id->numeric = true;
      id->value = v;
    }
    return true;
  }
  id->present = false;  // null, bool, object: no usable id
  return true;
}

// Joins message parts with append() (GCC 12 warns falsely on chains of
// operator+ with string literals).
std::string joined(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (std::string_view p : parts) s.append(p);
  return s;
}

bool readTime(od::value& value, std::string_view key, int64_t* ns, od::document& doc,
              ParseFailure* f) {
  std::string_view tok = value.raw_json_token();
  od::json_type type;
  if (value.type().get(type) || type != od::json_type::number) {
    return fail(doc, tok.data(),
                joined({"\"", key, "\": expected a number of microseconds, found '",
                        tok.substr(0, 24), "'"}),
                f);
  }
  switch (parseMicrosToNs(tok, ns)) {
    case DecimalResult::kOk: return true;
    case DecimalResult::kOutOfRange:
      return fail(doc, tok.data(),
                  joined({"\"", key, "\": ", tok.substr(0, 40),
                          " us is out of range for int64 nanoseconds"}),
                  f);
    case DecimalResult::kNotANumber: break;
  }
  return fail(doc, tok.data(), joined({"\"", key, "\": invalid number '", tok.substr(0, 40), "'"}),
              f);
}

// Reads a string-typed member; a member of another type is ignored.
bool readString(od::value& value, std::string_view* out, od::document& doc, ParseFailure* f) {
  auto result = value.get_string();
  if (result.error() == simdjson::INCORRECT_TYPE) return true;
  if (auto err = std::move(result).get(*out)) return failCode(doc, err, f);
  return true;
}

bool readArgInteger(od::value& value, int64_t* out, EventArgs* args, od::document& doc,
                    ParseFailure* f) {
  int64_t v = 0;
  switch (readIntegerStatus(value, &v)) {
    case IntStatus::kOk: *out = v; return true;
    case IntStatus::kWrongType: ++args->unusable_values; return true;
    case IntStatus::kInvalid: break;
  }
  return fail(doc, value.raw_json_token().data(), "invalid number in \"args\"", f);
}

bool readDim3(od::value& value, int64_t* dims, EventArgs* args, od::document& doc,
              ParseFailure* f) {
  od::array array;
  auto result = value.get_array();
  if (result.error() == simdjson::INCORRECT_TYPE) {
    ++args->unusable_values;
    return true;
  }
  if (auto err = std::move(result).get(array)) return failCode(doc, err, f);
  int i = 0;
  for (auto element : array) {
    od::value v;
    if (auto err = element.get(v)) return failCode(doc, err, f);
    if (i < 3 && !readArgInteger(v, &dims[i], args, doc, f)) return false;
    ++i;
  }
  return true;
}

bool readArgs(od::value& value, EventArgs* args, od::document& doc, ParseFailure* f) {
  od::object object;
  auto result = value.get_object();
  if (result.error() == simdjson::INCORRECT_TYPE) return true;
  if (auto err = std::move(result).get(object)) return failCode(doc, err, f);
  for (auto field_result : object) {
    od::field field;
    if (auto err = std::move(field_result).get(field)) return failCode(doc, err, f);
    std::string_view key;
    if (auto err = fieldKey(field, &key)) return failCode(doc, err, f);
    od::value& v = field.value();
    int64_t* target = nullptr;
    switch (key.size()) {
      case 4:
        if (key == "grid") {
          if (!readDim3(v, args->grid, args, doc, f)) return false;
        } else if (key == "name") {
          if (!readString(v, &args->name, doc, f)) return false;
        }
        break;
      case 5:
        if (key == "block") {
          if (!readDim3(v, args->block, args, doc, f)) return false;
        } else if (key == "bytes") {
          target = &args->bytes;
        }
        break;
      case 6:
        if (key == "device") target = &args->device;
        else if (key == "stream") target = &args->stream;
        else if (key == "labels" && !readString(v, &args->labels, doc, f)) return false;
        break;
      case 7:
        if (key == "context") target = &args->context;
        break;
      case 8:
        if (key == "graph id") target = &args->graph_id;
        else if (key == "toDevice") target = &args->to_device;
        break;
      case 10:
        if (key == "fromDevice") {
          target = &args->from_device;
        } else if (key == "Input Dims" || key == "Input dims") {
          od::json_type type;
          if (auto err = v.type().get(type)) return failCode(doc, err, f);
          if (type == od::json_type::array) {
            od::array array;
            if (auto err = v.get_array().get(array)) return failCode(doc, err, f);
            if (auto err = array.raw_json().get(args->input_dims)) return failCode(doc, err, f);
          }
        }
        break;
      case 11:
        if (key == "External id" || key == "external id") target = &args->external_id;
        else if (key == "correlation") target = &args->correlation;
        break;
      case 13:
        if (key == "shared memory") target = &args->shared_memory;
        else if (key == "graph node id") target = &args->graph_node_id;
        break;
      case 15:
        if (key == "Sequence number") target = &args->sequence_number;
        break;
      case 20:
        if (key == "registers per thread") target = &args->registers_per_thread;
        break;
      case 21:
        if (key == "wait_on_cuda_event_id") target = &args->wait_event_id;
        break;
      default:
        break;
    }
    if (target != nullptr && !readArgInteger(v, target, args, doc, f)) return false;
  }
  return true;
}

}  // namespace

simdjson::error_code fieldKey(od::field& field, std::string_view* key) {
  const char* raw = field.key().raw();
  const char* p = raw;
  while (*p != '"' && *p != '\\') ++p;
  if (*p == '"') {
    *key = std::string_view(raw, static_cast<size_t>(p - raw));
    return simdjson::SUCCESS;
  }
  return field.unescaped_key().get(*key);
}

bool readInteger(od::value& value, int64_t* out) {
  return readIntegerStatus(value, out) == IntStatus::kOk;
}

bool parseEvent(od::object& object, od::document& doc, RawEvent* ev, ParseFailure* f) {
  for (auto field_result : object) {
    od::field field;
    if (auto err = std::move(field_result).get(field)) return failCode(doc, err, f);
    std::string_view key;
    if (auto err = fieldKey(field, &key)) return failCode(doc, err, f);
    od::value& v = field.value();
    switch (key.size()) {
      case 2:
        if (key == "ph") {
          if (!readString(v, &ev->ph, doc, f)) return false;
        } else if (key == "ts") {
          if (!readTime(v, key, &ev->ts_ns, doc, f)) return false;
          ev->has_ts = true;
        } else if (key == "id") {
          if (!readId(v, &ev->id, doc, f)) return false;
        } else if (key == "bp") {
          if (!readString(v, &ev->bp, doc, f)) return false;
        }
        break;
      case 3:
        if (key == "cat") {
          if (!readString(v, &ev->cat, doc, f)) return false;
        } else if (key == "pid") {
          if (!readId(v, &ev->pid, doc, f)) return false;
        } else if (key == "tid") {
          if (!readId(v, &ev->tid, doc, f)) return false;
        } else if (key == "dur") {
          if (!readTime(v, key, &ev->dur_ns, doc, f)) return false;
          ev->has_dur = true;
        }
        break;
      case 4:
        if (key == "name") {
          if (!readString(v, &ev->name, doc, f)) return false;
        } else if (key == "args") {
          if (!readArgs(v, &ev->args, doc, f)) return false;
        }
        break;
      default:
        break;
    }
  }
  int64_t end = 0;
  if (ev->has_ts && ev->has_dur && __builtin_add_overflow(ev->ts_ns, ev->dur_ns, &end)) {
    return fail(doc, nullptr, "\"ts\" + \"dur\" is out of range for int64 nanoseconds", f);
  }
  return true;
}

}  // namespace gpuscope::importers::kineto_json
