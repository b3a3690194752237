// StridedCopy's plan (dims merged, size-1 dims dropped, runs widened to
// 8/16-byte words, kernel choice) checked on the host, no GPU needed: the
// plan is executed by a host emulation of the kernels' index math and must
// reproduce a naive element-by-element copy for random transposes/slices.
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>
#include <random>

#include "engine/gpu/shape/strided_copy.h"
#include "engine/ir/tensor.h"

namespace gpuscope::engine::gpu {
namespace {

// What the kernels compute, on host bytes.
void emulate(const StridedCopy& c, const std::vector<uint8_t>& src, std::vector<uint8_t>& dst) {
  const CopyParams& p = c.params();
  const int w = c.wordSize();
  if (std::string(c.kernelKind()) == "memcpy") {
    std::memcpy(dst.data() + p.dst_offset * w, src.data() + p.src_offset * w, size_t(p.count) * size_t(w));
    return;
  }
  for (int64_t i = 0; i < p.count; ++i) {
    int64_t rem = i, s = p.src_offset, d = p.dst_offset;
    for (int k = p.rank - 1; k >= 0; --k) {
      int64_t idx = rem % p.shape[k];
      rem /= p.shape[k];
      s += idx * p.src_stride[k];
      d += idx * p.dst_stride[k];
    }
    std::memcpy(dst.data() + d * w, src.data() + s * w, size_t(w));
  }
}

TEST(StridedCopyPlan, RandomTransposesAndSlicesMatchNaiveCopy) {
  std::mt19937 rng(5);
  for (int iter = 0; iter < 400; ++iter) {
    const int rank = 1 + int(rng() % 5);
    const int es = 1 << (rng() % 4);  // 1, 2, 4, 8 bytes
    Shape in(static_cast<size_t>(rank));
    for (auto& d : in) d = 1 + int64_t(rng() % 7);
    if (rng() % 3 == 0) in.back() = 8 * (1 + int64_t(rng() % 4));  // long contiguous runs
    std::vector<int64_t> perm(static_cast<size_t>(rank));
    std::iota(perm.begin(), perm.end(), 0);
    if (rng() % 2) std::shuffle(perm.begin(), perm.end(), rng);
    // optional slice with step on one axis (applied before the permutation)
    std::vector<int64_t> begin(static_cast<size_t>(rank), 0), step(static_cast<size_t>(rank), 1), len = in;
    int ax = int(rng() % size_t(rank));
    if (rng() % 2 && in[size_t(ax)] > 1) {
      begin[size_t(ax)] = int64_t(rng() % size_t(in[size_t(ax)]));
      step[size_t(ax)] = 1 + int64_t(rng() % 2);
      len[size_t(ax)] = (in[size_t(ax)] - begin[size_t(ax)] + step[size_t(ax)] - 1) / step[size_t(ax)];
    }
    std::vector<int64_t> in_strides = contiguousStrides(in), shape, src;
    int64_t offset = 0;
    for (int k = 0; k < rank; ++k) offset += begin[size_t(k)] * in_strides[size_t(k)];
    for (int k = 0; k < rank; ++k) {
      shape.push_back(len[size_t(perm[size_t(k)])]);
      src.push_back(in_strides[size_t(perm[size_t(k)])] * step[size_t(perm[size_t(k)])]);
    }
    auto plan = StridedCopy::make(shape, src, contiguousStrides(shape), offset, 0, es, "test");
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    std::vector<uint8_t> sbytes(size_t(shapeElements(in) * es));
    for (auto& b : sbytes) b = uint8_t(rng());
    const int64_t n = shapeElements(shape);
    std::vector<uint8_t> want(size_t(n * es)), got(size_t(n * es), 0xEE);
    std::vector<int64_t> dst_strides = contiguousStrides(shape);
    for (int64_t i = 0; i < n; ++i) {
      int64_t rem = i, s = offset;
      for (int k = rank - 1; k >= 0; --k) {
        s += (rem % shape[size_t(k)]) * src[size_t(k)];
        rem /= shape[size_t(k)];
      }
      std::memcpy(want.data() + i * es, sbytes.data() + s * es, size_t(es));
    }
    emulate(*plan, sbytes, got);
    ASSERT_EQ(got, want) << "iter " << iter << " shape " << shapeText(shape) << " es " << es << " kind "
                         << plan->kernelKind() << " word " << plan->wordSize();
  }
}

TEST(StridedCopyPlan, ChoosesMemcpyTiledAndWideWords) {
  // dense slice of the outer dim -> one memcpy
  auto a = StridedCopy::make({3, 8}, {8, 1}, {8, 1}, 16, 0, 4, "t");
  ASSERT_TRUE(a.ok());
  EXPECT_STREQ(a->kernelKind(), "memcpy");
  // 2-D transpose [64,48] -> tiled
  auto b = StridedCopy::make({48, 64}, {1, 48}, {64, 1}, 0, 0, 2, "t");
  ASSERT_TRUE(b.ok());
  EXPECT_STREQ(b->kernelKind(), "tiled_transpose");
  // BERT head split [B,S,H,D] -> [B,H,S,D], fp16 D=64: 16-byte words, D/8 per row
  Shape in = {2, 128, 12, 64};
  std::vector<int64_t> s = contiguousStrides(in);
  Shape out = {2, 12, 128, 64};
  auto c = StridedCopy::make(out, {s[0], s[2], s[1], s[3]}, contiguousStrides(out), 0, 0, 2, "t");
  ASSERT_TRUE(c.ok());
  EXPECT_STREQ(c->kernelKind(), "strided_copy");
  EXPECT_EQ(c->wordSize(), 16);
  EXPECT_EQ(c->params().rank, 4);
  EXPECT_EQ(c->params().shape[3], 8);
  EXPECT_EQ(c->params().count, 2 * 12 * 128 * 8);
  // size-1 dims vanish and contiguous dims merge
  auto d = StridedCopy::make({1, 4, 1, 5}, {0, 5, 0, 1}, {20, 5, 5, 1}, 0, 0, 4, "t");
  ASSERT_TRUE(d.ok());
  EXPECT_STREQ(d->kernelKind(), "memcpy");
  // too many dims after merging
  auto e = StridedCopy::make({2, 2, 2, 2, 2, 2, 2, 2, 2}, {1, 2, 4, 8, 16, 32, 64, 128, 256},
                             contiguousStrides({2, 2, 2, 2, 2, 2, 2, 2, 2}), 0, 0, 4, "node 'x' (Transpose)");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("node 'x' (Transpose)"), std::string::npos);
}

}  // namespace
}  // namespace gpuscope::engine::gpu
