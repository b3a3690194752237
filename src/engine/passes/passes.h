// The optimizer passes (one .cc each), run in order by optimize()
// (pipeline.h). Every pass rewrites the graph in place, keeps the graph's
// inputs and outputs (names and types), marks replaced nodes dead and compacts,
// and logs what it did in TensorRT's verbose wording. A fused node's `origin`
// lists the ONNX nodes it stands for, in graph order; its name is those
// origins joined by " + " (TensorRT's "conv1 + bn1 + relu").
#pragma once

#include "base/status.h"
#include "engine/ir/graph.h"
#include "engine/passes/pass_log.h"

namespace gpuscope::engine {

// Drops Identity nodes, Casts to the type their input already has and
// inference-mode Dropout (their consumers read the input directly), then
// every node none of whose outputs reaches a graph output. Identity on a
// graph input or constant that is itself a graph output stays (the runtime
// aliases it).
Status eliminateDeadCode(Graph& graph, PassLog& log);

// Conv (constant W, optional constant B) -> BatchNormalization with constant
// parameters becomes one Conv with W' = W * s, B' = (B - mean) * s + beta,
// s = gamma / sqrt(var + eps), computed in fp32 and stored in W's dtype.
Status foldBatchNorm(Graph& graph, PassLog& log);

// Patchify Conv (kernel == stride >= 4, no pads, dilation 1, group 1, H/W
// multiples of the kernel, constant W) -> Reshape, Transpose (im2col), MatMul
// with W folded to [C*kh*kw, OC], bias Add, back to [N,OC,Ho,Wo]; a following
// ViT flatten+transpose (or NHWC permute) becomes one Reshape. conv_as_gemm.cc.
Status convAsGemm(Graph& graph, PassLog& log);

// 2-D Conv (+ Add of a per-channel constant bias) (+ Add of a residual of the
// output's shape) (+ Relu | Clip | Sigmoid | Tanh) -> gpuscope.Conv, auto_pad
// resolved into explicit pads.
Status fuseConv(Graph& graph, PassLog& log);

// MatMul (rank >= 2) (+ Add of a constant bias of N values along the last
// axis) then either (+ Relu | erf-GELU | tanh-GELU, recognised in any
// decomposition by structure and checked numerically) or (+ Add of a residual
// of exactly the output's shape and dtype, no broadcast: input R of
// gpuscope.Gemm, cuBLASLt's C with beta 1, "GemmEltwiseSumFusion") ->
// gpuscope.Gemm. act(x) + r is not act(x + r): an Add after an activation
// stays. The activation or residual Add may sit behind a Reshape of the GEMM
// output (GPT-2's addmm -> view): it moves before the Reshape (a residual gets
// its own Reshape view to the GEMM's shape). ONNX Gemm (transA=0) ->
// gpuscope.Gemm with alpha/trans_b and C (times beta) as the bias when it is
// one value per column, as R when it has exactly the output's shape and dtype
// (constant, or beta 1; bias + activation after it still fuse), else beta*C
// added by an Add after it (no epilogue fusion past that Add); beta != 1 on a
// non-constant C leaves the ONNX Gemm as it is.
Status fuseGemm(Graph& graph, PassLog& log);

// ReduceMean, Sub, Pow 2 | Mul self, ReduceMean, Add eps, Sqrt, Div |
// Reciprocal+Mul, (Mul scale), (Add bias) over the last axis ->
// LayerNormalization(axis=-1).
Status fuseLayerNorm(Graph& graph, PassLog& log);

// MatMul(Q [* c], K^T [* c]) [/ c | * c] [+ mask] -> Softmax(last axis)
// [-> Where(IsNaN(p), 0, p)] -> MatMul(., V) -> gpuscope.Attention. A
// constant mask (additive, or a Where on a constant condition) that is
// verified to hide exactly the keys after each query becomes causal=1; any
// other mask stays an input. The NaN guard (torch.onnx's masked SDPA) becomes
// nan_to_zero=1: it only changes rows whose every score is -inf (0, not NaN).
Status fuseAttention(Graph& graph, PassLog& log);

// gpuscope.Attention reads Q/K/V through (offset, strides) views of the value
// before a chain of Reshape/Squeeze/Unsqueeze/Flatten/Transpose/Slice (step
// 1)/Gather (one constant index)/Split whose intermediates nothing else reads
// (e.g. straight from the qkv projection [B,S,3*H*D]), composed as torch's
// view() does (view_algebra.h), including Reshape -> Transpose -> Reshape that
// merges dims, transposes them and splits them back where the merged dims are
// not contiguous (K^T of a head slice in ViT/BERT), and writes [B,S,H,D]
// itself in place of a following Transpose(0,2,1,3) [+ the Reshape after it,
// e.g. to [B,S,H*D], whose shape becomes the output's]. Chains that do not
// compose into exact strides stay. Attribute contract in ops/fused_ops.h.
Status attentionViews(Graph& graph, PassLog& log);

// For compute = fp16/bf16: float constants become the compute type (values
// beyond fp16's range clamped to +-65504, as TensorRT does), Cast-to-float
// nodes cast to the compute type, activations follow through inference; fp32
// graph inputs/outputs keep their type behind gpuscope.Reformat layers named
// "Reformatting CopyNode for Input Tensor K to L" / "... Output Tensor K to L".
// compute = fp32 changes nothing. Ops on integer tensors are untouched.
Status assignPrecision(Graph& graph, DType compute, PassLog& log);

// For compute = fp16/bf16: 2-D gpuscope.Conv nodes with constant weights run
// channels-last (attribute layout = "NHWC"; X, Z and Y are [N,H,W,C], W is
// pre-transposed to [M,kH,kW,C/g]); pools, rank-4 reductions and elementwise
// ops between them follow, and Transpose layers named "Reformatting CopyNode
// for Input Tensor K to L" (Reshape views where only size-1 dims move)
// convert at the region boundaries, one per value. Graph inputs and outputs
// keep their layout. fp32 changes nothing (cuDNN's fp32 kernels prefer NCHW).
Status convertConvLayout(Graph& graph, DType compute, PassLog& log);

}  // namespace gpuscope::engine
