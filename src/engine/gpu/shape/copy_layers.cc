// Transpose, Slice, Expand, Tile, Concat, Split and Pad as planned strided
// copies (strided_copy.h): the node's constant parameters (perm, starts,
// repeats, pads...) are read once at construction; enqueue launches one copy
// per input/output pair (Pad first fills its output with the constant).
#include <fmt/format.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <cstring>

#include "engine/gpu/cuda_check.h"
#include "engine/gpu/nn/layer_base.h"
#include "engine/gpu/shape/shape_layers.h"
#include "engine/gpu/shape/strided_copy.h"

namespace gpuscope::engine::gpu {
namespace {

struct CopyStep {
  size_t input = 0, output = 0;
  StridedCopy copy;
};

class CopyLayer : public SingleTacticLayer {
 public:
  CopyLayer(std::string where, std::string tactic, std::string_view layer_type, std::string_view parameter_type,
            std::vector<CopyStep> steps)
      : SingleTacticLayer(std::move(where), std::move(tactic), layer_type, parameter_type), steps_(std::move(steps)) {}

  // Pad: output 0 is filled with `bits` before the copies.
  void setFill(int64_t count, int elem_size, uint64_t bits) {
    fill_count_ = count;
    fill_elem_ = elem_size;
    fill_bits_ = bits;
  }

  Status enqueue(const LayerBindings& b, void* stream) override {
    auto s = static_cast<cudaStream_t>(stream);
    if (fill_count_ > 0) GS_CUDA_CHECK(launchFill(b.outputs[0], fill_count_, fill_elem_, fill_bits_, s), where_);
    for (const CopyStep& step : steps_) {
      if (step.input >= b.inputs.size() || step.output >= b.outputs.size())
        return InternalError(where_ + ": bindings have fewer inputs/outputs than the node");
      GS_CUDA_CHECK(step.copy.launch(b.inputs[step.input], b.outputs[step.output], s), where_);
    }
    return OkStatus();
  }

 private:
  std::vector<CopyStep> steps_;
  int64_t fill_count_ = 0;
  int fill_elem_ = 0;
  uint64_t fill_bits_ = 0;
};

std::string tacticName(std::string_view base, const std::vector<CopyStep>& steps) {
  std::string kinds;
  for (const CopyStep& s : steps) {
    std::string k = s.copy.kernelKind();
    if (kinds.find(k) == std::string::npos) kinds += (kinds.empty() ? "" : "+") + k;
  }
  return fmt::format("gpuscope_{}_{}", base, kinds.empty() ? "memcpy" : kinds);
}

LayerOr finish(const NodeView& v, std::string_view base, std::string_view layer_type, std::string_view param_type,
               std::vector<CopyStep> steps) {
  std::string name = tacticName(base, steps);
  return wrap(std::make_unique<CopyLayer>(v.where, std::move(name), layer_type, param_type, std::move(steps)));
}

// A layer made of one strided copy from input 0 to output 0.
LayerOr finish(const NodeView& v, std::string_view base, std::string_view layer_type, std::string_view param_type,
               StridedCopy copy) {
  std::vector<CopyStep> steps;
  steps.push_back({0, 0, std::move(copy)});
  return finish(v, base, layer_type, param_type, std::move(steps));
}

Status checkSameDtype(const NodeView& v, size_t in, size_t out) {
  GS_RETURN_IF_ERROR(v.requireKnown(v.in(in), "input"));
  GS_RETURN_IF_ERROR(v.requireKnown(v.out(out), "output"));
  if (v.in(in).dtype != v.out(out).dtype)
    return v.invalid(fmt::format("input dtype {} differs from output dtype {}", dtypeName(v.in(in).dtype),
                                 dtypeName(v.out(out).dtype)));
  return OkStatus();
}

}  // namespace

LayerOr makeTransposeLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  GS_RETURN_IF_ERROR(v.requireInput(0, "data"));
  GS_RETURN_IF_ERROR(checkSameDtype(v, 0, 0));
  const Shape& in = v.in(0).shape;
  int64_t rank = int64_t(in.size());
  std::vector<int64_t> perm = v.attrs().getInts("perm");
  if (perm.empty())
    for (int64_t k = rank - 1; k >= 0; --k) perm.push_back(k);
  if (int64_t(perm.size()) != rank) return v.invalid(fmt::format("perm has {} entries for rank {}", perm.size(), rank));
  std::vector<int64_t> in_strides = contiguousStrides(in), src(perm.size()), shape(perm.size());
  std::vector<bool> seen(size_t(rank), false);
  for (size_t k = 0; k < perm.size(); ++k) {
    int64_t p = perm[k] < 0 ? perm[k] + rank : perm[k];
    if (p < 0 || p >= rank || seen[size_t(p)]) return v.invalid(fmt::format("perm {} is not a permutation", fmt::join(perm, ",")));
    seen[size_t(p)] = true;
    src[k] = in_strides[size_t(p)];
    shape[k] = in[size_t(p)];
  }
  if (shape != v.out(0).shape)
    return v.invalid(fmt::format("output shape {} does not match the permuted input {}", shapeText(v.out(0).shape), shapeText(shape)));
  int es = int(dtypeSize(v.in(0).dtype));
  GS_ASSIGN_OR_RETURN(StridedCopy c, StridedCopy::make(shape, src, contiguousStrides(shape), 0, 0, es, v.where));
  return finish(v, "transpose", "Shuffle", "Shuffle", std::move(c));
}

