// Engine files: CPU engines survive a save/load round trip with identical
// layers and bit-identical outputs; damaged files are InvalidInput naming
// the file and a byte offset, never a crash.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "base/file.h"
#include "engine/runtime/timing_cache.h"
#include "engine/serialize/engine_file.h"
#include "fixtures/onnx_fixture.h"
#include "runtime_test_util.h"

namespace gpuscope::engine {
namespace {

std::unique_ptr<Engine> buildTinyCnn() {
  std::string path = testutil::tempPath("ser_cnn.onnx");
  if (testing::makeTinyCnnOnnx(path).empty()) return nullptr;
  BuildOptions o;
  o.device = Device::kCpu;
  o.shapes = {{"input", {1, 3, 16, 16}}};
  o.verbosity = ProfilingVerbosity::kDetailed;
  auto e = Engine::buildFromOnnx(path, o, nullptr);
  EXPECT_TRUE(e.ok()) << e.status().message();
  return e.ok() ? std::move(e).value() : nullptr;
}

void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(bytes.data(), std::streamsize(bytes.size()));
}

std::vector<uint8_t> runBytes(const Engine& e) {
  auto ctx = ExecutionContext::create(e, {});
  EXPECT_TRUE(ctx.ok());
  testutil::fillCpuInputs(e, **ctx);
  EXPECT_TRUE((*ctx)->enqueue(nullptr).ok());
  std::vector<uint8_t> out;
  for (const IoTensor& t : e.io())
    if (!t.is_input) {
      const auto* p = static_cast<const uint8_t*>((*ctx)->buffer(t.name));
      out.insert(out.end(), p, p + t.desc.bytes());
    }
  return out;
}

TEST(EngineFile, CpuRoundTripGivesSameLayersAndOutputs) {
  auto engine = buildTinyCnn();
  ASSERT_TRUE(engine);
  std::string path = testutil::tempPath("cnn.engine");
  ASSERT_TRUE(engine->save(path).ok());
  std::vector<std::string> log;
  auto loaded = Engine::load(path, testutil::collectLog(log));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const Engine& b = **loaded;
  ASSERT_EQ(b.layers().size(), engine->layers().size());
  for (size_t i = 0; i < b.layers().size(); ++i) {
    EXPECT_EQ(b.layers()[i].name, engine->layers()[i].name);
    EXPECT_EQ(b.layers()[i].layer_type, engine->layers()[i].layer_type);
    EXPECT_EQ(b.layers()[i].tactic_value, engine->layers()[i].tactic_value);
    EXPECT_EQ(b.layers()[i].origin, engine->layers()[i].origin);
  }
  EXPECT_EQ(b.device(), Device::kCpu);
  EXPECT_EQ(b.weightBytes(), engine->weightBytes());
  EXPECT_EQ(b.deviceMemoryBytes(), engine->deviceMemoryBytes());
  EXPECT_EQ(b.layerInfoJson(ProfilingVerbosity::kDetailed), engine->layerInfoJson(ProfilingVerbosity::kDetailed));
  EXPECT_EQ(runBytes(b), runBytes(*engine));
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back().rfind("I Engine deserialized in ", 0), 0u) << log.back();
  // Header fields at their documented offsets.
  auto bytes = readFile(path);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->substr(0, 8), "GPSENG01");
  uint32_t version = 0;
  std::memcpy(&version, bytes->data() + 8, 4);
  EXPECT_EQ(version, serialize::kEngineFormatVersion);
}

struct Damage {
  std::string name;
  std::string bytes;
  std::string expect;  // substring of the message
};

