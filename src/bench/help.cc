// `gpuscope bench --help`: trtexec's option list, in its section order
// (Model, Build, Inference, Reporting, System, Help), for the options gpuscope
// implements in the selected dialect.
#include <fmt/format.h>

#include "bench/options.h"

namespace gpuscope::bench {

std::string helpText(const TrtexecVersion& v) {
  const bool v86 = v.major == 8, v11 = v.major >= 11;
  std::string h;
  auto line = [&h](const std::string& opt, const std::string& text) {
    h += fmt::format("  {:<34}{}\n", opt, text);
  };
  h += "=== Model Options ===\n";
  line("--onnx=<file>", "ONNX model");
  h += "\n=== Build Options ===\n";
  line("--minShapes=spec", "Build with dynamic shapes using a profile with the min shapes provided");
  line("--optShapes=spec", "Build with dynamic shapes using a profile with the opt shapes provided");
  line("--maxShapes=spec", "Build with dynamic shapes using a profile with the max shapes provided");
  line("", "Input shapes spec ::= Ishp[\",\"spec]; Ishp ::= name\":\"shape; shape ::= N[[\"x\"N]*\"*\"]");
  line("", "gpuscope engines are built for one shape: --shapes, else --optShapes");
  line("--memPoolSize=poolspec", std::string("workspace:<size>") + (v86 ? " in MiB" : " with suffix B/K/M/G (default MiB)"));
  if (v86) line("--workspace=N", "Deprecated alias of --memPoolSize=workspace:N (MiB)");
  line("--profilingVerbosity=mode", "layer_names_only (default) | detailed | none");
  if (v86) line("--nvtxMode=mode", "Deprecated alias of --profilingVerbosity");
  line("--avgTiming=M", "Timed runs per tactic (default = 8)");
  if (!v11) {
    line("--fp16", "Enable fp16 precision, in addition to fp32 (default = disabled)");
    if (!v86) line("--bf16", "Enable bf16 precision, in addition to fp32 (default = disabled)");
    line("--best", "Enable all precisions to achieve the best performance (default = disabled)");
  }
  if (!v86) line("--stronglyTyped", v11 ? "No-op: networks are always strongly typed" : "Create a strongly typed network");
  if (v86) line("--explicitBatch", "No-op (deprecated)");
  line("--saveEngine=<file>", "Save the serialized engine");
  line("--loadEngine=<file>", "Load a serialized engine");
  line("--skipInference", "Exit after the engine has been built");
  if (v86) line("--buildOnly", "Deprecated alias of --skipInference");
  line("--timingCacheFile=<file>", "Save/load the serialized global timing cache");
  h += "\n=== Inference Options ===\n";
  line("--shapes=spec", "Set input shapes for dynamic shapes inference inputs");
  line("--loadInputs=spec", "Load input values from files (name:file.bin,...; raw bytes of the input's type)");
  line("--iterations=N", "Run at least N inference iterations (default = 10)");
  line("--warmUp=N", "Run for N milliseconds to warmup before measuring performance (default = 200)");
  line("--duration=N", "Run performance measurements for at least N seconds wallclock time (default = 3); -1: until Ctrl-C");
  line("--sleepTime=N", "Delay inference start with a gap of N milliseconds between launch and compute (default = 0)");
  line("--idleTime=N", "Sleep N milliseconds between two continuous iterations (default = 0)");
  line(v86 ? "--streams=N" : "--infStreams=N", "Instantiate N execution contexts to run inference concurrently (default = 1)");
  line("--exposeDMA", "Serialize DMA transfers to and from device (default = disabled)");
  if (v11) {
    line("--includeDataTransfers", "Include H2D/D2H transfers in the measurement (default = disabled)");
    line("--noSpinWait", "Use blocking-sync events instead of spin-waiting (default = spin-wait)");
    line("--noCudaGraph", "Do not capture the inference in a CUDA graph (default = CUDA graph)");
  } else {
    line("--noDataTransfers", "Disable DMA transfers to and from device (default = enabled)");
    line("--useSpinWait", "Actively synchronize on GPU events (default = disabled)");
    line("--useCudaGraph", "Use CUDA graph to capture engine execution and then launch inference (default = disabled)");
    line("--separateProfileRun", "Do not attach the profiler in the benchmark run; profile in a separate run");
  }
  line("--threads", "Enable multithreading to drive engines with independent threads (default = disabled)");
  h += "\n=== Reporting Options ===\n";
  line("--verbose", "Use verbose logging (default = false)");
  line("--avgRuns=N", "Report performance measurements averaged over N consecutive iterations (default = 10)");
  line("--percentile=P1,P2,...", "Report performance for the P percentages (0<=P<=100) (default = 90,95,99)");
  line("--dumpProfile", "Print profile information per layer (default = disabled)");
  line("--exportTimes=<file>", "Write the timing results in a json file");
  line("--exportOutput=<file>", "Write the output tensors to a json file");
  line("--exportProfile=<file>", "Write the profile information per layer in a json file");
  line("--exportLayerInfo=<file>", "Write the layer information of the engine in a json file");
  h += "\n=== System Options ===\n";
  line("--device=N", "Select cuda device N (default = 0); gpuscope: --device=cpu runs the CPU reference engine");
  line("--trtexecVersion=V", "gpuscope: trtexec dialect and defaults, 8.6 | 10 | 10.N | 11 | 11.1 (default = 10)");
  h += "\n=== Help ===\n";
  line("--help, -h", "Print this message");
  return h;
}

}  // namespace gpuscope::bench
