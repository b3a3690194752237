#include "base/status.h"

namespace gpuscope {

int Status::exitCode() const {
  switch (code_) {
    case StatusCode::kOk: return 0;
    case StatusCode::kInvalidInput: return 2;
    case StatusCode::kEnvironment: return 3;
    case StatusCode::kInternal: return 1;
  }
  return 1;
}

Status InvalidInput(std::string message) { return {StatusCode::kInvalidInput, std::move(message)}; }
Status EnvironmentError(std::string message) { return {StatusCode::kEnvironment, std::move(message)}; }
Status InternalError(std::string message) { return {StatusCode::kInternal, std::move(message)}; }

}  // namespace gpuscope
