// Fuzzes the gpuscope.Pointwise "program" text (stored in engine files, so
// untrusted): parse must return a Status, never crash; a parsed program must
// print to text that parses back to the same text (the canonical form); and
// a well-typed program must run on the interpreter over small tensors.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/ops/pointwise/interpreter.h"
#include "engine/ops/pointwise/program.h"

using namespace gpuscope::engine;
using namespace gpuscope::engine::pointwise;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = parseProgram(text);
  if (!p.ok()) {
    if (p.status().message().find("pointwise program") == std::string::npos) __builtin_trap();
    return 0;
  }
  std::string printed = printProgram(*p);
  auto again = parseProgram(printed);
  if (!again.ok() || printProgram(*again) != printed) __builtin_trap();
  int n_in = p->inputCount();
  if (n_in > 16 || p->statements.size() > 256) return 0;
  // Inputs: fp32 [2,3], except in1 is bool and in2 int64 so typed ops can pass too.
  std::vector<HostTensor> ins;
  std::vector<DType> types;
  for (int k = 0; k < n_in; ++k) {
    DType t = k == 1 ? DType::kBool : k == 2 ? DType::kInt64 : DType::kFloat32;
    HostTensor h(t, Shape{2, 3});
    for (int64_t i = 0; i < 6; ++i) h.setDouble(i, double(i % 3) - 1.0 + 0.25 * k);
    ins.push_back(std::move(h));
    types.push_back(t);
  }
  auto ty = inferProgramTypes(*p, types);
  if (!ty.ok()) return 0;
  std::vector<const HostTensor*> in_ptrs;
  for (const HostTensor& h : ins) in_ptrs.push_back(&h);
  std::vector<HostTensor> outs;
  for (DType t : ty->outputs) outs.emplace_back(t, Shape{2, 3});
  if (!runProgram(*p, in_ptrs, outs).ok()) __builtin_trap();  // well-typed programs always run
  return 0;
}
