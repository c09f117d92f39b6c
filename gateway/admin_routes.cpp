#include "gateway/admin_routes.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <sodium.h>

namespace mfigw::gateway {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoding; '+' becomes a space only in query strings (form encoding).
std::string percentDecode(std::string_view in, bool plusIsSpace) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      const int hi = hexValue(in[i + 1]);
      const int lo = hexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plusIsSpace && c == '+') ? ' ' : c;
  }
  return out;
}

std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> out;
  // path starts with '/'; "/" alone has no segments.
  path.remove_prefix(1);
  if (path.empty()) {
    return out;
  }
  while (true) {
    const auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) {
      break;
    }
    path.remove_prefix(slash + 1);
  }
  return out;
}

AdminResponse handleHealthz(const AdminRequest&, AdminContext&) {
  // Liveness only: answering at all proves the event loop turns.
  return AdminResponse::text(200, "ok\n");
}

AdminResponse handleReadyz(const AdminRequest&, AdminContext& context) {
  return context.ready() ? AdminResponse::text(200, "ready\n")
                         : AdminResponse::text(503, "not ready\n");
}

AdminResponse handleMetrics(const AdminRequest&, AdminContext& context) {
  AdminResponse response = AdminResponse::text(200, context.metricsText());
  response.contentType = std::string(AdminRoutes::kPrometheusContentType);
  return response;
}

AdminResponse handleStatus(const AdminRequest&, AdminContext& context) {
  return AdminResponse::json(200, toJson(context.status()));
}

}  // namespace

std::string_view toString(HttpMethod method) {
  switch (method) {
    case HttpMethod::Get:
      return "GET";
    case HttpMethod::Head:
      return "HEAD";
    case HttpMethod::Post:
      return "POST";
    case HttpMethod::Put:
      return "PUT";
    case HttpMethod::Patch:
      return "PATCH";
    case HttpMethod::Delete:
      return "DELETE";
    case HttpMethod::Options:
      return "OPTIONS";
    case HttpMethod::Other:
      return "OTHER";
  }
  return "OTHER";
}

HttpMethod httpMethodFromString(std::string_view method) {
  // Methods are case-sensitive (RFC 9110 9.1).
  for (const HttpMethod m : {HttpMethod::Get, HttpMethod::Head, HttpMethod::Post, HttpMethod::Put,
                             HttpMethod::Patch, HttpMethod::Delete, HttpMethod::Options}) {
    if (toString(m) == method) {
      return m;
    }
  }
  return HttpMethod::Other;
}

std::string_view toString(Auth auth) {
  switch (auth) {
    case Auth::Required:
      return "required";
    case Auth::None:
      return "none";
  }
  return "unknown";
}

AdminRequest AdminRequest::make(HttpMethod method, std::string target, std::string body) {
  AdminRequest request;
  request.method = method;
  request.target = std::move(target);
  const auto q = request.target.find('?');
  request.path = request.target.substr(0, q);
  if (q != std::string::npos) {
    request.query = request.target.substr(q + 1);
  }
  request.body = std::move(body);
  return request;
}

std::string_view AdminRequest::header(std::string_view lowerCaseName) const {
  const auto it = headers.find(std::string(lowerCaseName));
  return it == headers.end() ? std::string_view{} : std::string_view{it->second};
}

std::optional<std::string> AdminRequest::queryParam(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (percentDecode(pair.substr(0, eq), true) == name) {
      return eq == std::string_view::npos ? std::string{}
                                          : percentDecode(pair.substr(eq + 1), true);
    }
    if (amp == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

AdminResponse AdminResponse::text(int status, std::string body) {
  AdminResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

AdminResponse AdminResponse::json(int status, const nlohmann::json& body) {
  AdminResponse response;
  response.status = status;
  response.contentType = "application/json";
  response.body = body.dump();
  response.body += '\n';
  return response;
}

AdminResponse AdminResponse::error(int status, std::string_view message) {
  return json(status, {{"error", {{"status", status}, {"message", message}}}});
}

std::string_view AdminResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) {
      return value;
    }
  }
  return {};
}

