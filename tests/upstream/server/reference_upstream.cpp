#include "tests/upstream/server/reference_upstream.hpp"

#include <charconv>
#include <future>
#include <list>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "gateway/upstream_codec.hpp"
#include "gateway/upstream_gzip.hpp"
#include "tests/upstream/server/reference_store.hpp"

namespace mfigw::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using gateway::UpstreamFeed;

namespace {

constexpr auto kAwait = asio::use_awaitable;
constexpr std::size_t kBodyLimit = 16u << 20;
constexpr auto kIdleTimeout = std::chrono::seconds(30);

struct Fault {
  enum class Kind { Status, Hang, CloseMidBody } kind = Kind::Status;
  unsigned remaining = 0;
  std::string path;
  unsigned status = 500;
  std::optional<unsigned> retryAfter;
};

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// What the session does with a request once the handler has run.
enum class Delivery { Answer, CutMidBody, DropBeforeAnswer, Hang };

struct Handled {
  Response response;
  Delivery delivery = Delivery::Answer;
};

std::optional<std::string> queryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      std::string value;
      const std::string_view raw = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
      for (std::size_t i = 0; i < raw.size(); ++i) {
        unsigned byte = 0;
        if (raw[i] == '%' && i + 2 < raw.size() &&
            std::from_chars(raw.data() + i + 1, raw.data() + i + 3, byte, 16).ptr ==
                raw.data() + i + 3) {
          value.push_back(static_cast<char>(byte));
          i += 2;
        } else {
          value.push_back(raw[i]);
        }
      }
      return value;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

template <typename N>
std::optional<N> number(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  N n{};
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return n;
}

}  // namespace

struct ReferenceUpstream::Impl {
  explicit Impl(ReferenceUpstreamOptions options_)
      : options(std::move(options_)), data(options.dataDir), acceptor(io) {}

  // First, so it is destroyed last: suspended sessions die with it and still refer to
  // the TLS context and the acceptor.
  asio::io_context io;
  ReferenceUpstreamOptions options;
  ReferenceStore data;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::unique_ptr<asio::ssl::context> tls;
  tcp::acceptor acceptor;
  std::thread thread;
  std::uint16_t port = 0;
  bool running = false;
  std::list<beast::tcp_stream*> live;  // server thread only

  mutable std::mutex mutex;  // guards everything below
  std::vector<Fault> faults;
  unsigned cutChangesAt = 0;  // countdown of changes requests of cutFeed; 0: none armed
  UpstreamFeed cutFeed = UpstreamFeed::Loans;
  unsigned dropEventAnswers = 0;
  std::map<std::string, std::string> rejectTypes;
  std::map<store::EventKey, unsigned> received;
  std::vector<ChangesRequest> changes;
  std::map<std::string, std::size_t> requests;
  std::size_t accepted = 0;
  std::size_t unauthorized = 0;

  void listen();
  Handled handle(const Request& request);
  bool authorized(const Request& request) const;
  Response answer(const Request& request, unsigned status, std::string body) const;
  Response handleEvents(const Request& request, Delivery& delivery);
  Response handleChanges(const Request& request, std::string_view query, Delivery& delivery);
  Response handleReconcile(const Request& request, std::string_view query);

  // Runs fn on the server thread and waits for it.
  template <typename F>
  void onServerThread(F&& fn) {
    std::promise<void> done;
    asio::post(io, [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }
};

void ReferenceUpstream::Impl::listen() {
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen();
  port = acceptor.local_endpoint().port();
}

Response ReferenceUpstream::Impl::answer(const Request& request, unsigned status,
                                         std::string body) const {
  Response res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, "application/json");
  const std::string_view accepts = request[http::field::accept_encoding];
  if (body.size() >= options.gzipMin && accepts.find("gzip") != std::string_view::npos) {
    body = gateway::gzip(body, options.gzipLevel);
    res.set(http::field::content_encoding, "gzip");
  }
  res.body() = std::move(body);
  res.keep_alive(request.keep_alive());
  res.prepare_payload();
  return res;
}

bool ReferenceUpstream::Impl::authorized(const Request& request) const {
  const std::string_view given = request[http::field::authorization];
  if (!options.basicUser.empty()) {
    return given ==
           "Basic " + gateway::base64Encode(options.basicUser + ":" + options.basicPassword);
  }
  if (!options.bearerToken.empty()) return given == "Bearer " + options.bearerToken;
  return true;
}

Response ReferenceUpstream::Impl::handleEvents(const Request& request, Delivery& delivery) {
  std::vector<gateway::WireEvent> events;
  try {
    events = gateway::decodeEventBatch(request.body());
  } catch (const gateway::UpstreamProtocolError& e) {
    return answer(request, 400, nlohmann::json{{"error", {{"message", e.what()}}}}.dump());
  }
  std::vector<gateway::WireEvent> storable;
  std::vector<gateway::EventAnswer> answers(events.size());
  {
    std::lock_guard lock(mutex);
    for (std::size_t i = 0; i < events.size(); ++i) {
      ++received[events[i].key];
      answers[i].key = events[i].key;
      if (const auto it = rejectTypes.find(events[i].type); it != rejectTypes.end()) {
        answers[i].result = gateway::EventResult::Rejected;
        answers[i].reason = it->second;
      }
    }
    if (dropEventAnswers > 0) {
      --dropEventAnswers;
      delivery = Delivery::DropBeforeAnswer;
    }
  }
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (answers[i].result != gateway::EventResult::Rejected) {
      storable.push_back(events[i]);
      positions.push_back(i);
    }
  }
  const std::vector<bool> fresh = data.storeEvents(storable);
  for (std::size_t j = 0; j < positions.size(); ++j) {
    answers[positions[j]].result =
        fresh[j] ? gateway::EventResult::Accepted : gateway::EventResult::Duplicate;
  }
  return answer(request, 200, gateway::encodeEventAnswers(answers));
}

