// The vectorised kernels of gpu/nn/vector_kernels.cu through the launchers of
// nn_kernels.h: which shapes and addresses take them (KernelPath::kVector
// answers cudaErrorNotSupported where they do not apply), results against
// references computed here in double from the stored inputs (fp32 1e-4,
// fp16/bf16 1e-2 of max |ref|), and a timing print of the scalar and the
// vectorised kernels at ViT-B/16 batch 256 shapes (no timing assertion).
#include <cuda_runtime.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <vector>

#include "engine/gpu/nn/nn_kernels.h"
#include "unit/engine_gpu/gpu_test_util.h"

namespace gpuscope::engine::gputest {
namespace {

using gpu::Act;
using gpu::KernelPath;

// Device copy of `t` starting `offset` bytes into its allocation (offset 2 or
// 4 gives a pointer that is not 16-byte aligned).
struct Placed {
  DeviceBuffer buf;
  size_t offset = 0;
  void* ptr() const { return static_cast<char*>(buf.get()) + offset; }
};
Placed place(const HostTensor& t, size_t offset) {
  Placed p{DeviceBuffer(t.byteSize() + offset + 16), offset};
  EXPECT_EQ(cudaMemcpy(p.ptr(), t.raw(), t.byteSize(), cudaMemcpyHostToDevice), cudaSuccess);
  return p;
}
HostTensor fetch(const Placed& p, const TensorDesc& d) {
  HostTensor t(d.dtype, d.shape);
  EXPECT_EQ(cudaMemcpy(t.raw(), p.ptr(), t.byteSize(), cudaMemcpyDeviceToHost), cudaSuccess);
  return t;
}

// y = (x - mean) / sqrt(var + eps) * scale + bias per row, two-pass in double.
HostTensor layerNormRef(const HostTensor& x, const HostTensor& scale, const HostTensor& bias, int64_t rows,
                        int64_t cols, double eps) {
  std::vector<float> xv = x.toFloats(), sv = scale.toFloats(), bv = bias.toFloats(), out(xv.size());
  for (int64_t r = 0; r < rows; ++r) {
    const float* p = xv.data() + r * cols;
    double mean = 0, var = 0;
    for (int64_t c = 0; c < cols; ++c) mean += p[c];
    mean /= double(cols);
    for (int64_t c = 0; c < cols; ++c) var += (p[c] - mean) * (p[c] - mean);
    const double inv = 1.0 / std::sqrt(var / double(cols) + eps);
    for (int64_t c = 0; c < cols; ++c) out[size_t(r * cols + c)] = float((p[c] - mean) * inv * sv[size_t(c)] + bv[size_t(c)]);
  }
  return HostTensor::fromFloats(DType::kFloat32, x.shape(), out);
}

double actRef(Act a, double v, double lo, double hi) {
  switch (a) {
    case Act::kRelu: return std::max(v, 0.0);
    case Act::kClip: return std::min(std::max(v, lo), hi);
    case Act::kSigmoid: return 1.0 / (1.0 + std::exp(-v));
    case Act::kTanh: return std::tanh(v);
    case Act::kGelu: return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0)));
    case Act::kGeluTanh: return 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / std::numbers::pi) * (v + 0.044715 * v * v * v)));
    default: return v;
  }
}

