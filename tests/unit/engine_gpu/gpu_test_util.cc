#include "unit/engine_gpu/gpu_test_util.h"

#include <cublasLt.h>
#include <cuda_runtime.h>
#include <cudnn.h>
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "engine/passes/infer_shapes.h"

namespace gpuscope::engine::gputest {

GpuEnv* gpuEnv(std::string* why) {
  static std::string reason;
  static GpuEnv* env = [] () -> GpuEnv* {
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n == 0) {
      reason = e != cudaSuccess ? std::string(cudaGetErrorName(e)) + ": " + cudaGetErrorString(e) : "no devices";
      return nullptr;
    }
    auto* g = new GpuEnv();
    cudaSetDevice(0);
    cudaDeviceGetAttribute(&g->ctx.sm_count, cudaDevAttrMultiProcessorCount, 0);
    cudaDeviceGetAttribute(&g->ctx.cc_major, cudaDevAttrComputeCapabilityMajor, 0);
    cudaDeviceGetAttribute(&g->ctx.cc_minor, cudaDevAttrComputeCapabilityMinor, 0);
    cudnnHandle_t dnn = nullptr;
    cudnnStatus_t ds = cudnnCreate(&dnn);
    if (ds != CUDNN_STATUS_SUCCESS) {
      reason = std::string("cudnnCreate: ") + cudnnGetErrorString(ds);
      return nullptr;
    }
    cublasLtHandle_t lt = nullptr;
    if (cublasLtCreate(&lt) != CUBLAS_STATUS_SUCCESS) {
      reason = "cublasLtCreate failed";
      return nullptr;
    }
    cudaStream_t s = nullptr;
    if (cudaStreamCreate(&s) != cudaSuccess) {
      reason = "cudaStreamCreate failed";
      return nullptr;
    }
    g->ctx.cudnn = dnn;
    g->ctx.cublaslt = lt;
    g->stream = s;
    return g;
  }();
  if (!env && why) *why = reason;
  return env;
}

DeviceBuffer::DeviceBuffer(size_t bytes) : bytes_(bytes) {
  if (cudaMalloc(&ptr_, bytes ? bytes : 1) != cudaSuccess) {
    ptr_ = nullptr;
    ADD_FAILURE() << "cudaMalloc(" << bytes << ") failed: " << cudaGetErrorString(cudaGetLastError());
  }
}
DeviceBuffer::~DeviceBuffer() {
  if (ptr_) cudaFree(ptr_);
}
DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& o) noexcept {
  if (this != &o) {
    if (ptr_) cudaFree(ptr_);
    ptr_ = o.ptr_;
    bytes_ = o.bytes_;
    o.ptr_ = nullptr;
    o.bytes_ = 0;
  }
  return *this;
}

DeviceBuffer upload(const HostTensor& t) {
  DeviceBuffer b(t.byteSize());
  if (b.get() && t.byteSize()) {
    cudaError_t e = cudaMemcpy(b.get(), t.raw(), t.byteSize(), cudaMemcpyHostToDevice);
    if (e != cudaSuccess) ADD_FAILURE() << "upload: " << cudaGetErrorString(e);
  }
  return b;
}

HostTensor download(const DeviceBuffer& b, const TensorDesc& desc) {
  HostTensor t(desc.dtype, desc.shape);
  if (b.get() && t.byteSize()) {
    cudaError_t e = cudaMemcpy(t.raw(), b.get(), t.byteSize(), cudaMemcpyDeviceToHost);
    if (e != cudaSuccess) ADD_FAILURE() << "download: " << cudaGetErrorString(e);
  }
  return t;
}

HostTensor randomTensor(DType dtype, Shape shape, std::mt19937& rng, double lo, double hi) {
  HostTensor t(dtype, std::move(shape));
  if (isFloat(dtype)) {
    std::uniform_real_distribution<double> d(lo, hi);
    for (int64_t i = 0; i < t.elements(); ++i) t.setDouble(i, d(rng));
  } else {
    std::uniform_int_distribution<int64_t> d(int64_t(lo), std::max(int64_t(lo), int64_t(hi) - 1));
    for (int64_t i = 0; i < t.elements(); ++i) t.setDouble(i, double(d(rng)));
  }
  return t;
}

