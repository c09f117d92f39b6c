#include "gateway/http_server.hpp"

#include <array>
#include <list>
#include <optional>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "gateway/admin_client.hpp"
#include "gateway/admin_routes.hpp"
#include "gateway/metrics.hpp"

namespace mfigw::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kAwait = asio::use_awaitable;
// After an error answer we read (and discard) what the client still sends, at most this
// much, so that closing does not reset the connection before the client read our answer.
constexpr std::size_t kMaxDrainBytes = 1u << 20;
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
constexpr std::size_t kMaxLoggedPath = 100;
constexpr std::string_view kServerName = "mfi-gatewayd";

}  // namespace

struct HttpServer::Impl {
  struct Connection {
    beast::tcp_stream* stream = nullptr;
    bool busy = false;  // between a complete request and the end of its response
  };
  using ConnectionList = std::list<Connection>;

  Impl(asio::io_context& ioc_, HttpServerOptions options_, AdminRoutes& routes_,
       spdlog::logger& log_, Metrics* metrics_)
      : ioc(ioc_),
        options(std::move(options_)),
        routes(routes_),
        log(log_),
        metrics(metrics_),
        acceptor(ioc_) {}

  asio::io_context& ioc;
  HttpServerOptions options;
  AdminRoutes& routes;
  spdlog::logger& log;
  Metrics* metrics;
  tcp::acceptor acceptor;
  std::uint16_t boundPort = 0;
  bool started = false;
  bool stopping = false;
  ConnectionList connections;
  std::size_t rejecting = 0;  // 503 answers in progress, bounded separately

  void count(std::string_view route, unsigned status) {
    if (metrics != nullptr) {
      metrics->counter(MetricId::HttpRequestsTotal, {route, std::to_string(status)}).inc();
    }
  }
};

namespace {

using Impl = HttpServer::Impl;

// Removes a connection from the live list whenever its coroutine frame goes away,
// including when the io_context is destroyed with the coroutine still suspended.
struct ConnectionGuard {
  ConnectionGuard(std::shared_ptr<Impl> impl_, Impl::ConnectionList::iterator it_)
      : impl(std::move(impl_)), it(it_) {}
  std::shared_ptr<Impl> impl;
  Impl::ConnectionList::iterator it;
  ~ConnectionGuard() { impl->connections.erase(it); }
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;
};

http::response<http::string_body> toBeast(const AdminResponse& response, unsigned version,
                                          bool keepAlive) {
  http::response<http::string_body> res{static_cast<http::status>(response.status), version};
  res.set(http::field::server, kServerName);
  res.set(http::field::content_type, response.contentType);
  // Admin answers are live state; a proxy or browser cache must not replay them.
  res.set(http::field::cache_control, "no-store");
  for (const auto& [name, value] : response.headers) {
    res.set(name, value);
  }
  // 1xx, 204 and 304 carry no body by definition; Beast refuses to serialize one.
  const bool bodyless = response.status < 200 || response.status == 204 || response.status == 304;
  if (!bodyless) {
    res.body() = response.body;
  }
  res.keep_alive(keepAlive);
  res.prepare_payload();
  return res;
}

asio::awaitable<void> lingeringClose(beast::tcp_stream& stream, std::chrono::milliseconds timeout) {
  error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::array<char, 4096> scratch{};
  std::size_t drained = 0;
  stream.expires_after(timeout);
  while (!ec && drained < kMaxDrainBytes) {
    drained +=
        co_await stream.async_read_some(asio::buffer(scratch), asio::redirect_error(kAwait, ec));
  }
  stream.close();
}

// Answers an error the session produced itself (no route involved), then closes.
asio::awaitable<void> answerAndClose(Impl& impl, beast::tcp_stream& stream, Impl::Connection* self,
                                     int status, std::string_view message) {
  const auto res = toBeast(AdminResponse::error(status, message), 11, false);
  error_code ec;
  stream.expires_after(impl.options.writeTimeout);
  co_await http::async_write(stream, res, asio::redirect_error(kAwait, ec));
  impl.count("none", static_cast<unsigned>(status));
  impl.log.debug("request refused status={} reason=\"{}\"", status, message);
  if (self != nullptr) {
    self->busy = false;  // stop() may cut the drain short
  }
  if (!ec) {
    co_await lingeringClose(stream, impl.options.readTimeout);
  }
}

AdminRequest toAdminRequest(http::request<http::string_body>& req) {
  AdminRequest request = AdminRequest::make(httpMethodFromString(req.method_string()),
                                            std::string(req.target()), std::move(req.body()));
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& c : name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    // A repeated header keeps its last value; none of ours is a list.
    request.headers[std::move(name)] = std::string(field.value());
  }
  return request;
}