TEST(GpuVectorKernels, LayerNormTakesVectorKernelWhereItApplies) {
  GS_REQUIRE_GPU(env);
  auto stream = static_cast<cudaStream_t>(env->stream);
  std::mt19937 rng(21);
  struct Case { DType t; int64_t rows, cols; size_t offset; bool vector; };
  for (const Case& c : {Case{DType::kFloat16, 37, 768, 0, true}, Case{DType::kBFloat16, 301, 1024, 0, true},
                        Case{DType::kFloat32, 37, 4096, 0, true}, Case{DType::kFloat16, 300, 8, 0, true},
                        Case{DType::kFloat16, 37, 2056, 0, true},  // 96-thread rows
                        Case{DType::kFloat32, 5, 16384, 0, false},  // wider than the registers hold
                        Case{DType::kFloat16, 37, 100, 0, false},   // not a multiple of 8 halves
                        Case{DType::kFloat16, 37, 768, 2, false},   // x and y not 16-byte aligned
                        Case{DType::kFloat32, 37, 768, 4, false}}) {
    SCOPED_TRACE(fmt::format("{} {}x{} offset {}", dtypeName(c.t), c.rows, c.cols, c.offset));
    HostTensor x = randomTensor(c.t, {c.rows, c.cols}, rng, -3, 5);
    HostTensor s = randomTensor(c.t, {c.cols}, rng, 0.5, 1.5), b = randomTensor(c.t, {c.cols}, rng);
    Placed dx = place(x, c.offset), ds = place(s, 0), db = place(b, 0), dy = place(HostTensor(c.t, x.shape()), c.offset);
    cudaError_t e = gpu::launchLayerNorm(dx.ptr(), ds.ptr(), db.ptr(), dy.ptr(), nullptr, nullptr, c.t, c.t, c.rows,
                                         c.cols, 1e-5f, stream, KernelPath::kVector);
    EXPECT_EQ(e, c.vector ? cudaSuccess : cudaErrorNotSupported) << cudaGetErrorName(e);
    ASSERT_EQ(gpu::launchLayerNorm(dx.ptr(), ds.ptr(), db.ptr(), dy.ptr(), nullptr, nullptr, c.t, c.t, c.rows, c.cols,
                                   1e-5f, stream),
              cudaSuccess);
    ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
    Diff d = compareTensors(fetch(dy, x.desc()), layerNormRef(x, s, b, c.rows, c.cols, 1e-5));
    EXPECT_LE(d.rel, tolFor(c.t)) << d.text();
  }
}

struct ActCase {
  DType t;
  int64_t count, channels, inner;
  bool bias, z;
  Act act;
  size_t offset;  // of y (and z)
  bool vector;
};

void checkBiasAct(GpuEnv& env, const ActCase& c, std::mt19937& rng) {
  auto stream = static_cast<cudaStream_t>(env.stream);
  const float lo = -0.5f, hi = 0.75f;
  HostTensor y = randomTensor(c.t, {c.count}, rng, -4, 4), z = randomTensor(c.t, {c.count}, rng);
  HostTensor bias = randomTensor(c.t, {c.channels}, rng);
  Placed dy = place(y, c.offset), dz = place(z, c.offset), db = place(bias, 0);
  const void* bp = c.bias ? db.ptr() : nullptr;
  const void* zp = c.z ? dz.ptr() : nullptr;
  // kVector first: where it applies it has run, and the kAuto run below
  // starts again from fresh inputs either way.
  cudaError_t e = gpu::launchBiasAct(dy.ptr(), bp, zp, c.t, c.count, c.channels, c.inner, c.act, lo, hi, stream,
                                     KernelPath::kVector);
  EXPECT_EQ(e, c.vector ? cudaSuccess : cudaErrorNotSupported) << cudaGetErrorName(e);
  ASSERT_EQ(cudaMemcpy(dy.ptr(), y.raw(), y.byteSize(), cudaMemcpyHostToDevice), cudaSuccess);
  ASSERT_EQ(gpu::launchBiasAct(dy.ptr(), bp, zp, c.t, c.count, c.channels, c.inner, c.act, lo, hi, stream), cudaSuccess);
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  std::vector<float> yv = y.toFloats(), zv = z.toFloats(), bv = bias.toFloats(), want(yv.size());
  for (int64_t i = 0; i < c.count; ++i) {
    double v = yv[size_t(i)];
    if (c.bias) v += bv[size_t((i / c.inner) % c.channels)];
    if (c.z) v += zv[size_t(i)];
    want[size_t(i)] = float(actRef(c.act, v, lo, hi));
  }
  Diff d = compareTensors(fetch(dy, y.desc()), HostTensor::fromFloats(DType::kFloat32, y.shape(), want));
  EXPECT_LE(d.rel, tolFor(c.t)) << d.text();
}

