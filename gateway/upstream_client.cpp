#include "gateway/upstream_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <charconv>
#include <ctime>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "gateway/upstream_codec.hpp"
#include "gateway/upstream_gzip.hpp"

namespace mfigw::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kAwait = asio::use_awaitable;

// A beast::tcp_stream that counts every byte it moves. It sits under TLS, so the counts
// are what the link carries (handshakes and record overhead included), which is what a
// metered 2G or VSAT line bills.
class CountingStream {
 public:
  using executor_type = beast::tcp_stream::executor_type;
  using lowest_layer_type = beast::tcp_stream::socket_type;

  CountingStream(const executor_type& executor, UpstreamByteCount& count)
      : tcp_(executor), count_(&count) {}
  CountingStream(CountingStream&&) = default;
  CountingStream& operator=(CountingStream&&) = default;

  executor_type get_executor() { return tcp_.get_executor(); }
  lowest_layer_type& lowest_layer() { return tcp_.socket(); }
  const lowest_layer_type& lowest_layer() const { return tcp_.socket(); }
  beast::tcp_stream& tcp() { return tcp_; }

  template <typename Buffers, typename Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          auto executor = asio::get_associated_executor(handler, tcp_.get_executor());
          tcp_.async_read_some(
              b, asio::bind_executor(executor, [count = count_, h = std::move(handler)](
                                                   error_code ec, std::size_t n) mutable {
                count->in += n;
                std::move(h)(ec, n);
              }));
        },
        token, buffers);
  }

  template <typename Buffers, typename Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const Buffers& b) {
          auto executor = asio::get_associated_executor(handler, tcp_.get_executor());
          tcp_.async_write_some(
              b, asio::bind_executor(executor, [count = count_, h = std::move(handler)](
                                                   error_code ec, std::size_t n) mutable {
                count->out += n;
                std::move(h)(ec, n);
              }));
        },
        token, buffers);
  }

 private:
  beast::tcp_stream tcp_;
  UpstreamByteCount* count_;
};

using TlsStream = asio::ssl::stream<CountingStream>;

bool isIpAddress(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::string describe(const error_code& ec) {
  return ec == beast::error::timeout ? "timed out" : ec.message();
}

UpstreamFailureKind kindOf(const error_code& ec, UpstreamFailureKind otherwise) {
  if (ec == beast::error::timeout) return UpstreamFailureKind::Timeout;
  if (ec == asio::error::operation_aborted) return UpstreamFailureKind::Stopped;
  return otherwise;
}

UpstreamExchange failed(UpstreamFailureKind kind, std::string message) {
  UpstreamExchange out;
  out.failure = kind;
  out.message = std::move(message);
  return out;
}

// One request and its answer on an open stream. The read deadline is renewed as data
// arrives, so `timeout` bounds each silence rather than a whole page on a slow line.
struct RoundTrip {
  error_code ec;
  const char* step = "";
  bool answerStarted = false;
  http::response<http::string_body> response;
};

}  // namespace

struct UpstreamConnection::Impl {
  Impl(asio::any_io_executor executor_, const UpstreamClientOptions& options_,
       asio::ssl::context* tls_, spdlog::logger& log_)
      : executor(std::move(executor_)), options(options_), tls(tls_), log(log_) {}

  asio::any_io_executor executor;
  const UpstreamClientOptions& options;
  asio::ssl::context* tls;
  spdlog::logger& log;
  UpstreamByteCount bytes;
  std::optional<CountingStream> plain;
  std::optional<TlsStream> secure;
  beast::flat_buffer buffer;
  bool connected = false;
  bool closed = false;
  std::uint64_t exchangesOnConnection = 0;
  std::uint64_t opened = 0;

  beast::tcp_stream& tcp() { return secure ? secure->next_layer().tcp() : plain->tcp(); }
  [[nodiscard]] std::string where() const {
    return fmt::format("{}:{}", options.url.host, options.url.port);
  }

  // Ends whatever is in flight (it completes with operation_aborted) without destroying
  // the streams: a suspended exchange still refers to them.
  void cancel() {
    closed = true;
    if (plain || secure) tcp().close();
  }

  // Drops the connection. Only between operations (nothing may be in flight on it).
  void reset() {
    if (plain || secure) {
      error_code ignored;
      tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
      tcp().close();
    }
    secure.reset();
    plain.reset();
    buffer.clear();
    connected = false;
    exchangesOnConnection = 0;
  }

