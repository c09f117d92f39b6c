// The upstream base URL: scheme, host, port and base path.
//
// Purpose: upstream.url names the MFI's sync endpoint ("https://sync.mfi.example/api",
//   "http://127.0.0.1:8080"). The config check and the client parse it with this one
//   function, so what --check-config accepts is exactly what the client can use.
// Threading: pure.
// Errors: parseUpstreamUrl() returns nullopt and explains in `error`.
// Ownership: values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mfigw::gateway {

struct UpstreamUrl {
  bool tls = false;      // https
  std::string host;      // name or address; IPv6 without brackets
  std::uint16_t port{};  // 443 / 80 when the URL has none
  std::string basePath;  // "" or "/api" (no trailing slash); requests go to basePath + "/v1/..."

  // The Host header value: the port only when it is not the scheme's default.
  [[nodiscard]] std::string hostHeader() const;
  bool operator==(const UpstreamUrl&) const = default;
};

// Accepts http:// and https:// URLs without user info, query or fragment.
[[nodiscard]] std::optional<UpstreamUrl> parseUpstreamUrl(std::string_view text,
                                                          std::string* error = nullptr);

}  // namespace mfigw::gateway
