#include "engine/ops/pointwise/op_table.h"

#include <cmath>
#include <limits>

namespace gpuscope::engine::pointwise {

namespace {

using I = int64_t;
using U = uint64_t;
constexpr I kIMin = std::numeric_limits<I>::min();

// Integer arithmetic wraps (two's complement) like the GPU does; C++ signed
// overflow would be undefined, so it goes through uint64.
I wrapAdd(I a, I b) { return I(U(a) + U(b)); }
I wrapSub(I a, I b) { return I(U(a) - U(b)); }
I wrapMul(I a, I b) { return I(U(a) * U(b)); }
// ONNX integer Div truncates toward zero; x/0 is undefined in ONNX and 0 here.
I intDiv(I a, I b) { return b == 0 ? 0 : (a == kIMin && b == -1) ? a : a / b; }
I intMod(I a, I b, I fmod) {
  if (b == 0 || b == -1) return 0;
  I r = a % b;
  if (!fmod && r != 0 && ((r < 0) != (b < 0))) r += b;  // result takes the divisor's sign
  return r;
}
I intPow(I a, I b) {
  if (b < 0) return a == 1 ? 1 : a == -1 ? ((b & 1) ? -1 : 1) : 0;
  I r = 1;
  while (b) {
    if (b & 1) r = wrapMul(r, a);
    a = wrapMul(a, a);
    b >>= 1;
  }
  return r;
}
double floatMod(double a, double b, I fmod) {
  double r = std::fmod(a, b);
  if (!fmod && r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}
double gelu(double x, I tanh_form) {
  if (tanh_form) return 0.5 * x * (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
  return 0.5 * x * (1.0 + std::erf(x * 0.7071067811865476));
}
double clipF(const double* a, int n) {
  double v = a[0];
  if (n > 1 && v < a[1]) v = a[1];
  if (n > 2 && v > a[2]) v = a[2];
  return v;
}
I clipI(const I* a, int n) {
  I v = a[0];
  if (n > 1 && v < a[1]) v = a[1];
  if (n > 2 && v > a[2]) v = a[2];
  return v;
}

#define FF(expr) +[](const double* a, int n, const OpParams& p) -> double { (void)a; (void)n; (void)p; return (expr); }
#define IF(expr) +[](const int64_t* a, int n, const OpParams& p) -> int64_t { (void)a; (void)n; (void)p; return (expr); }

const OpInfo kOps[] = {
    // name, min, max, typing, attrs, float fn, int fn, cuda float, cuda int
    {"Add", 2, 2, Typing::kSame, "", FF(a[0] + a[1]), IF(wrapAdd(a[0], a[1])), "($0 + $1)", "pw_iadd($0, $1)"},
    {"Sub", 2, 2, Typing::kSame, "", FF(a[0] - a[1]), IF(wrapSub(a[0], a[1])), "($0 - $1)", "pw_isub($0, $1)"},
    {"Mul", 2, 2, Typing::kSame, "", FF(a[0] * a[1]), IF(wrapMul(a[0], a[1])), "($0 * $1)", "pw_imul($0, $1)"},
    {"Div", 2, 2, Typing::kSame, "", FF(a[0] / a[1]), IF(intDiv(a[0], a[1])), "($0 / $1)", "pw_idiv($0, $1)"},
    {"Pow", 2, 2, Typing::kPow, "", FF(std::pow(a[0], a[1])), IF(intPow(a[0], a[1])), "powf($0, $1)",
     "pw_ipow($0, $1)"},
    {"Max", 1, 0, Typing::kSame, "", FF(std::fmax(a[0], a[1])), IF(a[0] > a[1] ? a[0] : a[1]), "fmaxf($0, $1)",
     "($0 > $1 ? $0 : $1)"},
    {"Min", 1, 0, Typing::kSame, "", FF(std::fmin(a[0], a[1])), IF(a[0] < a[1] ? a[0] : a[1]), "fminf($0, $1)",
     "($0 < $1 ? $0 : $1)"},
    {"Sum", 1, 0, Typing::kSame, "", FF(a[0] + a[1]), IF(wrapAdd(a[0], a[1])), "($0 + $1)", "pw_iadd($0, $1)"},
    // Mean folds like Sum; the interpreter and generator divide by n at the end.
    {"Mean", 1, 0, Typing::kSame, "", FF(a[0] + a[1]), nullptr, "($0 + $1)", ""},
    {"Mod", 2, 2, Typing::kSame, "fmod", FF(floatMod(a[0], a[1], p.fmod)), IF(intMod(a[0], a[1], p.fmod)),
     "pw_fmod($0, $1, ${fmod})", "pw_imod($0, $1, ${fmod})"},
    {"Equal", 2, 2, Typing::kCompare, "", FF(a[0] == a[1]), IF(a[0] == a[1]), "($0 == $1)", "($0 == $1)"},
    {"Less", 2, 2, Typing::kCompare, "", FF(a[0] < a[1]), IF(a[0] < a[1]), "($0 < $1)", "($0 < $1)"},
    {"LessOrEqual", 2, 2, Typing::kCompare, "", FF(a[0] <= a[1]), IF(a[0] <= a[1]), "($0 <= $1)", "($0 <= $1)"},
    {"Greater", 2, 2, Typing::kCompare, "", FF(a[0] > a[1]), IF(a[0] > a[1]), "($0 > $1)", "($0 > $1)"},
    {"GreaterOrEqual", 2, 2, Typing::kCompare, "", FF(a[0] >= a[1]), IF(a[0] >= a[1]), "($0 >= $1)", "($0 >= $1)"},
    {"And", 2, 2, Typing::kLogic, "", nullptr, IF(a[0] && a[1]), "", "($0 && $1)"},
    {"Or", 2, 2, Typing::kLogic, "", nullptr, IF(a[0] || a[1]), "", "($0 || $1)"},
    {"Xor", 2, 2, Typing::kLogic, "", nullptr, IF((a[0] != 0) != (a[1] != 0)), "", "(($0 != 0) != ($1 != 0))"},
    {"Not", 1, 1, Typing::kLogic, "", nullptr, IF(!a[0]), "", "(!$0)"},
    {"Neg", 1, 1, Typing::kSame, "", FF(-a[0]), IF(wrapSub(0, a[0])), "(-$0)", "pw_isub(0LL, $0)"},
    {"Abs", 1, 1, Typing::kSame, "", FF(std::fabs(a[0])), IF(a[0] < 0 ? wrapSub(0, a[0]) : a[0]), "fabsf($0)",
     "($0 < 0 ? pw_isub(0LL, $0) : $0)"},
    {"Sign", 1, 1, Typing::kSame, "", FF(a[0] > 0 ? 1.0 : a[0] < 0 ? -1.0 : a[0]), IF(a[0] > 0 ? 1 : a[0] < 0 ? -1 : 0),
     "($0 > 0.f ? 1.f : ($0 < 0.f ? -1.f : $0))", "($0 > 0 ? 1LL : ($0 < 0 ? -1LL : 0LL))"},
    {"Relu", 1, 1, Typing::kSame, "", FF(a[0] > 0 ? a[0] : 0.0), IF(a[0] > 0 ? a[0] : 0), "($0 > 0.f ? $0 : 0.f)",
     "($0 > 0 ? $0 : 0LL)"},
    {"LeakyRelu", 1, 1, Typing::kSame, "alpha", FF(a[0] >= 0 ? a[0] : a[0] * double(p.alpha)), nullptr,
     "($0 >= 0.f ? $0 : $0 * ${alpha})", ""},
    {"PRelu", 2, 2, Typing::kSame, "", FF(a[0] < 0 ? a[0] * a[1] : a[0]), IF(a[0] < 0 ? wrapMul(a[0], a[1]) : a[0]),
     "($0 < 0.f ? $0 * $1 : $0)", "($0 < 0 ? pw_imul($0, $1) : $0)"},
    {"Sigmoid", 1, 1, Typing::kSame, "", FF(1.0 / (1.0 + std::exp(-a[0]))), nullptr, "(1.f / (1.f + expf(-$0)))", ""},
    {"HardSigmoid", 1, 1, Typing::kSame, "alpha,beta",
     FF(std::fmax(0.0, std::fmin(1.0, double(p.alpha) * a[0] + double(p.beta)))), nullptr,
     "fmaxf(0.f, fminf(1.f, ${alpha} * $0 + ${beta}))", ""},
    {"HardSwish", 1, 1, Typing::kSame, "", FF(a[0] * std::fmax(0.0, std::fmin(1.0, a[0] / 6.0 + 0.5))), nullptr,
     "($0 * fmaxf(0.f, fminf(1.f, $0 / 6.f + 0.5f)))", ""},
    {"Tanh", 1, 1, Typing::kSame, "", FF(std::tanh(a[0])), nullptr, "tanhf($0)", ""},
    {"Erf", 1, 1, Typing::kSame, "", FF(std::erf(a[0])), nullptr, "erff($0)", ""},
    {"Exp", 1, 1, Typing::kSame, "", FF(std::exp(a[0])), nullptr, "expf($0)", ""},
    {"Log", 1, 1, Typing::kSame, "", FF(std::log(a[0])), nullptr, "logf($0)", ""},
    {"Sqrt", 1, 1, Typing::kSame, "", FF(std::sqrt(a[0])), nullptr, "sqrtf($0)", ""},
    {"Reciprocal", 1, 1, Typing::kSame, "", FF(1.0 / a[0]), nullptr, "(1.f / $0)", ""},
    {"Floor", 1, 1, Typing::kSame, "", FF(std::floor(a[0])), nullptr, "floorf($0)", ""},
    {"Ceil", 1, 1, Typing::kSame, "", FF(std::ceil(a[0])), nullptr, "ceilf($0)", ""},
    // ONNX Round: half to even, which is rint under the default rounding mode.
    {"Round", 1, 1, Typing::kSame, "", FF(std::nearbyint(a[0])), nullptr, "rintf($0)", ""},
    {"Sin", 1, 1, Typing::kSame, "", FF(std::sin(a[0])), nullptr, "sinf($0)", ""},
    {"Cos", 1, 1, Typing::kSame, "", FF(std::cos(a[0])), nullptr, "cosf($0)", ""},
    // Missing bounds are filled with the type's extremes by the program builder.
    {"Clip", 1, 3, Typing::kSame, "", FF(clipF(a, n)), IF(clipI(a, n)), "pw_clip($0, $1, $2)", "pw_iclip($0, $1, $2)"},
    {"Gelu", 1, 1, Typing::kSame, "approximate", FF(gelu(a[0], p.approximate)), nullptr, "pw_gelu($0, ${approximate})",
     ""},
    // log(1 + exp(x)) equals x in float beyond 20; the cut-off avoids exp overflow.
    {"Softplus", 1, 1, Typing::kSame, "", FF(a[0] > 20 ? a[0] : std::log1p(std::exp(a[0]))), nullptr,
     "($0 > 20.f ? $0 : log1pf(expf($0)))", ""},
    {"Softsign", 1, 1, Typing::kSame, "", FF(a[0] / (1.0 + std::fabs(a[0]))), nullptr, "($0 / (1.f + fabsf($0)))", ""},
    // expm1 keeps the small-|x| results exact to a few ulp on both sides.
    {"Elu", 1, 1, Typing::kSame, "alpha", FF(a[0] >= 0 ? a[0] : double(p.alpha) * std::expm1(a[0])), nullptr,
     "($0 >= 0.f ? $0 : ${alpha} * expm1f($0))", ""},
    {"Selu", 1, 1, Typing::kSame, "alpha,gamma",
     FF(a[0] > 0 ? double(p.gamma) * a[0] : double(p.gamma) * (double(p.alpha) * std::expm1(a[0]))), nullptr,
     "($0 > 0.f ? ${gamma} * $0 : ${gamma} * (${alpha} * expm1f($0)))", ""},
    {"IsNaN", 1, 1, Typing::kPredicate, "", FF(std::isnan(a[0])), nullptr, "isnan($0)", ""},
    {"IsInf", 1, 1, Typing::kPredicate, "detect_negative,detect_positive",
     FF(std::isinf(a[0]) && ((a[0] > 0 && p.detect_positive) || (a[0] < 0 && p.detect_negative))), nullptr,
     "pw_isinf($0, ${detect_negative}, ${detect_positive})", ""},
    {"Where", 3, 3, Typing::kWhere, "", FF(a[0] != 0 ? a[1] : a[2]), IF(a[0] != 0 ? a[1] : a[2]),
     "($0 != 0.f ? $1 : $2)", "($0 != 0 ? $1 : $2)", false},
    // Cast's conversion is done by the interpreter / generator from the types.
    {"Cast", 1, 1, Typing::kCast, "to", FF(a[0]), IF(a[0]), "$0", "$0", false},
};

#undef FF
#undef IF

}  // namespace

std::span<const OpInfo> allOps() { return kOps; }

const OpInfo* findOp(std::string_view name) {
  for (const OpInfo& op : kOps)
    if (op.name == name) return &op;
  return nullptr;
}

bool opHasAttr(const OpInfo& op, std::string_view name) {
  std::string_view list = op.attrs;
  while (!list.empty()) {
    size_t comma = list.find(',');
    if (list.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

OpParams defaultParams(const OpInfo& op) {
  OpParams p;
  if (op.name == "LeakyRelu") p.alpha = 0.01f;
  if (op.name == "HardSigmoid") p.alpha = 0.2f, p.beta = 0.5f;
  if (op.name == "Elu") p.alpha = 1.0f;
  if (op.name == "Selu") p.alpha = 1.67326319217681884765625f, p.gamma = 1.05070102214813232421875f;
  return p;
}

std::string_view cudaPrelude() {
  return R"(#include <cuda_fp16.h>
#include <cuda_bf16.h>
typedef long long i64;
typedef unsigned long long u64;
__device__ __forceinline__ i64 pw_iadd(i64 a, i64 b) { return (i64)((u64)a + (u64)b); }
__device__ __forceinline__ i64 pw_isub(i64 a, i64 b) { return (i64)((u64)a - (u64)b); }
__device__ __forceinline__ i64 pw_imul(i64 a, i64 b) { return (i64)((u64)a * (u64)b); }
__device__ __forceinline__ i64 pw_idiv(i64 a, i64 b) {
  return b == 0 ? 0 : ((a == (-9223372036854775807LL - 1) && b == -1) ? a : a / b);
}
__device__ __forceinline__ i64 pw_imod(i64 a, i64 b, int fmod_mode) {
  if (b == 0 || b == -1) return 0;
  i64 r = a % b;
  if (!fmod_mode && r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}
__device__ __forceinline__ i64 pw_ipow(i64 a, i64 b) {
  if (b < 0) return a == 1 ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
  i64 r = 1;
  while (b) {
    if (b & 1) r = pw_imul(r, a);
    a = pw_imul(a, a);
    b >>= 1;
  }
  return r;
}
__device__ __forceinline__ float pw_fmod(float a, float b, int fmod_mode) {
  float r = fmodf(a, b);
  if (!fmod_mode && r != 0.f && ((r < 0.f) != (b < 0.f))) r += b;
  return r;
}
__device__ __forceinline__ float pw_clip(float x, float lo, float hi) {
  float v = x < lo ? lo : x;
  return v > hi ? hi : v;
}
__device__ __forceinline__ i64 pw_iclip(i64 x, i64 lo, i64 hi) {
  i64 v = x < lo ? lo : x;
  return v > hi ? hi : v;
}
__device__ __forceinline__ float pw_gelu(float x, int tanh_form) {
  if (tanh_form) return 0.5f * x * (1.f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
  return 0.5f * x * (1.f + erff(x * 0.7071067811865476f));
}
__device__ __forceinline__ bool pw_isinf(float x, int neg, int pos) {
  return isinf(x) && ((x > 0.f && pos) || (x < 0.f && neg));
}
__device__ __forceinline__ float pw_f2f(float x, int to) {  // rounding of a float Cast: 1 fp16, 2 bf16
  return to == 1 ? __half2float(__float2half_rn(x)) : (to == 2 ? __bfloat162float(__float2bfloat16_rn(x)) : x);
}
__device__ __forceinline__ i64 pw_f2i(float x) {  // float -> integer Cast: truncate, saturate, NaN -> 0
  if (x != x) return 0;
  if (x >= 9.2233720368547758e18f) return 9223372036854775807LL;
  if (x <= -9.2233720368547758e18f) return -9223372036854775807LL - 1;
  return (i64)x;
}
)";
}

}  // namespace gpuscope::engine::pointwise