  http::request<http::string_body> makeRequest(std::string_view method, std::string_view target,
                                               std::string body,
                                               std::string_view idempotencyKey) const;
};

namespace {

using Impl = UpstreamConnection::Impl;

// g++ 12 destroys non-trivial temporaries of a co_await expression twice: coroutines here
// take references, and awaited calls get named locals.
asio::awaitable<UpstreamExchange> connect(Impl& impl) {
  const UpstreamUrl& url = impl.options.url;
  // The resolver has no deadline of its own: a timer cancels it.
  auto resolver = std::make_shared<tcp::resolver>(impl.executor);
  auto deadline = std::make_shared<asio::steady_timer>(impl.executor);
  auto timedOut = std::make_shared<bool>(false);
  deadline->expires_after(impl.options.timeout);
  deadline->async_wait([resolver, timedOut](const error_code& ec) {
    if (!ec) {
      *timedOut = true;
      resolver->cancel();
    }
  });
  error_code ec;
  const std::string port = std::to_string(url.port);
  const auto endpoints = co_await resolver->async_resolve(
      url.host, port, tcp::resolver::numeric_service, asio::redirect_error(kAwait, ec));
  deadline->cancel();
  if (impl.closed) co_return failed(UpstreamFailureKind::Stopped, "stopped");
  if (ec) {
    co_return failed(
        UpstreamFailureKind::Resolve,
        fmt::format("resolve {}: {}", url.host, *timedOut ? "timed out" : ec.message()));
  }

  if (url.tls) {
    impl.secure.emplace(CountingStream(impl.executor, impl.bytes), *impl.tls);
  } else {
    impl.plain.emplace(impl.executor, impl.bytes);
  }
  impl.tcp().expires_after(impl.options.timeout);
  co_await impl.tcp().async_connect(endpoints, asio::redirect_error(kAwait, ec));
  if (impl.closed) co_return failed(UpstreamFailureKind::Stopped, "stopped");
  if (ec) {
    const auto kind = kindOf(ec, UpstreamFailureKind::Connect);
    impl.reset();
    co_return failed(kind, fmt::format("connect {}: {}", impl.where(), describe(ec)));
  }
  ++impl.opened;

  if (url.tls) {
    const UpstreamTlsOptions& tls = impl.options.tls;
    const std::string& name = tls.serverName.empty() ? url.host : tls.serverName;
    // SNI carries names only; an address is checked against the certificate's IP SANs.
    if (!isIpAddress(name)) {
      // SSL_set_tlsext_host_name() is a macro with a C cast; this is what it expands to.
      SSL_ctrl(impl.secure->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
               TLSEXT_NAMETYPE_host_name, const_cast<char*>(name.c_str()));
    }
    if (tls.verify) impl.secure->set_verify_callback(asio::ssl::host_name_verification(name));
    impl.tcp().expires_after(impl.options.timeout);
    co_await impl.secure->async_handshake(asio::ssl::stream_base::client,
                                          asio::redirect_error(kAwait, ec));
    if (impl.closed) co_return failed(UpstreamFailureKind::Stopped, "stopped");
    if (ec) {
      std::string why = describe(ec);
      const long verify = SSL_get_verify_result(impl.secure->native_handle());
      if (verify != X509_V_OK) {
        why += fmt::format(" ({})", X509_verify_cert_error_string(verify));
      }
      const auto kind = kindOf(ec, UpstreamFailureKind::Tls);
      impl.reset();
      co_return failed(kind, fmt::format("TLS with {} ({}): {}", impl.where(), name, why));
    }
  }
  impl.connected = true;
  co_return UpstreamExchange{};
}

template <typename Stream>
asio::awaitable<RoundTrip> roundTrip(Impl& impl, Stream& stream,
                                     const http::request<http::string_body>& request) {
  RoundTrip out;
  impl.tcp().expires_after(impl.options.timeout);
  co_await http::async_write(stream, request, asio::redirect_error(kAwait, out.ec));
  if (out.ec) {
    out.step = "sending the request";
    co_return out;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(impl.options.maxResponseBytes);
  out.step = "reading the answer";
  while (!parser.is_done()) {
    impl.tcp().expires_after(impl.options.timeout);
    co_await http::async_read_some(stream, impl.buffer, parser,
                                   asio::redirect_error(kAwait, out.ec));
    if (parser.got_some()) out.answerStarted = true;
    if (out.ec) co_return out;
  }
  out.response = parser.release();
  co_return out;
}

UpstreamExchange toReply(Impl& impl, http::response<http::string_body>& response) {
  UpstreamExchange out;
  UpstreamReply& reply = out.reply;
  reply.status = response.result_int();
  reply.wireBodyBytes = response.body().size();
  const std::string_view encoding = response[http::field::content_encoding];
  if (encoding == "gzip") {
    try {
      reply.body = gunzip(response.body(), impl.options.maxResponseBytes);
    } catch (const GzipError& e) {
      return failed(UpstreamFailureKind::Protocol,
                    fmt::format("answer from {}: {}", impl.where(), e.what()));
    }
  } else if (encoding.empty() || encoding == "identity") {
    reply.body = std::move(response.body());
  } else {
    return failed(UpstreamFailureKind::Protocol,
                  fmt::format("answer from {}: unsupported Content-Encoding \"{}\"", impl.where(),
                              encoding.substr(0, 32)));
  }
  reply.servedFromCache = beast::iequals(response["x-served-from-cache"], "true");
  const std::string_view retryAfter = response[http::field::retry_after];
  if (!retryAfter.empty()) {
    reply.retryAfter = parseRetryAfter(retryAfter, std::chrono::system_clock::now());
  }
  return out;
}

}  // namespace

http::request<http::string_body> Impl::makeRequest(std::string_view method, std::string_view target,
                                                   std::string body,
                                                   std::string_view idempotencyKey) const {
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(options.url.basePath + std::string(target));
  req.version(11);
  req.set(http::field::host, options.url.hostHeader());
  req.set(http::field::user_agent, options.userAgent);
  req.set(http::field::accept, "application/json");
  req.set(http::field::accept_encoding, "gzip");
  switch (options.auth) {
    case UpstreamAuth::None:
      break;
    case UpstreamAuth::Bearer:
      req.set(http::field::authorization, fmt::format("Bearer {}", options.token.reveal()));
      break;
    case UpstreamAuth::Basic:
      req.set(http::field::authorization,
              "Basic " +
                  base64Encode(fmt::format("{}:{}", options.username, options.password.reveal())));
      break;
  }
  for (const auto& [name, value] : options.headers)
    req.set(name, value);
  if (!idempotencyKey.empty()) req.set(options.idempotencyHeader, idempotencyKey);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    if (body.size() >= options.compressMin) {
      body = gzip(body);
      req.set(http::field::content_encoding, "gzip");
    }
  }
  req.body() = std::move(body);
  req.keep_alive(true);
  req.prepare_payload();
  return req;
}

