#include "engine/gpu/shape/strided_copy.h"

#include <fmt/format.h>

namespace gpuscope::engine::gpu {

StatusOr<StridedCopy> StridedCopy::make(const std::vector<int64_t>& shape, const std::vector<int64_t>& src_strides,
                                        const std::vector<int64_t>& dst_strides, int64_t src_offset,
                                        int64_t dst_offset, int elem_size, const std::string& where) {
  if (src_strides.size() != shape.size() || dst_strides.size() != shape.size())
    return InternalError(fmt::format("{}: strided copy with mismatched ranks", where));
  StridedCopy c;
  c.elem_size_ = elem_size;
  c.p_.src_offset = src_offset;
  c.p_.dst_offset = dst_offset;
  int64_t count = 1;
  std::vector<int64_t> dims, ss, ds;
  for (size_t k = 0; k < shape.size(); ++k) {
    count *= shape[k];
    if (shape[k] == 1) continue;
    // merge with the previous kept dim when contiguous on both sides
    if (!dims.empty() && ss.back() == src_strides[k] * shape[k] && ds.back() == dst_strides[k] * shape[k]) {
      dims.back() *= shape[k];
      ss.back() = src_strides[k];
      ds.back() = dst_strides[k];
      continue;
    }
    dims.push_back(shape[k]);
    ss.push_back(src_strides[k]);
    ds.push_back(dst_strides[k]);
  }
  c.p_.count = count;
  if (count == 0) return c;
  if (dims.size() > size_t(kMaxCopyRank))
    return InvalidInput(fmt::format("{}: copy needs {} dims after merging contiguous ones; the GPU kernel supports {}",
                                    where, dims.size(), kMaxCopyRank));
  c.p_.rank = int(dims.size());
  for (size_t k = 0; k < dims.size(); ++k) {
    c.p_.shape[k] = dims[k];
    c.p_.src_stride[k] = ss[k];
    c.p_.dst_stride[k] = ds[k];
  }
  c.dense_ = dims.empty() || (dims.size() == 1 && ss[0] == 1 && ds[0] == 1);
  if (!c.dense_ && ss.back() == 1 && ds.back() == 1) {
    // Runs contiguous on both sides: move them as wider words (up to 16
    // bytes) when every offset and stride keeps the words aligned (buffers
    // are 256-byte aligned).
    for (int w = 16; w > elem_size; w /= 2) {
      auto fits = [&](int64_t elems) { return (elems * elem_size) % w == 0; };
      bool ok = fits(dims.back()) && fits(src_offset) && fits(dst_offset);
      for (size_t k = 0; k + 1 < dims.size(); ++k) ok = ok && fits(ss[k]) && fits(ds[k]);
      if (!ok) continue;
      const int64_t f = w / elem_size;
      dims.back() /= f;
      for (size_t k = 0; k + 1 < dims.size(); ++k) {
        ss[k] /= f;
        ds[k] /= f;
      }
      c.p_.src_offset = src_offset / f;
      c.p_.dst_offset = dst_offset / f;
      c.p_.count = count / f;
      c.elem_size_ = w;
      for (size_t k = 0; k < dims.size(); ++k) {
        c.p_.shape[k] = dims[k];
        c.p_.src_stride[k] = ss[k];
        c.p_.dst_stride[k] = ds[k];
      }
      break;
    }
  }
  if (!c.dense_ && dims.size() >= 2 && c.elem_size_ == elem_size) {
    int a = -1, b = -1;
    for (int k = 0; k < c.p_.rank; ++k) {
      if (ds[size_t(k)] == 1 && a < 0) a = k;
      if (ss[size_t(k)] == 1 && b < 0) b = k;
    }
    if (a >= 0 && b >= 0 && a != b && dims[size_t(a)] >= 4 && dims[size_t(b)] >= 4 &&
        count / (dims[size_t(a)] * dims[size_t(b)]) <= 65535) {
      c.tile_a_ = a;
      c.tile_b_ = b;
    }
  }
  return c;
}

cudaError_t StridedCopy::launch(const void* src, void* dst, cudaStream_t stream) const {
  if (p_.count == 0) return cudaSuccess;
  if (dense_) {
    const char* s = static_cast<const char*>(src) + p_.src_offset * elem_size_;
    char* d = static_cast<char*>(dst) + p_.dst_offset * elem_size_;
    return cudaMemcpyAsync(d, s, size_t(p_.count) * size_t(elem_size_), cudaMemcpyDeviceToDevice, stream);
  }
  if (tile_a_ >= 0) return launchTiledTranspose(p_, tile_a_, tile_b_, elem_size_, src, dst, stream);
  return launchStridedCopy(p_, elem_size_, src, dst, stream);
}

const char* StridedCopy::kernelKind() const {
  if (dense_ || p_.count == 0) return "memcpy";
  return tile_a_ >= 0 ? "tiled_transpose" : "strided_copy";
}

}  // namespace gpuscope::engine::gpu
