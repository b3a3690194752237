#include "inject/icache_image.h"

namespace gpuscope::profiler::inject {

#ifdef GPUSCOPE_ICACHE_FATBIN_INC
// The build's fatbin as an array (gen/icache_tool.cc, src/profiler/CMakeLists.txt).
namespace {
#include GPUSCOPE_ICACHE_FATBIN_INC
}  // namespace

const void* icacheEvictImage() { return gs_icache_fatbin; }
#else
const void* icacheEvictImage() { return nullptr; }
#endif

}  // namespace gpuscope::profiler::inject