std::string Diff::text() const {
  return fmt::format("rel err {:.3g} (max abs err {:.6g} / max abs ref {:.6g}); worst element {}: got {:.8g}, want {:.8g}",
                     rel, max_abs_err, max_abs_ref, worst, got, want);
}

Diff compareTensors(const HostTensor& got, const HostTensor& want) {
  Diff d;
  if (got.elements() != want.elements()) {
    d.rel = d.max_abs_err = std::numeric_limits<double>::infinity();
    return d;
  }
  for (int64_t i = 0; i < want.elements(); ++i) {
    double g = got.getDouble(i), w = want.getDouble(i);
    if (std::isfinite(w)) d.max_abs_ref = std::max(d.max_abs_ref, std::fabs(w));
    double err;
    if (std::isnan(w) && std::isnan(g)) err = 0;
    else if (std::isinf(w) || std::isinf(g)) err = (g == w) ? 0 : std::numeric_limits<double>::infinity();
    else if (std::isnan(g) || std::isnan(w)) err = std::numeric_limits<double>::infinity();
    else err = std::fabs(g - w);
    if (d.worst < 0 || err > d.max_abs_err) {
      d.max_abs_err = err;
      d.worst = i;
      d.got = g;
      d.want = w;
    }
  }
  d.rel = d.max_abs_ref > 0 ? d.max_abs_err / d.max_abs_ref : d.max_abs_err;
  return d;
}

double tolFor(DType t) {
  switch (t) {
    case DType::kFloat32: return 1e-4;
    case DType::kFloat16:
    case DType::kBFloat16: return 1e-2;
    case DType::kFloat64: return 1e-9;
    default: return 0;
  }
}

ValueId OneNode::input(const std::string& name, HostTensor value) {
  ValueId v = graph.addValue(name, value.desc());
  graph.inputs.push_back(v);
  values[name] = std::move(value);
  return v;
}

ValueId OneNode::constant(const std::string& name, HostTensor value) { return graph.addConstant(name, std::move(value)); }

bool OneNode::node(const std::string& op, std::vector<ValueId> inputs, Attributes attrs, int outputs,
                   std::vector<bool> omit_outputs) {
  Node n;
  n.op = op;
  n.name = "test_" + op;
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  n.origin = {n.name};
  for (int i = 0; i < outputs; ++i) {
    bool omit = size_t(i) < omit_outputs.size() && omit_outputs[size_t(i)];
    n.outputs.push_back(omit ? kNoValue : graph.addValue(fmt::format("y{}", i)));
  }
  for (ValueId o : n.outputs)
    if (o != kNoValue) graph.outputs.push_back(o);
  id = graph.addNode(std::move(n));
  InferOptions io;
  io.fold_constants = false;
  Status s = inferShapes(graph, io);
  if (!s.ok()) {
    ADD_FAILURE() << "inferShapes for " << op << ": " << s.message();
    return false;
  }
  // inferShapes may compact the graph: find our node again (the only one).
  id = -1;
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    if (!graph.nodes[i].dead) id = NodeId(i);
  if (id < 0) {
    ADD_FAILURE() << op << " was folded away; give it a runtime input";
    return false;
  }
  return true;
}