Response ReferenceUpstream::Impl::handleChanges(const Request& request, std::string_view query,
                                                Delivery& delivery) {
  const auto feedName = queryParam(query, "feed");
  const auto feedParsed = feedName ? gateway::upstreamFeedFromString(*feedName) : std::nullopt;
  if (!feedParsed) return answer(request, 400, R"({"error":{"message":"unknown feed"}})");
  const UpstreamFeed feed = *feedParsed;
  const auto afterVer = number<std::uint64_t>(queryParam(query, "after_ver"));
  const auto limit = number<std::size_t>(queryParam(query, "limit"));
  const auto branchText = queryParam(query, "branch");
  const auto branch = number<std::uint16_t>(branchText);
  if (!afterVer || !limit || *limit == 0 || (branchText && !branch) ||
      (branch && feed != UpstreamFeed::Loans)) {
    return answer(request, 400, R"({"error":{"message":"bad changes query"}})");
  }
  ChangesRequest seen;
  seen.feed = feed;
  seen.after = {*afterVer, queryParam(query, "after_id").value_or("")};
  seen.limit = *limit;
  seen.branch = branch;
  const gateway::ChangePage page =
      data.page(feed, seen.after, std::min(*limit, options.maxPageSize), branch);
  seen.records = page.upserts() + page.deletions.size();
  seen.next = page.next;
  {
    std::lock_guard lock(mutex);
    if (feed == cutFeed && cutChangesAt > 0 && --cutChangesAt == 0) {
      delivery = Delivery::CutMidBody;
      seen.cut = true;
    }
    changes.push_back(seen);
  }
  return answer(request, 200, gateway::encodeChangePage(page));
}

Response ReferenceUpstream::Impl::handleReconcile(const Request& request, std::string_view query) {
  const auto branchText = queryParam(query, "branch");
  const auto branch = number<std::uint16_t>(branchText);
  if (branchText && !branch) {
    return answer(request, 400, R"({"error":{"message":"bad branch"}})");
  }
  return answer(request, 200, gateway::encodeDigests(data.digests(branch)));
}

Handled ReferenceUpstream::Impl::handle(const Request& request) {
  const std::string_view target = request.target();
  const std::string path(target.substr(0, target.find('?')));
  const std::string_view query =
      target.find('?') == std::string_view::npos ? "" : target.substr(target.find('?') + 1);
  Handled out;
  {
    std::lock_guard lock(mutex);
    ++requests[path];
    for (Fault& f : faults) {
      if (f.remaining == 0 || (!f.path.empty() && f.path != path)) continue;
      --f.remaining;
      switch (f.kind) {
        case Fault::Kind::Hang:
          out.delivery = Delivery::Hang;
          return out;
        case Fault::Kind::CloseMidBody:
          out.delivery = Delivery::CutMidBody;
          break;
        case Fault::Kind::Status: {
          out.response =
              answer(request, f.status,
                     fmt::format(R"({{"error":{{"status":{},"message":"injected"}}}})", f.status));
          if (f.retryAfter)
            out.response.set(http::field::retry_after, std::to_string(*f.retryAfter));
          return out;
        }
      }
      break;
    }
  }
  if (!authorized(request)) {
    std::lock_guard lock(mutex);
    ++unauthorized;
    out.response = answer(request, 401, R"({"error":{"message":"unauthorized"}})");
    out.response.set(http::field::www_authenticate, "Bearer");
    return out;
  }
  Request decoded = request;
  if (request[http::field::content_encoding] == "gzip") {
    try {
      decoded.body() = gateway::gunzip(request.body(), kBodyLimit);
    } catch (const gateway::GzipError& e) {
      out.response = answer(request, 400, nlohmann::json{{"error", e.what()}}.dump());
      return out;
    }
  }
  Delivery planned = Delivery::Answer;
  if (request.method() == http::verb::post && path == "/v1/events") {
    out.response = handleEvents(decoded, planned);
  } else if (request.method() == http::verb::get && path == "/v1/changes") {
    out.response = handleChanges(decoded, query, planned);
  } else if (request.method() == http::verb::get && path == "/v1/reconcile") {
    out.response = handleReconcile(decoded, query);
  } else {
    out.response = answer(request, 404, R"({"error":{"message":"no such route"}})");
  }
  if (out.delivery == Delivery::Answer) out.delivery = planned;
  return out;
}

