// The engine's own ops, made by the optimizer passes (passes/) from ONNX
// patterns. Each has a CPU reference (ops/fused/) and a CUDA implementation
// (gpu/nn/, gpu/pointwise/). This header is their contract: inputs,
// attributes and semantics. All float math accumulates in fp32.
#pragma once

#include <string_view>

namespace gpuscope::engine::fused {

// Convolution with its epilogue (TensorRT's "conv + bn + relu" layers).
//   inputs: X [N,C,H,W], W [M,C/group,kH,kW], B [M] (optional), Z residual [N,M,OH,OW] (optional)
//   attrs: ONNX Conv's strides, pads (begin..., end...), dilations, group (auto_pad already
//          resolved into pads by the pass), "activation": "" | "Relu" | "Clip" (+ "clip_min",
//          "clip_max" floats) | "Sigmoid" | "Tanh"; "layout": "NCHW" (default) | "NHWC"
//          (2-D only, set by the layout pass for fp16/bf16: X [N,H,W,C], W [M,kH,kW,C/group],
//          Z and Y [N,OH,OW,M]; MaxPool/AveragePool/Global*Pool take the same attribute)
//   Y = act(conv(X, W) + B + Z)
inline constexpr std::string_view kConv = "gpuscope.Conv";

// Matrix multiply with epilogue (cuBLASLt epilogues; TensorRT's fused MatMul + bias + act,
// MatMul + bias + residual Add).
//   inputs: A [..., M, K], B [..., K, N] ([..., N, K] when trans_b=1), bias [N] (optional),
//           R residual (optional; exactly Y's shape and type, no broadcast: cuBLASLt's C, beta 1)
//   attrs: "trans_b" int (0/1), "alpha" float (1), "activation": "" | "Relu" | "Gelu" (erf form)
//          | "GeluTanh" (tanh approximation)
//   Y = act(alpha * (A @ B) + bias + R); batch dims broadcast as in numpy matmul.
inline constexpr std::string_view kGemm = "gpuscope.Gemm";

// Scaled dot-product attention (softmax(Q K^T * scale + mask) V) in one kernel.
//   inputs: Q [B,H,Sq,D], K [B,H,Sk,D] ([B,H,D,Sk] when k_transposed=1), V [B,H,Sk,D],
//           mask (optional, additive, broadcastable to [B,H,Sq,Sk])
//   attrs: "scale" float, "causal" int (0/1: mask out key j > query i), "k_transposed" int,
//          "nan_to_zero" int (0/1: a row whose every score is -inf gives 0, as torch's
//          Where(IsNaN(p), 0, p) guard after the softmax does; without it that row is NaN,
//          exp(-inf - -inf), as ONNX's Softmax gives)
//   Y [B,H,Sq,D]
// Strided views (made by passes/attention_views.cc so the copies that split a
// fused qkv Gemm output into heads disappear). For X in {q, k, v}, when
// "X_strides" is present the input tensor is only the underlying buffer (any
// shape, e.g. the qkv Gemm output [B,S,3*H*D]) and the logical tensor above
// ([B,H,D,Sk] for K when k_transposed=1) is element
//   (i0,i1,i2,i3) = buffer[X_offset + i0*s0 + i1*s1 + i2*s2 + i3*s3]
// with "X_shape" (4 ints, the logical dims), "X_strides" (4 ints >= 0) and
// "X_offset" (int >= 0, default 0); the view must stay inside the buffer.
// "y_strides" (4 ints) places logical Y (b,h,i,c) at b*s0 + h*s1 + i*s2 + c*s3
// of the output, whose physical shape is "out_shape" (default [B,H,Sq,D]);
// the strides must cover every output element exactly once (a permutation of
// a dense layout), e.g. [S*H*D, D, H*D, 1] with out_shape [B,S,H*D] writes
// the heads back interleaved so no Transpose follows.
inline constexpr std::string_view kAttention = "gpuscope.Attention";

// A chain of elementwise ops compiled into one generated kernel (TensorRT's
// PWN(...) layers). inputs: any number, broadcast numpy-style to the output
// shape. attrs: "program" string (format in ops/pointwise/program.h).
inline constexpr std::string_view kPointwise = "gpuscope.Pointwise";

// Layout/precision conversion inserted by the precision pass (TensorRT
// "Reformatting CopyNode for ..."). inputs: X; attrs: "to" (ONNX dtype number).
// Same semantics as ONNX Cast between float types.
inline constexpr std::string_view kReformat = "gpuscope.Reformat";

}  // namespace gpuscope::engine::fused
