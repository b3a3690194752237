// parseBenchOptions: trtexec's command line, option by option, with the
// spellings and defaults of the selected trtexec version, then the checks
// across options. The values are parsed in options_values.cc.
#include "bench/options.h"

#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench/options_values.h"

namespace gpuscope::bench {
namespace {

// trtexec's argument multimap: "--key=value" split at the first '=', a bare
// "--flag" has an empty value. Each parser consumes the first occurrence of
// its key; whatever is left at the end is an unknown option.
class ArgMap {
 public:
  explicit ArgMap(const std::vector<std::string>& args) {
    for (const std::string& a : args) {
      size_t eq = a.find('=');
      if (eq == std::string::npos) entries_.push_back({a, "", false});
      else entries_.push_back({a.substr(0, eq), a.substr(eq + 1), false});
    }
  }
  // The value of the first unused occurrence of `key`, consumed.
  bool take(const std::string& key, std::string* value) {
    for (Entry& e : entries_) {
      if (!e.used && e.key == key) {
        e.used = true;
        if (value) *value = e.value;
        return true;
      }
    }
    return false;
  }
  // Boolean flags ignore their value (trtexec: `--fp16=false` enables fp16).
  bool flag(const std::string& key) { return take(key, nullptr); }
  std::vector<std::string> leftovers() const {
    std::vector<std::string> out;
    for (const Entry& e : entries_)
      if (!e.used) out.push_back("Unknown option: " + e.key + " " + e.value);
    return out;
  }