// State shared between a waiting session and the Reply it handed out: the Reply may run
// after the session is gone (a late store completion), so neither owns the other.
struct PendingReply {
  explicit PendingReply(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  std::optional<AdminResponse> response;
};

asio::awaitable<AdminResponse> runHandler(Impl& impl, AdminRequest& request) {
  auto pending = std::make_shared<PendingReply>(co_await asio::this_coro::executor);
  pending->timer.expires_after(impl.options.handlerTimeout);
  auto deliver = [pending](AdminResponse r) {
    if (!pending->response) {
      pending->response = std::move(r);
      pending->timer.cancel();
    }
  };
  try {
    impl.routes.handleAsync(
        request, [deliver, executor = impl.ioc.get_executor()](AdminResponse r) mutable {
          // Completions from other threads (the store writer) hop onto the loop first.
          if (executor.running_in_this_thread()) {
            deliver(std::move(r));
          } else {
            asio::post(executor, [deliver, r = std::move(r)]() mutable { deliver(std::move(r)); });
          }
        });
  } catch (const std::exception& e) {
    impl.log.error("request handler failed method={} route={} error=\"{}\"",
                   toString(request.method), request.route, e.what());
    deliver(AdminResponse::error(500, "internal error"));
  }
  if (!pending->response) {
    error_code ec;
    co_await pending->timer.async_wait(asio::redirect_error(kAwait, ec));
  }
  if (!pending->response) {
    impl.log.warn("request handler did not reply method={} route={} timeout_ms={}",
                  toString(request.method), request.route, impl.options.handlerTimeout.count());
    deliver(AdminResponse::error(503, "timed out waiting for the answer"));
  }
  co_return std::move(*pending->response);
}

asio::awaitable<void> session(std::shared_ptr<Impl> impl, tcp::socket socket,
                              Impl::ConnectionList::iterator self) {
  beast::tcp_stream stream(std::move(socket));
  self->stream = &stream;
  const ConnectionGuard guard(impl, self);
  beast::flat_buffer buffer;

  while (!impl->stopping) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(impl->options.headerLimit);
    parser.body_limit(impl->options.bodyLimit);
    error_code ec;
    self->busy = false;
    // One deadline for the whole request (head and body): a client that sends half a
    // request and stalls, or idles on keep-alive, loses the connection when it expires.
    stream.expires_after(impl->options.readTimeout);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(kAwait, ec));
    self->busy = true;
    const auto started = std::chrono::steady_clock::now();
    if (ec == http::error::body_limit) {
      co_await answerAndClose(*impl, stream, &*self, 413, "request body too large");
      co_return;
    }
    if (ec == http::error::header_limit) {
      co_await answerAndClose(*impl, stream, &*self, 431, "request header too large");
      co_return;
    }
    if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      co_await answerAndClose(*impl, stream, &*self, 400, "malformed request");
      co_return;
    }
    if (ec) {
      // end_of_stream, timeout, reset, or stop(): nothing to answer.
      if (ec == beast::error::timeout) {
        impl->log.debug("connection closed reason=read_timeout");
      }
      break;
    }

    auto& req = parser.get();
    AdminRequest request = toAdminRequest(req);
    const AdminResponse response = co_await runHandler(*impl, request);
    const bool keepAlive = req.keep_alive() && !impl->stopping;
    const auto res = toBeast(response, req.version(), keepAlive);
    stream.expires_after(impl->options.writeTimeout);
    const std::size_t bytes =
        co_await http::async_write(stream, res, asio::redirect_error(kAwait, ec));

    const std::string_view route =
        request.route.empty() ? std::string_view("none") : std::string_view(request.route);
    impl->count(route, res.result_int());
    if (impl->log.should_log(spdlog::level::debug)) {
      // The matched pattern rather than the raw path when there is one: captured segments
      // may hold an MSISDN. Headers, query and bodies are never logged (tokens live there).
      const std::string_view logged = request.route.empty()
                                          ? std::string_view(request.path).substr(0, kMaxLoggedPath)
                                          : std::string_view(request.route);
      const auto elapsed =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
      impl->log.debug("request method={} path={} status={} bytes={} duration_ms={:.2f}",
                      toString(request.method), logged, res.result_int(), bytes, elapsed.count());
    }
    if (ec || !keepAlive) {
      break;
    }
  }
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.close();
}

