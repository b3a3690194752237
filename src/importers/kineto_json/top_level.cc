#include "importers/kineto_json/top_level.h"

#include <utility>

#include "importers/kineto_json/decimal.h"
#include "importers/kineto_json/event_parser.h"

namespace gpuscope::importers::kineto_json {
namespace {

namespace od = simdjson::ondemand;

std::string_view trimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// A scalar as text: strings unescaped, numbers/true/false/null as written.
bool scalarText(od::value& v, std::string* out) {
  od::json_type type;
  if (v.type().get(type)) return false;
  if (type == od::json_type::string) {
    std::string_view s;
    if (v.get_string().get(s)) return false;
    out->assign(s);
    return true;
  }
  if (type == od::json_type::array || type == od::json_type::object) return false;
  out->assign(trimRight(v.raw_json_token()));
  return true;
}

int32_t toI32(int64_t v) {
  return v >= INT32_MIN + 1 && v <= INT32_MAX ? static_cast<int32_t>(v) : model::kNullI32;
}

}  // namespace

Status TopLevelReader::errorAt(const char* at, std::string_view what) {
  size_t pos = offset_;
  if (at != nullptr && at >= buffer_.data() && at <= buffer_.data() + buffer_.size()) {
    pos = offset_ + static_cast<size_t>(at - buffer_.data());
  }
  return InvalidInput(path_ + ": " + std::string(what) + " at byte " + std::to_string(pos));
}

Status TopLevelReader::error(simdjson::error_code code, std::string_view key) {
  const char* at = nullptr;
  if (doc_valid_ && !doc_.current_location().get(at)) {
    return errorAt(at, "invalid JSON in \"" + std::string(key) + "\": " + simdjson::error_message(code));
  }
  return errorAt(nullptr, "invalid JSON in \"" + std::string(key) + "\": " + simdjson::error_message(code));
}

Status TopLevelReader::read(std::string_view key, std::string_view value, size_t offset) {
  offset_ = offset;
  buffer_.reserve(value.size() + simdjson::SIMDJSON_PADDING);
  buffer_.assign(value);
  simdjson::padded_string_view view(buffer_.data(), buffer_.size(), buffer_.capacity());
  doc_valid_ = false;  // a failed iterate() leaves doc_ pointing at freed parser memory
  if (auto err = parser_.iterate(view).get(doc_)) return error(err, key);
  doc_valid_ = true;
  od::value v;
  // A scalar document cannot be taken as a value; handle scalars first.
  bool scalar = false;
  if (auto err = doc_.is_scalar().get(scalar)) return error(err, key);
  std::string text;
  if (scalar) {
    od::json_type type;
    if (auto err = doc_.type().get(type)) return error(err, key);
    if (type == od::json_type::string) {
      std::string_view s;
      if (auto err = doc_.get_string().get(s)) return error(err, key);
      text.assign(s);
    } else {
      text.assign(trimRight(doc_.raw_json_token().value_unsafe()));
      int64_t ignored = 0;
      const bool valid = type == od::json_type::number
                             ? parseInteger(text, &ignored) != DecimalResult::kNotANumber
                             : (text == "true" || text == "false" || text == "null");
      if (!valid) {
        return errorAt(buffer_.data(), "invalid JSON value for \"" + std::string(key) + "\": '" +
                                           text.substr(0, 40) + "'");
      }
    }
    if (key == "schemaVersion") {
      trace_.meta[kMetaKinetoSchemaVersion] = text;
    } else if (key == "traceName") {
      trace_.meta[kMetaTraceName] = text;
    } else if (key == "displayTimeUnit") {
      // Chrome/Kineto "ts" stays in microseconds whatever this says; it
      // only sets the viewer's display unit.
      trace_.meta[kMetaDisplayTimeUnit] = text;
    } else if (key == "baseTimeNanoseconds") {
      int64_t base = 0;
      if (parseInteger(text, &base) != DecimalResult::kOk || text.find_first_of(".eE") != std::string::npos) {
        return errorAt(buffer_.data(), "\"baseTimeNanoseconds\": expected an integer, found '" +
                                           text.substr(0, 40) + "'");
      }
      trace_.meta[model::kMetaTimeBaseNs] = std::to_string(base);
    } else {
      trace_.meta["kineto." + std::string(key)] = text;
    }
    return OkStatus();
  }
  if (auto err = doc_.get_value().get(v)) return error(err, key);
  if (key == "deviceProperties") return readDeviceProperties(v);
  if (key == "distributedInfo") return readDistributedInfo(v);
  sink_.count("kineto_skipped_top_level_value", model::Severity::kInfo,
              "top-level arrays/objects other than traceEvents, deviceProperties and "
              "distributedInfo (e.g. INFO log lines)",
              offset);
  return OkStatus();
}

Status TopLevelReader::readDeviceProperties(od::value& v) {
  od::array array;
  if (v.get_array().get(array)) return errorAt(buffer_.data(), "\"deviceProperties\": expected an array");
  for (auto element : array) {
    od::object object;
    if (auto err = element.get_object().get(object)) {
      if (err == simdjson::INCORRECT_TYPE) return errorAt(nullptr, "\"deviceProperties\": expected objects");
      return error(err, "deviceProperties");
    }
    model::DeviceTable::Row r;
    int64_t opt_in = model::kNullI64, per_block = model::kNullI64;
    for (auto field_result : object) {
      od::field field;
      if (auto err = std::move(field_result).get(field)) return error(err, "deviceProperties");
      std::string_view key;
      if (auto err = fieldKey(field, &key)) return error(err, "deviceProperties");
      od::value& fv = field.value();
      if (key == "name") {
        std::string text;
        if (scalarText(fv, &text)) r.name = trace_.strings.intern(text);
        continue;
      }
      int64_t n = 0;
      if (!readInteger(fv, &n)) continue;
      if (key == "id") r.id = toI32(n);
      else if (key == "totalGlobalMem") r.total_memory = n;
      else if (key == "computeMajor") r.compute_major = toI32(n);
      else if (key == "computeMinor") r.compute_minor = toI32(n);
      else if (key == "maxThreadsPerBlock") r.max_threads_per_block = toI32(n);
      else if (key == "maxThreadsPerMultiprocessor") r.max_threads_per_sm = toI32(n);
      else if (key == "regsPerBlock") r.max_registers_per_block = toI32(n);
      else if (key == "regsPerMultiprocessor") r.max_registers_per_sm = toI32(n);
      else if (key == "warpSize") r.warp_size = toI32(n);
      else if (key == "numSms") r.sm_count = toI32(n);
      else if (key == "sharedMemPerBlockOptin") opt_in = n;
      else if (key == "sharedMemPerBlock") per_block = n;
      else if (key == "sharedMemPerMultiprocessor" || key == "maxSharedMemoryPerMultiProcessor") {
        r.max_shared_memory_per_sm = n;
      }
    }
    // The column holds the opt-in maximum; older files only have the default.
    r.max_shared_memory_per_block = opt_in != model::kNullI64 ? opt_in : per_block;
    trace_.devices.push(r);
  }
  return OkStatus();
}

Status TopLevelReader::readDistributedInfo(od::value& v) {
  od::object object;
  if (v.get_object().get(object)) return errorAt(buffer_.data(), "\"distributedInfo\": expected an object");
  for (auto field_result : object) {
    od::field field;
    if (auto err = std::move(field_result).get(field)) return error(err, "distributedInfo");
    std::string_view key;
    if (auto err = fieldKey(field, &key)) return error(err, "distributedInfo");
    std::string text;
    if (!scalarText(field.value(), &text)) continue;  // pg_config etc.
    if (key == "rank") trace_.meta[kMetaDistributedRank] = text;
    else if (key == "world_size") trace_.meta[kMetaDistributedWorldSize] = text;
    else if (key == "backend") trace_.meta[kMetaDistributedBackend] = text;
    else trace_.meta["kineto.distributedInfo." + std::string(key)] = text;
  }
  return OkStatus();
}

}  // namespace gpuscope::importers::kineto_json