// ---- public ----

std::string_view toString(UpstreamAuth auth) noexcept {
  switch (auth) {
    case UpstreamAuth::None:
      return "none";
    case UpstreamAuth::Bearer:
      return "bearer";
    case UpstreamAuth::Basic:
      return "basic";
  }
  return "unknown";
}

std::optional<UpstreamAuth> upstreamAuthFromString(std::string_view text) noexcept {
  for (const UpstreamAuth a : {UpstreamAuth::None, UpstreamAuth::Bearer, UpstreamAuth::Basic}) {
    if (toString(a) == text) return a;
  }
  return std::nullopt;
}

std::string_view toString(UpstreamFailureKind kind) noexcept {
  switch (kind) {
    case UpstreamFailureKind::None:
      return "ok";
    case UpstreamFailureKind::Resolve:
      return "resolve";
    case UpstreamFailureKind::Connect:
      return "connect";
    case UpstreamFailureKind::Tls:
      return "tls";
    case UpstreamFailureKind::Timeout:
      return "timeout";
    case UpstreamFailureKind::Transport:
      return "transport";
    case UpstreamFailureKind::Protocol:
      return "protocol";
    case UpstreamFailureKind::Http:
      return "http";
    case UpstreamFailureKind::Auth:
      return "auth";
    case UpstreamFailureKind::Store:
      return "store";
    case UpstreamFailureKind::Stopped:
      return "stopped";
  }
  return "unknown";
}

