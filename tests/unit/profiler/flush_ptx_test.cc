// The L2 flush of --cache-control all (src/profiler/inject/cache_flush.h)
// runs kernels given as PTX text that the driver JIT-compiles on the GPU
// machine. Here, without a GPU, the PTX is assembled with the toolkit's
// ptxas (skipped when there is none), so a syntax error cannot first show up
// as a silent fallback in a GPU run; and the flush geometry is checked
// against hand-computed H100 numbers.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "profiler/inject/flush_ptx.h"
#include "profiler/inject/icache_ptx.h"

namespace gpuscope::profiler::inject {
namespace {

namespace fs = std::filesystem;

// ptxas from $GPUSCOPE_PTXAS, $CUDA_HOME/bin, /usr/local/cuda/bin or PATH.
std::string findPtxas() {
  std::vector<std::string> candidates;
  if (const char* p = std::getenv("GPUSCOPE_PTXAS")) candidates.emplace_back(p);
  if (const char* h = std::getenv("CUDA_HOME")) candidates.push_back(std::string(h) + "/bin/ptxas");
  candidates.emplace_back("/usr/local/cuda/bin/ptxas");
  if (const char* path = std::getenv("PATH")) {
    std::string all = path;
    size_t start = 0;
    while (start <= all.size()) {
      size_t colon = all.find(':', start);
      if (colon == std::string::npos) colon = all.size();
      if (colon > start) candidates.push_back(all.substr(start, colon - start) + "/ptxas");
      start = colon + 1;
    }
  }
  for (const std::string& c : candidates) {
    std::error_code ec;
    if (!c.empty() && fs::is_regular_file(c, ec)) return c;
  }
  return "";
}

// Assembles `ptx` for `arch`; returns ptxas's exit status (0 = accepted)
// and checks that it wrote a non-empty cubin.
int assemble(const std::string& ptxas, const char* ptx, const std::string& arch) {
  // One folder per process and test: ctest runs the tests of this file in
  // parallel, and a shared file name let one test assemble the other's PTX.
  fs::path dir = fs::path(testing::TempDir()) /
                 ("gpuscope_flush_ptx_" + std::to_string(::getpid()) + "_" +
                  testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(dir);
  fs::path in = dir / ("flush_" + arch + ".ptx");
  fs::path out = dir / ("flush_" + arch + ".cubin");
  fs::remove(out);
  std::ofstream(in) << ptx;
  std::string cmd = "'" + ptxas + "' -arch=" + arch + " '" + in.string() + "' -o '" + out.string() + "' 2>&1";
  int rc = std::system(cmd.c_str());
  if (rc == 0) {
    std::error_code ec;
    const uintmax_t bytes = fs::file_size(out, ec);
    EXPECT_TRUE(!ec && bytes > 0) << "ptxas wrote no cubin for " << arch;
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return rc;
}

TEST(FlushPtx, ReadAndDiscardKernelsAssembleForHopperAndAmpere) {
  std::string ptxas = findPtxas();
  if (ptxas.empty()) GTEST_SKIP() << "no ptxas (CUDA toolkit) on this machine";
  EXPECT_EQ(assemble(ptxas, kPtxWithDiscard, "sm_90"), 0);
  EXPECT_EQ(assemble(ptxas, kPtxWithDiscard, "sm_80"), 0);
}

TEST(FlushPtx, ReadOnlyFallbackAssembles) {
  std::string ptxas = findPtxas();
  if (ptxas.empty()) GTEST_SKIP() << "no ptxas (CUDA toolkit) on this machine";
  EXPECT_EQ(assemble(ptxas, kPtxReadOnly, "sm_90"), 0);
  EXPECT_EQ(assemble(ptxas, kPtxReadOnly, "sm_75"), 0);
}

TEST(FlushPtx, TheDiscardKernelDropsWholeLinesAndTheReadIsNotDead) {
  const std::string with_discard = kPtxWithDiscard;
  // One discard per 128-byte line: the index is shifted by 7 (x128).
  EXPECT_NE(with_discard.find("discard.global.L2 [%rd11], 128;"), std::string::npos);
  EXPECT_NE(with_discard.find("shl.b64 %rd10, %rd8, 7;"), std::string::npos);
  // The loads feed a conditional store, so the JIT cannot remove them.
  for (const std::string& ptx : {std::string(kPtxWithDiscard), std::string(kPtxReadOnly)}) {
    EXPECT_NE(ptx.find("ld.global.v4.u32"), std::string::npos);
    EXPECT_NE(ptx.find("st.global.u32"), std::string::npos);
  }
  EXPECT_EQ(std::string(kPtxReadOnly).find("discard"), std::string::npos);
}

TEST(FlushPtx, TheTouchKernelOnlyReadsApplicationMemory) {
  for (const std::string& ptx : {std::string(kPtxWithDiscard), std::string(kPtxReadOnly)}) {
    size_t begin = ptx.find(".entry gs_tlb_touch");
    ASSERT_NE(begin, std::string::npos);
    std::string body = ptx.substr(begin, ptx.find("\n}\n", begin) - begin);
    // L2-only loads through the list, then of each listed address.
    EXPECT_NE(body.find("ld.global.cg.u64 %rd10, [%rd9];"), std::string::npos);
    EXPECT_NE(body.find("ld.global.cg.u32 %r5, [%rd10];"), std::string::npos);
    // Its one store goes to the sink word (%rd5, from p_sink), never to a
    // listed address.
    EXPECT_NE(body.find("cvta.to.global.u64 %rd5, %rd3;"), std::string::npos);
    EXPECT_NE(body.find("st.global.u32 [%rd5], %r4;"), std::string::npos);
    size_t stores = 0;
    for (size_t at = body.find("st."); at != std::string::npos; at = body.find("st.", at + 1)) ++stores;
    EXPECT_EQ(stores, size_t{1});
  }
}

#ifdef GPUSCOPE_ICACHE_FATBIN
// The fatbin's entries as nvcc 13 writes them (not documented; a change
// shows here first): a 16-byte header (magic 0xBA55ED50, version, header
// size, payload size), then per entry kind (1 PTX, 2 ELF), header size,
// payload size and, at byte 28, the architecture.
struct FatbinEntry {
  unsigned kind = 0, arch = 0;
  uint64_t size = 0;
};

std::vector<FatbinEntry> fatbinEntries(const std::string& b) {
  auto u16 = [&](size_t at) { return unsigned(uint8_t(b[at])) | unsigned(uint8_t(b[at + 1])) << 8; };
  auto u32 = [&](size_t at) { return u16(at) | u16(at + 2) << 16; };
  auto u64 = [&](size_t at) { return uint64_t(u32(at)) | uint64_t(u32(at + 4)) << 32; };
  std::vector<FatbinEntry> out;
  if (b.size() < 16 || u32(0) != 0xBA55ED50u) return out;
  for (size_t at = u16(6); at + 32 <= b.size();) {
    FatbinEntry e{u16(at), u32(at + 28), u64(at + 8)};
    out.push_back(e);
    at += u32(at + 4) + e.size;
  }
  return out;
}

TEST(IcacheImage, TheBuildEmbedsSassOfTheWholeChainAndPtx) {
  // 512 KB of code is the point: ptxas must not fold the chain. Hopper SASS
  // instructions are 16 bytes, so each ELF holds at least count x 16 bytes.
  std::ifstream in(GPUSCOPE_ICACHE_FATBIN, std::ios::binary);
  ASSERT_TRUE(in) << GPUSCOPE_ICACHE_FATBIN;
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::vector<FatbinEntry> entries = fatbinEntries(bytes);
  std::set<unsigned> sass;
  bool ptx = false;
  for (const FatbinEntry& e : entries) {
    if (e.kind == 1) ptx = ptx || e.arch == 75;
    if (e.kind != 2) continue;
    sass.insert(e.arch);
    EXPECT_GE(e.size, kIcacheEvictInstructions * 16) << "sm_" << e.arch;
    EXPECT_LT(e.size, kIcacheEvictInstructions * 16 + (64u << 10)) << "sm_" << e.arch;
  }
  EXPECT_TRUE(ptx) << "no compute_75 PTX for other GPUs";
  std::stringstream archs(GPUSCOPE_ICACHE_ARCHS);
  for (std::string arch; std::getline(archs, arch, ',');) EXPECT_TRUE(sass.count(std::stoul(arch))) << arch;
}
#endif

TEST(IcachePtx, TheChainIsDistinctAndItsStoreGuarded) {
  const std::string ptx = icacheEvictPtx(4);
  size_t mads = 0;
  for (size_t at = ptx.find("mad.lo.u32"); at != std::string::npos; at = ptx.find("mad.lo.u32", at + 1)) ++mads;
  EXPECT_EQ(mads, 4u);
  // The start is made odd and every constant is even, so the value stays odd
  // and never equals the key 0 the flusher passes: the store never happens.
  EXPECT_NE(ptx.find("or.b32 %r1, %r1, 1;"), std::string::npos);
  for (size_t at = ptx.find("mad.lo.u32 %r1, %r1, %r1, "); at != std::string::npos;
       at = ptx.find("mad.lo.u32 %r1, %r1, %r1, ", at + 1)) {
    const unsigned long c = std::stoul(ptx.substr(at + 26, ptx.find(';', at) - at - 26));
    EXPECT_EQ(c % 2, 0u) << c;
  }
  EXPECT_NE(ptx.find("setp.ne.u32 %p1, %r1, %r2;"), std::string::npos);
  EXPECT_NE(ptx.find(".entry gs_icache_evict"), std::string::npos);
  EXPECT_TRUE(isInternalKernel("gs_icache_evict"));
}

TEST(FlushPlan, FourTimesTheL2OfAnH100) {
  // H100 SXM: 50 MiB L2, 132 SMs.
  FlushPlan p = planFlush(52428800, 132, 4);
  EXPECT_EQ(p.bytes, 209715200u);   // 4 x 52,428,800
  EXPECT_EQ(p.n16, 13107200u);      // 209,715,200 / 16
  EXPECT_EQ(p.lines, 1638400u);     // 209,715,200 / 128
  EXPECT_EQ(p.blocks, 1056u);       // 8 blocks x 132 SMs
  EXPECT_EQ(p.threads, 256u);
  FlushPlan half = planFlush(52428800, 132, 2);
  EXPECT_EQ(half.bytes, 104857600u);
  EXPECT_EQ(half.lines, 819200u);
}

TEST(FlushPlan, UnknownSmCountStillLaunches) {
  EXPECT_EQ(planFlush(1 << 20, 0, 4).blocks, 1024u);
  EXPECT_EQ(planFlush(1 << 20, -1, 4).blocks, 1024u);
}

}  // namespace
}  // namespace gpuscope::profiler::inject
