#include "gateway/admin_client.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <exception>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace mfigw::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kAwait = asio::use_awaitable;
// Replies are status pages and lists; anything bigger is not from our daemon.
constexpr std::uint64_t kMaxReplyBody = 64ull << 20;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

struct Exchange {
  std::string host;
  std::uint16_t port;
  std::chrono::milliseconds timeout;
  http::request<http::string_body> request;
};

std::string describe(const error_code& ec, std::string_view step) {
  if (ec == beast::error::timeout) {
    return fmt::format("timed out {}", step);
  }
  return ec.message();
}

asio::awaitable<AdminReply> exchange(Exchange x) {
  const std::string where = formatHostPort(x.host, x.port);
  auto executor = co_await asio::this_coro::executor;
  error_code ec;
  tcp::resolver resolver(executor);
  // Named, not a temporary in the co_await: g++ 12 may destroy such temporaries twice.
  const std::string service = std::to_string(x.port);
  const auto endpoints = co_await resolver.async_resolve(
      x.host, service, tcp::resolver::numeric_service, asio::redirect_error(kAwait, ec));
  if (ec) {
    throw AdminClientError(fmt::format("cannot resolve {}: {}", x.host, ec.message()));
  }
  beast::tcp_stream stream(executor);
  stream.expires_after(x.timeout);
  co_await stream.async_connect(endpoints, asio::redirect_error(kAwait, ec));
  if (ec) {
    throw AdminClientError(
        fmt::format("cannot connect to {}: {}", where, describe(ec, "connecting")));
  }
  stream.expires_after(x.timeout);
  co_await http::async_write(stream, x.request, asio::redirect_error(kAwait, ec));
  // A server that refuses early (413) may close while we still write; its answer can
  // still be waiting in our receive buffer, so a write error is reported only if the
  // read fails too.
  const error_code writeError = ec;
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxReplyBody);
  stream.expires_after(x.timeout);
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(kAwait, ec));
  if (ec) {
    const error_code& reported = writeError ? writeError : ec;
    throw AdminClientError(
        fmt::format("no answer from {}: {}", where, describe(reported, "waiting for the answer")));
  }
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);

  auto& res = parser.get();
  AdminReply reply;
  reply.status = static_cast<int>(res.result_int());
  reply.contentType = std::string(res[http::field::content_type]);
  for (const auto& field : res) {
    reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  reply.body = std::move(res.body());
  co_return reply;
}

}  // namespace

std::optional<HostPort> parseHostPort(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return std::nullopt;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return std::nullopt;  // an IPv6 literal needs brackets
    }
  }
  unsigned value = 0;
  const auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || port.empty() || err != std::errc{} || end != port.data() + port.size() ||
      value > 65535) {
    return std::nullopt;
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(value)};
}

std::string formatHostPort(std::string_view host, std::uint16_t port) {
  return host.find(':') != std::string_view::npos ? fmt::format("[{}]:{}", host, port)
                                                  : fmt::format("{}:{}", host, port);
}

std::string_view AdminReply::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) {
      return value;
    }
  }
  return {};
}

AdminClient::AdminClient(std::string host, std::uint16_t port, Secret token,
                         std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), token_(std::move(token)), timeout_(timeout) {}

AdminReply AdminClient::get(std::string_view target) {
  return request("GET", target, {}, {});
}

AdminReply AdminClient::post(std::string_view target, std::string body,
                             std::string_view contentType) {
  return request("POST", target, std::move(body), contentType);
}

AdminReply AdminClient::request(std::string_view method, std::string_view target, std::string body,
                                std::string_view contentType,
                                const std::vector<std::pair<std::string, std::string>>& headers) {
  if (target.empty() || target.front() != '/' ||
      target.find_first_of("\r\n ") != std::string_view::npos) {
    throw AdminClientError(fmt::format("invalid request target: {}", target));
  }
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, endpoint());
  req.set(http::field::user_agent, "mfi-gatewayctl");
  if (!token_.empty()) {
    req.set(http::field::authorization, fmt::format("Bearer {}", token_.reveal()));
  }
  if (!contentType.empty()) {
    req.set(http::field::content_type, contentType);
  }
  for (const auto& [name, value] : headers) {
    if ((name + value).find_first_of("\r\n") != std::string::npos)
      throw AdminClientError(fmt::format("invalid header {}", name));
    req.set(name, value);
  }
  req.body() = std::move(body);
  req.keep_alive(false);
  req.prepare_payload();

  asio::io_context ioc;
  AdminReply reply;
  std::exception_ptr failure;
  asio::co_spawn(ioc, exchange(Exchange{host_, port_, timeout_, std::move(req)}),
                 [&](std::exception_ptr e, AdminReply r) {
                   failure = e;
                   reply = std::move(r);
                 });
  ioc.run();
  if (failure) {
    std::rethrow_exception(failure);
  }
  return reply;
}

}  // namespace mfigw::gateway
