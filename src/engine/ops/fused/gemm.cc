// gpuscope.Gemm: Y = act(alpha * (A @ B) + bias + R), numpy-matmul batching.
// The product is the ONNX MatMul reference op (ops/nn/) in fp32; alpha, bias,
// the residual R and the activation are the epilogue, rounded once to the
// output type (as cuBLASLt's epilogue with R as C, beta = 1).
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "engine/ops/fused/fused_defs.h"
#include "engine/ops/fused_ops.h"

namespace gpuscope::engine::fused {
namespace {

Status inferGemm(const InferContext& ctx, std::vector<TensorDesc>& outputs) {
  if (ctx.inputCount() < 2 || !ctx.hasInput(0) || !ctx.hasInput(1))
    return InvalidInput(fmt::format("{}: needs inputs A and B", ctx.where()));
  const TensorDesc& a = *ctx.inputs[0];
  const TensorDesc& b = *ctx.inputs[1];
  if (!isFloat(a.dtype) || !isFloat(b.dtype))
    return InvalidInput(fmt::format("{}: A and B must be float, got {} and {}", ctx.where(), dtypeName(a.dtype),
                                    dtypeName(b.dtype)));
  if (a.shape.size() < 2 || b.shape.size() < 2)
    return InvalidInput(fmt::format("{}: A {} and B {} must have rank >= 2", ctx.where(), shapeText(a.shape),
                                    shapeText(b.shape)));
  bool trans_b = ctx.node.attrs.getInt("trans_b", 0) != 0;
  int64_t m = a.shape[a.shape.size() - 2], k = a.shape.back();
  int64_t bk = trans_b ? b.shape.back() : b.shape[b.shape.size() - 2];
  int64_t n = trans_b ? b.shape[b.shape.size() - 2] : b.shape.back();
  if (k != bk)
    return InvalidInput(fmt::format("{}: A {} and B {} (trans_b={}) disagree on K", ctx.where(), shapeText(a.shape),
                                    shapeText(b.shape), int(trans_b)));
  // Batch dims broadcast right-aligned.
  size_t ba = a.shape.size() - 2, bb = b.shape.size() - 2, rank = std::max(ba, bb);
  Shape out(rank + 2);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i + ba >= rank ? a.shape[i + ba - rank] : 1;
    int64_t db = i + bb >= rank ? b.shape[i + bb - rank] : 1;
    if (da != db && da != 1 && db != 1)
      return InvalidInput(fmt::format("{}: batch dims of A {} and B {} do not broadcast", ctx.where(),
                                      shapeText(a.shape), shapeText(b.shape)));
    out[i] = da == 1 ? db : da;
  }
  out[rank] = m;
  out[rank + 1] = n;
  if (ctx.inputCount() > 4)
    return InvalidInput(fmt::format("{}: takes at most 4 inputs (A, B, bias, residual), got {}", ctx.where(),
                                    ctx.inputCount()));
  if (ctx.hasInput(2) && ctx.inputs[2]->shape != Shape{n})
    return InvalidInput(fmt::format("{}: bias must be [{}], got {}", ctx.where(), n, shapeText(ctx.inputs[2]->shape)));
  // The residual is read element for element with Y (cuBLASLt's C laid out
  // like D): no broadcasting, and the output's type.
  if (ctx.hasInput(3) && (ctx.inputs[3]->shape != out || ctx.inputs[3]->dtype != a.dtype))
    return InvalidInput(fmt::format("{}: residual must be {} {}, got {} {}", ctx.where(), dtypeName(a.dtype),
                                    shapeText(out), dtypeName(ctx.inputs[3]->dtype), shapeText(ctx.inputs[3]->shape)));
  GS_ASSIGN_OR_RETURN(Epilogue e, parseEpilogue(ctx.node.attrs, "Relu,Gelu,GeluTanh", ctx.where()));
  (void)e;
  outputs = {TensorDesc{a.dtype, out}};
  return OkStatus();
}

// Swaps the last two dims of an fp32 tensor.
HostTensor transposeLast2(const HostTensor& t) {
  Shape s = t.shape();
  int64_t r = s[s.size() - 2], c = s.back();
  std::swap(s[s.size() - 2], s.back());
  HostTensor out(DType::kFloat32, s);
  int64_t batches = r * c == 0 ? 0 : t.elements() / (r * c);
  const float* in = t.data<float>();
  float* o = out.data<float>();
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t i = 0; i < r; ++i)
      for (int64_t j = 0; j < c; ++j) o[b * r * c + j * r + i] = in[b * r * c + i * c + j];
  return out;
}

Status cpuGemm(const Node& node, std::span<const HostTensor* const> inputs, std::span<HostTensor> outputs) {
  std::string where = fmt::format("node '{}' ({})", node.name, node.op);
  const OpDef* matmul = OpRegistry::instance().find("MatMul");
  if (!matmul || !matmul->cpu)
    return InternalError(fmt::format("{}: the ONNX MatMul reference op is not registered", where));
  GS_ASSIGN_OR_RETURN(Epilogue e, parseEpilogue(node.attrs, "Relu,Gelu,GeluTanh", where));
  HostTensor a = inputs[0]->castTo(DType::kFloat32);
  HostTensor b = inputs[1]->castTo(DType::kFloat32);
  if (node.attrs.getInt("trans_b", 0) != 0) b = transposeLast2(b);
  Node plain;
  plain.op = "MatMul";
  plain.name = node.name;
  HostTensor& y = outputs[0];
  HostTensor acc(DType::kFloat32, y.shape());
  std::array<const HostTensor*, 2> mm_in = {&a, &b};
  GS_RETURN_IF_ERROR(matmul->cpu(plain, mm_in, std::span<HostTensor>(&acc, 1)));
  float alpha = node.attrs.getFloat("alpha", 1.f);
  const HostTensor* bias = inputs.size() > 2 ? inputs[2] : nullptr;
  std::vector<float> bias_f = bias ? bias->toFloats() : std::vector<float>{};
  const HostTensor* residual = inputs.size() > 3 ? inputs[3] : nullptr;
  std::vector<float> res_f = residual ? residual->toFloats() : std::vector<float>{};
  int64_t n = y.shape().back();
  const float* p = acc.data<float>();
  int64_t total = acc.elements();
  if (residual && int64_t(res_f.size()) != total)
    return InvalidInput(fmt::format("{}: residual has {} elements, the output {}", where, res_f.size(), total));
  for (int64_t i = 0; i < total; ++i) {
    float v = alpha * p[i];
    if (bias) v += bias_f[size_t(i % n)];
    if (residual) v += res_f[size_t(i)];
    y.setDouble(i, e.apply(v));
  }
  return OkStatus();
}

}  // namespace

OpDef gemmOpDef() { return OpDef{kGemm, inferGemm, cpuGemm, true}; }

}  // namespace gpuscope::engine::fused
