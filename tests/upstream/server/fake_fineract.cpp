#include "tests/upstream/server/fake_fineract.hpp"

#include <charconv>
#include <future>
#include <list>
#include <map>
#include <mutex>
#include <set>
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
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "gateway/upstream_codec.hpp"
#include "gateway/upstream_gzip.hpp"

namespace mfigw::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using nlohmann::json;

namespace {

constexpr auto kAwait = asio::use_awaitable;
constexpr std::string_view kBase = "/fineract-provider/api";
constexpr auto kIdleTimeout = std::chrono::seconds(30);

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct Knob {
  enum class Kind { Fail, Malformed, Drop } kind = Kind::Fail;
  unsigned count = 0;
  unsigned status = 0;
  std::string body;
  std::string path;
};

struct Handled {
  Handled() = default;
  Handled(unsigned s, std::string b, bool cached = false)
      : status(s), body(std::move(b)), fromCache(cached) {}
  unsigned status = 200;
  std::string body;
  bool fromCache = false;
  bool drop = false;
};

std::optional<std::string> queryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return std::string(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::int64_t number(const std::optional<std::string>& text, std::int64_t fallback) {
  if (!text) return fallback;
  std::int64_t value = fallback;
  std::from_chars(text->data(), text->data() + text->size(), value);
  return value;
}

json platformError(unsigned status, const std::string& code, const std::string& message,
                   const std::string& parameter = "") {
  json error = {{"developerMessage", message},
                {"httpStatusCode", std::to_string(status)},
                {"defaultUserMessage", message},
                {"userMessageGlobalisationCode", code},
                {"errors", json::array()}};
  if (!parameter.empty()) {
    error["errors"].push_back({{"developerMessage", message},
                               {"defaultUserMessage", message},
                               {"userMessageGlobalisationCode", code},
                               {"parameterName", parameter}});
  }
  return error;
}

// LoanRescheduleRequestDataValidator's CREATE_REQUEST_DATA_PARAMETERS.
const std::set<std::string>& rescheduleParameters() {
  static const std::set<std::string> names = {"locale",
                                              "dateFormat",
                                              "graceOnPrincipal",
                                              "recurringMoratoriumOnPrincipalPeriods",
                                              "graceOnInterest",
                                              "extraTerms",
                                              "rescheduleFromDate",
                                              "newInterestRate",
                                              "rescheduleReasonId",
                                              "rescheduleReasonComment",
                                              "submittedOnDate",
                                              "loanId",
                                              "adjustedDueDate",
                                              "recalculateInterest",
                                              "endDate",
                                              "emi"};
  return names;
}

}  // namespace

struct FakeFineract::Impl {
  explicit Impl(FakeFineractOptions o) : options(std::move(o)), acceptor(io) {}

  asio::io_context io;
  FakeFineractOptions options;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor;
  std::thread thread;
  std::uint16_t port = 0;
  bool running = false;
  std::list<beast::tcp_stream*> live;  // server thread only

  mutable std::mutex mutex;  // guards everything below
  std::map<std::int64_t, json> clients;
  std::map<std::int64_t, json> loans;
  std::vector<json> reschedules;
  std::vector<json> applications;
  std::set<std::string> externalIds;
  std::map<std::string, std::pair<unsigned, std::string>> completed;  // idempotency cache
  std::vector<Knob> knobs;
  std::vector<FineractRequestSeen> seen;

