// TensorProto -> HostTensor: raw_data, typed repeated fields and external data
// files. Sizes are validated against the declared dims before copying, so a
// hostile model cannot make us allocate more than the bytes it carries (or,
// for external data, than the data file holds).
#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "engine/onnx/onnx_proto.h"

namespace gpuscope::engine::onnx_detail {

namespace {

Status tensorError(const ProtoContext& ctx, const std::string& what, const std::string& problem) {
  return InvalidInput(fmt::format("{}: {}: {}", ctx.file, what, problem));
}

// Non-negative decimal int64 ("offset", "length" of external data).
bool parseNonNegative(const std::string& text, int64_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

// Reads the external bytes of `t` (expected_bytes long) from a file inside
// ctx.external_dir. Locations that could leave that folder ('..', absolute
// paths) are rejected before any file is opened. Symlinks are followed on
// purpose: Hugging Face caches link model files into a blob store.
StatusOr<std::vector<uint8_t>> readExternal(const onnx::TensorProto& t, int64_t expected_bytes,
                                            const std::string& what, const ProtoContext& ctx) {
  std::string location;
  int64_t offset = 0, length = -1;
  bool has_location = false;
  for (const auto& entry : t.external_data()) {
    if (entry.key() == "location") {
      location = entry.value();
      has_location = true;
    } else if (entry.key() == "offset") {
      if (!parseNonNegative(entry.value(), offset))
        return tensorError(ctx, what, fmt::format("external data offset '{}' is not a non-negative integer",
                                                  entry.value()));
    } else if (entry.key() == "length") {
      if (!parseNonNegative(entry.value(), length))
        return tensorError(ctx, what, fmt::format("external data length '{}' is not a non-negative integer",
                                                  entry.value()));
    }
  }
  if (!has_location || location.empty())
    return tensorError(ctx, what, "external data has no 'location'");
  if (location.find('\0') != std::string::npos)
    return tensorError(ctx, what, "external data location contains a NUL byte");
  std::filesystem::path rel(location);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory())
    return tensorError(ctx, what, fmt::format("external data location '{}' is an absolute path; it must be "
                                              "relative to the model's folder", location));
  for (const auto& part : rel)
    if (part == "..")
      return tensorError(ctx, what, fmt::format("external data location '{}' leaves the model's folder ('..')",
                                                location));
  if (ctx.external_dir.empty())
    return tensorError(ctx, what, fmt::format("external data '{}' needs the model's folder (load the model "
                                              "from a file, or set ImportOptions::external_data_dir)", location));
  if (length >= 0 && length != expected_bytes)
    return tensorError(ctx, what, fmt::format("external data length {} does not match the {} bytes its type "
                                              "and dims need", length, expected_bytes));
  std::filesystem::path full = std::filesystem::path(ctx.external_dir) / rel;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(full, ec))
    return tensorError(ctx, what, fmt::format("external data file '{}' does not exist or is not a file",
                                              full.string()));
  auto file_size = std::filesystem::file_size(full, ec);
  if (ec) return tensorError(ctx, what, fmt::format("cannot stat external data file '{}'", full.string()));
  if (offset > int64_t(file_size) || expected_bytes > int64_t(file_size) - offset)
    return tensorError(ctx, what, fmt::format("external data '{}' bytes [{}, {}) lie beyond its end ({} bytes)",
                                              location, offset, offset + expected_bytes, file_size));
  std::FILE* f = std::fopen(full.c_str(), "rb");
  if (!f) return tensorError(ctx, what, fmt::format("cannot open external data file '{}'", full.string()));
  std::vector<uint8_t> bytes(static_cast<size_t>(expected_bytes));
  bool ok = fseeko(f, off_t(offset), SEEK_SET) == 0 &&
            std::fread(bytes.data(), 1, bytes.size(), f) == bytes.size();
  std::fclose(f);
  if (!ok)
    return tensorError(ctx, what, fmt::format("short read of {} bytes at offset {} of external data file '{}'",
                                              expected_bytes, offset, full.string()));
  return bytes;
}

template <typename Dst, typename Src, typename Convert>
std::vector<uint8_t> convertTyped(const Src& src, Convert convert) {
  std::vector<uint8_t> out(size_t(src.size()) * sizeof(Dst));
  Dst* dst = reinterpret_cast<Dst*>(out.data());
  for (int i = 0; i < src.size(); ++i) dst[i] = convert(src.Get(i));
  return out;
}

// Contents from the typed field ONNX uses for the type; an error when its
// value count does not match the dims.
StatusOr<std::vector<uint8_t>> typedBytes(const onnx::TensorProto& t, DType dtype, int64_t n,
                                          const std::string& what, const ProtoContext& ctx) {
  auto check = [&](int64_t count, const char* field) -> Status {
    if (count == n) return OkStatus();
    return tensorError(ctx, what, fmt::format("has {} values in {} but its dims need {}", count, field, n));
  };
  switch (dtype) {
    case DType::kFloat32:
      GS_RETURN_IF_ERROR(check(t.float_data_size(), "float_data"));
      return convertTyped<float>(t.float_data(), [](float v) { return v; });
    case DType::kFloat64:
      GS_RETURN_IF_ERROR(check(t.double_data_size(), "double_data"));
      return convertTyped<double>(t.double_data(), [](double v) { return v; });
    case DType::kInt64:
      GS_RETURN_IF_ERROR(check(t.int64_data_size(), "int64_data"));
      return convertTyped<int64_t>(t.int64_data(), [](int64_t v) { return v; });
    case DType::kInt32:
      GS_RETURN_IF_ERROR(check(t.int32_data_size(), "int32_data"));
      return convertTyped<int32_t>(t.int32_data(), [](int32_t v) { return v; });
    case DType::kInt8:
      GS_RETURN_IF_ERROR(check(t.int32_data_size(), "int32_data"));
      return convertTyped<int8_t>(t.int32_data(), [](int32_t v) { return int8_t(v); });
    case DType::kUInt8:
      GS_RETURN_IF_ERROR(check(t.int32_data_size(), "int32_data"));
      return convertTyped<uint8_t>(t.int32_data(), [](int32_t v) { return uint8_t(v); });
    case DType::kBool:
      GS_RETURN_IF_ERROR(check(t.int32_data_size(), "int32_data"));
      return convertTyped<uint8_t>(t.int32_data(), [](int32_t v) { return uint8_t(v != 0); });
    case DType::kFloat16:
    case DType::kBFloat16:  // the 16-bit patterns, one per int32 (ONNX's layout)
      GS_RETURN_IF_ERROR(check(t.int32_data_size(), "int32_data"));
      return convertTyped<uint16_t>(t.int32_data(), [](int32_t v) { return uint16_t(uint32_t(v) & 0xFFFFu); });
  }
  return tensorError(ctx, what, "unhandled element type");
}

}  // namespace

