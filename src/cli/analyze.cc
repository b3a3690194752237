// gpuscope analyze TRACE: findings with evidence, CUDA-graph advice, HTA
// breakdowns and (--layers) the kernel -> layer table; --decode explains
// kernel names without a trace.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "analysis/myelin/kernel_name_decoder.h"
#include "cli/commands.h"
#include "cli/kernel_metrics_input.h"
#include "importers/registry.h"

namespace gpuscope::cli {
namespace {

struct AnalyzeOptions {
  std::string input;
  std::string format = "text";
  std::vector<std::string> decode;
  bool quiet = false;
  analysis::AnalysisOptions a;
  double gap_us = 10;
  std::string kernel_metrics;  // --kernel-metrics FILE
};

Status runAnalyze(AnalyzeOptions o) {
  if (o.format != "text" && o.format != "json")
    return InvalidInput("--format: expected 'text' or 'json', got '" + o.format + "'");
  if (o.gap_us < 0) return InvalidInput("--gap: expected a non-negative number of microseconds");
  if (o.a.util_chunks < 1 || o.a.util_chunks > 1000) return InvalidInput("--chunks: expected 1..1000 (as nsys)");
  if (!o.decode.empty() && o.input.empty()) {
    printDecodedKernels(o.decode);
    return OkStatus();
  }
  if (o.input.empty()) return InvalidInput("analyze: expected a trace file (or --decode NAME...)");
  o.a.gap_min_ns = static_cast<int64_t>(o.gap_us * 1000.0);
  GS_ASSIGN_OR_RETURN(model::Trace trace, importers::loadTrace(o.input, {.quiet = o.quiet}));
  if (!o.kernel_metrics.empty())
    GS_RETURN_IF_ERROR(attachKernelMetrics(trace, o.kernel_metrics, o.quiet));
  analysis::AnalysisReport report = analysis::analyzeTrace(trace, o.a);
  if (report.source.empty()) report.source = o.input;
  std::string text = o.format == "json" ? analysis::renderJson(report) : analysis::renderText(report, o.a);
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (!o.decode.empty()) printDecodedKernels(o.decode);
  return OkStatus();
}

}  // namespace

void addAnalyzeCommand(CLI::App& app, Action& action) {
  auto opts = std::make_shared<AnalyzeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "analyze", "Findings (GPU gaps and their causes, syncs, copies, launch overhead), CUDA-graph advice, "
                 "HTA breakdowns, kernel->layer mapping");
  cmd->add_option("input", opts->input, "trace file (nsys SQLite, Kineto JSON[.gz], .gpuscope)");
  cmd->add_option("--format", opts->format, "text or json")->capture_default_str();
  cmd->add_flag("--layers", opts->a.layers, "per-layer table (TensorRT NVTX layers, PyTorch ops)");
  cmd->add_option("--gap", opts->gap_us, "smallest GPU idle gap reported, us (nsys gpu_gaps: 500000)")
      ->capture_default_str();
  cmd->add_option("--threshold", opts->a.util_threshold_pct, "gpu_time_util: report chunks below this %")
      ->capture_default_str();
  cmd->add_option("--chunks", opts->a.util_chunks, "gpu_time_util: chunks per device span")->capture_default_str();
  cmd->add_option("--rows", opts->a.rows, "instances kept per finding (-1 = all)")->capture_default_str();
  cmd->add_option("--top", opts->a.top_k, "top-k kernels and sequences")->capture_default_str();
  cmd->add_option("--decode", opts->decode, "explain kernel names (Myelin, TensorRT, cuDNN, cuBLAS, CUTLASS)");
  cmd->add_flag("-q,--quiet", opts->quiet, "no progress on stderr");
  cmd->add_option("--kernel-metrics", opts->kernel_metrics, "hardware metrics of the same program from gpuscope kernels -o FILE.gpuscope, joined to the trace's kernels by name (report kernel_metrics_sum)");
  cmd->callback([opts, &action] { action = [opts] { return runAnalyze(*opts); }; });
}

}  // namespace gpuscope::cli