  Handled handle(const Request& request);
  Handled page(const std::map<std::int64_t, json>& records, std::string_view query,
               bool withSchedule) const;
  Handled reschedule(const json& body);
  Handled application(const json& body);

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

Handled FakeFineract::Impl::page(const std::map<std::int64_t, json>& records,
                                 std::string_view query, bool withSchedule) const {
  const std::int64_t offset = std::max<std::int64_t>(0, number(queryParam(query, "offset"), 0));
  std::int64_t limit = number(queryParam(query, "limit"), 200);
  if (limit <= 0) limit = static_cast<std::int64_t>(records.size());
  json items = json::array();
  std::int64_t index = 0;
  for (const auto& [id, record] : records) {
    if (index++ < offset) continue;
    if (static_cast<std::int64_t>(items.size()) >= limit) break;
    json item = record;
    if (!withSchedule) item.erase("repaymentSchedule");
    items.push_back(std::move(item));
  }
  return Handled{
      200, json{{"totalFilteredRecords", records.size()}, {"pageItems", std::move(items)}}.dump()};
}

Handled FakeFineract::Impl::reschedule(const json& body) {
  for (const auto& [name, value] : body.items()) {
    if (!rescheduleParameters().contains(name)) {
      const json error =
          platformError(400, "validation.msg.validation.errors.exist", "Validation errors exist.");
      json detailed = error;
      detailed["errors"].push_back(
          {{"developerMessage", fmt::format("The parameter `{}` is not supported.", name)},
           {"defaultUserMessage", fmt::format("The parameter `{}` is not supported.", name)},
           {"userMessageGlobalisationCode", "validation.msg.unsupported.parameter"},
           {"parameterName", name}});
      return Handled{400, detailed.dump()};
    }
  }
  const auto loanId = body.find("loanId");
  if (loanId == body.end() || !loanId->is_number_integer() ||
      !loans.contains(loanId->get<std::int64_t>())) {
    return Handled{
        404, platformError(404, "error.msg.loan.id.invalid", "Loan with identifier does not exist")
                 .dump()};
  }
  reschedules.push_back(body);
  return Handled{200, json{{"loanId", *loanId}, {"resourceId", reschedules.size()}}.dump()};
}

Handled FakeFineract::Impl::application(const json& body) {
  const auto ext = body.find("externalId");
  if (ext != body.end() && ext->is_string()) {
    const std::string id = ext->get<std::string>();
    if (externalIds.contains(id)) {
      const std::string message = fmt::format("Loan with externalId `{}` already exists", id);
      return Handled{
          403,
          platformError(403, "error.msg.loan.duplicate.externalId", message, "externalId").dump()};
    }
    externalIds.insert(id);
  }
  applications.push_back(body);
  const auto loanId = static_cast<std::int64_t>(100000 + applications.size());
  return Handled{200, json{{"clientId", body.value("clientId", json())},
                           {"loanId", loanId},
                           {"resourceId", loanId},
                           {"resourceExternalId", body.value("externalId", json())}}
                          .dump()};
}

Handled FakeFineract::Impl::handle(const Request& request) {
  const std::string target(request.target());
  FineractRequestSeen record{std::string(request.method_string()), target,
                             std::string(request["Idempotency-Key"]), request.body(), 0};
  const auto finish = [&](Handled h) {
    record.status = h.status;
    if (record.target.starts_with(kBase)) record.target.erase(0, kBase.size());
    seen.push_back(record);
    return h;
  };
  std::lock_guard lock(mutex);
  if (!target.starts_with(kBase)) return finish(Handled{404, "{}"});
  const std::string_view below = std::string_view(target).substr(kBase.size());
  const std::string_view path = below.substr(0, below.find('?'));
  const std::string_view query =
      below.find('?') == std::string_view::npos ? "" : below.substr(below.find('?') + 1);

  // TenantAwareBasicAuthenticationFilter: the tenant first, then the credentials.
  const std::string tenant(request["Fineract-Platform-TenantId"]);
  if (tenant != options.tenant) {
    const std::string message = fmt::format("The tenant identifier `{}` is invalid.", tenant);
    return finish(
        Handled{400, platformError(400, "error.msg.invalid.tenant.identifier", message).dump()});
  }
  const std::string expected =
      "Basic " + gateway::base64Encode(options.user + ":" + options.password);
  if (request[http::field::authorization] != expected) {
    return finish(Handled{
        401, platformError(401, "error.msg.not.authenticated", "Unauthenticated. Please login.")
                 .dump()});
  }

  bool drop = false;
  for (Knob& k : knobs) {
    if (k.count == 0 || !path.starts_with(k.path)) continue;
    if (k.kind == Knob::Kind::Drop) {
      if (request.method() != http::verb::post) continue;
      --k.count;
      drop = true;  // the write below happens as usual; its answer never leaves
      break;
    }
    --k.count;
    if (k.kind == Knob::Kind::Fail) {
      return finish(Handled{
          k.status,
          platformError(k.status, "error.msg.platform.service.unavailable", "Injected failure")
              .dump()});
    }
    return finish(Handled{200, k.body});  // Malformed
  }

  if (request.method() == http::verb::get) {
    if (path == "/v1/clients") return finish(page(clients, query, false));
    if (path == "/v1/loans") {
      const std::string associations = queryParam(query, "associations").value_or("");
      return finish(
          page(loans, query, associations.find("repaymentSchedule") != std::string::npos));
    }
    return finish(
        Handled{404, platformError(404, "error.msg.resource.not.found", "Not found").dump()});
  }
  if (request.method() == http::verb::post) {
    Handled h;
    const std::string key(request["Idempotency-Key"]);
    const auto hit = options.idempotency && !key.empty() ? completed.find(key) : completed.end();
    const json body = json::parse(request.body(), nullptr, false);
    if (hit != completed.end()) {
      h = Handled{hit->second.first, hit->second.second, /*cached=*/true};
    } else if (!body.is_object()) {
      h = Handled{
          400, platformError(400, "error.msg.invalid.request.body", "Invalid JSON in request body")
                   .dump()};
    } else if (path == "/v1/rescheduleloans") {
      h = reschedule(body);
    } else if (path == "/v1/loans") {
      h = application(body);
    } else {
      h = Handled{404, platformError(404, "error.msg.resource.not.found", "Not found").dump()};
    }
    if (options.idempotency && !key.empty() && h.status == 200 && !h.fromCache) {
      completed[key] = {h.status, h.body};
    }
    h.drop = drop;
    return finish(h);
  }
  return finish(Handled{405, "{}"});
}

namespace {

using Impl = FakeFineract::Impl;

Response toResponse(const Impl& d, const Request& request, const Handled& h) {
  Response res{static_cast<http::status>(h.status), 11};
  res.set(http::field::content_type, "application/json");
  if (h.fromCache) res.set("x-served-from-cache", "true");
  std::string body = h.body;
  if (body.size() >= d.options.gzipMin &&
      request[http::field::accept_encoding].find("gzip") != std::string_view::npos) {
    body = gateway::gzip(body);
    res.set(http::field::content_encoding, "gzip");
  }
  res.body() = std::move(body);
  res.keep_alive(request.keep_alive());
  res.prepare_payload();
  return res;
}

// Free functions: g++ 12 reports a false -Wmismatched-new-delete on member coroutines.
asio::awaitable<void> session(Impl& d, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  auto it = d.live.insert(d.live.end(), &stream);
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(16u << 20);
    error_code ec;
    stream.expires_after(kIdleTimeout);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(kAwait, ec));
    if (ec) break;
    const Request request = parser.release();
    const Handled handled = d.handle(request);
    if (handled.drop) break;
    Response response = toResponse(d, request, handled);
    stream.expires_after(kIdleTimeout);
    co_await http::async_write(stream, response, asio::redirect_error(kAwait, ec));
    if (ec || !response.keep_alive()) break;
  }
  d.live.erase(it);
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.close();
}

asio::awaitable<void> acceptLoop(Impl& d) {
  for (;;) {
    error_code ec;
    tcp::socket socket = co_await d.acceptor.async_accept(asio::redirect_error(kAwait, ec));
    if (ec) co_return;
    asio::co_spawn(d.io, session(d, std::move(socket)), asio::detached);
  }
}

}  // namespace

