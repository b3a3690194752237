// The PTX of the L2 flush kernels (cache_flush.h) and the flush geometry,
// header-only so that a CPU test can assemble the PTX with ptxas and check
// the sizes without a GPU (tests/unit/profiler/flush_ptx_test.cc).
#pragma once

#include <cstddef>
#include <cstring>

namespace gpuscope::profiler::inject {

// gs_l2_read(buf, n16, key): grid-stride 16-byte loads over the buffer. The
// XOR of what was read is stored only when it equals `key`; the buffer is
// zeroed and key is 1, so nothing is ever stored, but the JIT cannot drop
// the loads. (After a discard the contents are undefined; a store would
// then only write our own scratch buffer, which is harmless.)
#define GS_READ_KERNEL                                                  \
  ".visible .entry gs_l2_read(.param .u64 p_buf, .param .u64 p_n16,\n"  \
  "                           .param .u32 p_key)\n"                     \
  "{\n"                                                                 \
  "  .reg .pred %p<3>;\n"                                               \
  "  .reg .b32 %r<12>;\n"                                               \
  "  .reg .b64 %rd<14>;\n"                                              \
  "  ld.param.u64 %rd1, [p_buf];\n"                                     \
  "  ld.param.u64 %rd2, [p_n16];\n"                                     \
  "  ld.param.u32 %r1, [p_key];\n"                                      \
  "  cvta.to.global.u64 %rd3, %rd1;\n"                                  \
  "  mov.u32 %r2, %ctaid.x;\n"                                          \
  "  mov.u32 %r3, %ntid.x;\n"                                           \
  "  mov.u32 %r4, %tid.x;\n"                                            \
  "  mov.u32 %r5, %nctaid.x;\n"                                         \
  "  cvt.u64.u32 %rd4, %r2;\n"                                          \
  "  cvt.u64.u32 %rd5, %r3;\n"                                          \
  "  cvt.u64.u32 %rd6, %r4;\n"                                          \
  "  cvt.u64.u32 %rd7, %r5;\n"                                          \
  "  mad.lo.u64 %rd8, %rd4, %rd5, %rd6;\n"                              \
  "  mul.lo.u64 %rd9, %rd7, %rd5;\n"                                    \
  "  mov.u32 %r6, 0;\n"                                                 \
  "  setp.ge.u64 %p1, %rd8, %rd2;\n"                                    \
  "  @%p1 bra READ_DONE;\n"                                             \
  "READ_LOOP:\n"                                                        \
  "  shl.b64 %rd10, %rd8, 4;\n"                                         \
  "  add.s64 %rd11, %rd3, %rd10;\n"                                     \
  "  ld.global.v4.u32 {%r7, %r8, %r9, %r10}, [%rd11];\n"                \
  "  xor.b32 %r6, %r6, %r7;\n"                                          \
  "  xor.b32 %r6, %r6, %r8;\n"                                          \
  "  xor.b32 %r6, %r6, %r9;\n"                                          \
  "  xor.b32 %r6, %r6, %r10;\n"                                         \
  "  add.s64 %rd8, %rd8, %rd9;\n"                                       \
  "  setp.lt.u64 %p2, %rd8, %rd2;\n"                                    \
  "  @%p2 bra READ_LOOP;\n"                                             \
  "READ_DONE:\n"                                                        \
  "  setp.ne.u32 %p1, %r6, %r1;\n"                                      \
  "  @%p1 bra READ_END;\n"                                              \
  "  st.global.u32 [%rd3], %r6;\n"                                      \
  "READ_END:\n"                                                         \
  "  ret;\n"                                                            \
  "}\n"

// gs_tlb_touch(list, n, sink, key): every block loads one 4-byte word, L2
// only (ld.global.cg), at each of the n addresses in `list`, so every SM's
// TLBs hold the translations of the pages those addresses lie in
// (tlb_touch.h says why). Like gs_l2_read, the XOR of what was read is
// stored, to our own sink word, only when it equals `key`, so the JIT keeps
// the loads; application memory is only ever read.
#define GS_TOUCH_KERNEL                                                   \
  ".visible .entry gs_tlb_touch(.param .u64 p_list, .param .u64 p_n,\n"   \
  "                             .param .u64 p_sink, .param .u32 p_key)\n" \
  "{\n"                                                                   \
  "  .reg .pred %p<3>;\n"                                                 \
  "  .reg .b32 %r<8>;\n"                                                  \
  "  .reg .b64 %rd<12>;\n"                                                \
  "  ld.param.u64 %rd1, [p_list];\n"                                      \
  "  ld.param.u64 %rd2, [p_n];\n"                                         \
  "  ld.param.u64 %rd3, [p_sink];\n"                                      \
  "  ld.param.u32 %r1, [p_key];\n"                                        \
  "  cvta.to.global.u64 %rd4, %rd1;\n"                                    \
  "  cvta.to.global.u64 %rd5, %rd3;\n"                                    \
  "  mov.u32 %r2, %tid.x;\n"                                              \
  "  mov.u32 %r3, %ntid.x;\n"                                             \
  "  cvt.u64.u32 %rd6, %r2;\n"                                            \
  "  cvt.u64.u32 %rd7, %r3;\n"                                            \
  "  mov.u32 %r4, 0;\n"                                                   \
  "  setp.ge.u64 %p1, %rd6, %rd2;\n"                                      \
  "  @%p1 bra TOUCH_DONE;\n"                                              \
  "TOUCH_LOOP:\n"                                                         \
  "  shl.b64 %rd8, %rd6, 3;\n"                                            \
  "  add.s64 %rd9, %rd4, %rd8;\n"                                         \
  "  ld.global.cg.u64 %rd10, [%rd9];\n"                                   \
  "  ld.global.cg.u32 %r5, [%rd10];\n"                                    \
  "  xor.b32 %r4, %r4, %r5;\n"                                            \
  "  add.s64 %rd6, %rd6, %rd7;\n"                                         \
  "  setp.lt.u64 %p2, %rd6, %rd2;\n"                                      \
  "  @%p2 bra TOUCH_LOOP;\n"                                              \
  "TOUCH_DONE:\n"                                                         \
  "  setp.ne.u32 %p1, %r4, %r1;\n"                                        \
  "  @%p1 bra TOUCH_END;\n"                                               \
  "  st.global.u32 [%rd5], %r4;\n"                                        \
  "TOUCH_END:\n"                                                          \
  "  ret;\n"                                                              \
  "}\n"

// sm_80+: the read and touch kernels and gs_l2_discard(buf, lines), which
// drops every 128-byte line of the buffer from L2 without writing it back.
inline constexpr char kPtxWithDiscard[] =
    ".version 7.4\n.target sm_80\n.address_size 64\n" GS_READ_KERNEL GS_TOUCH_KERNEL
    ".visible .entry gs_l2_discard(.param .u64 p_buf, .param .u64 p_lines)\n"
    "{\n"
    "  .reg .pred %p<2>;\n"
    "  .reg .b32 %r<6>;\n"
    "  .reg .b64 %rd<12>;\n"
    "  ld.param.u64 %rd1, [p_buf];\n"
    "  ld.param.u64 %rd2, [p_lines];\n"
    "  cvta.to.global.u64 %rd3, %rd1;\n"
    "  mov.u32 %r1, %ctaid.x;\n"
    "  mov.u32 %r2, %ntid.x;\n"
    "  mov.u32 %r3, %tid.x;\n"
    "  mov.u32 %r4, %nctaid.x;\n"
    "  cvt.u64.u32 %rd4, %r1;\n"
    "  cvt.u64.u32 %rd5, %r2;\n"
    "  cvt.u64.u32 %rd6, %r3;\n"
    "  cvt.u64.u32 %rd7, %r4;\n"
    "  mad.lo.u64 %rd8, %rd4, %rd5, %rd6;\n"
    "  mul.lo.u64 %rd9, %rd7, %rd5;\n"
    "  setp.ge.u64 %p1, %rd8, %rd2;\n"
    "  @%p1 bra DISCARD_END;\n"
    "DISCARD_LOOP:\n"
    "  shl.b64 %rd10, %rd8, 7;\n"
    "  add.s64 %rd11, %rd3, %rd10;\n"
    "  discard.global.L2 [%rd11], 128;\n"
    "  add.s64 %rd8, %rd8, %rd9;\n"
    "  setp.lt.u64 %p1, %rd8, %rd2;\n"
    "  @%p1 bra DISCARD_LOOP;\n"
    "DISCARD_END:\n"
    "  ret;\n"
    "}\n";

// Older GPUs (no discard): the read and touch kernels; the read alone still
// displaces the L2 and writes dirty application lines back before the pass.
inline constexpr char kPtxReadOnly[] = ".version 7.0\n.target sm_70\n.address_size 64\n" GS_READ_KERNEL GS_TOUCH_KERNEL;

#undef GS_READ_KERNEL
#undef GS_TOUCH_KERNEL

// True for the kernels above ("gs_l2_read", "gs_l2_discard", "gs_tlb_touch")
// and gs_icache_evict (icache_ptx.h):
// they run inside a profiled launch's callback and carry its correlation id
// in activity records, so record consumers must skip them.
inline bool isInternalKernel(const char* name) {
  return name != nullptr && (std::strncmp(name, "gs_l2_", 6) == 0 || std::strncmp(name, "gs_tlb_", 7) == 0 ||
                             std::strncmp(name, "gs_icache_", 10) == 0);
}

// Scratch buffer and launch geometry of one flush.
struct FlushPlan {
  size_t bytes = 0;              // scratch buffer: `factor` x the L2
  unsigned long long n16 = 0;    // 16-byte loads of gs_l2_read
  unsigned long long lines = 0;  // 128-byte lines of gs_l2_discard
  unsigned blocks = 0;           // grid of both kernels (grid-stride loops)
  unsigned threads = 256;
};

// factor 4 is tried first, 2 when 4x the L2 cannot be allocated. Blocks: 8
// per SM of 256 threads (2,048 threads, a full H100 SM), enough loads in
// flight to stream the buffer at DRAM speed.
inline FlushPlan planFlush(size_t l2_bytes, int sm_count, size_t factor) {
  FlushPlan p;
  p.bytes = factor * l2_bytes;
  p.n16 = p.bytes / 16;
  p.lines = p.bytes / 128;
  p.blocks = static_cast<unsigned>(sm_count > 0 ? sm_count * 8 : 1024);
  return p;
}

}  // namespace gpuscope::profiler::inject
