#include "gateway/upstream_url.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace mfigw::gateway {
namespace {

constexpr std::uint16_t kHttpPort = 80;
constexpr std::uint16_t kHttpsPort = 443;

bool printableWithoutSpace(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) { return ch > 0x20 && ch < 0x7f; });
}

}  // namespace

std::string UpstreamUrl::hostHeader() const {
  const bool v6 = host.find(':') != std::string::npos;
  const std::string name = v6 ? fmt::format("[{}]", host) : host;
  const bool defaultPort = port == (tls ? kHttpsPort : kHttpPort);
  return defaultPort ? name : fmt::format("{}:{}", name, port);
}

std::optional<UpstreamUrl> parseUpstreamUrl(std::string_view text, std::string* error) {
  const auto refuse = [error](std::string_view why) -> std::optional<UpstreamUrl> {
    if (error != nullptr) *error = std::string(why);
    return std::nullopt;
  };
  UpstreamUrl url;
  if (text.starts_with("https://")) {
    url.tls = true;
    text.remove_prefix(8);
  } else if (text.starts_with("http://")) {
    text.remove_prefix(7);
  } else {
    return refuse("must start with https:// or http://");
  }
  if (!printableWithoutSpace(text)) return refuse("must be printable ASCII without spaces");
  if (text.find_first_of("?#") != std::string_view::npos) {
    return refuse("must not have a query or fragment");
  }
  const auto slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : text.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return refuse("must not carry credentials (use upstream.auth)");
  }
  std::string_view port;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return refuse("has an unclosed '[' in the host");
    url.host = std::string(authority.substr(1, close - 1));
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return refuse("has junk after the IPv6 address");
    if (!rest.empty()) port = rest.substr(1);
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (url.host.find(':') != std::string::npos) return refuse("needs brackets around IPv6");
  }
  if (url.host.empty()) return refuse("has no host");
  url.port = url.tls ? kHttpsPort : kHttpPort;
  if (!port.empty() || authority.ends_with(':')) {
    unsigned n = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || n == 0 ||
        n > 65535) {
      return refuse("has a port that is not a number in 1..65535");
    }
    url.port = static_cast<std::uint16_t>(n);
  }
  while (path.ends_with('/'))
    path.remove_suffix(1);
  url.basePath = std::string(path);
  return url;
}

}  // namespace mfigw::gateway
