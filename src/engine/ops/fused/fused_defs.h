// Internal to ops/fused/: the OpDefs of the engine's own ops (contract in
// ops/fused_ops.h) and the epilogue math they share. register.cc adds them.
#pragma once

#include <cmath>
#include <string>

#include "base/status.h"
#include "engine/ir/attributes.h"
#include "engine/ops/op_def.h"

namespace gpuscope::engine::fused {

OpDef convOpDef();
OpDef gemmOpDef();
OpDef attentionOpDef();
OpDef reformatOpDef();

// The activations a fused epilogue supports; kNone for "".
enum class Activation { kNone, kRelu, kClip, kSigmoid, kTanh, kGelu, kGeluTanh };

struct Epilogue {
  Activation act = Activation::kNone;
  float clip_min = -INFINITY;
  float clip_max = INFINITY;

  float apply(float v) const {
    switch (act) {
      case Activation::kNone: return v;
      case Activation::kRelu: return v > 0.f ? v : 0.f;
      case Activation::kClip: return v < clip_min ? clip_min : (v > clip_max ? clip_max : v);
      case Activation::kSigmoid: return 1.f / (1.f + std::exp(-v));
      case Activation::kTanh: return std::tanh(v);
      case Activation::kGelu: return 0.5f * v * (1.f + std::erf(v * 0.70710678118654752f));
      case Activation::kGeluTanh: {
        const float k = 0.79788456080286536f;  // sqrt(2/pi)
        return 0.5f * v * (1.f + std::tanh(k * (v + 0.044715f * v * v * v)));
      }
    }
    return v;
  }
};

// Reads "activation" (+ "clip_min"/"clip_max") and checks it is one `allowed`
// lists (comma-separated names); InvalidInput naming `where` otherwise.
StatusOr<Epilogue> parseEpilogue(const Attributes& attrs, const std::string& allowed, const std::string& where);

}  // namespace gpuscope::engine::fused
