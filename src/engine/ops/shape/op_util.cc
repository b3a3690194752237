#include "engine/ops/shape/op_util.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace gpuscope::engine::opu {

std::string where(const Node& node) { return fmt::format("node '{}' ({})", node.name, node.op); }

StatusOr<int64_t> normAxis(const std::string& where, int64_t axis, int64_t rank, const char* what) {
  if (axis < -rank || axis >= rank || rank == 0)
    return InvalidInput(fmt::format("{}: {} {} is out of range for rank {}", where, what, axis, rank));
  return axis < 0 ? axis + rank : axis;
}

StatusOr<std::vector<int64_t>> normAxes(const std::string& where, std::vector<int64_t> axes, int64_t rank,
                                        const char* what) {
  std::vector<bool> seen(size_t(rank), false);
  for (int64_t& a : axes) {
    GS_ASSIGN_OR_RETURN(a, normAxis(where, a, rank, what));
    if (seen[size_t(a)]) return InvalidInput(fmt::format("{}: {} repeats axis {}", where, what, a));
    seen[size_t(a)] = true;
  }
  return axes;
}

StatusOr<Shape> broadcastShapes(const std::string& where, const Shape& a, const Shape& b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return InvalidInput(fmt::format("{}: shapes {} and {} do not broadcast (dim {}: {} vs {})", where,
                                      shapeText(a), shapeText(b), i, da, db));
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Status checkInputs(const InferContext& ctx, size_t min, size_t max) {
  if (ctx.inputCount() < min || ctx.inputCount() > max)
    return InvalidInput(fmt::format("{}: has {} inputs, expected {}..{}", ctx.where(), ctx.inputCount(), min, max));
  for (size_t i = 0; i < min; ++i)
    if (!ctx.hasInput(i)) return InvalidInput(fmt::format("{}: required input {} is missing", ctx.where(), i));
  return OkStatus();
}

Status checkFloat(const InferContext& ctx, size_t i) {
  if (!isFloat(ctx.inputs[i]->dtype))
    return InvalidInput(fmt::format("{}: input {} has type {}, expected a float type", ctx.where(), i,
                                    dtypeName(ctx.inputs[i]->dtype)));
  return OkStatus();
}

StatusOr<std::vector<int64_t>> constInts(const InferContext& ctx, size_t i, const char* what) {
  if (!ctx.hasInput(i)) return InvalidInput(fmt::format("{}: {} input is missing", ctx.where(), what));
  const HostTensor* c = ctx.constants[i];
  if (!c)
    return InvalidInput(fmt::format("{}: {} input must be a constant after shape binding", ctx.where(), what));
  if (isFloat(c->dtype()))
    return InvalidInput(fmt::format("{}: {} input has type {}, expected int64", ctx.where(), what,
                                    dtypeName(c->dtype())));
  return c->toInts();
}

StatusOr<std::optional<std::vector<int64_t>>> axesArg(const InferContext& ctx, size_t input_index,
                                                       const char* attr) {
  if (ctx.hasInput(input_index)) {
    GS_ASSIGN_OR_RETURN(std::vector<int64_t> axes, constInts(ctx, input_index, attr));
    return std::optional<std::vector<int64_t>>(std::move(axes));
  }
  if (ctx.node.attrs.has(attr)) return std::optional<std::vector<int64_t>>(ctx.node.attrs.getInts(attr));
  return std::optional<std::vector<int64_t>>();
}

std::optional<std::vector<int64_t>> axesArgCpu(const Node& node, std::span<const HostTensor* const> inputs,
                                               size_t input_index, const char* attr) {
  if (hasIn(inputs, input_index)) return inputs[input_index]->toInts();
  if (node.attrs.has(attr)) return node.attrs.getInts(attr);
  return std::nullopt;
}

namespace {

// 2-D strided copy in 32x32 tiles, so that a transposed source is read a
// cache line at a time instead of one miss per element.
template <typename T>
void copyTiled(const uint8_t* src, int64_t offset, int64_t rows, int64_t cols, int64_t rs, int64_t cs,
               uint8_t* dst) {
  constexpr int64_t kTile = 32;
  const T* s = reinterpret_cast<const T*>(src) + offset;
  T* d = reinterpret_cast<T*>(dst);
  for (int64_t r0 = 0; r0 < rows; r0 += kTile)
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      int64_t r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t c = c0; c < c1; ++c) d[r * cols + c] = s[r * rs + c * cs];
    }
}


bool copyTiledAny(size_t elem, const uint8_t* src, int64_t offset, int64_t rows, int64_t cols, int64_t rs,
                  int64_t cs, uint8_t* dst) {
  switch (elem) {
    case 1: copyTiled<uint8_t>(src, offset, rows, cols, rs, cs, dst); return true;
    case 2: copyTiled<uint16_t>(src, offset, rows, cols, rs, cs, dst); return true;
    case 4: copyTiled<uint32_t>(src, offset, rows, cols, rs, cs, dst); return true;
    case 8: copyTiled<uint64_t>(src, offset, rows, cols, rs, cs, dst); return true;
    default: return false;
  }
}

}  // namespace

