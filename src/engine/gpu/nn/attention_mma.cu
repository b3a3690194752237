// FlashAttention-2 style forward kernel on mma.sync (sm_80+), fp16/bf16 in,
// fp32 accumulation, head dim 64 or 128; and launchAttention, which picks it
// or the fallback kernels of attention_kernel.cu / attention_wmma.cu.
//
// Block: `warps` warps (1, 2, 4 or 8), warp w owns query rows
// q0 + 16w .. q0 + 16w + 15. Shared memory (rows padded by 16 bytes so that
// the 8 row addresses of every ldmatrix hit distinct banks):
//   Q [16*warps][D+8], then two stages of { K [64][D+8], V [64][D+8] }.
// Q and the first K/V tile arrive by cp.async; each iteration waits for its
// tile, issues the next tile's cp.async into the other stage (one barrier per
// tile), then per warp:
//   S = Q K^T   Q A-fragments live in registers (loaded once by ldmatrix),
//               K B-fragments by ldmatrix (K rows are the B columns);
//   softmax     on the accumulators: a lane holds rows g and g+8 (g = lane/4)
//               and 16 of the 64 keys, so row max/sum need 2 shuffles within
//               the quad; scores are kept in log2 units (scale * log2 e folded
//               in) so that p = ex2(s - m);
//   O += P V    P re-packed from the S accumulators into A-fragments in
//               registers (the C layout of two adjacent n-tiles is the A layout
//               of one k-chunk), V B-fragments by ldmatrix.trans.
// The output is normalised, staged in the warp's own Q rows and written with
// 16-byte stores (or element by element for a strided Y).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <type_traits>

#include "engine/gpu/nn/attention_kernel.h"
#include "engine/gpu/nn/attention_mma_device.cuh"