TEST(GpuVectorKernels, GeluAfterGemm) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(22);
  const int64_t n = 3072;
  for (const ActCase& c : {
           ActCase{DType::kFloat16, 37 * n, n, 1, false, false, Act::kGelu, 0, true},   // gemm.cc's erf-GELU pass
           ActCase{DType::kFloat16, 37 * n, n, 1, true, false, Act::kGelu, 0, true},    // bias vectors
           ActCase{DType::kBFloat16, 37 * n, n, 1, true, false, Act::kGelu, 0, true},
           ActCase{DType::kFloat32, 37 * n, n, 1, true, false, Act::kGelu, 0, true},
           ActCase{DType::kFloat16, 37 * n + 5, n, 1, true, false, Act::kGelu, 0, true},  // 5 trailing elements
           ActCase{DType::kBFloat16, 37 * 3077, 3077, 1, true, false, Act::kGelu, 0, true},  // bias per element
           ActCase{DType::kFloat32, 8 * 1001 + 3, 1, 1, false, false, Act::kGelu, 0, true},
           ActCase{DType::kFloat16, 5, 1, 1, false, false, Act::kGelu, 0, true},  // only a tail
           ActCase{DType::kFloat16, 37 * n, n, 1, true, false, Act::kGelu, 2, false},  // y not 16-byte aligned
       }) {
    SCOPED_TRACE(fmt::format("{} count {} channels {} bias {} offset {}", dtypeName(c.t), c.count, c.channels, c.bias,
                             c.offset));
    checkBiasAct(*env, c, rng);
  }
}

TEST(GpuVectorKernels, ConvEpilogueActsBiasAndResidual) {
  GS_REQUIRE_GPU(env);
  std::mt19937 rng(23);
  for (Act act : {Act::kNone, Act::kRelu, Act::kClip, Act::kSigmoid, Act::kTanh, Act::kGeluTanh}) {
    for (DType t : {DType::kFloat32, DType::kFloat16, DType::kBFloat16}) {
      SCOPED_TRACE(fmt::format("act {} {}", int(act), dtypeName(t)));
      // NCHW: bias channel per 49-element plane; NHWC: channels innermost
      // (vector bias); y and z 4 bytes off 16-byte alignment: the scalar kernel.
      checkBiasAct(*env, ActCase{t, 2 * 16 * 49, 16, 49, true, true, act, 0, true}, rng);
      checkBiasAct(*env, ActCase{t, 2 * 49 * 64, 64, 1, true, true, act, 0, true}, rng);
      checkBiasAct(*env, ActCase{t, 2 * 49 * 64, 64, 1, true, true, act, 4, false}, rng);
    }
  }
}

TEST(GpuVectorKernels, SoftmaxRowsVectorPathSelection) {
  GS_REQUIRE_GPU(env);
  auto stream = static_cast<cudaStream_t>(env->stream);
  DeviceBuffer x(64 * 1024), y(64 * 1024);
  auto run = [&](DType t, int64_t outer, int64_t axis, int64_t inner, size_t off) {
    return gpu::launchSoftmax(static_cast<char*>(x.get()) + off, static_cast<char*>(y.get()) + off, t, outer, axis,
                              inner, false, stream, KernelPath::kVector);
  };
  EXPECT_EQ(run(DType::kFloat16, 8, 768, 1, 0), cudaSuccess);
  EXPECT_EQ(run(DType::kFloat32, 8, 100, 1, 0), cudaSuccess);
  EXPECT_EQ(run(DType::kFloat16, 8, 100, 1, 0), cudaErrorNotSupported);
  EXPECT_EQ(run(DType::kFloat16, 8, 768, 1, 2), cudaErrorNotSupported);
  EXPECT_EQ(run(DType::kFloat32, 2, 8, 16, 0), cudaErrorNotSupported);  // strided softmax
  EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
}

