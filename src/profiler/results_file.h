// The file an injected process writes (one per process, in the directory
// GPUSCOPE_PROFILER_DIR names) and the parent reads. Text, one record per
// line, fields separated by tabs; '\\', tab and newline inside a field are
// written as \\, \t and \n. Lines:
//   gpuscope-kernels <version>                       first line
//   process <pid> <name>
//   device <pid> <ordinal> <name> <chip> <cc major> <cc minor> <SMs>
//          <max threads/SM> <max blocks/SM> <regs/SM> <regs/block>
//          <smem/SM> <smem/block opt-in> <driver smem/block> <warp size> <L2 bytes>
//   kernel <seq> <pid> <device> <context> <stream> <gx> <gy> <gz> <bx> <by> <bz>
//          <cluster x> <cluster y> <cluster z> <regs/thread, compiled> <static smem>
//          <dynamic smem> <local bytes/thread> <stack size> <driver max blocks/SM>
//          <passes> <mangled name> <demangled name>
//   metric <seq> <name> <value>                      a counter of kernel <seq>
//   launch <seq> shared_mem_config_size <bytes>      driver's carveout for kernel
//          <seq> (activity record; may come after later kernels' lines)
//   warning <text>
//   error <kind> <text>       kind: permission | metric | environment | internal
// The writer appends and flushes per kernel, so a crash of the profiled
// program keeps the kernels profiled so far.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "profiler/record.h"

namespace gpuscope::profiler {

inline constexpr int kResultsVersion = 1;

std::string escapeField(std::string_view field);

// Appends the records of one file to `run`. Kernel ids continue from the
// kernels already in `run`. Malformed lines are InvalidInput naming `path`
// and the line.
Status parseResults(std::string_view text, const std::string& path, ProfileRun& run);

}  // namespace gpuscope::profiler
