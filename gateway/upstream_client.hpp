// The upstream HTTP(S) client: one kept-alive connection per sync window.
//
// Purpose: carries the sync protocol's requests to the MFI's upstream and brings back the
//   answers, with everything that is about the wire and not about the protocol:
//     - resolve -> connect -> TLS handshake (certificate and name verified, SNI, optional
//       client certificate) -> write -> read, each step under `timeout`;
//     - the connection is kept alive across the window's requests and opened again when
//       the server closed it; a request on a reused connection that fails before any answer
//       arrived is sent once more on a fresh one (every request of the protocol is
//       idempotent: GETs, and pushes keyed per event);
//     - bearer or basic auth; fixed extra headers (Fineract's tenant) and a per-request
//       idempotency key header; gzip request bodies from `compressMin` bytes, gzip answers
//       accepted and inflated (bounded by maxResponseBytes);
//     - every byte on the socket (TLS records included) counted in and out.
//   What an HTTP status means for the sync is the caller's business: any complete answer
//   is a reply.
// Threading: a connection lives on one io_context thread; exchange() calls must not overlap.
// Errors: exchange() never throws for network trouble; it returns a failure kind and a
//   one-line message ("connect 10.0.0.5:443: Connection refused"). makeUpstreamTlsContext()
//   throws std::runtime_error naming a file that cannot be loaded (start-up error).
// Ownership: the connection borrows the options, the TLS context and the logger; they must
//   outlive it. Secrets are sent only in the Authorization header, never logged.
// Open issues: no TLS session resumption yet (each window pays a full handshake, about
//   3.3 KB with an ECDSA certificate); gzip only (no zstd dictionary); no HTTP proxy.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>  // Boost 1.74 awaitable.hpp uses std::exchange without it
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "gateway/secret.hpp"
#include "gateway/upstream_url.hpp"

namespace spdlog {
class logger;
}

namespace mfigw::gateway {

enum class UpstreamAuth { None, Bearer, Basic };
[[nodiscard]] std::string_view toString(UpstreamAuth auth) noexcept;
[[nodiscard]] std::optional<UpstreamAuth> upstreamAuthFromString(std::string_view text) noexcept;

struct UpstreamTlsOptions {
  bool verify = true;
  std::string caFile;      // empty: the system's CA store
  std::string serverName;  // empty: the URL's host
  std::string certFile;    // client certificate (PEM), optional
  std::string keyFile;     // empty: inside certFile
};

struct UpstreamClientOptions {
  UpstreamUrl url;
  UpstreamAuth auth = UpstreamAuth::None;
  Secret token;  // Bearer
  std::string username;
  Secret password;  // Basic
  UpstreamTlsOptions tls;
  std::chrono::milliseconds timeout{30000};  // per step
  std::size_t compressMin = 1024;            // smaller bodies grow when gzipped
  std::uint64_t maxResponseBytes = 32ull << 20;
  std::string userAgent = "mfi-gatewayd";
  // Sent on every request (e.g. Fineract's tenant header). Values are not logged.
  std::vector<std::pair<std::string, std::string>> headers;
  // The header a request's idempotency key goes in (exchange()'s idempotencyKey).
  std::string idempotencyHeader = "Idempotency-Key";
};

// Loads CA, client certificate and key once, so a bad file fails at start-up.
[[nodiscard]] std::unique_ptr<boost::asio::ssl::context> makeUpstreamTlsContext(
    const UpstreamTlsOptions& tls);

// Why an exchange produced no reply.
enum class UpstreamFailureKind {
  None,
  Resolve,    // the host name did not resolve
  Connect,    // refused, unreachable
  Tls,        // handshake failed: certificate, name, protocol
  Timeout,    // a step took longer than `timeout`
  Transport,  // the connection broke or the answer was cut short
  Protocol,   // the answer is not HTTP we can read, or its body is not valid gzip
  Http,       // (for callers) an answer with a status that ends the window
  Auth,       // (for callers) 401/403
  Store,      // (for callers) the local store refused a commit
  Stopped,    // close() was called
};
[[nodiscard]] std::string_view toString(UpstreamFailureKind kind) noexcept;

struct UpstreamReply {
  unsigned status = 0;
  std::string body;  // inflated
  std::optional<std::chrono::seconds> retryAfter;
  std::uint64_t wireBodyBytes = 0;  // the body as it travelled (gzipped or not)
  bool servedFromCache = false;     // x-served-from-cache: true (an idempotent replay)
};

struct UpstreamExchange {
  UpstreamFailureKind failure = UpstreamFailureKind::None;
  std::string message;  // when failed
  UpstreamReply reply;  // when not failed
  [[nodiscard]] bool ok() const { return failure == UpstreamFailureKind::None; }
};

struct UpstreamByteCount {
  std::uint64_t in = 0;
  std::uint64_t out = 0;
};

// Retry-After: delta-seconds or an HTTP-date (relative to `now`).
[[nodiscard]] std::optional<std::chrono::seconds> parseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now);

class UpstreamConnection {
 public:
  // `tls` is required when options.url.tls; it may be shared by many connections.
  UpstreamConnection(boost::asio::any_io_executor executor, const UpstreamClientOptions& options,
                     boost::asio::ssl::context* tls, spdlog::logger& log);
  ~UpstreamConnection();
  UpstreamConnection(const UpstreamConnection&) = delete;
  UpstreamConnection& operator=(const UpstreamConnection&) = delete;

  // `target` is the path below the URL's base path plus query ("/v1/changes?feed=loans...").
  // `body` empty: no body (GET); else JSON.
  // `idempotencyKey` non-empty: sent in options.idempotencyHeader.
  // The arguments are copied before this returns: they need not outlive the await.
  boost::asio::awaitable<UpstreamExchange> exchange(std::string_view method,
                                                    std::string_view target, std::string_view body,
                                                    std::string_view idempotencyKey = {});
  // Cancels what is in flight (it completes as Stopped) and closes the socket.
  void close();

  [[nodiscard]] UpstreamByteCount bytes() const;
  [[nodiscard]] std::uint64_t connectionsOpened() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace mfigw::gateway
