// The admin HTTP server: Beast sessions in front of AdminRoutes.
//
// Purpose: accept connections on the admin listen address, read one request at a time with
//   a body limit and a read deadline, hand it to AdminRoutes::handle(), write the answer,
//   keep the connection alive when the client asks. This is the only file with Beast
//   session code; routing, auth and handlers live in admin_routes.
// Threading: runs on the caller's io_context, which must be run by one thread. bind(),
//   start() and port() may be called before that thread starts; stop() and the destructor
//   must run on the io_context thread (asio::post(ioc, [&]{ server.stop(); })) or after the
//   io_context has stopped running.
// Errors: bind() throws std::runtime_error with a one-line message ("cannot listen on
//   127.0.0.1:8470: Address already in use") so the daemon exits before READY=1. Per
//   request: body over the limit -> 413, unparsable -> 400, handler exception -> 500,
//   deferred reply later than handlerTimeout -> 503; connection-level I/O errors just end that
//   connection (logged at debug).
// Ownership: the server does not own the io_context, the routes, the logger or the
//   metrics; all must outlive it. Coroutines keep the server's internal state alive until
//   they finish, so stop() followed by running the io_context dry is a clean shutdown.
// Open issues: HEAD is answered 405 unless a route registers it; no TLS (loopback only);
//   `Expect: 100-continue` is not answered, so curl waits ~1 s before sending a body
//   over 1 KiB; one request at a time per connection (pipelined ones wait their turn).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "gateway/config.hpp"

namespace spdlog {
class logger;
}

namespace mfigw::gateway {

class AdminRoutes;
class Metrics;

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8470";          // HOST:PORT; port 0 picks a free port
  std::uint64_t bodyLimit = 64ull << 10;          // larger request bodies get 413
  std::uint32_t headerLimit = 16u << 10;          // larger request heads get 431
  std::chrono::milliseconds readTimeout{10000};   // per request, also the keep-alive idle limit
  std::chrono::milliseconds writeTimeout{10000};  // per response
  std::uint32_t maxConnections = 64;              // further connections get 503 and close
  // How long a deferred (addAsync) handler may take to reply before the client gets 503.
  std::chrono::milliseconds handlerTimeout{30000};
};

// The admin section of the config as server options.
[[nodiscard]] HttpServerOptions httpServerOptions(const AdminConfig& config);

class HttpServer {
 public:
  // `metrics` is optional: when given, every answered request counts in
  // mfigw_http_requests_total{route,code}.
  HttpServer(boost::asio::io_context& ioc, HttpServerOptions options, AdminRoutes& routes,
             spdlog::logger& log, Metrics* metrics = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Resolves options.listen and binds and listens synchronously. Throws std::runtime_error
  // "cannot listen on <listen>: <reason>".
  void bind();
  // The bound port (the real one when options.listen asked for port 0); 0 before bind().
  [[nodiscard]] std::uint16_t port() const;
  // Starts the accept loop on the io_context. Requires bind().
  void start();
  // Closes the listener, ends idle connections at once and lets in-flight responses finish
  // (then closes those connections too). Idempotent.
  void stop();
  // Open connections, rejected ones excluded; for tests and the status page.
  [[nodiscard]] std::size_t connectionCount() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace mfigw::gateway
