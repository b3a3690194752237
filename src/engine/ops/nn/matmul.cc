// MatMul (numpy semantics: batch dims broadcast, 1-D operands promoted and
// the added dim removed) and Gemm (alpha * A' B' + beta * C, C broadcast to
// MxN). fp32 accumulation in i-k-j order over float buffers.
#include <fmt/format.h>

#include "engine/ops/nn/nn_ops.h"
#include "engine/ops/shape/op_util.h"

namespace gpuscope::engine::nn_ops {
namespace {

struct MatMulDims {
  Shape out;        // final output shape
  Shape batch;      // broadcast batch dims
  Shape a_batch, b_batch;
  int64_t m, k, n;
};

StatusOr<MatMulDims> matmulDims(const std::string& where, Shape a, Shape b) {
  if (a.empty() || b.empty()) return InvalidInput(where + ": MatMul operands must have rank >= 1");
  bool a_vec = a.size() == 1, b_vec = b.size() == 1;
  if (a_vec) a.insert(a.begin(), 1);
  if (b_vec) b.push_back(1);
  MatMulDims d;
  d.m = a[a.size() - 2];
  d.k = a[a.size() - 1];
  d.n = b[b.size() - 1];
  if (b[b.size() - 2] != d.k)
    return InvalidInput(fmt::format("{}: inner dims differ: A {} has K = {}, B {} has K = {}", where, shapeText(a),
                                    d.k, shapeText(b), b[b.size() - 2]));
  d.a_batch.assign(a.begin(), a.end() - 2);
  d.b_batch.assign(b.begin(), b.end() - 2);
  GS_ASSIGN_OR_RETURN(d.batch, opu::broadcastShapes(where, d.a_batch, d.b_batch));
  d.out = d.batch;
  if (!a_vec) d.out.push_back(d.m);
  if (!b_vec) d.out.push_back(d.n);
  return d;
}

Status inferMatMul(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 2, 2));
  GS_RETURN_IF_ERROR(opu::checkFloat(ctx, 0));
  if (ctx.inputs[0]->dtype != ctx.inputs[1]->dtype)
    return InvalidInput(fmt::format("{}: A is {} but B is {}", ctx.where(), dtypeName(ctx.inputs[0]->dtype),
                                    dtypeName(ctx.inputs[1]->dtype)));
  GS_ASSIGN_OR_RETURN(MatMulDims d, matmulDims(ctx.where(), ctx.inputs[0]->shape, ctx.inputs[1]->shape));
  outs = opu::one(ctx.inputs[0]->dtype, d.out);
  return OkStatus();
}

// c[m x n] += a[m x k] * b[k x n], i-k-j order.
void gemmAcc(const float* a, const float* b, float* c, int64_t m, int64_t k, int64_t n) {
  for (int64_t i = 0; i < m; ++i) {
    float* crow = c + i * n;
    for (int64_t p = 0; p < k; ++p) {
      float av = a[i * k + p];
      const float* brow = b + p * n;
      for (int64_t j = 0; j < n; ++j) crow[j] += av * brow[j];
    }
  }
}

Status cpuMatMul(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  GS_ASSIGN_OR_RETURN(MatMulDims d, matmulDims(opu::where(node), in[0]->shape(), in[1]->shape()));
  std::vector<float> a = opu::loadFloats(*in[0]);
  std::vector<float> b = opu::loadFloats(*in[1]);
  int64_t batches = shapeElements(d.batch);
  std::vector<float> c(size_t(batches * d.m * d.n), 0.0f);
  // Batch index -> offsets in A and B through broadcast strides (in matrices).
  std::vector<int64_t> as = opu::broadcastStrides(d.a_batch, d.batch);
  std::vector<int64_t> bs = opu::broadcastStrides(d.b_batch, d.batch);
  std::vector<int64_t> pos(d.batch.size(), 0);
  for (int64_t t = 0; t < batches; ++t) {
    int64_t ai = 0, bi = 0;
    for (size_t q = 0; q < pos.size(); ++q) {
      ai += pos[q] * as[q];
      bi += pos[q] * bs[q];
    }
    gemmAcc(a.data() + ai * d.m * d.k, b.data() + bi * d.k * d.n, c.data() + t * d.m * d.n, d.m, d.k, d.n);
    for (int64_t q = int64_t(pos.size()) - 1; q >= 0; --q) {
      if (++pos[size_t(q)] < d.batch[size_t(q)]) break;
      pos[size_t(q)] = 0;
    }
  }
  opu::storeFloats(out[0], c);
  return OkStatus();
}