 private:
  struct Entry {
    std::string key, value;
    bool used;
  };
  std::vector<Entry> entries_;
};

// Options trtexec users pass that have no counterpart in gpuscope's engine:
// accepted (their command lines keep working) with a warning.
const char* const kIgnoredOptions[] = {"--noTF32", "--builderOptimizationLevel", "--sparsity", "--tacticSources",
                                       "--preview", "--maxAuxStreams", "--noBuilderCache", "--noCompilationCache",
                                       "--persistentCacheRatio", "--useManagedMemory", "--timeDeserialize"};

}  // namespace

StatusOr<ParsedOptions> parseBenchOptions(const std::vector<std::string>& args) {
  ParsedOptions parsed;
  BenchOptions& o = parsed.options;
  std::vector<std::string>& warn = parsed.warnings;
  ArgMap m(args);
  std::string v;

  if (m.take("--trtexecVersion", &v)) { GS_ASSIGN_OR_RETURN(o.version, parseVersion(v)); }
  const TrtexecVersion ver = o.version;
  const bool v86 = ver.major == 8, v11 = ver.major >= 11;
  if (v11) {  // 11.0 defaults: CUDA graphs, spin-wait, no transfers, separate profiling, strongly typed
    o.cuda_graph = true;
    o.spin_wait = true;
    o.data_transfers = false;
    o.separate_profile_run = true;
    o.strongly_typed = true;
  }
  o.help = m.flag("--help") | m.flag("-h");

  // Model and build options.
  m.take("--onnx", &o.onnx);
  m.take("--saveEngine", &o.save_engine);
  m.take("--loadEngine", &o.load_engine);
  m.take("--timingCacheFile", &o.timing_cache_file);
  if (m.take("--minShapes", &v)) { GS_ASSIGN_OR_RETURN(o.min_shapes, parseShapeSpec("--minShapes", v)); }
  if (m.take("--optShapes", &v)) { GS_ASSIGN_OR_RETURN(o.opt_shapes, parseShapeSpec("--optShapes", v)); }
  if (m.take("--maxShapes", &v)) { GS_ASSIGN_OR_RETURN(o.max_shapes, parseShapeSpec("--maxShapes", v)); }
  if (m.take("--shapes", &v)) { GS_ASSIGN_OR_RETURN(o.shapes, parseShapeSpec("--shapes", v)); }
  if (!v11) {
    o.fp16 = m.flag("--fp16");
    o.best = m.flag("--best");
    if (!v86) o.bf16 = m.flag("--bf16");
    if (ver.atLeast(10, 14) && (o.fp16 || o.bf16 || o.best))
      warn.push_back("--fp16, --bf16 and --best are deprecated (TensorRT 10.14+): use a strongly typed model "
                     "(--stronglyTyped)");
  }
  if (!v86 && m.flag("--stronglyTyped")) {
    if (v11) warn.push_back("--stronglyTyped is a no-op: networks are always strongly typed (TensorRT 11)");
    o.strongly_typed = true;
  }
  if (o.strongly_typed && (o.fp16 || o.bf16 || o.best))
    return InvalidInput("--stronglyTyped cannot be combined with --fp16, --bf16 or --best (the model's types decide)");
  if (o.best) {  // every reduced precision the engine has (8.6 has no bf16; int8 is not supported)
    o.fp16 = true;
    o.bf16 = !v86;
  }
  if (m.take("--profilingVerbosity", &v)) {
    GS_ASSIGN_OR_RETURN(o.profiling_verbosity, parseVerbosity("--profilingVerbosity", v, warn));
  }
  if (v86 && m.take("--nvtxMode", &v)) {
    warn.push_back("--nvtxMode flag has been deprecated, use --profilingVerbosity flag instead.");
    std::vector<std::string> alias_warnings;  // `verbose`/`default` are the nvtxMode spellings: no second warning
    GS_ASSIGN_OR_RETURN(o.profiling_verbosity, parseVerbosity("--nvtxMode", v, alias_warnings));
  }
  if (m.take("--memPoolSize", &v)) GS_RETURN_IF_ERROR(parseMemPool(ver, v, o, warn));
  if (v86 && m.take("--workspace", &v)) {
    warn.push_back("--workspace flag has been deprecated by --memPoolSize flag.");
    GS_ASSIGN_OR_RETURN(int64_t mib, parseInt("--workspace", v));
    if (mib < 0) return badValue("--workspace", v, "MiB >= 0");
    o.workspace_bytes = mib << 20;
  }
  if (v86 && m.flag("--explicitBatch"))
    warn.push_back("--explicitBatch flag has been deprecated and has no effect!");
  if (m.take("--avgTiming", &v)) {
    GS_ASSIGN_OR_RETURN(int64_t n, parseInt("--avgTiming", v));
    if (n < 1) return badValue("--avgTiming", v, "a positive count");
    o.avg_timing = int(n);
  }
  o.skip_inference = m.flag("--skipInference");
  if (v86 && m.flag("--buildOnly")) {
    warn.push_back("--buildOnly flag has been deprecated, use --skipInference flag instead.");
    o.skip_inference = true;
  }

  // Inference options.
  if (m.take("--loadInputs", &v)) {
    size_t start = 0;
    while (start < v.size()) {
      size_t comma = v.find(',', start);
      std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      size_t colon = item.rfind(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == item.size())
        return badValue("--loadInputs", v, "name:file[,name:file]");
      o.load_inputs.emplace_back(item.substr(0, colon), item.substr(colon + 1));
      start = comma == std::string::npos ? v.size() : comma + 1;
    }
  }
  if (m.take("--iterations", &v)) {
    GS_ASSIGN_OR_RETURN(int64_t n, parseInt("--iterations", v));
    if (n < 1 || n > (1 << 30)) return badValue("--iterations", v, "a positive count");
    o.iterations = int(n);
  }
  if (m.take("--warmUp", &v)) {
    GS_ASSIGN_OR_RETURN(o.warmup_ms, parseFloat("--warmUp", v));
    if (o.warmup_ms < 0) return badValue("--warmUp", v, "milliseconds >= 0");
  }
  if (m.take("--duration", &v)) {
    GS_ASSIGN_OR_RETURN(o.duration_s, parseFloat("--duration", v));
    if (o.duration_s < 0 && o.duration_s != -1) return badValue("--duration", v, "seconds >= 0, or -1 (until Ctrl-C)");
  }
  if (m.take("--sleepTime", &v)) {
    GS_ASSIGN_OR_RETURN(o.sleep_ms, parseFloat("--sleepTime", v));
    if (o.sleep_ms < 0) return badValue("--sleepTime", v, "milliseconds >= 0");
  }
  if (m.take("--idleTime", &v)) {
    GS_ASSIGN_OR_RETURN(o.idle_ms, parseFloat("--idleTime", v));
    if (o.idle_ms < 0) return badValue("--idleTime", v, "milliseconds >= 0");
  }
  std::string streams_key;
  if (!v86 && m.take("--infStreams", &v)) streams_key = "--infStreams";
  if (m.take("--streams", &v)) {
    if (!streams_key.empty()) return InvalidInput("--streams and --infStreams both given: use --infStreams");
    if (v11) warn.push_back("--streams flag has been deprecated, use --infStreams flag instead.");
    streams_key = "--streams";
  }
  if (!streams_key.empty()) {
    GS_ASSIGN_OR_RETURN(int64_t n, parseInt(streams_key, v));
    if (n < 1 || n > 256) return badValue(streams_key, v, "a stream count in 1..256");
    o.streams = int(n);
  }
  o.expose_dma = m.flag("--exposeDMA");
  o.threads = m.flag("--threads");
  // Transfers, spin-wait, CUDA graphs, separate profiling: opt-in flags up to
  // 10.x, defaults in 11 where the old flags are no-ops and new ones opt out.
  struct Toggle {
    const char* old_flag;  // 8.6/10: turns the feature on (--noDataTransfers: off)
    const char* new_flag;  // 11: turns the default off (--includeDataTransfers: on)
    bool* target;
    bool old_value, new_value;
  };
  const Toggle toggles[] = {
      {"--useCudaGraph", "--noCudaGraph", &o.cuda_graph, true, false},
      {"--noDataTransfers", "--includeDataTransfers", &o.data_transfers, false, true},
      {"--useSpinWait", "--noSpinWait", &o.spin_wait, true, false},
  };
  for (const Toggle& t : toggles) {
    bool old_given = m.flag(t.old_flag);
    if (!v11) {
      if (old_given) *t.target = t.old_value;
      continue;
    }
    bool new_given = m.flag(t.new_flag);
    if (old_given && new_given)
      return InvalidInput(fmt::format("{} and {} contradict each other", t.old_flag, t.new_flag));
    if (old_given)
      warn.push_back(fmt::format("{} flag is a deprecated no-op (TensorRT 11 default); {} disables it",
                                 t.old_flag, t.new_flag));
    if (new_given) *t.target = t.new_value;
  }
  if (m.flag("--separateProfileRun")) {
    if (v11) warn.push_back("--separateProfileRun flag is a deprecated no-op: profiling always runs separately");
    o.separate_profile_run = true;
  }

  // Reporting options.
  o.verbose = m.flag("--verbose");
  if (m.take("--avgRuns", &v)) {
    GS_ASSIGN_OR_RETURN(int64_t n, parseInt("--avgRuns", v));
    if (n < 1) return badValue("--avgRuns", v, "a positive count");
    o.avg_runs = int(n);
  }
  if (m.take("--percentile", &v)) {
    o.percentiles.clear();
    size_t start = 0;
    while (true) {
      size_t comma = v.find(',', start);
      std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      GS_ASSIGN_OR_RETURN(float p, parseFloat("--percentile", item));
      if (p < 0 || p > 100) return badValue("--percentile", v, "percentiles in [0,100]");
      o.percentiles.push_back(p);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  o.dump_profile = m.flag("--dumpProfile");
  m.take("--exportTimes", &o.export_times);
  m.take("--exportProfile", &o.export_profile);
  m.take("--exportLayerInfo", &o.export_layer_info);
  m.take("--exportOutput", &o.export_output);

  // System options: --device=N, or gpuscope's --device=cpu (the CPU reference engine).
  if (m.take("--device", &v)) {
    if (v == "cpu") {
      o.device = engine::Device::kCpu;
    } else {
      GS_ASSIGN_OR_RETURN(int64_t n, parseInt("--device", v));
      if (n < 0) return badValue("--device", v, "a GPU index >= 0 or cpu");
      o.device_index = int(n);
    }
  }
  for (const char* key : kIgnoredOptions) {
    if (m.take(key, &v))
      warn.push_back(std::string(key) + " has no counterpart in gpuscope's engine; ignored");
  }

  std::vector<std::string> unknown = m.leftovers();
  if (!unknown.empty()) {
    std::string msg;
    for (const std::string& u : unknown) {
      if (!msg.empty()) msg += '\n';
      msg += u;
    }
    return InvalidInput(msg);
  }
  if (o.help) return parsed;

  // Contradictions.
  if (!o.load_engine.empty() && !o.onnx.empty())
    return InvalidInput("--loadEngine and --onnx both given: load an engine or build one from ONNX, not both");
  if (o.load_engine.empty() && o.onnx.empty())
    return InvalidInput("no model given: use --onnx=<file> to build an engine or --loadEngine=<file> to load one");
  if (!o.load_engine.empty()) {
    if (!o.min_shapes.empty() || !o.opt_shapes.empty() || !o.max_shapes.empty())
      return InvalidInput("--minShapes/--optShapes/--maxShapes are build options; they do not apply to --loadEngine");
    if (o.fp16 || o.bf16 || o.best)
      return InvalidInput("--fp16/--bf16/--best are build options; they do not apply to --loadEngine");
  }
  if (o.skip_inference &&
      (!o.export_times.empty() || !o.export_profile.empty() || !o.export_output.empty() || o.dump_profile))
    return InvalidInput("--skipInference contradicts --exportTimes/--exportProfile/--exportOutput/--dumpProfile "
                        "(they need an inference run)");
  if (o.device == engine::Device::kCpu) {
    if (o.cuda_graph && !v11) warn.push_back("--useCudaGraph: the CPU device has no CUDA graphs; ignored");
    o.cuda_graph = false;
    o.spin_wait = false;
  }
  if (o.profiling() && !o.profileInSeparateRun() && !o.export_times.empty())
    warn.push_back("--exportTimes: no times are exported when profiling without --separateProfileRun "
                   "(the timed run carries the profiler)");
  return parsed;
}

}  // namespace gpuscope::bench