namespace {

struct Prepared {
  std::vector<DeviceBuffer> in_bufs;
  std::vector<HostTensor> host_inputs;  // per node input (empty for omitted)
};

bool prepare(OneNode& n, Prepared& p) {
  const Node& node = n.graph.nodes[size_t(n.id)];
  for (ValueId v : node.inputs) {
    if (v == kNoValue) {
      p.host_inputs.emplace_back();
      p.in_bufs.emplace_back();
      continue;
    }
    const HostTensor* c = n.graph.constantOf(v);
    auto it = n.values.find(n.graph.values[size_t(v)].name);
    if (!c && it == n.values.end()) {
      ADD_FAILURE() << "input " << n.graph.values[size_t(v)].name << " has no value";
      return false;
    }
    p.host_inputs.push_back(c ? *c : it->second);
    p.in_bufs.push_back(upload(p.host_inputs.back()));
  }
  return true;
}

// Runs one tactic; outputs are pre-filled with 0xFF bytes (NaN for floats)
// so that elements the kernel forgets to write show up.
bool runTactic(GpuEnv& env, OneNode& n, GpuLayer& layer, const Tactic& t, const Prepared& p,
               std::vector<HostTensor>& outs, bool capture = false) {
  const Graph& g = n.graph;
  const Node& node = g.nodes[size_t(n.id)];
  Status s = layer.select(t.id);
  if (!s.ok()) {
    ADD_FAILURE() << "select(" << t.name << "): " << s.message();
    return false;
  }
  DeviceBuffer ws(layer.workspaceBytes());
  LayerBindings b;
  std::vector<DeviceBuffer> out_bufs;
  for (size_t i = 0; i < node.inputs.size(); ++i) b.inputs.push_back(node.inputs[i] == kNoValue ? nullptr : p.in_bufs[i].get());
  for (ValueId o : node.outputs) {
    if (o == kNoValue) {
      out_bufs.emplace_back();
      b.outputs.push_back(nullptr);
      continue;
    }
    out_bufs.emplace_back(size_t(g.values[size_t(o)].desc.bytes()));
    cudaMemset(out_bufs.back().get(), 0xFF, out_bufs.back().bytes());
    b.outputs.push_back(out_bufs.back().get());
  }
  b.workspace = layer.workspaceBytes() ? ws.get() : nullptr;
  cudaDeviceSynchronize();
  auto stream = static_cast<cudaStream_t>(env.stream);
  cudaGraph_t graph = nullptr;
  if (capture) {
    cudaError_t ce = cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal);
    if (ce != cudaSuccess) {
      ADD_FAILURE() << "cudaStreamBeginCapture: " << cudaGetErrorString(ce);
      return false;
    }
  }
  s = layer.enqueue(b, env.stream);
  if (capture) {
    cudaError_t ce = cudaStreamEndCapture(stream, &graph);
    if (!s.ok() || ce != cudaSuccess) {
      ADD_FAILURE() << "tactic " << t.name << " is not capturable: enqueue " << (s.ok() ? "ok" : s.message())
                    << ", cudaStreamEndCapture " << cudaGetErrorName(ce);
      if (graph) cudaGraphDestroy(graph);
      (void)cudaGetLastError();
      return false;
    }
    cudaGraphExec_t exec = nullptr;
    ce = cudaGraphInstantiate(&exec, graph, 0);
    if (ce == cudaSuccess) ce = cudaGraphLaunch(exec, stream);
    if (exec) cudaGraphExecDestroy(exec);
    cudaGraphDestroy(graph);
    if (ce != cudaSuccess) {
      ADD_FAILURE() << "tactic " << t.name << ": graph instantiate/launch failed: " << cudaGetErrorString(ce);
      return false;
    }
  }
  if (!s.ok()) {
    ADD_FAILURE() << "enqueue(" << t.name << "): " << s.message();
    return false;
  }
  cudaError_t e = cudaStreamSynchronize(stream);
  if (e == cudaSuccess) e = cudaGetLastError();
  if (e != cudaSuccess) {
    ADD_FAILURE() << "tactic " << t.name << ": kernel failed: " << cudaGetErrorName(e) << " " << cudaGetErrorString(e);
    return false;
  }
  outs.clear();
  for (size_t i = 0; i < node.outputs.size(); ++i) {
    if (node.outputs[i] == kNoValue) {
      outs.emplace_back();
      continue;
    }
    outs.push_back(download(out_bufs[i], g.values[size_t(node.outputs[i])].desc));
  }
  return true;
}

}  // namespace