namespace gpuscope::engine::gpu {
namespace {

using namespace mma;

constexpr int kKeys = 64;  // keys per K/V tile
constexpr int kMaxWarps = 8;

template <int D>
constexpr size_t mmaSmemBytes(int warps) {
  return size_t(2) * (size_t(warps) * 16 + 4 * kKeys) * (D + 8);
}

// M: mask element type, void when there is no mask. Head dim 64 is held to
// 128 registers (two 8-warp or four 4-warp blocks per SM).
template <typename T, int D, typename M>
__global__ void __launch_bounds__(kMaxWarps * 32, D == 64 ? 2 : 1)
    attentionMmaKernel(AttentionParams p, const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                       const void* __restrict__ mask, T* __restrict__ y) {
  constexpr int LD = D + 8, KC = D / 16, NT = kKeys / 8, DT = D / 8;
  constexpr uint32_t kTileBytes = kKeys * LD * 2;
  constexpr bool kMask = !std::is_void_v<M>;
  extern __shared__ __align__(128) unsigned char smem[];
  const int warps = blockDim.x >> 5, warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int g = lane >> 2, t4 = lane & 3;
  T* qs = reinterpret_cast<T*>(smem);
  const uint32_t qs_a = smemAddr(qs), kv_a = qs_a + uint32_t(warps * 16 * LD * 2);

  // Causal blocks are launched heaviest (last query tile) first.
  const int64_t tile = p.causal ? int64_t(gridDim.x) - 1 - blockIdx.x : int64_t(blockIdx.x);
  const int64_t b = blockIdx.z, h = blockIdx.y, q0 = tile * warps * 16, row0 = q0 + warp * 16;
  const T* kb = k + b * p.k_stride[0] + h * p.k_stride[1];
  const T* vb = v + b * p.v_stride[0] + h * p.v_stride[1];
  int64_t kv_end = p.sk;
  if (p.causal && q0 + warps * 16 < kv_end) kv_end = q0 + warps * 16;
  const int ntiles = int((kv_end + kKeys - 1) / kKeys);

  copyRows<T, D>(qs_a, q + b * p.q_stride[0] + h * p.q_stride[1], p.q_stride[2], q0, warps * 16, p.sq);
  if (ntiles > 0) {
    copyRows<T, D>(kv_a, kb, p.k_stride[2], 0, kKeys, p.sk);
    copyRows<T, D>(kv_a + kTileBytes, vb, p.v_stride[2], 0, kKeys, p.sk);
  }
  cpAsyncCommit();

  // Per-lane ldmatrix offsets (bytes). Q A-fragment: matrix m = lane/8 is
  // rows (m&1)*8.., cols (m>>1)*8... K (B of Q K^T): matrix m is keys
  // (m>>1)*8.., dims (m&1)*8.. -> regs {0,1} key n-tile 2i, {2,3} n-tile 2i+1.
  // V (B of P V, .trans): matrix m is keys (m&1)*8.., dims (m>>1)*8.. ->
  // regs {0,1} dim n-tile 2i, {2,3} dim n-tile 2i+1.
  const uint32_t q_off = uint32_t(((warp * 16 + (lane & 15)) * LD + (lane >> 4) * 8) * 2);
  const uint32_t k_off = uint32_t((((lane & 7) + ((lane >> 4) << 3)) * LD + ((lane >> 3) & 1) * 8) * 2);
  const uint32_t v_off = uint32_t(((lane & 15) * LD + (lane >> 4) * 8) * 2);

  const bool live = row0 < p.sq;
  const int64_t qi0 = row0 + g, qi1 = qi0 + 8;  // this lane's two query rows
  const float sl2 = p.scale * kLog2e;
  const int64_t mb = b * p.mask_stride[0] + h * p.mask_stride[1];
  uint32_t qf[KC][4];
  float o[DT][4];
#pragma unroll
  for (int d = 0; d < DT; ++d) o[d][0] = o[d][1] = o[d][2] = o[d][3] = 0.f;
  float m0 = -INFINITY, m1 = -INFINITY, l0 = 0.f, l1 = 0.f;  // running max (log2 units) / partial sums

  for (int it = 0; it < ntiles; ++it) {
    cpAsyncWaitAll();
    __syncthreads();  // tile `it` visible to all; every warp is done with the other stage
    const int64_t kt = int64_t(it) * kKeys;
    if (it + 1 < ntiles) {
      const uint32_t next = kv_a + uint32_t((it + 1) & 1) * 2 * kTileBytes;
      copyRows<T, D>(next, kb, p.k_stride[2], kt + kKeys, kKeys, p.sk);
      copyRows<T, D>(next + kTileBytes, vb, p.v_stride[2], kt + kKeys, kKeys, p.sk);
    }
    cpAsyncCommit();
    if (!live) continue;  // (still joins the barriers and the copies)
    if (it == 0) {
#pragma unroll
      for (int kc = 0; kc < KC; ++kc) ldsm4(qf[kc], qs_a + q_off + kc * 32);
    }
    if (p.causal && kt > row0 + 15) continue;  // every key of this tile is after every row of the warp
    const uint32_t ks = kv_a + uint32_t(it & 1) * 2 * kTileBytes, vs = ks + kTileBytes;
    // Keys of this tile that can be live for the warp (>= 1): 16-key blocks
    // past it (Sk's tail, the causal diagonal) are skipped; their scores stay
    // 0 and are masked below (edge), their P is 0.
    const int64_t live_keys = (p.causal && row0 + 16 < p.sk ? row0 + 16 : p.sk) - kt;

    float s[NT][4];
#pragma unroll
    for (int n = 0; n < NT; ++n) s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.f;
#pragma unroll
    for (int kc = 0; kc < KC; ++kc) {
#pragma unroll
      for (int np = 0; np < NT / 2; ++np) {
        if (np * 16 >= live_keys) break;
        uint32_t bk[4];
        ldsm4(bk, ks + k_off + uint32_t((np * 16 * LD + kc * 16) * 2));
        mma16816<T>(s[2 * np], qf[kc], bk[0], bk[1]);
        mma16816<T>(s[2 * np + 1], qf[kc], bk[2], bk[3]);
      }
    }

    // Scores in log2 units, masked; s[n][e] is (row g, key kt+8n+2t4+e),
    // s[n][2+e] the same key for row g+8.
    const bool tail = kt + kKeys > p.sk, edge = tail || (p.causal && kt + kKeys - 1 > row0);
#pragma unroll
    for (int n = 0; n < NT; ++n) s[n][0] *= sl2, s[n][1] *= sl2, s[n][2] *= sl2, s[n][3] *= sl2;
    if constexpr (kMask) addMask<M, NT>(s, mask, p, mb, kt, qi0, t4, !tail && row0 + 16 <= p.sq);
    float mx0 = -INFINITY, mx1 = -INFINITY;
#pragma unroll
    for (int n = 0; n < NT; ++n) {
#pragma unroll
      for (int e = 0; e < 2; ++e) {
        const int64_t j = kt + n * 8 + 2 * t4 + e;
        float a = s[n][e], c = s[n][2 + e];
        if (edge) {
          if (j >= p.sk || (p.causal && j > qi0)) a = -INFINITY;
          if (j >= p.sk || (p.causal && j > qi1)) c = -INFINITY;
        }
        s[n][e] = a;
        s[n][2 + e] = c;
        mx0 = fmaxf(mx0, a);
        mx1 = fmaxf(mx1, c);
      }
    }
    mx0 = fmaxf(mx0, __shfl_xor_sync(0xffffffffu, mx0, 1));
    mx0 = fmaxf(mx0, __shfl_xor_sync(0xffffffffu, mx0, 2));
    mx1 = fmaxf(mx1, __shfl_xor_sync(0xffffffffu, mx1, 1));
    mx1 = fmaxf(mx1, __shfl_xor_sync(0xffffffffu, mx1, 2));
    const float mn0 = fmaxf(m0, mx0), mn1 = fmaxf(m1, mx1);
    // A row with no finite score yet subtracts 0: ex2(-inf - 0) = 0, not NaN.
    const float mu0 = mn0 == -INFINITY ? 0.f : mn0, mu1 = mn1 == -INFINITY ? 0.f : mn1;
    const float c0 = ex2(m0 - mu0), c1 = ex2(m1 - mu1);
    m0 = mn0;
    m1 = mn1;
    float rs0 = 0.f, rs1 = 0.f;
#pragma unroll
    for (int n = 0; n < NT; ++n) {
#pragma unroll
      for (int e = 0; e < 2; ++e) {
        s[n][e] = ex2(s[n][e] - mu0);
        s[n][2 + e] = ex2(s[n][2 + e] - mu1);
        rs0 += s[n][e];
        rs1 += s[n][2 + e];
      }
    }
    l0 = l0 * c0 + rs0;  // per-lane partial sums; the quad is summed once at the end
    l1 = l1 * c1 + rs1;
#pragma unroll
    for (int d = 0; d < DT; ++d) {
      o[d][0] *= c0;
      o[d][1] *= c0;
      o[d][2] *= c1;
      o[d][3] *= c1;
    }

#pragma unroll
    for (int kc = 0; kc < kKeys / 16; ++kc) {
      if (kc * 16 >= live_keys) break;
      const uint32_t pa[4] = {pack2<T>(s[2 * kc][0], s[2 * kc][1]), pack2<T>(s[2 * kc][2], s[2 * kc][3]),
                              pack2<T>(s[2 * kc + 1][0], s[2 * kc + 1][1]),
                              pack2<T>(s[2 * kc + 1][2], s[2 * kc + 1][3])};
#pragma unroll
      for (int dp = 0; dp < D / 16; ++dp) {
        uint32_t bv[4];
        ldsm4Trans(bv, vs + v_off + uint32_t((kc * 16 * LD + dp * 16) * 2));
        mma16816<T>(o[2 * dp], pa, bv[0], bv[1]);
        mma16816<T>(o[2 * dp + 1], pa, bv[2], bv[3]);
      }
    }
  }
  cpAsyncWaitAll();
  __syncthreads();  // (with no key tile, the Q copies of other threads may still be in flight)
  if (!live) return;

  l0 += __shfl_xor_sync(0xffffffffu, l0, 1);
  l0 += __shfl_xor_sync(0xffffffffu, l0, 2);
  l1 += __shfl_xor_sync(0xffffffffu, l1, 1);
  l1 += __shfl_xor_sync(0xffffffffu, l1, 2);
  // Every score -inf (l == 0): NaN, as the CPU reference's exp(-inf - -inf),
  // or 0 under torch's NaN guard (nan_to_zero).
  const float nan = __int_as_float(0x7fc00000), none = p.sk > 0 && !p.nan_to_zero ? nan : 0.f;
  const float i0 = l0 > 0.f ? 1.f / l0 : none, i1 = l1 > 0.f ? 1.f / l1 : none;
  T* yb = y + b * p.y_stride[0] + h * p.y_stride[1];
  if (p.vec_flags & kVecY) {
    // Stage through this warp's Q rows (only this warp ever read them).
    T* qw = qs + warp * 16 * LD;
#pragma unroll
    for (int d = 0; d < DT; ++d) {
      *reinterpret_cast<uint32_t*>(qw + g * LD + d * 8 + 2 * t4) = pack2<T>(o[d][0] * i0, o[d][1] * i0);
      *reinterpret_cast<uint32_t*>(qw + (g + 8) * LD + d * 8 + 2 * t4) = pack2<T>(o[d][2] * i1, o[d][3] * i1);
    }
    __syncwarp();
    constexpr int C = D / 8;
#pragma unroll
    for (int idx = lane; idx < 16 * C; idx += 32) {
      const int r = idx / C, c = idx % C;
      if (row0 + r < p.sq)
        *reinterpret_cast<uint4*>(yb + (row0 + r) * p.y_stride[2] + c * 8) =
            *reinterpret_cast<const uint4*>(qw + r * LD + c * 8);
    }
  } else {
    const int64_t ys = p.y_stride[3];
#pragma unroll
    for (int d = 0; d < DT; ++d) {
#pragma unroll
      for (int e = 0; e < 2; ++e) {
        const int64_t col = d * 8 + 2 * t4 + e;
        if (qi0 < p.sq) yb[qi0 * p.y_stride[2] + col * ys] = T(o[d][e] * i0);
        if (qi1 < p.sq) yb[qi1 * p.y_stride[2] + col * ys] = T(o[d][2 + e] * i1);
      }
    }
  }
}

template <typename T, int D, typename M>
cudaError_t launchMma(const AttentionParams& p, const void* q, const void* k, const void* v, const void* mask, void* y,
                      cudaStream_t stream) {
  const int64_t rows = int64_t(p.warps) * 16;
  dim3 grid(unsigned((p.sq + rows - 1) / rows), unsigned(p.heads), unsigned(p.batch));
  attentionMmaKernel<T, D, M><<<grid, 32 * p.warps, mmaSmemBytes<D>(p.warps), stream>>>(
      p, static_cast<const T*>(q), static_cast<const T*>(k), static_cast<const T*>(v), mask, static_cast<T*>(y));
  return cudaGetLastError();
}

template <typename T, int D>
cudaError_t launchMmaMasked(const AttentionParams& p, const void* q, const void* k, const void* v, const void* mask,
                            void* y, cudaStream_t stream) {
  if (!mask) return launchMma<T, D, void>(p, q, k, v, mask, y, stream);
  switch (p.mask_t) {
    case DType::kFloat32: return launchMma<T, D, float>(p, q, k, v, mask, y, stream);
    case DType::kFloat16: return launchMma<T, D, __half>(p, q, k, v, mask, y, stream);
    case DType::kBFloat16: return launchMma<T, D, __nv_bfloat16>(p, q, k, v, mask, y, stream);
    default: return cudaErrorInvalidValue;
  }
}

template <typename T>
cudaError_t launchMmaTyped(const AttentionParams& p, const void* q, const void* k, const void* v, const void* mask,
                           void* y, cudaStream_t stream) {
  return p.d == 64 ? launchMmaMasked<T, 64>(p, q, k, v, mask, y, stream)
                   : launchMmaMasked<T, 128>(p, q, k, v, mask, y, stream);
}

// Allows the 8-warp tile's shared memory and asks for the largest carveout:
// four 4-warp blocks of head dim 64 (4 x 45 KiB) must fit on one SM; the
// kernel reads little through L1 besides the mask.
template <typename T, int D, typename M>
cudaError_t prepareOne() {
  cudaError_t e = cudaFuncSetAttribute(attentionMmaKernel<T, D, M>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                       int(mmaSmemBytes<D>(kMaxWarps)));
  if (e != cudaSuccess) return e;
  return cudaFuncSetAttribute(attentionMmaKernel<T, D, M>, cudaFuncAttributePreferredSharedMemoryCarveout,
                              int(cudaSharedmemCarveoutMaxShared));
}

template <typename T, int D>
cudaError_t prepareMasks() {
  cudaError_t e = prepareOne<T, D, void>();
  if (e == cudaSuccess) e = prepareOne<T, D, float>();
  if (e == cudaSuccess) e = prepareOne<T, D, __half>();
  if (e == cudaSuccess) e = prepareOne<T, D, __nv_bfloat16>();
  return e;
}

}  // namespace

bool attentionMmaSupported(DType t, int64_t head_dim) { return attentionWmmaSupported(t, head_dim); }

cudaError_t prepareAttentionKernels() {
  cudaError_t e = prepareAttentionFallbackKernels();
  if (e == cudaSuccess) e = prepareMasks<__half, 64>();
  if (e == cudaSuccess) e = prepareMasks<__half, 128>();
  if (e == cudaSuccess) e = prepareMasks<__nv_bfloat16, 64>();
  if (e == cudaSuccess) e = prepareMasks<__nv_bfloat16, 128>();
  return e;
}

cudaError_t launchAttention(const AttentionParams& p, DType t, const void* q, const void* k, const void* v,
                            const void* mask, void* y, cudaStream_t stream) {
  if (p.batch * p.heads * p.sq == 0 || p.d == 0) return cudaSuccess;
  if (p.d > kAttnMaxHeadDim || p.heads > 65535 || p.batch > 65535) return cudaErrorInvalidValue;
  const bool mma_warps = p.warps == 1 || p.warps == 2 || p.warps == 4 || p.warps == 8;
  if (!mma_warps || (p.warps == 8 && !p.tensor_cores)) return cudaErrorInvalidValue;
  if (p.tensor_cores && p.mma && attentionMmaSupported(t, p.d) && attentionRowsVectorizable(q, p.q_stride) &&
      attentionRowsVectorizable(k, p.k_stride) && attentionRowsVectorizable(v, p.v_stride)) {
    AttentionParams vp = p;
    vp.vec_flags = attentionRowsVectorizable(y, p.y_stride) ? kVecY : 0;
    return t == DType::kFloat16 ? launchMmaTyped<__half>(vp, q, k, v, mask, y, stream)
                                : launchMmaTyped<__nv_bfloat16>(vp, q, k, v, mask, y, stream);
  }
  AttentionParams fp = p;
  if (fp.warps == 8) fp.warps = 4;  // the WMMA kernel's largest tile
  return launchAttentionFallback(fp, t, q, k, v, mask, y, stream);
}

}  // namespace gpuscope::engine::gpu
