// The runtime on a real GPU (label gpu; run on the H200): the onnx fixtures
// built for the GPU in fp32/fp16 match the unoptimized fp32 CPU engine; CUDA
// graph replay, per-layer profiling (layer by layer and captured), contexts
// on several threads, save/load and the timing cache.
#include <cuda_runtime.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "base/file.h"
#include "engine/runtime/engine.h"
#include "engine/runtime/timing_cache.h"
#include "engine/serialize/engine_file.h"
#include "fixtures/onnx_fixture.h"

namespace gpuscope::engine {
namespace {

bool haveGpu() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
}

std::string tmp(const std::string& name) {
  return ::testing::TempDir() + "/gpuscope_rt_gpu_" + std::to_string(::getpid()) + "_" + name;
}

LogSink collect(std::vector<std::string>& lines) {
  return [&lines](char sev, const std::string& m) { lines.push_back(std::string(1, sev) + " " + m); };
}

// Deterministic inputs: floats in [-1, 1), integers i % modulus.
std::map<std::string, HostTensor> makeInputs(const Engine& e, int64_t modulus) {
  std::map<std::string, HostTensor> in;
  size_t salt = 0;
  for (const IoTensor& t : e.io()) {
    if (!t.is_input) continue;
    HostTensor h(t.desc.dtype, t.desc.shape);
    for (int64_t i = 0; i < h.elements(); ++i)
      h.setDouble(i, isFloat(t.desc.dtype) ? double(int64_t((size_t(i) * 2654435761u + salt * 97u) % 2000) - 1000) / 1000.0
                                           : double(i % modulus));
    in.emplace(t.name, std::move(h));
    ++salt;
  }
  return in;
}

// Runs one inference; with a GPU engine copies in/out through device memory.
std::map<std::string, std::vector<float>> run(const Engine& e, ExecutionContext& ctx,
                                              const std::map<std::string, HostTensor>& inputs, cudaStream_t stream) {
  std::map<std::string, std::vector<float>> out;
  bool gpu = e.device() == Device::kGpu;
  for (const auto& [name, h] : inputs) {
    void* dst = ctx.buffer(name);
    EXPECT_NE(dst, nullptr) << name;
    if (gpu) {
      EXPECT_EQ(cudaMemcpy(dst, h.raw(), h.byteSize(), cudaMemcpyHostToDevice), cudaSuccess);
    } else {
      std::memcpy(dst, h.raw(), h.byteSize());
    }
  }
  Status s = ctx.enqueue(stream);
  EXPECT_TRUE(s.ok()) << s.message();
  if (gpu) {
    EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  }
  for (const IoTensor& t : e.io()) {
    if (t.is_input) continue;
    HostTensor h(t.desc.dtype, t.desc.shape);
    if (gpu) {
      EXPECT_EQ(cudaMemcpy(h.raw(), ctx.buffer(t.name), h.byteSize(), cudaMemcpyDeviceToHost), cudaSuccess);
    } else {
      std::memcpy(h.raw(), ctx.buffer(t.name), h.byteSize());
    }
    out[t.name] = h.toFloats();
  }
  return out;
}

// max |a - b| / max |b|: the relative error metric of the engine issue.
double relError(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return 1e30;
  double diff = 0, scale = 1e-6;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i])) return 1e30;
    diff = std::max(diff, double(std::fabs(a[i] - b[i])));
    scale = std::max(scale, double(std::fabs(b[i])));
  }
  return diff / scale;
}

struct Model {
  std::string name, path;
  std::map<std::string, Shape> shapes;
  int64_t int_modulus = 2;
};

std::vector<Model> models() {
  std::vector<Model> m;
  Model cnn{"tiny_cnn", tmp("cnn.onnx"), {{"input", {4, 3, 16, 16}}}};
  if (!testing::makeTinyCnnOnnx(cnn.path).empty()) m.push_back(cnn);
  Model tr{"tiny_transformer", tmp("transformer.onnx"), {{"input_ids", {2, 8}}, {"attention_mask", {2, 8}}}};
  if (!testing::makeTinyTransformerOnnx(tr.path).empty()) m.push_back(tr);
  return m;
}

