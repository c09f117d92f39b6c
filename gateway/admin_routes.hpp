// The admin API's route table and its handlers, without sockets.
//
// Purpose: one table of (method, path pattern, handler, auth). The built-in routes
//   (/healthz, /readyz, /metrics, /api/v1/status) are registered by the constructor; other
//   parts of the daemon add theirs at startup with AdminRoutes::add() (patterns may capture
//   `{name}` segments into AdminRequest::params). AdminRoutes::handle() does routing, the
//   bearer-token check, 404/405 and HttpError mapping; HttpServer only moves bytes.
//   A handler either returns its response (add) or answers later through a Reply
//   (addAsync), e.g. once the store has committed what the request asked for.
// Threading: not thread-safe. Register routes before the server starts; handle(),
//   handleAsync() and setToken() run on the io_context thread. The Reply that HttpServer
//   passes may be called from any thread (it posts to the loop); call it exactly once.
// Errors: a handler signals an expected failure by throwing HttpError (mapped to its status
//   with a JSON error body). Any other exception escapes handle()/handleAsync(); the server
//   turns it into a 500. Registration mistakes (bad pattern, duplicate route) throw
//   std::invalid_argument.
// Ownership: AdminRoutes keeps a reference to the AdminContext, which must outlive it.
//   The token is held as a Secret and never appears in a log line or a response.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway/secret.hpp"

namespace mfigw::gateway {

enum class HttpMethod { Get, Head, Post, Put, Patch, Delete, Options, Other };
[[nodiscard]] std::string_view toString(HttpMethod method);
[[nodiscard]] HttpMethod httpMethodFromString(std::string_view method);

enum class Auth { Required, None };
[[nodiscard]] std::string_view toString(Auth auth);

struct AdminRequest {
  HttpMethod method = HttpMethod::Get;
  std::string target;                          // as received: path plus optional ?query
  std::string path;                            // target up to '?'
  std::string query;                           // after '?', not decoded
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  // Filled by AdminRoutes::handle(): the matched pattern ("" when none matched) and the
  // percent-decoded `{name}` captures.
  std::string route;
  std::map<std::string, std::string> params;

  // Builds method/target/path/query; for tests and the server.
  static AdminRequest make(HttpMethod method, std::string target, std::string body = {});

  [[nodiscard]] std::string_view header(std::string_view lowerCaseName) const;
  [[nodiscard]] std::optional<std::string> queryParam(std::string_view name) const;  // decoded
};

struct AdminResponse {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers

  static AdminResponse text(int status, std::string body);
  static AdminResponse json(int status, const nlohmann::json& body);
  // {"error":{"status":404,"message":"..."}}
  static AdminResponse error(int status, std::string_view message);

  [[nodiscard]] std::string_view header(std::string_view name) const;  // case-insensitive
};

// Thrown by handlers for expected failures: bad input (400), missing object (404), a
// temporary refusal (503) ... The message goes to the client, so keep secrets out of it.
class HttpError : public std::runtime_error {
 public:
  HttpError(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  [[nodiscard]] int status() const { return status_; }

 private:
  int status_;
};

struct StoreEnvStatus {
  std::string env;  // "durable", "sessions"
  std::uint64_t mapSizeBytes = 0;
  std::uint64_t usedBytes = 0;
};

struct LinkStatus {
  std::string name;
  bool up = false;
  std::string state;  // e.g. "bound", "connecting"
};

struct AdminStatus {
  std::string version;
  std::int64_t startTimeUnix = 0;
  std::int64_t uptimeSeconds = 0;
  bool ready = false;
  std::vector<StoreEnvStatus> stores;
  std::vector<LinkStatus> links;
};

// The JSON shape of GET /api/v1/status (also parsed back by mfi-gatewayctl).
[[nodiscard]] nlohmann::json toJson(const AdminStatus& status);
// Throws nlohmann::json::exception when a required field is missing or mistyped.
[[nodiscard]] AdminStatus adminStatusFromJson(const nlohmann::json& json);

// What the built-in handlers need from the daemon. Routes added later capture their own
// services in the handler they register, so this interface stays small.
class AdminContext {
 public:
  virtual ~AdminContext() = default;
  [[nodiscard]] virtual bool ready() const = 0;
  [[nodiscard]] virtual AdminStatus status() const = 0;
  [[nodiscard]] virtual std::string metricsText() const = 0;
};

// An AdminContext made of callbacks, for the daemon's wiring and for tests. An unset
// callback means: not ready / empty status / no metrics.
struct CallbackAdminContext final : AdminContext {
  std::function<bool()> readyFn;
  std::function<AdminStatus()> statusFn;
  std::function<std::string()> metricsFn;

