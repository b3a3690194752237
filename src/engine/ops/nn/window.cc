#include "engine/ops/nn/window.h"

#include <fmt/format.h>

namespace gpuscope::engine::nn_ops {

StatusOr<Window> resolveWindow(const std::string& where, const Node& node, const std::vector<int64_t>& in,
                               std::vector<int64_t> kernel, bool allow_ceil_mode) {
  size_t n = in.size();
  Window w;
  w.kernel = std::move(kernel);
  w.strides = node.attrs.getInts("strides", std::vector<int64_t>(n, 1));
  w.dilations = node.attrs.getInts("dilations", std::vector<int64_t>(n, 1));
  std::vector<int64_t> pads = node.attrs.getInts("pads", std::vector<int64_t>(2 * n, 0));
  if (w.kernel.size() != n || w.strides.size() != n || w.dilations.size() != n || pads.size() != 2 * n)
    return InvalidInput(fmt::format("{}: kernel/strides/dilations/pads sizes ({}/{}/{}/{}) do not match {} spatial "
                                    "dims",
                                    where, w.kernel.size(), w.strides.size(), w.dilations.size(), pads.size(), n));
  std::string auto_pad = node.attrs.getString("auto_pad", "NOTSET");
  bool ceil_mode = allow_ceil_mode && node.attrs.getInt("ceil_mode", 0) != 0;
  w.pad_begin.assign(pads.begin(), pads.begin() + int64_t(n));
  w.pad_end.assign(pads.begin() + int64_t(n), pads.end());
  w.out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t k = w.kernel[i], s = w.strides[i], d = w.dilations[i];
    if (k <= 0 || s <= 0 || d <= 0 || w.pad_begin[i] < 0 || w.pad_end[i] < 0)
      return InvalidInput(fmt::format("{}: invalid window on spatial dim {}: kernel {}, stride {}, dilation {}, "
                                      "pads {}/{}",
                                      where, i, k, s, d, w.pad_begin[i], w.pad_end[i]));
    int64_t span = d * (k - 1) + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      int64_t out = (in[i] + s - 1) / s;
      int64_t total = std::max<int64_t>(0, (out - 1) * s + span - in[i]);
      // SAME_UPPER puts the odd pad at the end, SAME_LOWER at the beginning.
      w.pad_begin[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      w.pad_end[i] = total - w.pad_begin[i];
      w.out[i] = out;
      continue;
    }
    if (auto_pad == "VALID") {
      w.pad_begin[i] = w.pad_end[i] = 0;
    } else if (auto_pad != "NOTSET") {
      return InvalidInput(fmt::format("{}: unknown auto_pad '{}'", where, auto_pad));
    }
    int64_t padded = in[i] + w.pad_begin[i] + w.pad_end[i];
    if (padded < span)
      return InvalidInput(fmt::format("{}: window of {} (kernel {}, dilation {}) exceeds the padded input {} on "
                                      "spatial dim {}",
                                      where, span, k, d, padded, i));
    int64_t out = ceil_mode ? (padded - span + s - 1) / s + 1 : (padded - span) / s + 1;
    // A window must start inside the input or its begin padding (PyTorch's
    // and onnxruntime's ceil_mode rule).
    if (ceil_mode && (out - 1) * s >= in[i] + w.pad_begin[i]) --out;
    w.out[i] = out;
  }
  return w;
}

Window3 toWindow3(const Window& w, const std::vector<int64_t>& in) {
  Window3 r;
  size_t n = in.size(), lead = 3 - n;
  for (size_t i = 0; i < 3; ++i) {
    bool real = i >= lead;
    size_t j = i - lead;
    r.in[i] = real ? in[j] : 1;
    r.out[i] = real ? w.out[j] : 1;
    r.k[i] = real ? w.kernel[j] : 1;
    r.s[i] = real ? w.strides[j] : 1;
    r.d[i] = real ? w.dilations[j] : 1;
    r.pb[i] = real ? w.pad_begin[j] : 0;
    r.pe[i] = real ? w.pad_end[j] : 0;
  }
  return r;
}

}  // namespace gpuscope::engine::nn_ops
