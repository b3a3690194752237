#include "engine/serialize/engine_file.h"

#include <fmt/format.h>

#include "engine/runtime/timing_cache.h"
#include "engine/serialize/byte_io.h"

namespace gpuscope::engine::serialize {
namespace {

constexpr uint8_t kDTypeCount = uint8_t(DType::kBool) + 1;
constexpr int64_t kMaxDim = int64_t(1) << 40;
constexpr uint64_t kMaxRank = 16;

enum AttrKind : uint8_t { kInt, kFloat, kString, kInts, kFloats, kStrings, kTensor };

void writeShape(ByteWriter& w, const Shape& s) {
  w.u64(s.size());
  for (int64_t d : s) w.i64(d);
}

void writeTensor(ByteWriter& w, const HostTensor& t) {
  w.u8(uint8_t(t.dtype()));
  writeShape(w, t.shape());
  w.u64(t.byteSize());
  w.raw(t.raw(), t.byteSize());
}

void writeStrings(ByteWriter& w, const std::vector<std::string>& v) {
  w.u64(v.size());
  for (const auto& s : v) w.str(s);
}

void writeIds(ByteWriter& w, const std::vector<int32_t>& v) {
  w.u64(v.size());
  for (int32_t id : v) w.i32(id);
}

void writeAttr(ByteWriter& w, const AttrValue& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, int64_t>) { w.u8(kInt); w.i64(x); }
        else if constexpr (std::is_same_v<T, float>) { w.u8(kFloat); w.f32(x); }
        else if constexpr (std::is_same_v<T, std::string>) { w.u8(kString); w.str(x); }
        else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
          w.u8(kInts);
          w.u64(x.size());
          for (int64_t i : x) w.i64(i);
        } else if constexpr (std::is_same_v<T, std::vector<float>>) {
          w.u8(kFloats);
          w.u64(x.size());
          for (float f : x) w.f32(f);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          w.u8(kStrings);
          writeStrings(w, x);
        } else {
          w.u8(kTensor);
          w.u8(x ? 1 : 0);
          if (x) writeTensor(w, *x);
        }
      },
      v);
}

StatusOr<DType> readDType(ByteReader& r) {
  size_t at = r.offset();
  GS_ASSIGN_OR_RETURN(uint8_t t, r.u8("dtype"));
  if (t >= kDTypeCount) return r.error(fmt::format("unknown dtype {}", t), at);
  return DType(t);
}

StatusOr<Shape> readShape(ByteReader& r) {
  size_t at = r.offset();
  GS_ASSIGN_OR_RETURN(uint64_t rank, r.count("rank", 8));
  if (rank > kMaxRank) return r.error(fmt::format("rank {} exceeds {}", rank, kMaxRank), at);
  Shape s(rank);
  int64_t elements = 1;
  for (auto& d : s) {
    size_t dat = r.offset();
    GS_ASSIGN_OR_RETURN(d, r.i64("dim"));
    if (d < 0 || d > kMaxDim) return r.error(fmt::format("dim {} out of range", d), dat);
    if (d != 0 && elements > (int64_t(1) << 50) / d) return r.error("shape has too many elements", dat);
    elements *= d;
  }
  return s;
}