nlohmann::json toJson(const AdminStatus& status) {
  nlohmann::json stores = nlohmann::json::array();
  for (const StoreEnvStatus& s : status.stores) {
    stores.push_back(
        {{"env", s.env}, {"map_size_bytes", s.mapSizeBytes}, {"used_bytes", s.usedBytes}});
  }
  nlohmann::json links = nlohmann::json::array();
  for (const LinkStatus& l : status.links) {
    links.push_back({{"name", l.name}, {"up", l.up}, {"state", l.state}});
  }
  return {{"version", status.version},          {"ready", status.ready},
          {"start_time", status.startTimeUnix}, {"uptime_seconds", status.uptimeSeconds},
          {"store", std::move(stores)},         {"links", std::move(links)}};
}

AdminStatus adminStatusFromJson(const nlohmann::json& json) {
  AdminStatus status;
  json.at("version").get_to(status.version);
  json.at("ready").get_to(status.ready);
  json.at("start_time").get_to(status.startTimeUnix);
  json.at("uptime_seconds").get_to(status.uptimeSeconds);
  for (const auto& s : json.at("store")) {
    status.stores.push_back({s.at("env").get<std::string>(),
                             s.at("map_size_bytes").get<std::uint64_t>(),
                             s.at("used_bytes").get<std::uint64_t>()});
  }
  for (const auto& l : json.at("links")) {
    status.links.push_back(
        {l.at("name").get<std::string>(), l.at("up").get<bool>(), l.value("state", std::string{})});
  }
  return status;
}

bool bearerMatches(std::string_view authorization, const Secret& token) {
  constexpr std::string_view kScheme = "bearer ";
  if (token.empty() || authorization.size() < kScheme.size() ||
      !iequals(authorization.substr(0, kScheme.size()), kScheme)) {
    return false;
  }
  std::string_view presented = authorization.substr(kScheme.size());
  while (!presented.empty() && presented.front() == ' ') {
    presented.remove_prefix(1);
  }
  while (!presented.empty() && (presented.back() == ' ' || presented.back() == '\t')) {
    presented.remove_suffix(1);
  }
  const std::string_view expected = token.reveal();
  // The length is not secret (it is fixed by how tokens are generated); the bytes are,
  // so they are compared in constant time.
  return presented.size() == expected.size() &&
         sodium_memcmp(presented.data(), expected.data(), expected.size()) == 0;
}

AdminRoutes::AdminRoutes(AdminContext& context, Secret token, AdminRoutesOptions options)
    : context_(context), token_(std::move(token)) {
  // The built-in routes. Liveness and readiness carry no data and are probed by systemd
  // helpers and load balancers that have no token, so they are open.
  add(HttpMethod::Get, kHealthz, handleHealthz, Auth::None);
  add(HttpMethod::Get, kReadyz, handleReadyz, Auth::None);
  add(HttpMethod::Get, kMetrics, handleMetrics, options.metricsAuth);
  add(HttpMethod::Get, kStatus, handleStatus, Auth::Required);
}

void AdminRoutes::add(HttpMethod method, std::string_view pattern, Handler handler, Auth auth) {
  if (!handler) {
    throw std::invalid_argument(fmt::format("route {} needs a handler", pattern));
  }
  addRoute(Route{method, std::string(pattern), {}, std::move(handler), {}, auth});
}

void AdminRoutes::addAsync(HttpMethod method, std::string_view pattern, AsyncHandler handler,
                           Auth auth) {
  if (!handler) {
    throw std::invalid_argument(fmt::format("route {} needs a handler", pattern));
  }
  addRoute(Route{method, std::string(pattern), {}, {}, std::move(handler), auth});
}

