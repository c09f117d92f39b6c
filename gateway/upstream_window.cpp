#include "gateway/upstream_window.hpp"

#include <memory>
#include <utility>

#include <fmt/format.h>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "gateway/async_commit.hpp"

namespace mfigw::gateway {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kMaxErrorDetail = 160;

// The message of a refusal: Fineract's platform error {"defaultUserMessage"} or ours
// {"error"}, else the start of the body; printable ASCII only (it goes into a log line).
std::string detail(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string text(body);
  if (json.is_object()) {
    for (const char* key : {"defaultUserMessage", "error"}) {
      const auto it = json.find(key);
      if (it != json.end() && it->is_string()) {
        text = it->get<std::string>();
        break;
      }
    }
  }
  std::string out;
  for (const char c : text) {
    if (out.size() >= kMaxErrorDetail) break;
    out.push_back(c >= 0x20 && c < 0x7f ? c : ' ');
  }
  return out;
}

}  // namespace

void upstreamProtocolFailure(std::string message) {
  throw UpstreamWindowError(
      UpstreamWindowFailure{UpstreamFailureKind::Protocol, std::move(message), {}});
}

UpstreamWindowFailure upstreamHttpFailure(const UpstreamOptions& options, std::string_view method,
                                          std::string_view target, const UpstreamReply& reply) {
  const unsigned status = reply.status;
  UpstreamWindowFailure f;
  f.kind = status == 401 || status == 403 ? UpstreamFailureKind::Auth : UpstreamFailureKind::Http;
  f.message = fmt::format("{} {}: HTTP {} {}", method, target.substr(0, target.find('?')), status,
                          detail(reply.body));
  if (status == 429 || status == 503) {
    if (reply.retryAfter) f.retryAfter = *reply.retryAfter;
  } else if (status >= 400 && status < 500 && status != 408 && status != 409) {
    // The same request would be refused again: wait for the operator to fix it.
    f.retryAfter = options.schedule.backoffMax;
  }
  return f;
}

asio::awaitable<UpstreamReply> upstreamCall(UpstreamWindowContext& w, std::string_view method,
                                            std::string_view target, std::string_view body,
                                            std::string_view idempotencyKey,
                                            bool acceptClientErrors) {
  UpstreamExchange x = co_await w.conn.exchange(method, target, body, idempotencyKey);
  if (!x.ok()) throw UpstreamWindowError(UpstreamWindowFailure{x.failure, x.message, {}});
  const unsigned status = x.reply.status;
  if (status >= 200 && status < 300) co_return std::move(x.reply);
  if (acceptClientErrors && status >= 400 && status < 500 && status != 401) {
    co_return std::move(x.reply);
  }
  throw UpstreamWindowError(upstreamHttpFailure(w.options, method, target, x.reply));
}

asio::awaitable<void> upstreamCommit(UpstreamWindowContext& w,
                                     const store::GroupCommitWriter::Work& work,
                                     std::string_view what) {
  const std::error_code ec =
      co_await asyncCommit(w.stores.durableWriter(), work, asio::use_awaitable);
  if (ec) {
    throw UpstreamWindowError(UpstreamWindowFailure{
        UpstreamFailureKind::Store, fmt::format("store refused {}: {}", what, ec.message()), {}});
  }
}

}  // namespace mfigw::gateway