  [[nodiscard]] bool ready() const override { return readyFn && readyFn(); }
  [[nodiscard]] AdminStatus status() const override {
    return statusFn ? statusFn() : AdminStatus{};
  }
  [[nodiscard]] std::string metricsText() const override { return metricsFn ? metricsFn() : ""; }
};

struct AdminRoutesOptions {
  // /metrics needs the bearer token by default: the admin port may be exposed beyond
  // loopback by a careless listen address, and metrics reveal traffic volumes and link
  // names. A Prometheus on the same box can send the token (bearer_token_file), or the
  // operator sets this to Auth::None for a loopback-only scrape.
  Auth metricsAuth = Auth::Required;
};

class AdminRoutes {
 public:
  using Handler = std::function<AdminResponse(const AdminRequest&, AdminContext&)>;
  // Delivers a deferred response; later calls after the first are ignored.
  using Reply = std::function<void(AdminResponse)>;
  // Must copy what it needs from the request before returning: the request is only
  // guaranteed to live until the handler returns.
  using AsyncHandler = std::function<void(const AdminRequest&, AdminContext&, Reply)>;

  static constexpr std::string_view kReadyz = "/readyz";
  static constexpr std::string_view kHealthz = "/healthz";
  static constexpr std::string_view kMetrics = "/metrics";
  static constexpr std::string_view kStatus = "/api/v1/status";
  // The content type Prometheus expects for text exposition format 0.0.4.
  static constexpr std::string_view kPrometheusContentType =
      "text/plain; version=0.0.4; charset=utf-8";

  AdminRoutes(AdminContext& context, Secret token, AdminRoutesOptions options = {});

  // Pattern: absolute path, segments separated by '/', a segment "{name}" captures one
  // non-empty path segment. Throws std::invalid_argument on a malformed pattern or when
  // (method, pattern) is already registered.
  void add(HttpMethod method, std::string_view pattern, Handler handler, Auth auth);
  void addAsync(HttpMethod method, std::string_view pattern, AsyncHandler handler, Auth auth);

  // Routing and authorization. Fills request.route and request.params. Unknown path: 404;
  // known path, other method: 405 with Allow; auth required and token missing or wrong:
  // 401 with WWW-Authenticate. HttpError from a handler (thrown before it replied) becomes
  // its status; any other exception propagates. `reply` is called synchronously except
  // for async handlers that defer.
  void handleAsync(AdminRequest& request, Reply reply) const;
  // The same for callers that cannot wait (tests, synchronous routes): throws
  // std::logic_error when the matched handler deferred its reply.
  [[nodiscard]] AdminResponse handle(AdminRequest& request) const;

  // New token after a reload. An empty token refuses every authenticated route.
  void setToken(Secret token) { token_ = std::move(token); }

 private:
  struct Segment {
    std::string text;
    bool capture = false;
  };
  struct Route {
    HttpMethod method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;            // exactly one of handler
    AsyncHandler asyncHandler;  // and asyncHandler is set
    Auth auth;
  };

  void addRoute(Route route);
  // The route to run, or nullptr with `early` set to the 400/401/404/405 answer.
  [[nodiscard]] const Route* resolve(AdminRequest& request, AdminResponse& early) const;
  [[nodiscard]] bool authorized(const AdminRequest& request) const;

  AdminContext& context_;
  Secret token_;
  std::vector<Route> routes_;
};

// Constant-time check of an `Authorization` header value against the expected token:
// "Bearer <token>" (scheme case-insensitive). False when the token is empty.
[[nodiscard]] bool bearerMatches(std::string_view authorization, const Secret& token);

}  // namespace mfigw::gateway
