// The PTX of the instruction-cache eviction kernel of --cache-control all
// (on by default; GPUSCOPE_PROFILER_ICACHE_FLUSH=0 for A/B runs,
// cache_flush.h), header-only so that the build can assemble it
// (gen/icache_tool.cc, icache_image.h); a CPU test checks the code size of
// what the build assembled (tests/unit/profiler/flush_ptx_test.cc).
//
// Why: ncu's cache control empties every GPU cache before a pass; our flush
// kernels empty the L2 only, so a replayed kernel finds its own code (and
// constants) in the SMs' instruction caches from the pass before. H200 run W
// fits that: on all 14 PyTorch kernels gpuscope's SM Active Cycles read 0-31 %
// below ncu's (ncu's second run: within ±3 % but for the 2 µs kernels) and
// on 13 of them its L2 throughput 4-65 % below, while elapsed cycles agree
// within ±6 %
// (docs/kernels.md, "Session 7"). Measured in H200 run Z8 (2026-11-30,
// tests/gpu/evidence/2026-11-30-session8): with this kernel SM Active Cycles
// agree with ncu's within 1.5 % on every PyTorch kernel of more than 500
// active cycles.
//
// The kernel runs a straight-line chain of `count` dependent
// mad.lo.u32 r = r * r + c_i with distinct constants: not foldable, one
// SASS instruction each (16 bytes on sm_70+), so its code is count x 16
// bytes, far larger than an SM's instruction caches, and executing it
// displaces their lines. The start value is odd and the constants even, so
// r stays odd; the result is stored to our own sink word only when it equals
// `key`, and the flusher passes 0: never stored, yet the JIT must keep the
// chain. The L2 flush that follows then evicts the code's lines from L2
// too, and the measured kernel fetches its code from DRAM, as under ncu.
#pragma once

#include <cstddef>
#include <string>

namespace gpuscope::profiler::inject {

// 32,768 instructions: 512 KB of SASS.
inline constexpr size_t kIcacheEvictInstructions = 32768;

// PTX of gs_icache_evict(sink, seed, key) with `count` chained instructions.
inline std::string icacheEvictPtx(size_t count = kIcacheEvictInstructions) {
  std::string ptx =
      ".version 7.0\n.target sm_70\n.address_size 64\n"
      ".visible .entry gs_icache_evict(.param .u64 p_sink, .param .u32 p_seed, .param .u32 p_key)\n"
      "{\n"
      "  .reg .pred %p<2>;\n"
      "  .reg .b32 %r<4>;\n"
      "  .reg .b64 %rd<3>;\n"
      "  ld.param.u64 %rd1, [p_sink];\n"
      "  ld.param.u32 %r1, [p_seed];\n"
      "  ld.param.u32 %r2, [p_key];\n"
      "  mov.u32 %r3, %tid.x;\n"
      "  add.u32 %r1, %r1, %r3;\n"
      "  or.b32 %r1, %r1, 1;\n";
  ptx.reserve(ptx.size() + count * 40 + 200);
  // Even constants from a Weyl sequence: distinct, so no two steps are
  // alike (odd * odd + even stays odd).
  unsigned c = 0x9e3779b8u;
  for (size_t i = 0; i < count; ++i) {
    c += 0x632be5aau;
    ptx += "  mad.lo.u32 %r1, %r1, %r1, " + std::to_string(c) + ";\n";
  }
  ptx +=
      "  setp.ne.u32 %p1, %r1, %r2;\n"
      "  @%p1 bra EVICT_END;\n"
      "  cvta.to.global.u64 %rd2, %rd1;\n"
      "  st.global.u32 [%rd2], %r1;\n"
      "EVICT_END:\n"
      "  ret;\n"
      "}\n";
  return ptx;
}

}  // namespace gpuscope::profiler::inject