TEST(EngineFile, DamagedFilesAreInvalidInputWithByteOffsets) {
  auto engine = buildTinyCnn();
  ASSERT_TRUE(engine);
  std::string good_path = testutil::tempPath("good.engine");
  ASSERT_TRUE(engine->save(good_path).ok());
  std::string good = *readFile(good_path);
  std::vector<Damage> cases;
  cases.push_back({"empty", "", "truncated engine file"});
  for (size_t cut : {size_t(5), size_t(8), size_t(10), size_t(20), good.size() / 3, good.size() / 2, good.size() - 9,
                     good.size() - 1})
    cases.push_back({"cut" + std::to_string(cut), good.substr(0, cut), "truncated engine file"});
  std::string magic = good;
  magic[0] = 'X';
  cases.push_back({"magic", magic, "not a gpuscope engine file (magic is not 'GPSENG01') at byte 0"});
  std::string version = good;
  version[8] = 2;
  cases.push_back({"version", version, "engine format version 2 is not supported"});
  std::string flipped = good;
  flipped[good.size() / 2] ^= 0x40;
  cases.push_back({"flipped", flipped, "at byte"});
  cases.push_back({"trailing", good + "xyz", "at byte"});
  for (const Damage& d : cases) {
    std::string path = testutil::tempPath("damaged_" + d.name + ".engine");
    writeBytes(path, d.bytes);
    auto e = Engine::load(path, nullptr);
    ASSERT_FALSE(e.ok()) << d.name;
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidInput) << d.name << ": " << e.status().message();
    EXPECT_EQ(e.status().message().rfind(path + ": ", 0), 0u) << d.name << ": " << e.status().message();
    EXPECT_NE(e.status().message().find(d.expect), std::string::npos) << d.name << ": " << e.status().message();
    EXPECT_NE(e.status().message().find(" at byte "), std::string::npos) << d.name << ": " << e.status().message();
  }
  // The version error points at the version field.
  std::string vpath = testutil::tempPath("damaged_version.engine");
  auto ve = Engine::load(vpath, nullptr);
  EXPECT_NE(ve.status().message().find("at byte 8"), std::string::npos) << ve.status().message();
}