StatusOr<std::shared_ptr<const HostTensor>> readTensor(ByteReader& r) {
  GS_ASSIGN_OR_RETURN(DType dtype, readDType(r));
  GS_ASSIGN_OR_RETURN(Shape shape, readShape(r));
  size_t at = r.offset();
  GS_ASSIGN_OR_RETURN(uint64_t n, r.u64("tensor byte count"));
  uint64_t expected = uint64_t(shapeElements(shape)) * dtypeSize(dtype);
  if (n != expected)
    return r.error(fmt::format("tensor of {} {} has {} bytes, expected {}", dtypeName(dtype), shapeText(shape), n, expected), at);
  GS_ASSIGN_OR_RETURN(std::string_view bytes, r.view(size_t(n), "tensor bytes"));
  return std::make_shared<const HostTensor>(dtype, std::move(shape), std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

StatusOr<std::vector<std::string>> readStrings(ByteReader& r, const char* what) {
  GS_ASSIGN_OR_RETURN(uint64_t n, r.count(what, 8));
  std::vector<std::string> v(n);
  for (auto& s : v) {
    GS_ASSIGN_OR_RETURN(s, r.str(what));
  }
  return v;
}

// Ids in [lo, count): lo = -1 allows kNoValue.
StatusOr<std::vector<int32_t>> readIds(ByteReader& r, const char* what, int32_t lo, size_t count) {
  GS_ASSIGN_OR_RETURN(uint64_t n, r.count(what, 4));
  std::vector<int32_t> v(n);
  for (auto& id : v) {
    size_t at = r.offset();
    GS_ASSIGN_OR_RETURN(id, r.i32(what));
    if (id < lo || (id >= 0 && size_t(id) >= count)) return r.error(fmt::format("{} {} out of range", what, id), at);
  }
  return v;
}

StatusOr<AttrValue> readAttr(ByteReader& r) {
  size_t at = r.offset();
  GS_ASSIGN_OR_RETURN(uint8_t kind, r.u8("attribute kind"));
  switch (kind) {
    case kInt: { GS_ASSIGN_OR_RETURN(int64_t v, r.i64("int attribute")); return AttrValue(v); }
    case kFloat: { GS_ASSIGN_OR_RETURN(float v, r.f32("float attribute")); return AttrValue(v); }
    case kString: { GS_ASSIGN_OR_RETURN(std::string v, r.str("string attribute")); return AttrValue(std::move(v)); }
    case kInts: {
      GS_ASSIGN_OR_RETURN(uint64_t n, r.count("ints attribute", 8));
      std::vector<int64_t> v(n);
      for (auto& x : v) {
        GS_ASSIGN_OR_RETURN(x, r.i64("ints attribute"));
      }
      return AttrValue(std::move(v));
    }
    case kFloats: {
      GS_ASSIGN_OR_RETURN(uint64_t n, r.count("floats attribute", 4));
      std::vector<float> v(n);
      for (auto& x : v) {
        GS_ASSIGN_OR_RETURN(x, r.f32("floats attribute"));
      }
      return AttrValue(std::move(v));
    }
    case kStrings: { GS_ASSIGN_OR_RETURN(auto v, readStrings(r, "strings attribute")); return AttrValue(std::move(v)); }
    case kTensor: {
      GS_ASSIGN_OR_RETURN(uint8_t present, r.u8("tensor attribute flag"));
      if (present == 0) return AttrValue(std::shared_ptr<const HostTensor>());
      GS_ASSIGN_OR_RETURN(auto t, readTensor(r));
      return AttrValue(std::move(t));
    }
    default: return r.error(fmt::format("unknown attribute kind {}", kind), at);
  }
}

}  // namespace

std::string writeEngineFile(const EngineFile& f) {
  ByteWriter w;
  w.raw(kEngineMagic.data(), kEngineMagic.size());
  w.u32(kEngineFormatVersion);
  w.str(f.gpuscope_version);
  w.i32(f.cc_major);
  w.i32(f.cc_minor);
  w.u8(uint8_t(f.device));
  w.u8(uint8_t(f.precision));
  w.u8(uint8_t(f.verbosity));
  const Graph& g = f.graph;
  w.i64(g.opset);
  w.str(g.name);
  w.str(g.producer);
  w.u64(g.values.size());
  for (const Value& v : g.values) {
    w.str(v.name);
    w.u8(uint8_t(v.desc.dtype));
    writeShape(w, v.desc.shape);
    w.u8(v.constant ? 1 : 0);
    if (v.constant) writeTensor(w, *v.constant);
  }
  w.u64(g.nodes.size());
  for (const Node& n : g.nodes) {
    w.str(n.op);
    w.str(n.name);
    writeIds(w, n.inputs);
    writeIds(w, n.outputs);
    w.u64(n.attrs.all().size());
    for (const auto& [name, value] : n.attrs.all()) {
      w.str(name);
      writeAttr(w, value);
    }
    writeStrings(w, n.origin);
    w.u8(n.dead ? 1 : 0);
  }
  writeIds(w, g.inputs);
  writeIds(w, g.outputs);
  w.u64(f.layers.size());
  for (const LayerRecord& l : f.layers) {
    w.i32(l.node);
    w.str(l.name);
    w.str(l.layer_type);
    w.str(l.parameter_type);
    w.str(l.tactic_name);
    w.u64(l.tactic_value);
    writeStrings(w, l.origin);
  }
  w.u64(fnv1a64(w.bytes().data(), w.size()));
  return std::move(w.bytes());
}

StatusOr<EngineFile> readEngineFile(std::string_view bytes, const std::string& path) {
  ByteReader r(bytes, path);
  EngineFile f;
  GS_ASSIGN_OR_RETURN(std::string_view magic, r.view(kEngineMagic.size(), "magic"));
  if (magic != kEngineMagic) return r.error(fmt::format("not a gpuscope engine file (magic is not '{}')", kEngineMagic), 0);
  size_t at = r.offset();
  GS_ASSIGN_OR_RETURN(uint32_t version, r.u32("format version"));
  if (version != kEngineFormatVersion)
    return r.error(fmt::format("engine format version {} is not supported (this gpuscope reads version {}; rebuild the engine)",
                               version, kEngineFormatVersion), at);
  GS_ASSIGN_OR_RETURN(f.gpuscope_version, r.str("gpuscope version", 256));
  f.cc_offset = r.offset();
  GS_ASSIGN_OR_RETURN(f.cc_major, r.i32("cc major"));
  GS_ASSIGN_OR_RETURN(f.cc_minor, r.i32("cc minor"));
  at = r.offset();
  GS_ASSIGN_OR_RETURN(uint8_t device, r.u8("device"));
  GS_ASSIGN_OR_RETURN(uint8_t precision, r.u8("precision"));
  GS_ASSIGN_OR_RETURN(uint8_t verbosity, r.u8("verbosity"));
  if (device > uint8_t(Device::kCpu) || precision > uint8_t(Precision::kBf16) ||
      verbosity > uint8_t(ProfilingVerbosity::kNone))
    return r.error(fmt::format("bad device/precision/verbosity {}/{}/{}", device, precision, verbosity), at);
  f.device = Device(device);
  f.precision = Precision(precision);
  f.verbosity = ProfilingVerbosity(verbosity);

  Graph& g = f.graph;
  GS_ASSIGN_OR_RETURN(g.opset, r.i64("opset"));
  GS_ASSIGN_OR_RETURN(g.name, r.str("graph name"));
  GS_ASSIGN_OR_RETURN(g.producer, r.str("graph producer"));
  GS_ASSIGN_OR_RETURN(uint64_t nvalues, r.count("value count", 18));
  if (nvalues > uint64_t(INT32_MAX)) return r.error("too many values");
  g.values.resize(nvalues);
  for (Value& v : g.values) {
    GS_ASSIGN_OR_RETURN(v.name, r.str("value name"));
    GS_ASSIGN_OR_RETURN(v.desc.dtype, readDType(r));
    GS_ASSIGN_OR_RETURN(v.desc.shape, readShape(r));
    v.dim_params.assign(v.desc.shape.size(), "");
    at = r.offset();
    GS_ASSIGN_OR_RETURN(uint8_t has_constant, r.u8("constant flag"));
    if (has_constant > 1) return r.error("bad constant flag", at);
    if (has_constant) {
      at = r.offset();
      GS_ASSIGN_OR_RETURN(v.constant, readTensor(r));
      if (!(v.constant->desc() == v.desc)) return r.error(fmt::format("constant of value '{}' does not match its desc", v.name), at);
    }
  }
  GS_ASSIGN_OR_RETURN(uint64_t nnodes, r.count("node count", 49));
  g.nodes.resize(nnodes);
  for (size_t n = 0; n < nnodes; ++n) {
    Node& node = g.nodes[n];
    GS_ASSIGN_OR_RETURN(node.op, r.str("node op", 256));
    GS_ASSIGN_OR_RETURN(node.name, r.str("node name"));
    GS_ASSIGN_OR_RETURN(node.inputs, readIds(r, "node input", -1, nvalues));
    at = r.offset();
    GS_ASSIGN_OR_RETURN(node.outputs, readIds(r, "node output", 0, nvalues));
    for (ValueId out : node.outputs) {
      Value& v = g.values[size_t(out)];
      if (v.producer >= 0 || v.constant) return r.error(fmt::format("value '{}' has two producers", v.name), at);
      v.producer = NodeId(n);
    }
    GS_ASSIGN_OR_RETURN(uint64_t nattrs, r.count("attribute count", 9));
    for (uint64_t a = 0; a < nattrs; ++a) {
      GS_ASSIGN_OR_RETURN(std::string name, r.str("attribute name", 4096));
      GS_ASSIGN_OR_RETURN(AttrValue value, readAttr(r));
      node.attrs.set(name, std::move(value));
    }
    GS_ASSIGN_OR_RETURN(node.origin, readStrings(r, "node origin"));
    at = r.offset();
    GS_ASSIGN_OR_RETURN(uint8_t dead, r.u8("dead flag"));
    if (dead > 1) return r.error("bad dead flag", at);
    node.dead = dead != 0;
  }
  GS_ASSIGN_OR_RETURN(g.inputs, readIds(r, "graph input", 0, nvalues));
  GS_ASSIGN_OR_RETURN(g.outputs, readIds(r, "graph output", 0, nvalues));
  GS_ASSIGN_OR_RETURN(uint64_t nlayers, r.count("layer count", 44));
  f.layers.resize(nlayers);
  for (LayerRecord& l : f.layers) {
    at = r.offset();
    GS_ASSIGN_OR_RETURN(l.node, r.i32("layer node"));
    if (l.node < 0 || size_t(l.node) >= nnodes || g.nodes[size_t(l.node)].dead)
      return r.error(fmt::format("layer node {} out of range", l.node), at);
    GS_ASSIGN_OR_RETURN(l.name, r.str("layer name"));
    GS_ASSIGN_OR_RETURN(l.layer_type, r.str("layer type"));
    GS_ASSIGN_OR_RETURN(l.parameter_type, r.str("parameter type"));
    GS_ASSIGN_OR_RETURN(l.tactic_name, r.str("tactic name"));
    GS_ASSIGN_OR_RETURN(l.tactic_value, r.u64("tactic value"));
    GS_ASSIGN_OR_RETURN(l.origin, readStrings(r, "layer origin"));
  }
  size_t body = r.offset();
  GS_ASSIGN_OR_RETURN(uint64_t checksum, r.u64("checksum"));
  if (checksum != fnv1a64(bytes.data(), body)) return r.error("checksum mismatch (the file is corrupt)", body);
  if (!r.atEnd()) return r.error(fmt::format("{} unexpected bytes after the checksum", r.remaining()));
  for (ValueId v : g.inputs)
    if (g.values[size_t(v)].producer >= 0 || g.values[size_t(v)].constant)
      return r.error(fmt::format("graph input '{}' is produced by a node or constant", g.values[size_t(v)].name), body);
  return f;
}

}  // namespace gpuscope::engine::serialize