std::vector<HostTensor> runOnGpu(GpuEnv& env, OneNode& n, size_t tactic_index, std::string* tactic_name, bool capture) {
  const Node& node = n.graph.nodes[size_t(n.id)];
  GpuLayerFactory f = GpuLayerRegistry::instance().find(node.op);
  if (!f) {
    ADD_FAILURE() << "no GPU layer registered for " << node.op;
    return {};
  }
  auto layer = f(GpuLayerArgs{n.graph, n.id, env.ctx});
  if (!layer.ok()) {
    ADD_FAILURE() << "factory: " << layer.status().message();
    return {};
  }
  std::vector<Tactic> tactics = (*layer)->tactics();
  if (tactic_index >= tactics.size()) {
    ADD_FAILURE() << "tactic index " << tactic_index << " >= " << tactics.size();
    return {};
  }
  if (tactic_name) *tactic_name = tactics[tactic_index].name;
  Prepared p;
  if (!prepare(n, p)) return {};
  std::vector<HostTensor> outs;
  if (!runTactic(env, n, **layer, tactics[tactic_index], p, outs, capture)) return {};
  return outs;
}

int checkAgainstCpu(GpuEnv& env, OneNode& n, const RunOptions& opts) {
  const Graph& g = n.graph;
  const Node& node = g.nodes[size_t(n.id)];
  SCOPED_TRACE(g.describe(n.id));
  Prepared p;
  if (!prepare(n, p)) return 0;
  std::vector<const HostTensor*> ptrs;
  for (size_t i = 0; i < node.inputs.size(); ++i) ptrs.push_back(node.inputs[i] == kNoValue ? nullptr : &p.host_inputs[i]);
  auto want = runNodeOnCpu(g, n.id, ptrs);
  if (!want.ok()) {
    ADD_FAILURE() << "CPU reference failed: " << want.status().message();
    return 0;
  }
  GpuLayerFactory f = GpuLayerRegistry::instance().find(node.op);
  if (!f) {
    ADD_FAILURE() << "no GPU layer registered for " << node.op;
    return 0;
  }
  auto layer = f(GpuLayerArgs{g, n.id, env.ctx});
  if (!layer.ok()) {
    ADD_FAILURE() << "factory: " << layer.status().message();
    return 0;
  }
  std::vector<Tactic> tactics = (*layer)->tactics();
  EXPECT_GE(int(tactics.size()), opts.expect_min_tactics) << "too few tactics";
  EXPECT_FALSE((*layer)->layerType().empty());
  int checked = 0;
  for (size_t ti = 0; ti < tactics.size(); ++ti) {
    if (!opts.all_tactics && ti > 0) break;
    const Tactic& t = tactics[ti];
    SCOPED_TRACE(fmt::format("tactic {} 0x{:016x} (workspace after select: {} bytes)", t.name, t.id,
                             (*layer)->workspaceBytes()));
    bool ok = true;
    for (bool capture : {false, true}) {
      if (capture && !opts.capture) break;
      std::vector<HostTensor> got;
      if (!runTactic(env, n, **layer, t, p, got, capture)) {
        ok = false;
        continue;
      }
      for (size_t o = 0; o < got.size(); ++o) {
        if (node.outputs[o] == kNoValue) continue;
        const HostTensor& w = (*want)[o];
        Diff d = compareTensors(got[o], w);
        double tol = isFloat(w.dtype()) ? opts.tol : 0.0;
        EXPECT_LE(d.rel, tol) << (capture ? "[CUDA graph replay] " : "[direct enqueue] ") << "output " << o << " ("
                              << dtypeName(w.dtype()) << " " << shapeText(w.shape()) << "): " << d.text();
      }
    }
    if (ok) ++checked;
  }
  return checked;
}

}  // namespace gpuscope::engine::gputest
