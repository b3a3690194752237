#include "engine/gpu/pointwise/pointwise_layer.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "engine/gpu/pointwise/nvrtc_cache.h"
#include "engine/ops/fused_ops.h"
#include "engine/ops/pointwise/interpreter.h"

namespace gpuscope::engine {

namespace {

using pointwise::Access;
using pointwise::KernelArgs;

constexpr uint64_t kGenericTactic = 0x5057000000000001ull;  // "PW" + kernel kind
constexpr uint64_t kVecTacticBase = 0x5057000000000100ull;  // + vector width
constexpr int kThreads = 256;

// Drops size-1 dims and merges neighbours that every strided input walks
// contiguously, so most broadcasts index with one or two divisions.
Status collapseDims(const Shape& shape, const std::vector<std::vector<int64_t>>& strides, KernelArgs& args, int& rank,
                    const std::string& where) {
  struct Dim {
    int64_t size;
    std::vector<int64_t> st;
  };
  std::vector<Dim> dims;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    Dim cur{shape[d], {}};
    for (const auto& s : strides) cur.st.push_back(s[d]);
    if (!dims.empty()) {
      Dim& prev = dims.back();
      bool merge = true;
      for (size_t k = 0; k < cur.st.size(); ++k) merge &= prev.st[k] == cur.st[k] * cur.size;
      if (merge) {
        prev.size *= cur.size;
        prev.st = cur.st;
        continue;
      }
    }
    dims.push_back(std::move(cur));
  }
  if (dims.empty()) dims.push_back(Dim{1, std::vector<int64_t>(strides.size(), 0)});
  if (dims.size() > size_t(pointwise::kMaxKernelRank))
    return InvalidInput(fmt::format("{}: broadcast needs rank {} after collapsing dims, generated kernels handle {}",
                                    where, dims.size(), pointwise::kMaxKernelRank));
  rank = int(dims.size());
  for (int d = 0; d < rank; ++d) {
    args.dims[d] = dims[size_t(d)].size;
    for (size_t k = 0; k < strides.size(); ++k) args.strides[k][d] = dims[size_t(d)].st[k];
  }
  return OkStatus();
}

class PointwiseLayer final : public GpuLayer {
 public:
  PointwiseLayer(PointwisePlan plan, const void* generic, const void* vec, int sm_count)
      : plan_(std::move(plan)), generic_(generic), vec_(vec), sm_count_(sm_count) {}

  std::vector<Tactic> tactics() const override {
    std::vector<Tactic> t = {{kGenericTactic, pointwise::kGenericEntry}};
    if (vec_) t.push_back({kVecTacticBase + uint64_t(plan_.spec.vec), pointwise::vecEntry(plan_.spec.vec)});
    return t;
  }

  Status select(uint64_t tactic_id) override {
    if (tactic_id == kGenericTactic || (vec_ && tactic_id == kVecTacticBase + uint64_t(plan_.spec.vec))) {
      use_vec_ = tactic_id != kGenericTactic;
      return OkStatus();
    }
    return InvalidInput(fmt::format("pointwise layer has no tactic 0x{:016x}", tactic_id));
  }

  Status enqueue(const LayerBindings& b, void* stream) override {
    if (plan_.elements == 0) return OkStatus();
    KernelArgs args = plan_.args;
    bool aligned = true;
    size_t nin = plan_.spec.inputs.size(), nout = plan_.spec.outputs.size();
    if (b.outputs.size() < nout) return InternalError("pointwise layer: missing output bindings");
    for (size_t k = 0; k < nin; ++k) {
      size_t bi = size_t(plan_.binding_of_input[k]);
      if (bi >= b.inputs.size() || !b.inputs[bi]) return InternalError(fmt::format("pointwise layer: input {} unbound", bi));
      args.in[k] = b.inputs[bi];
    }
    for (size_t k = 0; k < nout; ++k) {
      args.out[k] = b.outputs[k];
      aligned &= vecAligned(args.out[k], plan_.spec.outputs[k]);
    }
    for (size_t k = 0; k < nin; ++k)
      if (plan_.spec.access[k] == Access::kFull) aligned &= vecAligned(args.in[k], plan_.spec.inputs[k]);
    bool vec = use_vec_ && vec_ && aligned;
    int64_t work = vec ? plan_.elements / plan_.spec.vec : plan_.elements;
    int64_t blocks = std::min<int64_t>((work + kThreads - 1) / kThreads, int64_t(std::max(sm_count_, 1)) * 16);
    void* params[] = {&args};
    cudaError_t e = cudaLaunchKernel(vec ? vec_ : generic_, dim3(unsigned(std::max<int64_t>(blocks, 1))), dim3(kThreads),
                                     params, 0, static_cast<cudaStream_t>(stream));
    if (e != cudaSuccess) return InternalError(fmt::format("pointwise kernel launch: {}", cudaGetErrorString(e)));
    return OkStatus();
  }

  std::string_view layerType() const override { return "PointWiseV2"; }
  std::string_view parameterType() const override { return "PointWise"; }

 private:
  bool vecAligned(const void* p, DType t) const {
    if (plan_.spec.vec == 0) return false;
    return reinterpret_cast<uintptr_t>(p) % (dtypeSize(t) * size_t(plan_.spec.vec)) == 0;
  }

