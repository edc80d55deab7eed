// The engine's own failures: a stable code for JS (`err.code`) and a message naming the problem.
#pragma once
#include <stdexcept>
#include <string>

namespace probedeck {

struct DspError : std::runtime_error {
  std::string code;
  DspError(std::string c, const std::string& message) : std::runtime_error(message), code(std::move(c)) {}
};

}  // namespace probedeck
