// The name classifier on real kernel names: the examples' H200 traces
// (PyTorch 2.11, cuDNN, cuBLAS nvjet), TensorRT names from
// reference/trt_naming.md, and NCCL.
#include <gtest/gtest.h>

#include "analysis/kernel_category.h"

namespace gpuscope::analysis {
namespace {

struct Case {
  const char* name;
  KernelCategory expected;
};

TEST(KernelCategory, RealNames) {
  using K = KernelCategory;
  const Case cases[] = {
      // examples/bert_small_fp16.pt.trace.json.gz
      {"nvjet_sm90_hsh_64x48_64x15_2x4_h_bz_bias_TNT", K::kGemm},
      {"nvjet_sm90_hsh_8x64_64x16_4x1_v_bz_bias_TNN", K::kGemm},
      {"void at::native::(anonymous namespace)::vectorized_layer_norm_kernel<c10::Half, float, false>(int, "
       "float, c10::Half const*, c10::Half const*, c10::Half const*, float*, float*, c10::Half*)",
       K::kReduction},
      {"cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_7_64x128x64_4x1x1_cga1x1x1_kernel0_0",
       K::kAttention},
      {"void at::native::vectorized_elementwise_kernel<8, at::native::CUDAFunctor_add<c10::Half>, "
       "std::array<char*, 3ul> >(int, at::native::CUDAFunctor_add<c10::Half>, std::array<char*, 3ul>)",
       K::kPointwise},
      {"void at::native::vectorized_gather_kernel<16, long>(char*, char*, long*, int, long, long, long, long, "
       "bool)",
       K::kMemory},
      {"void at::native::elementwise_kernel<128, 2, at::native::gpu_kernel_impl_nocast<at::native::direct_copy_"
       "kernel_cuda(at::TensorIteratorBase&)::{lambda()#3}::operator()() const::{lambda()#7}::operator()() "
       "const::{lambda(c10::Half)#1}> >(at::TensorIteratorBase&, at::native::direct_copy_kernel_cuda(at::"
       "TensorIteratorBase&)::{lambda()#3}::operator()() const::{lambda()#7}::operator()() const::{lambda(c10::"
       "Half)#1} const&)::{lambda(int)#1}>(int, at::native::gpu_kernel_impl_nocast<at::native::direct_copy_"
       "kernel_cuda(at::TensorIteratorBase&)::{lambda()#3}::operator()() const::{lambda()#7}::operator()() "
       "const::{lambda(c10::Half)#1}> >(at::TensorIteratorBase&, at::native::direct_copy_kernel_cuda(at::"
       "TensorIteratorBase&)::{lambda()#3}::operator()() const::{lambda()#7}::operator()() const::{lambda(c10::"
       "Half)#1} const&)::{lambda(int)#1})",
       K::kMemory},
      // examples/resnet18_fp16_b8.pt.trace.json.gz
      {"void cudnn::engines_precompiled::nchwToNhwcKernel<__half, __half, float, false, true, "
       "(cudnnKernelDataType_t)0>(cudnn::engines_precompiled::nchw2nhwc_params_t<float>, __half const*, __half*)",
       K::kMemory},
      {"sm90_xmma_fprop_implicit_gemm_f16f16_f16f32_f32_nhwckrsc_nhwc_tilesize64x64x64_warpgroupsize1x1x1_g1_"
       "execute_segment_k_off_kernel__5x_cudnn",
       K::kConvolution},
      {"sm80_xmma_fprop_implicit_gemm_f16f16_f16f32_f32_nhwckrsc_nhwc_tilesize64x64x64_stage4_warpsize2x2x1_g1_"
       "tensor16x8x16_t1r3s3_execute_kernel__5x_cudnn",
       K::kConvolution},
      {"void cutlass__5x_cudnn::Kernel<cutlass_tensorop_f16_s16816fprop_optimized_f16_128x128_32x5_nhwc_align8>("
       "cutlass_tensorop_f16_s16816fprop_optimized_f16_128x128_32x5_nhwc_align8::Params)",
       K::kConvolution},
      {"sm90_xmma_fprop_image_first_layer_f16f16_f32_f16_nhwckrsc_nhwc_hmma_k64c4r7s7_stride2x2_tile16x64x64_"
       "tensor1688_execute_kernel_kernel__5x_cudnn",
       K::kConvolution},
      {"void at::native::batch_norm_transform_input_kernel<c10::Half, c10::Half, float, true, int>(torch::"
       "headeronly::detail::GenericPackedTensorAccessor<c10::Half, 4ul, at::RestrictPtrTraits, int>)",
       K::kReduction},
      {"void at::native::(anonymous namespace)::max_pool_forward_nchw<c10::Half, int>(int, c10::Half const*, "
       "long, long, long, int, int, int, int, int, int, int, int, int, int, c10::Half*, long*)",
       K::kReduction},
      {"void at::native::reduce_kernel<512, 1, at::native::ReduceOp<c10::Half, at::native::MeanOps<c10::Half, "
       "float, float, c10::Half>, unsigned int, c10::Half, 4, 4> >(at::native::ReduceOp<c10::Half, "
       "at::native::MeanOps<c10::Half, float, float, c10::Half>, unsigned int, c10::Half, 4, 4>)",
       K::kReduction},
      {"void at::native::vectorized_elementwise_kernel<8, at::native::(anonymous namespace)::launch_clamp_"
       "scalar(at::TensorIteratorBase&, c10::Scalar, c10::Scalar, at::native::detail::ClampLimits)::{lambda()#1}"
       "::operator()() const::{lambda()#14}::operator()() const::{lambda(c10::Half)#1}, std::array<char*, 2ul> >"
       "(int, at::native::(anonymous namespace)::launch_clamp_scalar(at::TensorIteratorBase&, c10::Scalar, "
       "c10::Scalar, at::native::detail::ClampLimits)::{lambda()#1}::operator()() const::{lambda()#14}::"
       "operator()() const::{lambda(c10::Half)#1}, std::array<char*, 2ul>)",
       K::kPointwise},
      // TensorRT (reference/trt_naming.md §4)
      {"sm75_xmma_gemm_f16f16_f16f32_f32_nn_n_tilesize128x128x32_stage1_warpsize2x2x1_tensor16x8x8_fused",
       K::kGemm},
      {"trt_maxwell_scudnn_128x32_relu_interior_nn_v1", K::kConvolution},
      {"trt_maxwell_sgemm_128x64_relu_nn_v1", K::kGemm},
      {"volta_int8x4_icudnn_int8x4_128x32_relu_xregs_medium_c32_nn_v1", K::kConvolution},
      {"ampere_first_layer_filter3x3_imma_fwd", K::kConvolution},
      {"sm50_xmma_pooling_fw_4d_FP16FP32NHWC_Average_FastDiv_GenericWindowWidth_CAlign4", K::kReduction},
      {"generatedNativePointwise", K::kPointwise},
      {"void genericReformat::copyPackedKernel<float, float, (bool)0, (bool)1, genericReformat::"
       "IdentityCoordMapper<(int)4>, (int)4>(unsigned int, unsigned int, void const*, void*)",
       K::kMemory},
      {"void cuSliceLayer::naiveSlice<float, (cuSliceLayer::Mode)2, (int)4>(int, int, float const*, float*)",
       K::kMemory},
      {"__myl_MaxrSubExpSumDiv_0x865c16f51c59c6f8d5af8f4d8f92b6d0", K::kReduction},
      {"__myl_TranReshMove_0x1234", K::kMemory},
      {"__myl_SiluMul_0x88a9fc905715f4bf12322bd14c6ba089", K::kPointwise},
      {"_gemm_mha_v2_0x865c16f51c59c6f8d5af8f4d8f92b6d0", K::kAttention},
      {"ncclDevKernel_AllReduce_Sum_f32_RING_LL(ncclDevKernelArgsStorage<4096ul>)", K::kCommunication},
      {"Memcpy HtoD (Pinned -> Device)", K::kMemory},
      {"triton_poi_fused_add_relu_0", K::kPointwise},
      {"triton_red_fused_native_layer_norm_0", K::kReduction},
  };
  for (const Case& c : cases)
    EXPECT_EQ(kernelCategoryName(classifyKernelName(c.name)), std::string(kernelCategoryName(c.expected)))
        << c.name;
}

}  // namespace
}  // namespace gpuscope::analysis