TEST(EngineFile, RandomDamageNeverCrashes) {
  auto engine = buildTinyCnn();
  ASSERT_TRUE(engine);
  std::string path = testutil::tempPath("rt.engine");
  ASSERT_TRUE(engine->save(path).ok());
  std::string good = *readFile(path);
  std::mt19937 rng(99);
  int rejected = 0;
  for (int i = 0; i < 300; ++i) {
    std::string bad = good;
    int flips = 1 + int(rng() % 4);
    for (int k = 0; k < flips; ++k) bad[rng() % bad.size()] = char(rng());
    // With the checksum recomputed the damage reaches the structural checks
    // and the load-time graph check (shape inference against saved descs).
    uint64_t sum = fnv1a64(bad.data(), bad.size() - 8);
    std::memcpy(bad.data() + bad.size() - 8, &sum, 8);
    auto parsed = serialize::readEngineFile(bad, "fuzz");
    if (!parsed.ok()) {
      ++rejected;
      EXPECT_EQ(parsed.status().message().rfind("fuzz: ", 0), 0u) << parsed.status().message();
      continue;
    }
    std::string fpath = testutil::tempPath("fuzz.engine");
    writeBytes(fpath, bad);
    auto loaded = Engine::load(fpath, nullptr);
    if (!loaded.ok()) {
      ++rejected;
      EXPECT_EQ(loaded.status().message().rfind(fpath + ": ", 0), 0u) << loaded.status().message();
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(EngineFile, WriterAndReaderAgreeOnEveryField) {
  serialize::EngineFile f;
  f.gpuscope_version = "9.9.9";
  f.cc_major = 9;
  f.cc_minor = 0;
  f.device = Device::kGpu;
  f.precision = Precision::kBf16;
  f.verbosity = ProfilingVerbosity::kNone;
  f.graph = testutil::makeMlpGraph();
  f.graph.producer = "test";
  f.graph.nodes[0].attrs.set("ints", std::vector<int64_t>{1, -2, 3});
  f.graph.nodes[0].attrs.set("floats", std::vector<float>{0.5f, -1.25f});
  f.graph.nodes[0].attrs.set("strings", std::vector<std::string>{"a", ""});
  f.graph.nodes[0].attrs.set("t", std::make_shared<const HostTensor>(HostTensor::fromFloats(DType::kFloat16, {2}, std::vector<float>{1.f, 2.f})));
  f.graph.nodes[0].attrs.set("s", std::string("prog\nram"));
  f.graph.nodes[0].attrs.set("f", 3.25f);
  f.layers.push_back({"L", "CaskConvolution", "Convolution", "sm90_kernel", 0xfedcba9876543210ULL, {"a", "b"}, 0});
  std::string bytes = serialize::writeEngineFile(f);
  auto back = serialize::readEngineFile(bytes, "mem");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->gpuscope_version, "9.9.9");
  EXPECT_EQ(back->cc_major, 9);
  EXPECT_EQ(back->cc_offset, 8u + 4u + 8u + 5u);  // magic, version, length-prefixed "9.9.9"
  EXPECT_EQ(back->device, Device::kGpu);
  EXPECT_EQ(back->precision, Precision::kBf16);
  EXPECT_EQ(back->verbosity, ProfilingVerbosity::kNone);
  const Graph& g = back->graph;
  EXPECT_EQ(g.producer, "test");
  ASSERT_EQ(g.values.size(), f.graph.values.size());
  ASSERT_EQ(g.nodes.size(), f.graph.nodes.size());
  EXPECT_EQ(g.inputs, f.graph.inputs);
  EXPECT_EQ(g.outputs, f.graph.outputs);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    EXPECT_EQ(g.nodes[i].op, f.graph.nodes[i].op);
    EXPECT_EQ(g.nodes[i].inputs, f.graph.nodes[i].inputs);
    EXPECT_EQ(g.nodes[i].origin, f.graph.nodes[i].origin);
  }
  const Attributes& a = g.nodes[0].attrs;
  EXPECT_EQ(a.getInts("ints"), (std::vector<int64_t>{1, -2, 3}));
  EXPECT_EQ(a.getFloats("floats"), (std::vector<float>{0.5f, -1.25f}));
  EXPECT_EQ(a.getString("s"), "prog\nram");
  EXPECT_EQ(a.getFloat("f", 0), 3.25f);
  ASSERT_TRUE(a.getTensor("t"));
  EXPECT_EQ(a.getTensor("t")->toFloats(), (std::vector<float>{1.f, 2.f}));
  const HostTensor* w = g.constantOf(g.findValue("fc.weight"));
  ASSERT_TRUE(w);
  EXPECT_EQ(w->toFloats(), f.graph.constantOf(f.graph.findValue("fc.weight"))->toFloats());
  EXPECT_EQ(g.values[size_t(g.findValue("y"))].producer, f.graph.values[size_t(f.graph.findValue("y"))].producer);
  ASSERT_EQ(back->layers.size(), 1u);
  EXPECT_EQ(back->layers[0].tactic_value, 0xfedcba9876543210ULL);
  EXPECT_EQ(back->layers[0].tactic_name, "sm90_kernel");
  EXPECT_EQ(back->layers[0].origin, (std::vector<std::string>{"a", "b"}));
}

// GPUSCOPE_REGENERATE_ENGINE_CORPUS=1 writes the seed corpus of
// fuzz/fuzz_engine_file.cc: the MLP graph and the tiny CNN as CPU engines.
TEST(EngineFile, SeedCorpus) {
  if (std::getenv("GPUSCOPE_REGENERATE_ENGINE_CORPUS") == nullptr) GTEST_SKIP() << "corpus regeneration not requested";
  std::string dir = std::string(GPUSCOPE_SOURCE_DIR) + "/fuzz/corpus/engine_file";
  std::filesystem::create_directories(dir);
  BuildOptions o;
  o.device = Device::kCpu;
  auto mlp = Engine::buildFromGraph(testutil::makeMlpGraph(), o, nullptr);
  ASSERT_TRUE(mlp.ok());
  ASSERT_TRUE((*mlp)->save(dir + "/mlp.engine").ok());
  auto cnn = buildTinyCnn();
  ASSERT_TRUE(cnn);
  ASSERT_TRUE(cnn->save(dir + "/tiny_cnn.engine").ok());
}

}  // namespace
}  // namespace gpuscope::engine
