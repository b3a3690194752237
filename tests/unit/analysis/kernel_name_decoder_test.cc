// Myelin and library kernel names from reference/trt_naming.md and the
// seed, decoded; expected op chains written from the abbreviation table.
#include <gtest/gtest.h>

#include "analysis/myelin/kernel_name_decoder.h"

namespace gpuscope::analysis {
namespace {

using Ops = std::vector<std::string>;

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

TEST(MyelinDecoder, Trt8LayerNormFromTheSeed) {
  DecodedKernel d = decodeKernelName("__myl_bb0_8_ResTraCasAddMeaSubMulMeaAddSqrDivMulMulAddRes_com_vec");
  EXPECT_EQ(d.family, "myelin");
  EXPECT_EQ(d.ops, (Ops{"Reshape", "Transpose", "Cast", "Add", "ReduceMean", "Sub", "Mul", "ReduceMean", "Add",
                        "Sqrt", "Div", "Mul", "Mul", "Add", "Reshape"}));
  EXPECT_TRUE(d.unknown.empty());
  EXPECT_TRUE(has(d.patterns, "LayerNorm"));
  EXPECT_EQ(d.category, KernelCategory::kReduction);
}

TEST(MyelinDecoder, Trt10LayerNormWholeAndSplit) {
  DecodedKernel whole = decodeKernelName(
      "__myl_ReshTranReshAddReshCastMeanSubMulMeanAddSqrtDivMulCastMulAdd_0xa994f1d4bd7f9b0ec6b4b4e1b8ed6c8f");
  EXPECT_EQ(whole.ops.size(), 17u);
  EXPECT_TRUE(has(whole.patterns, "LayerNorm"));
  DecodedKernel first = decodeKernelName("__myl_MulAddCastMeanSubMulMean_0x0123456789abcdef0123456789abcdef");
  EXPECT_EQ(first.ops, (Ops{"Mul", "Add", "Cast", "ReduceMean", "Sub", "Mul", "ReduceMean"}));
  EXPECT_TRUE(has(first.patterns, "LayerNorm (mean/variance part)"));
  DecodedKernel second = decodeKernelName("__myl_AddSqrtDivMulCastMulAddReshTran_0x0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(has(second.patterns, "LayerNorm/RMSNorm (normalize part)"));
}

TEST(MyelinDecoder, Softmax) {
  DecodedKernel t10 = decodeKernelName("__myl_MaxrSubExpSumDiv_0x865c16f51c59c6f8d5af8f4d8f92b6d0");
  EXPECT_EQ(t10.ops, (Ops{"ReduceMax", "Sub", "Exp", "ReduceSum", "Div"}));
  EXPECT_TRUE(has(t10.patterns, "Softmax"));
  // TRT 8.6 course name (seed): ResNegExpResAddDivMul marks a softmax.
  DecodedKernel t8 = decodeKernelName("__myl_bb0_3_ResNegExpResAddDivMul_com_vec");
  EXPECT_EQ(t8.ops, (Ops{"Reshape", "Neg", "Exp", "Reshape", "Add", "Div", "Mul"}));
  EXPECT_TRUE(has(t8.patterns, "Softmax"));
}

TEST(MyelinDecoder, OtherSignatures) {
  EXPECT_TRUE(has(decodeKernelName("__myl_SlicSiluSlicMul_0xabc").patterns, "Gated MLP (SiLU * x)"));
  EXPECT_TRUE(has(decodeKernelName("__myl_DivErfAddMulMul_0xabc").patterns, "GELU (erf)"));
  EXPECT_TRUE(has(decodeKernelName("__myl_FcMulAdd_0xabc").patterns, "GEMM with fused epilogue"));
  EXPECT_EQ(decodeKernelName("__myl_FcMulAdd_0xabc").category, KernelCategory::kGemm);
  EXPECT_EQ(decodeKernelName("__myl_CorrMulAddRelu_0xabc").category, KernelCategory::kConvolution);
  DecodedKernel mov = decodeKernelName("__myl_bb0_1_Mov");
  EXPECT_EQ(mov.ops, (Ops{"Move"}));
  EXPECT_EQ(mov.category, KernelCategory::kMemory);
  DecodedKernel cast = decodeKernelName("__myl_Cast_0x88a9fc905715f4bf12322bd14c6ba089");
  EXPECT_EQ(cast.ops, (Ops{"Cast"}));
  DecodedKernel unknown = decodeKernelName("__myl_AddFooMul_0xabc");
  EXPECT_EQ(unknown.unknown, (Ops{"Foo"}));
  DecodedKernel mha = decodeKernelName("_gemm_mha_v2_0x865c16f51c59c6f8d5af8f4d8f92b6d0");
  EXPECT_EQ(mha.family, "myelin_mha");
  EXPECT_EQ(mha.category, KernelCategory::kAttention);
}

TEST(LibraryDecoder, XmmaFields) {
  DecodedKernel d = decodeKernelName(
      "sm75_xmma_fprop_implicit_gemm_interleaved_i8i8_i8i32_f32_nchw_vect_c_32kcrs_vect_c_32_nchw_vect_c_32_"
      "tilesize64x32x64_stage1_warpsize2x1x1_g1_tensor8x8x16_simple_t1r1s1");
  EXPECT_EQ(d.family, "xmma");
  EXPECT_EQ(d.arch, "sm75");
  EXPECT_EQ(d.tile, "64x32x64");
  EXPECT_EQ(d.dtypes, "i8i8_i8i32_f32");
  EXPECT_TRUE(d.tensor_cores);
  EXPECT_EQ(d.category, KernelCategory::kConvolution);
  DecodedKernel g = decodeKernelName(
      "sm75_xmma_gemm_f16f16_f16f32_f32_nn_n_tilesize128x128x32_stage1_warpsize2x2x1_tensor16x8x8_fused");
  EXPECT_EQ(g.dtypes, "f16f16_f16f32_f32");
  EXPECT_EQ(g.layout, "nn");
  EXPECT_EQ(g.tile, "128x128x32");
  EXPECT_EQ(g.category, KernelCategory::kGemm);
  DecodedKernel c = decodeKernelName(
      "sm90_xmma_fprop_implicit_gemm_f16f16_f16f32_f32_nhwckrsc_nhwc_tilesize64x64x64_warpgroupsize1x1x1_g1_"
      "execute_segment_k_off_kernel__5x_cudnn");
  EXPECT_EQ(c.layout, "nhwckrsc_nhwc");
  EXPECT_EQ(c.arch, "sm90");
  EXPECT_TRUE(c.tensor_cores);
}

TEST(LibraryDecoder, ClassicAndCublas) {
  DecodedKernel s = decodeKernelName("trt_maxwell_scudnn_128x32_relu_interior_nn_v1");
  EXPECT_EQ(s.arch, "maxwell");
  EXPECT_EQ(s.dtypes, "fp32");
  EXPECT_EQ(s.tile, "128x32");
  EXPECT_FALSE(s.tensor_cores);
  DecodedKernel a = decodeKernelName("ampere_sgemm_128x64_nn");
  EXPECT_EQ(a.family, "cublas");
  EXPECT_EQ(a.layout, "nn");
  EXPECT_EQ(a.tile, "128x64");
  DecodedKernel v = decodeKernelName("volta_int8x4_icudnn_int8x4_128x32_relu_xregs_medium_c32_nn_v1");
  EXPECT_EQ(v.dtypes, "int8x4");
  DecodedKernel n = decodeKernelName("nvjet_sm90_hsh_64x48_64x15_2x4_h_bz_bias_TNT");
  EXPECT_EQ(n.arch, "sm90");
  EXPECT_EQ(n.dtypes, "hsh");
  EXPECT_EQ(n.layout, "TNT");
  EXPECT_TRUE(n.tensor_cores);
  DecodedKernel cut = decodeKernelName(
      "void cutlass__5x_cudnn::Kernel<cutlass_tensorop_f16_s16816fprop_optimized_f16_128x128_32x5_nhwc_align8>("
      "cutlass_tensorop_f16_s16816fprop_optimized_f16_128x128_32x5_nhwc_align8::Params)");
  EXPECT_EQ(cut.family, "cutlass");
  EXPECT_EQ(cut.tile, "128x128_32x5");
  EXPECT_EQ(cut.dtypes, "f16");
  EXPECT_TRUE(cut.tensor_cores);
  DecodedKernel tri = decodeKernelName("triton_poi_fused_add_relu_0");
  EXPECT_EQ(tri.ops, (Ops{"add", "relu"}));
  EXPECT_EQ(decodeKernelName("generatedNativePointwise").family, "trt_pointwise");
}

}  // namespace
}  // namespace gpuscope::analysis