LayerOr makeSliceLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  GS_RETURN_IF_ERROR(v.requireInput(0, "data"));
  GS_RETURN_IF_ERROR(checkSameDtype(v, 0, 0));
  const Shape& in = v.in(0).shape;
  const int64_t rank = int64_t(in.size());
  std::vector<int64_t> starts, ends, axes, steps_v;
  if (v.hasInput(1)) {  // opset >= 10: inputs
    GS_ASSIGN_OR_RETURN(starts, v.constInts(1, "starts"));
    GS_ASSIGN_OR_RETURN(ends, v.constInts(2, "ends"));
    GS_ASSIGN_OR_RETURN(axes, v.constInts(3, "axes"));
    GS_ASSIGN_OR_RETURN(steps_v, v.constInts(4, "steps"));
  } else {
    starts = v.attrs().getInts("starts");
    ends = v.attrs().getInts("ends");
    axes = v.attrs().getInts("axes");
  }
  if (starts.size() != ends.size()) return v.invalid("starts and ends differ in length");
  if (axes.empty())
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(int64_t(k));
  if (steps_v.empty()) steps_v.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps_v.size() != starts.size())
    return v.invalid("starts, ends, axes and steps differ in length");
  std::vector<int64_t> begin(size_t(rank), 0), step(size_t(rank), 1), shape = in;
  for (size_t i = 0; i < starts.size(); ++i) {
    GS_ASSIGN_OR_RETURN(int64_t a, normalizeAxis(v, axes[i], rank));
    int64_t dim = in[size_t(a)], st = steps_v[i];
    if (st == 0) return v.invalid("slice step 0");
    int64_t s = starts[i], e = ends[i];
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    int64_t len;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      len = e > s ? (e - s + st - 1) / st : 0;
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      len = s > e ? (s - e + (-st) - 1) / (-st) : 0;
    }
    begin[size_t(a)] = s;
    step[size_t(a)] = st;
    shape[size_t(a)] = len;
  }
  if (shape != v.out(0).shape)
    return v.invalid(fmt::format("computed slice shape {} differs from the inferred {}", shapeText(shape), shapeText(v.out(0).shape)));
  std::vector<int64_t> in_strides = contiguousStrides(in);
  std::vector<int64_t> src(static_cast<size_t>(rank));
  int64_t offset = 0;
  for (size_t k = 0; k < size_t(rank); ++k) {
    src[k] = in_strides[k] * step[k];
    if (shape[k] > 0) offset += begin[k] * in_strides[k];
  }
  int es = int(dtypeSize(v.in(0).dtype));
  GS_ASSIGN_OR_RETURN(StridedCopy c, StridedCopy::make(shape, src, contiguousStrides(shape), offset, 0, es, v.where));
  return finish(v, "slice", "Slice", "Slice", std::move(c));
}

LayerOr makeExpandLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  GS_RETURN_IF_ERROR(v.requireInput(0, "input"));
  GS_RETURN_IF_ERROR(checkSameDtype(v, 0, 0));
  const Shape& out = v.out(0).shape;
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> src, broadcastStrides(v, v.in(0).shape, out));
  int es = int(dtypeSize(v.in(0).dtype));
  GS_ASSIGN_OR_RETURN(StridedCopy c, StridedCopy::make(out, src, contiguousStrides(out), 0, 0, es, v.where));
  return finish(v, "expand", "Slice", "Slice", std::move(c));
}