  PointwisePlan plan_;
  const void* generic_;
  const void* vec_;
  int sm_count_;
  bool use_vec_ = false;
};

}  // namespace

StatusOr<PointwisePlan> planPointwise(const Graph& graph, NodeId n) {
  const Node& node = graph.nodes[size_t(n)];
  std::string where = graph.describe(n);
  PointwisePlan plan;
  if (node.op == fused::kPointwise) {
    auto p = pointwise::parseProgram(node.attrs.getString("program"));
    if (!p.ok()) return InvalidInput(where + ": " + p.status().message());
    plan.program = std::move(p).value();
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (node.inputs[i] == kNoValue) return InvalidInput(fmt::format("{}: input {} is omitted", where, i));
      plan.binding_of_input.push_back(int(i));
    }
  } else {
    std::vector<std::optional<DType>> types;
    std::vector<pointwise::Ref> refs;
    int k = 0;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      ValueId v = node.inputs[i];
      types.push_back(v == kNoValue ? std::nullopt : std::optional<DType>(graph.values[size_t(v)].desc.dtype));
      refs.push_back(pointwise::Ref{pointwise::RefKind::kInput, v == kNoValue ? 0 : k});
      if (v != kNoValue) {
        plan.binding_of_input.push_back(int(i));
        ++k;
      }
    }
    GS_ASSIGN_OR_RETURN(pointwise::Ref r, pointwise::appendNodeStatement(node, types, refs, plan.program, where));
    plan.program.outputs.push_back(r);
  }
  if (node.outputs.size() != plan.program.outputs.size())
    return InvalidInput(fmt::format("{}: program has {} outputs, node has {}", where, plan.program.outputs.size(),
                                    node.outputs.size()));
  const Shape& shape = graph.values[size_t(node.outputs[0])].desc.shape;
  plan.elements = shapeElements(shape);
  for (ValueId out : node.outputs) plan.spec.outputs.push_back(graph.values[size_t(out)].desc.dtype);
  std::vector<std::vector<int64_t>> strided;
  std::vector<size_t> strided_index;
  bool all_dense = true;
  for (int bi : plan.binding_of_input) {
    const TensorDesc& d = graph.values[size_t(node.inputs[size_t(bi)])].desc;
    plan.spec.inputs.push_back(d.dtype);
    Access a = d.elements() == plan.elements ? Access::kFull : d.elements() == 1 ? Access::kScalar : Access::kStrided;
    plan.spec.access.push_back(a);
    if (a == Access::kStrided) {
      strided.push_back(pointwise::broadcastStrides(d.shape, shape));
      all_dense = false;
    }
  }
  if (plan.spec.inputs.size() > size_t(pointwise::kMaxKernelInputs))
    return InvalidInput(fmt::format("{}: {} inputs, generated kernels take at most {}", where, plan.spec.inputs.size(),
                                    pointwise::kMaxKernelInputs));
  // Strides of strided inputs go to their own rows of args.strides.
  std::vector<std::vector<int64_t>> rows(plan.spec.inputs.size(), std::vector<int64_t>(shape.size(), 0));
  for (size_t k = 0, s = 0; k < plan.spec.inputs.size(); ++k)
    if (plan.spec.access[k] == Access::kStrided) rows[k] = strided[s++];
  int rank = 1;
  GS_RETURN_IF_ERROR(collapseDims(shape, rows, plan.args, rank, where));
  plan.spec.rank = strided.empty() ? 1 : rank;
  plan.args.n = plan.elements;
  plan.spec.index64 = plan.elements >= (int64_t(1) << 31);
  int vec = pointwise::vectorWidth(plan.spec.inputs, plan.spec.outputs);
  if (all_dense && vec >= 2 && plan.elements > 0 && plan.elements % vec == 0) plan.spec.vec = vec;
  auto src = pointwise::generateKernelSource(plan.program, plan.spec);
  if (!src.ok()) return InvalidInput(where + ": " + src.status().message());
  plan.source = std::move(src).value();
  return plan;
}

StatusOr<std::unique_ptr<GpuLayer>> createPointwiseLayer(const GpuLayerArgs& args) {
  GS_ASSIGN_OR_RETURN(PointwisePlan plan, planPointwise(args.graph, args.node));
  int major = args.ctx.cc_major, minor = args.ctx.cc_minor, sms = args.ctx.sm_count;
  if (major == 0) {
    cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, args.ctx.device);
    cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, args.ctx.device);
  }
  if (sms == 0) cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, args.ctx.device);
  if (major == 0) return EnvironmentError(args.graph.describe(args.node) + ": no CUDA device for the generated kernel");
  NvrtcCache& cache = defaultNvrtcCache(major, minor);  // process-wide: every context shares the kernels
  auto generic = cache.kernel(plan.source, pointwise::kGenericEntry);
  if (!generic.ok())
    return Status(generic.status().code(), args.graph.describe(args.node) + ": " + generic.status().message());
  const void* vec = nullptr;
  if (plan.spec.vec) {
    GS_ASSIGN_OR_RETURN(vec, cache.kernel(plan.source, pointwise::vecEntry(plan.spec.vec)));
  }
  return std::unique_ptr<GpuLayer>(new PointwiseLayer(std::move(plan), *generic, vec, sms));
}

}  // namespace gpuscope::engine