// Median of 20 timed runs after 3 warm-ups, in ms.
template <typename F>
double medianMs(cudaStream_t s, F&& launch) {
  cudaEvent_t a, b;
  cudaEventCreate(&a);
  cudaEventCreate(&b);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(launch(), cudaSuccess);
  std::vector<double> ms;
  for (int i = 0; i < 20; ++i) {
    cudaEventRecord(a, s);
    EXPECT_EQ(launch(), cudaSuccess);
    cudaEventRecord(b, s);
    cudaEventSynchronize(b);
    float t = 0;
    cudaEventElapsedTime(&t, a, b);
    ms.push_back(t);
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  std::sort(ms.begin(), ms.end());
  return (ms[9] + ms[10]) / 2;
}

// max |a - b| / max |a| over two fp16 tensors of the same shape.
double relDiff(const HostTensor& a, const HostTensor& b) {
  std::vector<float> av = a.toFloats(), bv = b.toFloats();
  double err = 0, ref = 0;
  for (size_t i = 0; i < av.size(); ++i) {
    err = std::max(err, std::isnan(av[i]) != std::isnan(bv[i]) ? INFINITY : double(std::fabs(av[i] - bv[i])));
    ref = std::max(ref, double(std::fabs(av[i])));
  }
  return err / ref;
}

void report(const char* what, double bytes, double scalar_ms, double vector_ms) {
  std::printf("[bandwidth] %s: scalar %.4f ms (%.2f TB/s), vector %.4f ms (%.2f TB/s), speedup %.2fx\n", what,
              scalar_ms, bytes / scalar_ms * 1e-9, vector_ms, bytes / vector_ms * 1e-9, scalar_ms / vector_ms);
  std::fflush(stdout);
}

// Prints the kernel times of ViT-B/16 batch 256 (and BERT batch 64) shapes;
// asserts only that the two kernels agree.
TEST(GpuVectorKernels, PrintsScalarAndVectorBandwidth) {
  GS_REQUIRE_GPU(env);
  auto s = static_cast<cudaStream_t>(env->stream);
  std::mt19937 rng(24);
  const DType t = DType::kFloat16;
  for (int64_t rows : {50432, 8192}) {
    const int64_t cols = 768;
    HostTensor x = randomTensor(t, {rows, cols}, rng, -3, 5);
    HostTensor g = randomTensor(t, {cols}, rng, 0.5, 1.5), b = randomTensor(t, {cols}, rng);
    DeviceBuffer dx = upload(x), dg = upload(g), db = upload(b), y1(x.byteSize()), y2(x.byteSize());
    auto ln = [&](void* y, KernelPath p) {
      return gpu::launchLayerNorm(dx.get(), dg.get(), db.get(), y, nullptr, nullptr, t, t, rows, cols, 1e-5f, s, p);
    };
    const double scalar_ms = medianMs(s, [&] { return ln(y1.get(), KernelPath::kScalar); });
    const double vector_ms = medianMs(s, [&] { return ln(y2.get(), KernelPath::kVector); });
    report(fmt::format("LayerNorm fp16 [{}x{}]", rows, cols).c_str(), 2.0 * double(x.byteSize()), scalar_ms,
           vector_ms);
    EXPECT_LE(relDiff(download(y1, x.desc()), download(y2, x.desc())), 2e-3);
  }
  for (int64_t rows : {50432, 8192}) {
    const int64_t cols = 3072;
    HostTensor x = randomTensor(t, {rows, cols}, rng, -4, 4);
    DeviceBuffer y1 = upload(x), y2 = upload(x);
    auto gelu = [&](void* y, KernelPath p) {
      return gpu::launchBiasAct(y, nullptr, nullptr, t, rows * cols, 1, 1, Act::kGelu, 0.f, 0.f, s, p);
    };
    // One pass each from the same input for the comparison, then the timed
    // passes (in place: they apply GELU again to the values already there).
    ASSERT_EQ(gelu(y1.get(), KernelPath::kScalar), cudaSuccess);
    ASSERT_EQ(gelu(y2.get(), KernelPath::kVector), cudaSuccess);
    ASSERT_EQ(cudaStreamSynchronize(s), cudaSuccess);
    EXPECT_LE(relDiff(download(y1, x.desc()), download(y2, x.desc())), 1e-3);
    const double scalar_ms = medianMs(s, [&] { return gelu(y1.get(), KernelPath::kScalar); });
    const double vector_ms = medianMs(s, [&] { return gelu(y2.get(), KernelPath::kVector); });
    report(fmt::format("erf-GELU in place fp16 [{}x{}]", rows, cols).c_str(), 2.0 * double(x.byteSize()), scalar_ms,
           vector_ms);
  }
}

}  // namespace
}  // namespace gpuscope::engine::gputest