std::string onnxTypeName(int32_t data_type) {
  if (onnx::TensorProto_DataType_IsValid(data_type)) {
    const std::string& name = onnx::TensorProto_DataType_Name(onnx::TensorProto_DataType(data_type));
    if (!name.empty()) return name;
  }
  return fmt::format("type #{}", data_type);
}

StatusOr<int64_t> checkedElements(std::span<const int64_t> dims, size_t elem_size, const std::string& what,
                                  const ProtoContext& ctx) {
  int64_t n = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0) return tensorError(ctx, what, fmt::format("dim {} is negative ({})", i, dims[i]));
    if (__builtin_mul_overflow(n, dims[i], &n))
      return tensorError(ctx, what, fmt::format("element count overflows at dim {} ({})", i, dims[i]));
  }
  int64_t bytes = 0;
  if (__builtin_mul_overflow(n, int64_t(elem_size), &bytes) || bytes > ctx.max_tensor_bytes)
    return tensorError(ctx, what, fmt::format("{} elements of {} bytes exceed the {}-byte tensor limit", n,
                                              elem_size, ctx.max_tensor_bytes));
  return n;
}

StatusOr<HostTensor> tensorFromProto(const onnx::TensorProto& t, const std::string& what, const ProtoContext& ctx) {
  std::optional<DType> dtype = dtypeFromOnnx(t.data_type());
  if (!dtype)
    return tensorError(ctx, what, fmt::format("element type {} is not supported by the engine",
                                              onnxTypeName(t.data_type())));
  if (t.has_segment()) return tensorError(ctx, what, "segmented tensors are not supported");
  std::span<const int64_t> dims(t.dims().data(), size_t(t.dims_size()));
  GS_ASSIGN_OR_RETURN(int64_t n, checkedElements(dims, dtypeSize(*dtype), what, ctx));
  int64_t expected_bytes = n * int64_t(dtypeSize(*dtype));
  Shape shape(dims.begin(), dims.end());

  std::vector<uint8_t> bytes;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    GS_ASSIGN_OR_RETURN(bytes, readExternal(t, expected_bytes, what, ctx));
  } else if (t.has_raw_data()) {
    if (int64_t(t.raw_data().size()) != expected_bytes)
      return tensorError(ctx, what, fmt::format("raw_data has {} bytes but {} {} of {} need {}",
                                                t.raw_data().size(), shapeText(shape), dtypeName(*dtype),
                                                n == 1 ? "element" : "elements", expected_bytes));
    bytes.assign(t.raw_data().begin(), t.raw_data().end());
  } else {
    GS_ASSIGN_OR_RETURN(bytes, typedBytes(t, *dtype, n, what, ctx));
  }
  if (*dtype == DType::kBool)  // any nonzero byte is true; the engine relies on 0/1
    for (uint8_t& b : bytes) b = b != 0;
  return HostTensor(*dtype, std::move(shape), std::move(bytes));
}

}  // namespace gpuscope::engine::onnx_detail