std::unique_ptr<Engine> build(const Model& m, Device device, bool fp16, bool optimize, std::vector<std::string>* log,
                              const std::string& cache = "") {
  BuildOptions o;
  o.device = device;
  o.fp16 = fp16;
  o.optimize = optimize;
  o.shapes = m.shapes;
  o.verbosity = ProfilingVerbosity::kDetailed;
  o.timing_cache_file = cache;
  o.avg_timing = 2;
  std::vector<std::string> ignored;
  auto e = Engine::buildFromOnnx(m.path, o, collect(log ? *log : ignored));
  EXPECT_TRUE(e.ok()) << m.name << ": " << e.status().message();
  return e.ok() ? std::move(e).value() : nullptr;
}

class RuntimeGpu : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!haveGpu()) GTEST_SKIP() << "no CUDA device";
    ASSERT_EQ(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), cudaSuccess);
  }
  void TearDown() override {
    if (stream_) (void)cudaStreamDestroy(stream_);
  }
  cudaStream_t stream_ = nullptr;
};

TEST_F(RuntimeGpu, FixturesMatchCpuReferenceFp32AndFp16) {
  for (const Model& m : models()) {
    auto ref = build(m, Device::kCpu, false, false, nullptr);
    ASSERT_TRUE(ref);
    auto ref_ctx = ExecutionContext::create(*ref, {});
    ASSERT_TRUE(ref_ctx.ok());
    auto inputs = makeInputs(*ref, m.int_modulus);
    auto expected = run(*ref, **ref_ctx, inputs, nullptr);
    for (bool fp16 : {false, true}) {
      std::vector<std::string> log;
      auto e = build(m, Device::kGpu, fp16, true, &log);
      ASSERT_TRUE(e) << m.name;
      auto ctx = ExecutionContext::create(*e, {});
      ASSERT_TRUE(ctx.ok()) << ctx.status().message();
      auto got = run(*e, **ctx, inputs, stream_);
      for (const auto& [name, values] : expected)
        EXPECT_LT(relError(got[name], values), fp16 ? 1e-2 : 1e-4) << m.name << (fp16 ? " fp16 " : " fp32 ") << name;
      bool generation = false;
      for (const auto& l : log) generation |= l.find("V Engine generation completed in ") == 0;
      EXPECT_TRUE(generation);
      EXPECT_GT(e->deviceMemoryBytes(), 0);
      EXPECT_GT(e->weightBytes(), 0);
      for (const LayerRecord& l : e->layers()) {
        EXPECT_FALSE(l.layer_type.empty()) << l.name;
        EXPECT_FALSE(l.origin.empty()) << l.name;
      }
    }
  }
}

TEST_F(RuntimeGpu, CudaGraphReplayGivesIdenticalOutputs) {
  for (const Model& m : models()) {
    auto e = build(m, Device::kGpu, true, true, nullptr);
    ASSERT_TRUE(e);
    auto ctx = ExecutionContext::create(*e, {});
    ASSERT_TRUE(ctx.ok());
    auto inputs = makeInputs(*e, m.int_modulus);
    auto direct = run(*e, **ctx, inputs, stream_);
    std::vector<std::string> log;
    auto captured = (*ctx)->captureGraph(stream_, collect(log));
    ASSERT_TRUE(captured.ok()) << captured.status().message();
    EXPECT_TRUE(*captured) << m.name << ": " << (log.empty() ? "" : log.back());
    auto replay1 = run(*e, **ctx, inputs, stream_);
    auto replay2 = run(*e, **ctx, inputs, stream_);
    EXPECT_EQ(replay1, direct) << m.name;
    EXPECT_EQ(replay2, direct) << m.name;
  }
}

// Sum of a profile's layer times; every time must be >= 0.
float layerSum(const LayerTimes& t) {
  float total = 0;
  for (float ms : t.ms) {
    EXPECT_GE(ms, 0.f);
    total += ms;
  }
  return total;
}