LayerOr makeTileLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  GS_RETURN_IF_ERROR(v.requireInput(0, "input"));
  GS_RETURN_IF_ERROR(checkSameDtype(v, 0, 0));
  GS_ASSIGN_OR_RETURN(std::vector<int64_t> repeats, v.constInts(1, "repeats"));
  const Shape& in = v.in(0).shape;
  const Shape& out = v.out(0).shape;
  if (repeats.size() != in.size() || out.size() != in.size())
    return v.invalid(fmt::format("repeats has {} entries for rank {}", repeats.size(), in.size()));
  std::vector<int64_t> in_strides = contiguousStrides(in), out_strides = contiguousStrides(out);
  std::vector<int64_t> shape, src, dst;
  for (size_t k = 0; k < in.size(); ++k) {
    if (repeats[k] < 0 || in[k] * repeats[k] != out[k]) return v.invalid("repeats do not match the output shape");
    shape.push_back(repeats[k]);  // which copy
    src.push_back(0);
    dst.push_back(in[k] * out_strides[k]);
    shape.push_back(in[k]);  // position inside the copy
    src.push_back(in_strides[k]);
    dst.push_back(out_strides[k]);
  }
  int es = int(dtypeSize(v.in(0).dtype));
  GS_ASSIGN_OR_RETURN(StridedCopy c, StridedCopy::make(shape, src, dst, 0, 0, es, v.where));
  return finish(v, "tile", "Slice", "Slice", std::move(c));
}

LayerOr makeConcatLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  const Shape& out = v.out(0).shape;
  GS_RETURN_IF_ERROR(v.requireKnown(v.out(0), "output"));
  GS_ASSIGN_OR_RETURN(int64_t axis, normalizeAxis(v, v.attrs().getInt("axis", 0), int64_t(out.size())));
  std::vector<int64_t> out_strides = contiguousStrides(out);
  std::vector<CopyStep> steps;
  int64_t at = 0;
  for (size_t i = 0; i < v.inputCount(); ++i) {
    GS_RETURN_IF_ERROR(v.requireInput(i, "input"));
    GS_RETURN_IF_ERROR(checkSameDtype(v, i, 0));
    const Shape& in = v.in(i).shape;
    if (in.size() != out.size()) return v.invalid(fmt::format("input {} has rank {}, output {}", i, in.size(), out.size()));
    int es = int(dtypeSize(v.in(i).dtype));
    GS_ASSIGN_OR_RETURN(StridedCopy c, StridedCopy::make(in, contiguousStrides(in), out_strides, 0,
                                                         at * out_strides[size_t(axis)], es, v.where));
    steps.push_back({i, 0, std::move(c)});
    at += in[size_t(axis)];
  }
  if (at != out[size_t(axis)]) return v.invalid("input sizes along the axis do not sum to the output's");
  return finish(v, "concat", "Concatenation", "Concatenation", std::move(steps));
}

LayerOr makeSplitLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  GS_RETURN_IF_ERROR(v.requireInput(0, "input"));
  const Shape& in = v.in(0).shape;
  GS_RETURN_IF_ERROR(v.requireKnown(v.in(0), "input"));
  GS_ASSIGN_OR_RETURN(int64_t axis, normalizeAxis(v, v.attrs().getInt("axis", 0), int64_t(in.size())));
  std::vector<int64_t> in_strides = contiguousStrides(in);
  std::vector<CopyStep> steps;
  int64_t at = 0;
  // The split sizes are the outputs' (inferred) extents along the axis.
  for (size_t o = 0; o < v.node.outputs.size(); ++o) {
    if (!v.hasOutput(o)) return v.invalid(fmt::format("output {} is omitted", o));
    GS_RETURN_IF_ERROR(checkSameDtype(v, 0, o));
    const Shape& out = v.out(o).shape;
    if (out.size() != in.size()) return v.invalid(fmt::format("output {} has rank {}, input {}", o, out.size(), in.size()));
    int es = int(dtypeSize(v.in(0).dtype));
    GS_ASSIGN_OR_RETURN(StridedCopy c, StridedCopy::make(out, in_strides, contiguousStrides(out),
                                                         at * in_strides[size_t(axis)], 0, es, v.where));
    steps.push_back({0, o, std::move(c)});
    at += out[size_t(axis)];
  }
  if (at != in[size_t(axis)]) return v.invalid("output sizes along the axis do not sum to the input's");
  return finish(v, "split", "Slice", "Slice", std::move(steps));
}

