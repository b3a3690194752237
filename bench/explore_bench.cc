// explore on a generated 10,000-layer engine (tests/fixtures/engine_fixture):
// load + summary + lint must stay well under a second, a 1,000-layer graph
// must render in seconds, and the collapsed view of 10,000 layers too.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "explore/engine_plan.h"
#include "explore/graph.h"
#include "explore/lint.h"
#include "explore/summary.h"
#include "fixtures/engine_fixture.h"

namespace {

using namespace gpuscope;

// blocks -> layers: 3·blocks + 1 with an FP32 island every third block.
std::string writeEngine(int blocks) {
  auto dir = std::filesystem::temp_directory_path() / ("gpuscope_explore_bench_" + std::to_string(blocks));
  std::filesystem::create_directories(dir);
  testing::EngineFixtureSpec spec;
  spec.blocks = blocks;
  std::string graph = (dir / "e.graph.json").string();
  testing::writeTextFile(graph, testing::makeEngineGraphJson(spec));
  testing::writeTextFile((dir / "e.profile.json").string(), testing::makeEngineProfileJson(spec));
  return graph;
}

explore::EnginePlan load(const std::string& graph) {
  explore::LoadOptions o;
  o.graph = graph;
  return std::move(explore::loadEnginePlan(o).value());
}

void BM_LoadSummaryLint10k(benchmark::State& state) {
  std::string graph = writeEngine(3333);
  for (auto _ : state) {
    explore::EnginePlan plan = load(graph);
    auto s = explore::summarizePlan(plan);
    auto findings = explore::lintPlan(plan);
    benchmark::DoNotOptimize(s.activation_bytes);
    benchmark::DoNotOptimize(findings.size());
    state.counters["layers"] = double(plan.layers.size());
  }
}
BENCHMARK(BM_LoadSummaryLint10k)->Unit(benchmark::kMillisecond);

void BM_SummaryOnly10k(benchmark::State& state) {
  explore::EnginePlan plan = load(writeEngine(3333));
  for (auto _ : state) benchmark::DoNotOptimize(explore::summarizePlan(plan).avg_ms);
}
BENCHMARK(BM_SummaryOnly10k)->Unit(benchmark::kMillisecond);

void BM_LintOnly10k(benchmark::State& state) {
  explore::EnginePlan plan = load(writeEngine(3333));
  for (auto _ : state) benchmark::DoNotOptimize(explore::lintPlan(plan).size());
}
BENCHMARK(BM_LintOnly10k)->Unit(benchmark::kMillisecond);

void BM_GraphSvg1000(benchmark::State& state) {
  explore::EnginePlan plan = load(writeEngine(333));  // 1,000 layers, drawn one node each
  explore::GraphOptions o;
  o.collapse = explore::GraphCollapse::kNone;
  for (auto _ : state) benchmark::DoNotOptimize(explore::renderDot(explore::planToDot(plan, o), "svg")->size());
}
BENCHMARK(BM_GraphSvg1000)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_GraphSvgCollapsed10k(benchmark::State& state) {
  explore::EnginePlan plan = load(writeEngine(3333));
  explore::GraphOptions o;  // auto: collapsed above 1,000 layers
  for (auto _ : state) benchmark::DoNotOptimize(explore::renderDot(explore::planToDot(plan, o), "svg")->size());
}
BENCHMARK(BM_GraphSvgCollapsed10k)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