TEST_F(RuntimeGpu, ProfileLayersWithAndWithoutCapturedGraph) {
  for (const Model& m : models()) {
    auto e = build(m, Device::kGpu, false, true, nullptr);
    ASSERT_TRUE(e);
    ContextOptions co;
    co.profile_layers = true;
    auto ctx = ExecutionContext::create(*e, co);
    ASSERT_TRUE(ctx.ok());
    EXPECT_FALSE((*ctx)->lastLayerTimes().ok());  // nothing ran yet
    auto inputs = makeInputs(*e, m.int_modulus);
    auto direct = run(*e, **ctx, inputs, stream_);
    auto plain = (*ctx)->lastLayerTimes();
    ASSERT_TRUE(plain.ok()) << plain.status().message();
    ASSERT_EQ(plain->ms.size(), e->layers().size());
    EXPECT_GT(layerSum(*plain), 0.f);

    // Captured: the events are graph nodes, re-recorded by every launch.
    std::vector<std::string> log;
    auto captured = (*ctx)->captureGraph(stream_, collect(log));
    ASSERT_TRUE(captured.ok()) << captured.status().message();
    ASSERT_TRUE(*captured) << m.name << ": " << (log.empty() ? "" : log.back());
    EXPECT_EQ(run(*e, **ctx, inputs, stream_), direct) << m.name;
    // One launch between two outer events: the layer times lie inside it.
    cudaEvent_t a = nullptr, b = nullptr;
    ASSERT_EQ(cudaEventCreate(&a), cudaSuccess);
    ASSERT_EQ(cudaEventCreate(&b), cudaSuccess);
    ASSERT_EQ(cudaEventRecord(a, stream_), cudaSuccess);
    ASSERT_TRUE((*ctx)->enqueue(stream_).ok());
    ASSERT_EQ(cudaEventRecord(b, stream_), cudaSuccess);
    auto graphed = (*ctx)->lastLayerTimes();
    ASSERT_TRUE(graphed.ok()) << graphed.status().message();
    ASSERT_EQ(graphed->ms.size(), e->layers().size());
    ASSERT_EQ(cudaEventSynchronize(b), cudaSuccess);
    float whole = 0;
    ASSERT_EQ(cudaEventElapsedTime(&whole, a, b), cudaSuccess);
    const float sum = layerSum(*graphed);
    EXPECT_GT(sum, 0.f) << m.name;
    EXPECT_LE(sum, whole + 1e-3f) << m.name;
    std::cout << m.name << ": sum of layer times " << plain->ms.size() << " layers: layer by layer " << layerSum(*plain)
              << " ms, CUDA graph " << sum << " ms (launch " << whole << " ms)\n";
    (void)cudaEventDestroy(a);
    (void)cudaEventDestroy(b);
    EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  }
}