void AdminRoutes::addRoute(Route route) {
  const std::string_view pattern = route.pattern;
  if (pattern.empty() || pattern.front() != '/' || pattern.find('?') != std::string_view::npos) {
    throw std::invalid_argument(fmt::format("route pattern must be an absolute path: {}", pattern));
  }
  if (route.method == HttpMethod::Other) {
    throw std::invalid_argument(fmt::format("route {} needs a method", pattern));
  }
  for (const std::string_view segment : splitPath(pattern)) {
    const bool capture = segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
    if (segment.empty() || (!capture && (segment.find('{') != std::string_view::npos ||
                                         segment.find('}') != std::string_view::npos))) {
      throw std::invalid_argument(fmt::format("malformed route pattern: {}", pattern));
    }
    route.segments.push_back(
        {std::string(capture ? segment.substr(1, segment.size() - 2) : segment), capture});
  }
  for (const Route& existing : routes_) {
    if (existing.method == route.method && existing.pattern == route.pattern) {
      throw std::invalid_argument(
          fmt::format("route {} {} is already registered", toString(route.method), pattern));
    }
  }
  routes_.push_back(std::move(route));
}

bool AdminRoutes::authorized(const AdminRequest& request) const {
  return bearerMatches(request.header("authorization"), token_);
}

const AdminRoutes::Route* AdminRoutes::resolve(AdminRequest& request, AdminResponse& early) const {
  request.route.clear();
  request.params.clear();
  if (request.path.empty() || request.path.front() != '/') {
    early = AdminResponse::error(400, "request target must be an absolute path");
    return nullptr;
  }
  const std::vector<std::string_view> segments = splitPath(request.path);

  std::vector<std::string_view> allowed;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) {
      continue;
    }
    std::map<std::string, std::string> params;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      if (route.segments[i].capture) {
        match = !segments[i].empty();
        if (match) {
          params[route.segments[i].text] = percentDecode(segments[i], false);
        }
      } else {
        match = route.segments[i].text == segments[i];
      }
    }
    if (!match) {
      continue;
    }
    if (route.method != request.method) {
      allowed.push_back(toString(route.method));
      continue;
    }
    // First registered match wins, so register literal routes before captures that
    // would shadow them.
    request.route = route.pattern;
    request.params = std::move(params);
    if (route.auth == Auth::Required && !authorized(request)) {
      early = AdminResponse::error(401, "missing or invalid bearer token");
      early.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"mfi-gateway\"");
      return nullptr;
    }
    return &route;
  }

  if (!allowed.empty()) {
    std::sort(allowed.begin(), allowed.end());
    allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    std::string allow;
    for (const std::string_view m : allowed) {
      allow += allow.empty() ? "" : ", ";
      allow += m;
    }
    early = AdminResponse::error(
        405, fmt::format("method {} not allowed on {}", toString(request.method), request.path));
    early.headers.emplace_back("Allow", std::move(allow));
    return nullptr;
  }
  early = AdminResponse::error(404, fmt::format("no such resource: {}", request.path));
  return nullptr;
}

void AdminRoutes::handleAsync(AdminRequest& request, Reply reply) const {
  AdminResponse response;
  const Route* route = resolve(request, response);
  if (route == nullptr) {
    reply(std::move(response));
    return;
  }
  if (route->handler) {
    try {
      response = route->handler(request, context_);
    } catch (const HttpError& e) {
      response = AdminResponse::error(e.status(), e.what());
    }
    reply(std::move(response));
    return;
  }
  // One answer per request, even if a handler replies and then throws HttpError.
  auto replied = std::make_shared<bool>(false);
  Reply once = [replied, reply = std::move(reply)](AdminResponse r) {
    if (!*replied) {
      *replied = true;
      reply(std::move(r));
    }
  };
  try {
    route->asyncHandler(request, context_, once);
  } catch (const HttpError& e) {
    once(AdminResponse::error(e.status(), e.what()));
  }
}

AdminResponse AdminRoutes::handle(AdminRequest& request) const {
  // Shared, so a handler that replies after we gave up writes into live memory.
  auto result = std::make_shared<std::optional<AdminResponse>>();
  handleAsync(request, [result](AdminResponse r) { *result = std::move(r); });
  if (!*result) {
    throw std::logic_error(fmt::format("route {} deferred its reply", request.route));
  }
  return std::move(**result);
}

}  // namespace mfigw::gateway
