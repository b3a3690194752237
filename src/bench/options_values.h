// Value parsers of `gpuscope bench`'s options, shared by options.cc (the
// option spellings per trtexec version) and options_values.cc. Each error
// is InvalidInput "<key>=<value>: expected <what>". Private to src/bench/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "bench/options.h"
#include "engine/runtime/engine.h"

namespace gpuscope::bench {

Status badValue(const std::string& key, const std::string& value, const std::string& expected);

// A whole decimal int64 / finite float; anything else is badValue.
StatusOr<int64_t> parseInt(const std::string& key, const std::string& value);
StatusOr<float> parseFloat(const std::string& key, const std::string& value);

// --trtexecVersion: 8.6, 10 (= 10.16), 10.N, 11 (= 11.0) or 11.1.
StatusOr<TrtexecVersion> parseVersion(const std::string& value);

// --profilingVerbosity (and 8.6's --nvtxMode); the deprecated spellings
// `default` and `verbose` add a warning.
StatusOr<engine::ProfilingVerbosity> parseVerbosity(const std::string& key, const std::string& value,
                                                     std::vector<std::string>& warnings);

// --memPoolSize=pool:size,...: sets o.workspace_bytes; pools the engine has
// no counterpart for are warnings.
Status parseMemPool(const TrtexecVersion& v, const std::string& value, BenchOptions& o,
                    std::vector<std::string>& warnings);

}  // namespace gpuscope::bench