FakeFineract::FakeFineract(FakeFineractOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

FakeFineract::~FakeFineract() {
  stop();
}

void FakeFineract::start() {
  Impl& d = *impl_;
  if (d.running) return;
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  d.acceptor.open(endpoint.protocol());
  d.acceptor.set_option(asio::socket_base::reuse_address(true));
  d.acceptor.bind(endpoint);
  d.acceptor.listen();
  d.port = d.acceptor.local_endpoint().port();
  d.running = true;
  d.work.emplace(d.io.get_executor());
  asio::co_spawn(d.io, acceptLoop(d), asio::detached);
  d.thread = std::thread([&d] { d.io.run(); });
}

void FakeFineract::stop() {
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

std::string FakeFineract::url() const {
  return fmt::format("http://127.0.0.1:{}{}", impl_->port, kBase);
}

void FakeFineract::putClient(json client) {
  std::lock_guard lock(impl_->mutex);
  const auto id = client.at("id").get<std::int64_t>();
  impl_->clients[id] = std::move(client);
}

void FakeFineract::putLoan(json loan) {
  std::lock_guard lock(impl_->mutex);
  const auto id = loan.at("id").get<std::int64_t>();
  impl_->loans[id] = std::move(loan);
}

void FakeFineract::removeLoan(std::int64_t id) {
  std::lock_guard lock(impl_->mutex);
  impl_->loans.erase(id);
}

std::vector<json> FakeFineract::rescheduleRequests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->reschedules;
}

std::vector<json> FakeFineract::loanApplications() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->applications;
}

void FakeFineract::failNext(unsigned count, unsigned status, const std::string& path) {
  std::lock_guard lock(impl_->mutex);
  impl_->knobs.push_back(Knob{Knob::Kind::Fail, count, status, {}, path});
}

void FakeFineract::malformedNext(unsigned count, std::string body, const std::string& path) {
  std::lock_guard lock(impl_->mutex);
  impl_->knobs.push_back(Knob{Knob::Kind::Malformed, count, 200, std::move(body), path});
}

void FakeFineract::dropAnswersNext(unsigned count, const std::string& path) {
  std::lock_guard lock(impl_->mutex);
  impl_->knobs.push_back(Knob{Knob::Kind::Drop, count, 0, {}, path});
}

std::vector<FineractRequestSeen> FakeFineract::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->seen;
}

std::size_t FakeFineract::requestCount(const std::string& pathPrefix) const {
  std::lock_guard lock(impl_->mutex);
  std::size_t n = 0;
  for (const auto& r : impl_->seen)
    if (r.target.starts_with(pathPrefix)) ++n;
  return n;
}

}  // namespace mfigw::testing
