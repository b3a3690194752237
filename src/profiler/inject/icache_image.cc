#include "inject/icache_image.h"

namespace gpuscope::profiler::inject {

#ifdef GPUSCOPE_ICACHE_FATBIN_INC
// The build's fatbin as an array (gen/icache_tool.cc, src/profiler/CMakeLists.txt).
namespace {
#include GPUSCOPE_ICACHE_FATBIN_INC
}  // namespace

IcacheImage icacheEvictImage() { return {gs_icache_fatbin, sizeof(gs_icache_fatbin)}; }
#else
IcacheImage icacheEvictImage() { return {}; }
#endif

}  // namespace gpuscope::profiler::inject