void stridedCopy(const uint8_t* src, int64_t offset, std::span<const int64_t> src_strides, const Shape& out_shape,
                 size_t elem, uint8_t* dst) {
  int64_t total = shapeElements(out_shape);
  if (total <= 0) return;
  size_t rank = out_shape.size();
  if (rank == 0) {
    std::memcpy(dst, src + offset * int64_t(elem), elem);
    return;
  }
  int64_t inner = out_shape[rank - 1];
  int64_t inner_stride = src_strides[rank - 1];
  // Non-unit inner stride over a real 2-D block (a transpose): tiles over the
  // last two dims, outer dims walked by multi-index.
  bool tiled = rank >= 2 && inner_stride != 1 && inner_stride != 0 && inner >= 8 && out_shape[rank - 2] >= 8 &&
               (elem == 1 || elem == 2 || elem == 4 || elem == 8);
  if (tiled) {
    int64_t rows = out_shape[rank - 2];
    int64_t block = rows * inner;
    std::vector<int64_t> idx(rank - 2, 0);
    int64_t src_off = offset;
    for (int64_t done = 0; done < total; done += block) {
      copyTiledAny(elem, src, src_off, rows, inner, src_strides[rank - 2], inner_stride, dst);
      dst += size_t(block) * elem;
      for (int d = int(rank) - 3; d >= 0; --d) {
        src_off += src_strides[size_t(d)];
        if (++idx[size_t(d)] < out_shape[size_t(d)]) break;
        src_off -= src_strides[size_t(d)] * out_shape[size_t(d)];
        idx[size_t(d)] = 0;
      }
    }
    return;
  }
  // Walk rows of the innermost dim; a unit inner stride copies a whole run.
  std::vector<int64_t> idx(rank, 0);
  int64_t src_off = offset;
  for (int64_t done = 0; done < total; done += inner) {
    const uint8_t* s = src + src_off * int64_t(elem);
    if (inner_stride == 1) {
      std::memcpy(dst, s, size_t(inner) * elem);
      dst += size_t(inner) * elem;
    } else {
      for (int64_t i = 0; i < inner; ++i, dst += elem)
        std::memcpy(dst, s + i * inner_stride * int64_t(elem), elem);
    }
    // Advance the multi-index over the outer dims.
    for (int d = int(rank) - 2; d >= 0; --d) {
      src_off += src_strides[size_t(d)];
      if (++idx[size_t(d)] < out_shape[size_t(d)]) break;
      src_off -= src_strides[size_t(d)] * out_shape[size_t(d)];
      idx[size_t(d)] = 0;
    }
  }
}

std::vector<int64_t> broadcastStrides(const Shape& in, const Shape& out) {
  std::vector<int64_t> strides(out.size(), 0);
  std::vector<int64_t> in_strides = contiguousStrides(in);
  size_t lead = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) strides[lead + i] = in[i] == 1 ? 0 : in_strides[i];
  return strides;
}

HostTensor broadcastTo(const HostTensor& in, const Shape& out) {
  if (in.shape() == out) return in;
  HostTensor result(in.dtype(), out);
  std::vector<int64_t> strides = broadcastStrides(in.shape(), out);
  stridedCopy(in.raw(), 0, strides, out, dtypeSize(in.dtype()), result.raw());
  return result;
}

HostTensor transposed(const HostTensor& in, std::span<const int64_t> perm) {
  std::vector<int64_t> in_strides = contiguousStrides(in.shape());
  std::vector<int64_t> strides;
  for (int64_t p : perm) strides.push_back(in_strides[size_t(p)]);
  HostTensor result(in.dtype(), permuteShape(in.shape(), perm));
  stridedCopy(in.raw(), 0, strides, result.shape(), dtypeSize(in.dtype()), result.raw());
  return result;
}

bool isChannelsLast(const Node& node) { return node.attrs.getString("layout", "NCHW") == "NHWC"; }

std::vector<int64_t> toChannelsLastPerm(size_t rank) {
  std::vector<int64_t> p{0};
  for (size_t d = 2; d < rank; ++d) p.push_back(int64_t(d));
  p.push_back(1);
  return p;
}

std::vector<int64_t> toChannelsFirstPerm(size_t rank) {
  std::vector<int64_t> p{0, int64_t(rank) - 1};
  for (size_t d = 1; d + 1 < rank; ++d) p.push_back(int64_t(d));
  return p;
}

Shape permuteShape(const Shape& s, std::span<const int64_t> perm) {
  Shape out;
  for (int64_t p : perm) out.push_back(s[size_t(p)]);
  return out;
}

std::vector<float> loadFloats(const HostTensor& t) { return t.toFloats(); }

void storeFloats(HostTensor& out, std::span<const float> values) {
  size_t n = std::min(values.size(), size_t(out.elements()));
  switch (out.dtype()) {
    case DType::kFloat32: std::copy(values.begin(), values.begin() + n, out.data<float>()); break;
    case DType::kFloat16:
      for (size_t i = 0; i < n; ++i) out.data<uint16_t>()[i] = floatToHalf(values[i]);
      break;
    case DType::kBFloat16:
      for (size_t i = 0; i < n; ++i) out.data<uint16_t>()[i] = floatToBf16(values[i]);
      break;
    default:
      for (size_t i = 0; i < n; ++i) out.setDouble(int64_t(i), values[i]);
  }
}

}  // namespace gpuscope::engine::opu