namespace {

using Impl = ReferenceUpstream::Impl;

// Free functions rather than members: g++ 12 reports a false -Wmismatched-new-delete on the
// frames of member coroutines.
template <typename Stream>
asio::awaitable<void> serve(Impl& d, Stream& stream, beast::tcp_stream& transport) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    error_code ec;
    transport.expires_after(kIdleTimeout);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(kAwait, ec));
    if (ec) co_return;
    const Request request = parser.release();
    Handled handled = d.handle(request);
    switch (handled.delivery) {
      case Delivery::Hang: {
        // Say nothing until the client gives up (or the server stops).
        std::array<char, 256> sink{};
        transport.expires_never();
        while (!ec) {
          co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(kAwait, ec));
        }
        co_return;
      }
      case Delivery::DropBeforeAnswer:
        co_return;
      case Delivery::CutMidBody: {
        std::ostringstream whole;
        whole << handled.response;
        const std::string text = whole.str();
        const std::size_t bodySize = handled.response.body().size();
        const std::size_t cutAt = text.size() - bodySize + bodySize / 2;
        transport.expires_after(kIdleTimeout);
        co_await asio::async_write(stream, asio::buffer(text.data(), cutAt),
                                   asio::redirect_error(kAwait, ec));
        co_return;
      }
      case Delivery::Answer:
        break;
    }
    transport.expires_after(kIdleTimeout);
    co_await http::async_write(stream, handled.response, asio::redirect_error(kAwait, ec));
    if (ec || !handled.response.keep_alive()) co_return;
  }
}

asio::awaitable<void> session(Impl& d, tcp::socket socket) {
  beast::tcp_stream transport(std::move(socket));
  auto it = d.live.insert(d.live.end(), &transport);
  if (d.tls) {
    asio::ssl::stream<beast::tcp_stream&> secure(transport, *d.tls);
    error_code ec;
    transport.expires_after(kIdleTimeout);
    co_await secure.async_handshake(asio::ssl::stream_base::server,
                                    asio::redirect_error(kAwait, ec));
    if (!ec) co_await serve(d, secure, transport);
  } else {
    co_await serve(d, transport, transport);
  }
  d.live.erase(it);
  error_code ignored;
  transport.socket().shutdown(tcp::socket::shutdown_both, ignored);
  transport.close();
}

asio::awaitable<void> acceptLoop(Impl& d) {
  for (;;) {
    error_code ec;
    tcp::socket socket = co_await d.acceptor.async_accept(asio::redirect_error(kAwait, ec));
    if (ec) co_return;  // closed: pause() or stop()
    {
      std::lock_guard lock(d.mutex);
      ++d.accepted;
    }
    asio::co_spawn(d.io, session(d, std::move(socket)), asio::detached);
  }
}

}  // namespace

// ---- public ----

ReferenceUpstream::ReferenceUpstream(ReferenceUpstreamOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  if (const auto& t = impl_->options.tls) {
    impl_->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    impl_->tls->use_certificate_chain_file(t->certFile);
    impl_->tls->use_private_key_file(t->keyFile, asio::ssl::context::pem);
    if (!t->clientCaFile.empty()) {
      impl_->tls->load_verify_file(t->clientCaFile);
      impl_->tls->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    }
  }
}

ReferenceUpstream::~ReferenceUpstream() {
  stop();
}

void ReferenceUpstream::start() {
  Impl& d = *impl_;
  if (d.running) return;
  d.listen();
  d.running = true;
  d.work.emplace(d.io.get_executor());
  asio::co_spawn(d.io, acceptLoop(d), asio::detached);
  d.thread = std::thread([&d] { d.io.run(); });
}

