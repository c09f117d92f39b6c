// A small synchronous HTTP/1.1 client for the admin API (mfi-gatewayctl and tests).
//
// Purpose: one request per connection to the daemon's admin port, with the bearer token,
//   a deadline on every step and one-line errors an operator can act on
//   ("cannot connect to 127.0.0.1:8470: Connection refused").
// Threading: each call runs its own private io_context on the calling thread; an
//   AdminClient object is not shared between threads, but any number may exist.
// Errors: transport failures (resolve, connect, timeout, malformed reply) throw
//   AdminClientError. Any HTTP status, 4xx and 5xx included, is a normal AdminReply.
// Ownership: holds the token as a Secret; it is sent only in the Authorization header.
// Open issues: name resolution has no deadline of its own (use numeric addresses, as the
//   defaults do); one connection per request, no keep-alive.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/secret.hpp"

namespace mfigw::gateway {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

// "127.0.0.1:8470", "localhost:8470", "[::1]:8470". Port 0 is accepted (bind to any).
// nullopt when there is no port, the port is not a number in 0..65535 or the host is empty.
[[nodiscard]] std::optional<HostPort> parseHostPort(std::string_view text);
// The inverse, bracketing IPv6 literals.
[[nodiscard]] std::string formatHostPort(std::string_view host, std::uint16_t port);

struct AdminReply {
  int status = 0;
  std::string contentType;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  [[nodiscard]] std::string_view header(std::string_view name) const;  // case-insensitive
};

class AdminClientError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class AdminClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{5000};

  // An empty token sends no Authorization header (enough for /healthz and /readyz).
  AdminClient(std::string host, std::uint16_t port, Secret token,
              std::chrono::milliseconds timeout = kDefaultTimeout);

  AdminReply get(std::string_view target);
  AdminReply post(std::string_view target, std::string body,
                  std::string_view contentType = "application/json");
  // Any method ("GET", "POST", "DELETE" ...); the two above call this. `headers` are added
  // as given (e.g. Idempotency-Key); names and values must not hold CR or LF.
  AdminReply request(std::string_view method, std::string_view target, std::string body,
                     std::string_view contentType,
                     const std::vector<std::pair<std::string, std::string>>& headers = {});

  [[nodiscard]] std::string endpoint() const { return formatHostPort(host_, port_); }

 private:
  std::string host_;
  std::uint16_t port_;
  Secret token_;
  std::chrono::milliseconds timeout_;
};

}  // namespace mfigw::gateway