// bench --streams=N --threads: one context per thread, each on its own
// stream, all of one engine. Contexts share no cuDNN/cuBLASLt handle and no
// layer, so every inference of every thread gives the single-context result
// (a shared handle's cudnnSetStream would move one context's convolution
// onto another's stream, reading inputs not yet written).
TEST_F(RuntimeGpu, ContextsOnSeveralThreadsGiveTheSingleContextResult) {
  for (const Model& m : models()) {
    for (bool graph : {false, true}) {
      auto e = build(m, Device::kGpu, true, true, nullptr);
      ASSERT_TRUE(e);
      auto inputs = makeInputs(*e, m.int_modulus);
      auto ref_ctx = ExecutionContext::create(*e, {});
      ASSERT_TRUE(ref_ctx.ok());
      const auto expected = run(*e, **ref_ctx, inputs, stream_);
      constexpr int kThreads = 4, kRuns = 200;
      // Contexts are made (and captured) one after the other, as bench does;
      // only the inferences run concurrently.
      std::vector<std::unique_ptr<ExecutionContext>> ctxs;
      std::vector<cudaStream_t> streams(kThreads, nullptr);
      for (int t = 0; t < kThreads; ++t) {
        ASSERT_EQ(cudaStreamCreateWithFlags(&streams[size_t(t)], cudaStreamNonBlocking), cudaSuccess);
        auto made = ExecutionContext::create(*e, {});
        ASSERT_TRUE(made.ok()) << made.status().message();
        ctxs.push_back(std::move(made).value());
        if (graph) {
          auto c = ctxs.back()->captureGraph(streams[size_t(t)], nullptr);
          ASSERT_TRUE(c.ok() && *c) << m.name;
        }
        for (const auto& [name, h] : inputs)
          ASSERT_EQ(cudaMemcpy(ctxs.back()->buffer(name), h.raw(), h.byteSize(), cudaMemcpyHostToDevice), cudaSuccess);
      }
      std::vector<std::string> failures(kThreads);
      std::vector<std::thread> pool;
      for (int t = 0; t < kThreads; ++t) {
        pool.emplace_back([&, t] {
          std::string& fail = failures[size_t(t)];
          auto check = [&fail](bool ok, const std::string& what) {
            if (!ok && fail.empty()) fail = what;
            return ok;
          };
          ExecutionContext& ctx = *ctxs[size_t(t)];
          cudaStream_t s = streams[size_t(t)];
          // Many inferences back to back; outputs read after every 50th
          // (each inference rewrites every output).
          for (int r = 1; r <= kRuns && fail.empty(); ++r) {
            Status st = ctx.enqueue(s);
            if (!check(st.ok(), "enqueue: " + st.message())) break;
            if (r % 50 != 0) continue;
            if (!check(cudaStreamSynchronize(s) == cudaSuccess, "synchronize")) break;
            for (const IoTensor& io : e->io()) {
              if (io.is_input) continue;
              HostTensor h(io.desc.dtype, io.desc.shape);
              check(cudaMemcpy(h.raw(), ctx.buffer(io.name), h.byteSize(), cudaMemcpyDeviceToHost) == cudaSuccess,
                    "download");
              check(h.toFloats() == expected.at(io.name),
                    fmt::format("thread {} run {}: output '{}' differs from the single-context result", t, r, io.name));
            }
          }
        });
      }
      for (std::thread& th : pool) th.join();
      ctxs.clear();  // contexts go before their streams
      for (cudaStream_t st : streams) (void)cudaStreamDestroy(st);
      for (int t = 0; t < kThreads; ++t)
        EXPECT_EQ(failures[size_t(t)], "") << m.name << (graph ? " (CUDA graph)" : "") << " thread " << t;
    }
  }
}

TEST_F(RuntimeGpu, CaptureOnTheLegacyStreamFallsBack) {
  auto ms = models();
  ASSERT_FALSE(ms.empty());
  auto e = build(ms[0], Device::kGpu, false, true, nullptr);
  ASSERT_TRUE(e);
  auto ctx = ExecutionContext::create(*e, {});
  ASSERT_TRUE(ctx.ok());
  auto inputs = makeInputs(*e, 2);
  auto direct = run(*e, **ctx, inputs, stream_);
  std::vector<std::string> log;
  // The legacy default stream cannot be captured: a warning, no error left behind.
  auto captured = (*ctx)->captureGraph(nullptr, collect(log));
  ASSERT_TRUE(captured.ok());
  EXPECT_FALSE(*captured);
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back().rfind("W CUDA graph capture failed: ", 0), 0u) << log.back();
  EXPECT_EQ(cudaGetLastError(), cudaSuccess);
  EXPECT_EQ(run(*e, **ctx, inputs, stream_), direct);
}

TEST_F(RuntimeGpu, SaveLoadGivesIdenticalOutputs) {
  for (const Model& m : models()) {
    auto e = build(m, Device::kGpu, true, true, nullptr);
    ASSERT_TRUE(e);
    std::string path = tmp(m.name + ".engine");
    ASSERT_TRUE(e->save(path).ok());
    std::vector<std::string> log;
    auto loaded = Engine::load(path, collect(log));
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    ASSERT_EQ((*loaded)->layers().size(), e->layers().size());
    for (size_t i = 0; i < e->layers().size(); ++i) {
      EXPECT_EQ((*loaded)->layers()[i].name, e->layers()[i].name);
      EXPECT_EQ((*loaded)->layers()[i].tactic_value, e->layers()[i].tactic_value);
      EXPECT_EQ((*loaded)->layers()[i].tactic_name, e->layers()[i].tactic_name);
    }
    // No timing on load.
    for (const auto& l : log) EXPECT_EQ(l.find("Timing Runner"), std::string::npos) << l;
    auto inputs = makeInputs(*e, m.int_modulus);
    auto c1 = ExecutionContext::create(*e, {});
    auto c2 = ExecutionContext::create(**loaded, {});
    ASSERT_TRUE(c1.ok() && c2.ok());
    EXPECT_EQ(run(**loaded, **c2, inputs, stream_), run(*e, **c1, inputs, stream_)) << m.name;
  }
}