void ReferenceUpstream::stop() {
  Impl& d = *impl_;
  if (!d.running) return;
  d.running = false;
  d.onServerThread([&d] {
    error_code ignored;
    d.acceptor.close(ignored);
    for (beast::tcp_stream* s : d.live)
      s->close();
  });
  d.work.reset();
  d.io.stop();
  d.thread.join();
}

std::uint16_t ReferenceUpstream::port() const {
  return impl_->port;
}

std::string ReferenceUpstream::url() const {
  return fmt::format("{}://127.0.0.1:{}", impl_->options.tls ? "https" : "http", impl_->port);
}

void ReferenceUpstream::pause() {
  Impl& d = *impl_;
  d.onServerThread([&d] {
    error_code ignored;
    d.acceptor.close(ignored);
    for (beast::tcp_stream* s : d.live)
      s->close();
  });
}

void ReferenceUpstream::resume() {
  Impl& d = *impl_;
  d.onServerThread([&d] {
    d.listen();
    asio::co_spawn(d.io, acceptLoop(d), asio::detached);
  });
}

std::uint64_t ReferenceUpstream::putLoans(std::vector<store::LoanSnapshot> loans,
                                          std::size_t loansPerVer) {
  return impl_->data.putLoans(std::move(loans), loansPerVer);
}
std::uint64_t ReferenceUpstream::putClients(std::vector<store::Client> clients) {
  return impl_->data.putClients(std::move(clients));
}
std::uint64_t ReferenceUpstream::putGroups(std::vector<store::Group> groups) {
  return impl_->data.putGroups(std::move(groups));
}
std::uint64_t ReferenceUpstream::putPaymentPoints(std::vector<store::PaymentPoint> points) {
  return impl_->data.putPaymentPoints(std::move(points));
}
void ReferenceUpstream::deleteLoan(const std::string& lid, bool tombstone) {
  impl_->data.deleteLoan(lid, tombstone);
}
void ReferenceUpstream::deleteClient(const std::string& cid) {
  impl_->data.deleteClient(cid);
}
std::vector<store::BranchDigest> ReferenceUpstream::digests() const {
  return impl_->data.digests(std::nullopt);
}
std::uint64_t ReferenceUpstream::loanCount() const {
  return impl_->data.loanCount();
}
std::optional<store::LoanSnapshot> ReferenceUpstream::loan(const std::string& lid) const {
  return impl_->data.loan(lid);
}

void ReferenceUpstream::rejectEventType(const std::string& type, const std::string& reason) {
  std::lock_guard lock(impl_->mutex);
  impl_->rejectTypes[type] = reason;
}
std::size_t ReferenceUpstream::storedEventCount() const {
  return impl_->data.eventCount();
}
std::optional<gateway::WireEvent> ReferenceUpstream::storedEvent(const store::EventKey& key) const {
  return impl_->data.event(key);
}
std::map<store::EventKey, unsigned> ReferenceUpstream::receivedCounts() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

void ReferenceUpstream::failNext(unsigned count, unsigned status,
                                 std::optional<unsigned> retryAfterSeconds,
                                 const std::string& path) {
  std::lock_guard lock(impl_->mutex);
  impl_->faults.push_back(Fault{Fault::Kind::Status, count, path, status, retryAfterSeconds});
}
void ReferenceUpstream::hangNext(unsigned count, const std::string& path) {
  std::lock_guard lock(impl_->mutex);
  impl_->faults.push_back(Fault{Fault::Kind::Hang, count, path, 0, {}});
}
void ReferenceUpstream::closeMidBodyNext(unsigned count, const std::string& path) {
  std::lock_guard lock(impl_->mutex);
  impl_->faults.push_back(Fault{Fault::Kind::CloseMidBody, count, path, 0, {}});
}
void ReferenceUpstream::cutChangesRequest(unsigned n, UpstreamFeed feed) {
  std::lock_guard lock(impl_->mutex);
  impl_->cutChangesAt = n;
  impl_->cutFeed = feed;
}
void ReferenceUpstream::dropEventAnswersNext(unsigned count) {
  std::lock_guard lock(impl_->mutex);
  impl_->dropEventAnswers = count;
}

std::vector<ChangesRequest> ReferenceUpstream::changesRequests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->changes;
}
std::size_t ReferenceUpstream::requestCount(const std::string& path) const {
  std::lock_guard lock(impl_->mutex);
  if (path.empty()) {
    std::size_t n = 0;
    for (const auto& [p, c] : impl_->requests)
      n += c;
    return n;
  }
  const auto it = impl_->requests.find(path);
  return it == impl_->requests.end() ? 0 : it->second;
}
std::size_t ReferenceUpstream::connectionsAccepted() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->accepted;
}
std::size_t ReferenceUpstream::unauthorizedCount() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->unauthorized;
}

}  // namespace mfigw::testing
