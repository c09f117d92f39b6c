// A secret value (password, token) that cannot be logged by accident.
//
// It has no stream or fmt formatter that prints the value: formatting one prints "***".
// The only way to the bytes is reveal(), which a reviewer can grep for.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace mfigw::gateway {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  [[nodiscard]] bool empty() const { return value_.empty(); }
  [[nodiscard]] std::string_view reveal() const { return value_; }

 private:
  std::string value_;
};

}  // namespace mfigw::gateway

template <>
struct fmt::formatter<mfigw::gateway::Secret> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const mfigw::gateway::Secret&, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format("***", ctx);
  }
};