TEST_F(RuntimeGpu, WrongComputeCapabilityIsRejectedWithOffset) {
  auto ms = models();
  ASSERT_FALSE(ms.empty());
  auto e = build(ms[0], Device::kGpu, false, true, nullptr);
  ASSERT_TRUE(e);
  std::string path = tmp("cc.engine");
  ASSERT_TRUE(e->save(path).ok());
  std::string bytes = *readFile(path);
  auto parsed = serialize::readEngineFile(bytes, path);
  ASSERT_TRUE(parsed.ok());
  int32_t other = parsed->cc_major + 1;
  std::memcpy(bytes.data() + parsed->cc_offset, &other, 4);
  uint64_t sum = fnv1a64(bytes.data(), bytes.size() - 8);
  std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
  {
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), std::streamsize(bytes.size()));
  }
  auto loaded = Engine::load(path, nullptr);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(loaded.status().message().find("at byte " + std::to_string(parsed->cc_offset)), std::string::npos)
      << loaded.status().message();
}

TEST_F(RuntimeGpu, TimingCacheSkipsTimingOnRebuild) {
  for (const Model& m : models()) {
    std::string cache = tmp(m.name + ".timing_cache");
    std::vector<std::string> first, second;
    auto a = build(m, Device::kGpu, true, true, &first, cache);
    ASSERT_TRUE(a);
    // Layers with the same signature time once per build: later ones hit the
    // in-memory cache already in the first build.
    size_t timed = 0;
    for (const auto& l : first)
      timed += l.find("--------------- Timing Runner: ") != std::string::npos || l.find(" timing cache hit: ") != std::string::npos;
    if (timed == 0) continue;  // every layer of this model had a single tactic
    std::string warning;
    TimingCache c = TimingCache::load(cache, &warning);
    EXPECT_EQ(warning, "");
    EXPECT_GT(c.size(), 0u);
    auto b = build(m, Device::kGpu, true, true, &second, cache);
    ASSERT_TRUE(b);
    size_t hits = 0, timed_again = 0;
    for (const auto& l : second) {
      hits += l.find(" timing cache hit: ") != std::string::npos;
      timed_again += l.find("--------------- Timing Runner: ") != std::string::npos;
    }
    EXPECT_EQ(timed_again, 0u) << m.name;
    EXPECT_EQ(hits, timed) << m.name;
    for (size_t i = 0; i < a->layers().size() && i < b->layers().size(); ++i)
      EXPECT_EQ(a->layers()[i].tactic_value, b->layers()[i].tactic_value) << a->layers()[i].name;
    // A corrupt cache warns and is rebuilt, never fails the build.
    {
      std::ofstream f(cache);
      f << "garbage\n";
    }
    std::vector<std::string> third;
    auto c3 = build(m, Device::kGpu, true, true, &third, cache);
    ASSERT_TRUE(c3);
    bool warned = false;
    for (const auto& l : third) warned |= l.rfind("W ", 0) == 0 && l.find("timing cache") != std::string::npos;
    EXPECT_TRUE(warned);
  }
}

TEST_F(RuntimeGpu, DetailedLayerInfoNamesTactics) {
  auto ms = models();
  ASSERT_FALSE(ms.empty());
  auto e = build(ms[0], Device::kGpu, true, true, nullptr);
  ASSERT_TRUE(e);
  std::string json = e->layerInfoJson(ProfilingVerbosity::kDetailed);
  for (const LayerRecord& l : e->layers()) {
    if (l.tactic_name.empty()) continue;
    EXPECT_NE(json.find("\"TacticName\":\"" + l.tactic_name + "\""), std::string::npos) << l.name;
  }
  EXPECT_NE(json.find("Row major linear FP16 format"), std::string::npos);
}

}  // namespace
}  // namespace gpuscope::engine