asio::awaitable<void> reject(std::shared_ptr<Impl> impl, tcp::socket socket) {
  ++impl->rejecting;
  beast::tcp_stream stream(std::move(socket));
  impl->log.warn("connection refused reason=max_connections limit={}",
                 impl->options.maxConnections);
  co_await answerAndClose(*impl, stream, nullptr, 503, "too many connections");
  --impl->rejecting;
}

asio::awaitable<void> acceptLoop(std::shared_ptr<Impl> impl) {
  for (;;) {
    error_code ec;
    tcp::socket socket = co_await impl->acceptor.async_accept(asio::redirect_error(kAwait, ec));
    if (impl->stopping || !impl->acceptor.is_open()) {
      co_return;
    }
    if (ec) {
      // EMFILE and friends: back off instead of spinning on a failing accept.
      impl->log.warn("accept failed error=\"{}\"", ec.message());
      asio::steady_timer timer(impl->ioc, kAcceptRetryDelay);
      co_await timer.async_wait(asio::redirect_error(kAwait, ec));
      continue;
    }
    if (impl->connections.size() >= impl->options.maxConnections) {
      // Rejections are bounded too, so a flood costs at most 2 x maxConnections sockets.
      if (impl->rejecting < impl->options.maxConnections) {
        asio::co_spawn(impl->ioc, reject(impl, std::move(socket)), asio::detached);
      }
      continue;
    }
    // Registered here, not in the coroutine, so the limit holds for back-to-back accepts.
    auto it = impl->connections.insert(impl->connections.end(), Impl::Connection{});
    asio::co_spawn(impl->ioc, session(impl, std::move(socket), it), asio::detached);
  }
}

}  // namespace

HttpServerOptions httpServerOptions(const AdminConfig& config) {
  HttpServerOptions options;
  options.listen = config.listen;
  options.bodyLimit = config.bodyLimit;
  options.readTimeout = config.readTimeout;
  options.writeTimeout = config.readTimeout;
  options.maxConnections = config.maxConnections;
  return options;
}

HttpServer::HttpServer(asio::io_context& ioc, HttpServerOptions options, AdminRoutes& routes,
                       spdlog::logger& log, Metrics* metrics)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), routes, log, metrics)) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::bind() {
  Impl& impl = *impl_;
  const std::string& listen = impl.options.listen;
  const auto fail = [&](std::string_view reason) {
    return std::runtime_error(fmt::format("cannot listen on {}: {}", listen, reason));
  };
  const auto hostPort = parseHostPort(listen);
  if (!hostPort) {
    throw fail("expected HOST:PORT");
  }
  error_code ec;
  tcp::resolver resolver(impl.ioc);
  const auto results =
      resolver.resolve(hostPort->host, std::to_string(hostPort->port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    throw fail(ec ? ec.message() : "host not found");
  }
  const tcp::endpoint endpoint = results.begin()->endpoint();
  tcp::acceptor& acceptor = impl.acceptor;
  if (acceptor.is_open()) {
    acceptor.close(ec);
  }
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    // Lets a restarted daemon bind while old connections sit in TIME_WAIT; it does not
    // let two live listeners share the port on Linux.
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    throw fail(ec.message());
  }
  impl.boundPort = acceptor.local_endpoint(ec).port();
  impl.log.info("admin API listening address={}",
                formatHostPort(endpoint.address().to_string(), impl.boundPort));
}

std::uint16_t HttpServer::port() const {
  return impl_->boundPort;
}

void HttpServer::start() {
  Impl& impl = *impl_;
  if (!impl.acceptor.is_open()) {
    throw std::logic_error("HttpServer::start() before bind()");
  }
  if (impl.started) {
    return;
  }
  impl.started = true;
  impl.stopping = false;
  asio::co_spawn(impl.ioc, acceptLoop(impl_), asio::detached);
}

void HttpServer::stop() {
  Impl& impl = *impl_;
  if (impl.stopping) {
    return;
  }
  impl.stopping = true;
  error_code ignored;
  impl.acceptor.close(ignored);
  for (Impl::Connection& connection : impl.connections) {
    // A busy connection finishes its response and then sees `stopping`.
    if (!connection.busy && connection.stream != nullptr) {
      connection.stream->cancel();
    }
  }
}

std::size_t HttpServer::connectionCount() const {
  return impl_->connections.size();
}

}  // namespace mfigw::gateway