namespace {

// Bit pattern of `value` in dtype `t` (Pad's constant).
StatusOr<uint64_t> valueBits(const NodeView& v, DType t, double value) {
  uint64_t bits = 0;
  switch (t) {
    case DType::kFloat32: { float f = float(value); std::memcpy(&bits, &f, 4); break; }
    case DType::kFloat16: bits = floatToHalf(float(value)); break;
    case DType::kBFloat16: bits = floatToBf16(float(value)); break;
    case DType::kFloat64: std::memcpy(&bits, &value, 8); break;
    case DType::kInt64: { int64_t i = int64_t(value); std::memcpy(&bits, &i, 8); break; }
    case DType::kInt32: { int32_t i = int32_t(value); std::memcpy(&bits, &i, 4); break; }
    case DType::kInt8: { int8_t i = int8_t(value); std::memcpy(&bits, &i, 1); break; }
    case DType::kUInt8: bits = uint8_t(value); break;
    case DType::kBool: bits = value != 0 ? 1 : 0; break;
    default: return v.invalid("unsupported pad dtype");
  }
  return bits;
}

}  // namespace

LayerOr makePadLayer(const GpuLayerArgs& args) {
  NodeView v(args.graph, args.node);
  GS_RETURN_IF_ERROR(v.requireInput(0, "data"));
  GS_RETURN_IF_ERROR(checkSameDtype(v, 0, 0));
  std::string mode = v.attrs().getString("mode", "constant");
  if (mode != "constant") return v.invalid(fmt::format("pad mode '{}' is not supported on the GPU (constant only)", mode));
  const Shape& in = v.in(0).shape;
  const Shape& out = v.out(0).shape;
  const int64_t rank = int64_t(in.size());
  std::vector<int64_t> pads;
  double value = 0;
  if (v.hasInput(1)) {
    GS_ASSIGN_OR_RETURN(pads, v.constInts(1, "pads"));
    if (v.hasInput(2)) {
      const HostTensor* c = v.constant(2);
      if (!c) return v.invalid("input 2 (constant_value) must be a constant");
      if (c->elements() >= 1) value = c->getDouble(0);
    }
  } else {
    pads = v.attrs().getInts("pads");
    value = v.attrs().getFloat("value", 0.f);
  }
  std::vector<int64_t> axes;
  GS_ASSIGN_OR_RETURN(axes, v.constInts(3, "axes"));
  if (axes.empty())
    for (int64_t k = 0; k < rank; ++k) axes.push_back(k);
  if (pads.size() != 2 * axes.size()) return v.invalid(fmt::format("pads has {} entries for {} axes", pads.size(), axes.size()));
  std::vector<int64_t> before(size_t(rank), 0), after(size_t(rank), 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    GS_ASSIGN_OR_RETURN(int64_t a, normalizeAxis(v, axes[i], rank));
    before[size_t(a)] = pads[i];
    after[size_t(a)] = pads[i + axes.size()];
  }
  std::vector<int64_t> in_strides = contiguousStrides(in), out_strides = contiguousStrides(out);
  std::vector<int64_t> region(static_cast<size_t>(rank));
  int64_t src_off = 0, dst_off = 0;
  for (size_t k = 0; k < size_t(rank); ++k) {
    if (in[k] + before[k] + after[k] != out[k]) return v.invalid("pads do not match the output shape");
    int64_t in_start = std::max<int64_t>(0, -before[k]), out_start = std::max<int64_t>(0, before[k]);
    region[k] = std::max<int64_t>(0, in[k] - in_start - std::max<int64_t>(0, -after[k]));
    src_off += in_start * in_strides[k];
    dst_off += out_start * out_strides[k];
  }
  int es = int(dtypeSize(v.in(0).dtype));
  GS_ASSIGN_OR_RETURN(uint64_t bits, valueBits(v, v.in(0).dtype, value));
  GS_ASSIGN_OR_RETURN(StridedCopy c, StridedCopy::make(region, in_strides, out_strides, src_off, dst_off, es, v.where));
  std::vector<CopyStep> steps;
  steps.push_back({0, 0, std::move(c)});
  std::string name = tacticName("pad", steps);
  auto layer = std::make_unique<CopyLayer>(v.where, std::move(name), "Padding", "Padding", std::move(steps));
  layer->setFill(shapeElements(out), es, bits);
  return wrap(std::move(layer));
}

}  // namespace gpuscope::engine::gpu