Status inferGemm(const InferContext& ctx, std::vector<TensorDesc>& outs) {
  GS_RETURN_IF_ERROR(opu::checkInputs(ctx, 2, 3));
  GS_RETURN_IF_ERROR(opu::checkFloat(ctx, 0));
  for (size_t i = 1; i < ctx.inputCount(); ++i)
    if (ctx.hasInput(i) && ctx.inputs[i]->dtype != ctx.inputs[0]->dtype)
      return InvalidInput(fmt::format("{}: input {} is {} but A is {}", ctx.where(), i,
                                      dtypeName(ctx.inputs[i]->dtype), dtypeName(ctx.inputs[0]->dtype)));
  const Shape& a = ctx.inputs[0]->shape;
  const Shape& b = ctx.inputs[1]->shape;
  if (a.size() != 2 || b.size() != 2)
    return InvalidInput(fmt::format("{}: A {} and B {} must be 2-D", ctx.where(), shapeText(a), shapeText(b)));
  bool ta = ctx.node.attrs.getInt("transA", 0) != 0, tb = ctx.node.attrs.getInt("transB", 0) != 0;
  int64_t m = ta ? a[1] : a[0], k = ta ? a[0] : a[1];
  int64_t kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
  if (k != kb)
    return InvalidInput(fmt::format("{}: A {} (transA={}) and B {} (transB={}) disagree on K: {} vs {}",
                                    ctx.where(), shapeText(a), int(ta), shapeText(b), int(tb), k, kb));
  if (ctx.hasInput(2)) {
    GS_ASSIGN_OR_RETURN(Shape s, opu::broadcastShapes(ctx.where(), ctx.inputs[2]->shape, {m, n}));
    if (s != Shape{m, n})
      return InvalidInput(fmt::format("{}: C {} does not broadcast to {}x{}", ctx.where(),
                                      shapeText(ctx.inputs[2]->shape), m, n));
  }
  outs = opu::one(ctx.inputs[0]->dtype, {m, n});
  return OkStatus();
}

// Row-major copy of a 2-D matrix, transposed when asked.
std::vector<float> maybeTransposed(const HostTensor& t, bool trans) {
  std::vector<float> v = opu::loadFloats(t);
  if (!trans) return v;
  int64_t r = t.shape()[0], c = t.shape()[1];
  std::vector<float> o(v.size());
  for (int64_t i = 0; i < r; ++i)
    for (int64_t j = 0; j < c; ++j) o[size_t(j * r + i)] = v[size_t(i * c + j)];
  return o;
}

Status cpuGemm(const Node& node, std::span<const HostTensor* const> in, std::span<HostTensor> out) {
  bool ta = node.attrs.getInt("transA", 0) != 0, tb = node.attrs.getInt("transB", 0) != 0;
  float alpha = node.attrs.getFloat("alpha", 1.0f), beta = node.attrs.getFloat("beta", 1.0f);
  int64_t m = out[0].shape()[0], n = out[0].shape()[1];
  int64_t k = ta ? in[0]->shape()[0] : in[0]->shape()[1];
  std::vector<float> a = maybeTransposed(*in[0], ta);
  std::vector<float> b = maybeTransposed(*in[1], tb);
  std::vector<float> c(size_t(m * n), 0.0f);
  gemmAcc(a.data(), b.data(), c.data(), m, k, n);
  for (float& v : c) v *= alpha;
  if (opu::hasIn(in, 2)) {
    std::vector<float> bias = opu::loadFloats(opu::broadcastTo(*in[2], {m, n}));
    for (size_t i = 0; i < c.size(); ++i) c[i] += beta * bias[i];
  }
  opu::storeFloats(out[0], c);
  return OkStatus();
}

}  // namespace

void addMatMul(OpRegistry& r) {
  r.add({"MatMul", inferMatMul, cpuMatMul});
  r.add({"Gemm", inferGemm, cpuGemm});
}

}  // namespace gpuscope::engine::nn_ops