std::unique_ptr<asio::ssl::context> makeUpstreamTlsContext(const UpstreamTlsOptions& tls) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1);
  error_code ec;
  const auto fail = [&ec](std::string_view what, const std::string& file) {
    return std::runtime_error(
        fmt::format("upstream tls: cannot load {} '{}': {}", what, file, ec.message()));
  };
  if (tls.caFile.empty()) {
    ctx->set_default_verify_paths(ec);
    if (ec) throw fail("the system CA store", "");
  } else {
    ctx->load_verify_file(tls.caFile, ec);
    if (ec) throw fail("CA file", tls.caFile);
  }
  if (!tls.certFile.empty()) {
    ctx->use_certificate_chain_file(tls.certFile, ec);
    if (ec) throw fail("client certificate", tls.certFile);
    const std::string& key = tls.keyFile.empty() ? tls.certFile : tls.keyFile;
    ctx->use_private_key_file(key, asio::ssl::context::pem, ec);
    if (ec) throw fail("client key", key);  // names the file, never its content
  }
  ctx->set_verify_mode(tls.verify ? asio::ssl::verify_peer : asio::ssl::verify_none);
  return ctx;
}

std::optional<std::chrono::seconds> parseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ')
    value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ')
    value.remove_suffix(1);
  std::uint32_t seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size()) {
    return std::chrono::seconds(seconds);
  }
  // IMF-fixdate, the one HTTP-date form servers send: "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  const std::string text(value);
  const char* parsed = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (parsed == nullptr || *parsed != '\0') return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  const auto delta = std::chrono::duration_cast<std::chrono::seconds>(at - now);
  return std::max(delta, std::chrono::seconds(0));
}

UpstreamConnection::UpstreamConnection(asio::any_io_executor executor,
                                       const UpstreamClientOptions& options,
                                       asio::ssl::context* tls, spdlog::logger& log)
    : impl_(std::make_shared<Impl>(std::move(executor), options, tls, log)) {
  if (options.url.tls && tls == nullptr) {
    throw std::invalid_argument("UpstreamConnection: an https URL needs a TLS context");
  }
}

UpstreamConnection::~UpstreamConnection() {
  impl_->cancel();
}

void UpstreamConnection::close() {
  impl_->cancel();
}

UpstreamByteCount UpstreamConnection::bytes() const {
  return impl_->bytes;
}

std::uint64_t UpstreamConnection::connectionsOpened() const {
  return impl_->opened;
}

namespace {

// A free function, not a member: g++ 12 reports a false -Wmismatched-new-delete on the
// frame of a member coroutine here.
asio::awaitable<UpstreamExchange> runExchange(std::shared_ptr<Impl> self, std::string method,
                                              std::string target, std::string body,
                                              std::string idempotencyKey) {
  Impl& impl = *self;
  const http::request<http::string_body> request =
      impl.makeRequest(method, target, std::move(body), idempotencyKey);
  // Twice at most: the second try only when a reused connection turned out to be closed.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (impl.closed) co_return failed(UpstreamFailureKind::Stopped, "stopped");
    if (!impl.connected) {
      UpstreamExchange opened = co_await connect(impl);
      if (!opened.ok()) co_return opened;
    }
    const bool reused = impl.exchangesOnConnection > 0;
    ++impl.exchangesOnConnection;
    RoundTrip trip;
    if (impl.secure) {
      trip = co_await roundTrip(impl, *impl.secure, request);
    } else {
      trip = co_await roundTrip(impl, *impl.plain, request);
    }
    if (impl.closed) co_return failed(UpstreamFailureKind::Stopped, "stopped");
    if (trip.ec) {
      impl.reset();
      if (reused && !trip.answerStarted && trip.ec != beast::error::timeout) {
        impl.log.debug("upstream connection was closed, reconnecting peer={}", impl.where());
        continue;
      }
      co_return failed(kindOf(trip.ec, UpstreamFailureKind::Transport),
                       fmt::format("{} {} {}: {}", method, target.substr(0, target.find('?')),
                                   trip.step, describe(trip.ec)));
    }
    const bool keepAlive = trip.response.keep_alive();
    UpstreamExchange out = toReply(impl, trip.response);
    if (!keepAlive || !out.ok()) impl.reset();
    impl.log.debug("upstream exchange method={} path={} status={} body_bytes={}", method,
                   target.substr(0, target.find('?')), out.reply.status, out.reply.wireBodyBytes);
    co_return out;
  }
  co_return failed(UpstreamFailureKind::Transport, "connection closed twice");
}

}  // namespace

asio::awaitable<UpstreamExchange> UpstreamConnection::exchange(std::string_view method,
                                                               std::string_view target,
                                                               std::string_view body,
                                                               std::string_view idempotencyKey) {
  return runExchange(impl_, std::string(method), std::string(target), std::string(body),
                     std::string(idempotencyKey));
}

}  // namespace mfigw::gateway
