// Kernel names as CUPTI gives them (mangled) -> what users read.
#pragma once

#include <string>
#include <string_view>

namespace gpuscope::tracer {

// "_Z6squarePfi" -> "square(float*, int)". Names that are not Itanium
// mangled ("sm90_xmma_...", "square" from extern "C") come back unchanged.
std::string demangleKernelName(const char* mangled);

// nsys's shortName: "void ns::foo<float, 4>(int, float*)" -> "foo";
// "square(float*, int)" -> "square"; unchanged when there is no signature.
std::string_view kernelShortName(std::string_view demangled);

}  // namespace gpuscope::tracer
