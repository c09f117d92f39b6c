#include "gateway/admin_routes.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace mfigw::gateway {
namespace {

constexpr std::string_view kToken = "s3cret-token-0123456789abcdef";

class AdminRoutesTest : public ::testing::Test {
 protected:
  AdminRoutesTest() {
    context_.readyFn = [this] { return ready_; };
    context_.statusFn = [this] {
      AdminStatus s;
      s.version = "0.1.0";
      s.startTimeUnix = 1712345678;
      s.uptimeSeconds = 42;
      s.ready = ready_;
      s.stores = {{"durable", 256u << 20, 12345}, {"sessions", 64u << 20, 4096}};
      s.links = {{"mno-a", true, "bound"}, {"mno-b", false, "connecting"}};
      return s;
    };
    context_.metricsFn = [] { return std::string("# HELP x h\n# TYPE x gauge\nx 1\n"); };
  }

  AdminResponse call(HttpMethod method, std::string target, std::string_view auth = {},
                     std::string body = {}) {
    AdminRequest request = AdminRequest::make(method, std::move(target), std::move(body));
    if (!auth.empty()) {
      request.headers["authorization"] = std::string(auth);
    }
    return routes_.handle(request);
  }
  static std::string bearer() { return "Bearer " + std::string(kToken); }

  bool ready_ = false;
  CallbackAdminContext context_;
  AdminRoutes routes_{context_, Secret(std::string(kToken))};
};

TEST_F(AdminRoutesTest, HealthzNeedsNoAuth) {
  const auto r = call(HttpMethod::Get, "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
}

TEST_F(AdminRoutesTest, ReadyzFollowsTheContext) {
  EXPECT_EQ(call(HttpMethod::Get, "/readyz").status, 503);
  ready_ = true;
  EXPECT_EQ(call(HttpMethod::Get, "/readyz").status, 200);
}

TEST_F(AdminRoutesTest, StatusRefusesMissingOrWrongToken) {
  for (const std::string& auth :
       {std::string{}, std::string("Bearer wrong"), std::string("Bearer ") + "s3cret-token",
        bearer() + "x", std::string("Basic ") + std::string(kToken), std::string(kToken),
        std::string("Bearer")}) {
    const auto r = call(HttpMethod::Get, "/api/v1/status", auth);
    EXPECT_EQ(r.status, 401) << auth;
    EXPECT_TRUE(r.header("www-authenticate").starts_with("Bearer")) << auth;
    EXPECT_EQ(r.contentType, "application/json");
    EXPECT_EQ(r.body.find(kToken), std::string::npos);
    const auto json = nlohmann::json::parse(r.body);
    EXPECT_EQ(json.at("error").at("status"), 401);
  }
}

TEST_F(AdminRoutesTest, StatusWithTokenReturnsAllFields) {
  ready_ = true;
  for (const std::string& auth : {bearer(), "bearer " + std::string(kToken)}) {
    const auto r = call(HttpMethod::Get, "/api/v1/status", auth);
    ASSERT_EQ(r.status, 200) << auth;
    EXPECT_EQ(r.contentType, "application/json");
    const auto json = nlohmann::json::parse(r.body);
    EXPECT_EQ(json.at("version"), "0.1.0");
    EXPECT_EQ(json.at("ready"), true);
    EXPECT_EQ(json.at("start_time"), 1712345678);
    EXPECT_EQ(json.at("uptime_seconds"), 42);
    ASSERT_EQ(json.at("store").size(), 2u);
    EXPECT_EQ(json.at("store")[0].at("env"), "durable");
    EXPECT_EQ(json.at("store")[0].at("map_size_bytes"), 256u << 20);
    EXPECT_EQ(json.at("store")[0].at("used_bytes"), 12345);
    ASSERT_EQ(json.at("links").size(), 2u);
    EXPECT_EQ(json.at("links")[1].at("name"), "mno-b");
    EXPECT_EQ(json.at("links")[1].at("up"), false);
    EXPECT_EQ(json.at("links")[1].at("state"), "connecting");

    const AdminStatus back = adminStatusFromJson(json);
    EXPECT_EQ(back.version, "0.1.0");
    EXPECT_TRUE(back.ready);
    EXPECT_EQ(back.stores[1].usedBytes, 4096u);
    EXPECT_EQ(back.links[0].state, "bound");
  }
}

TEST_F(AdminRoutesTest, EmptyConfiguredTokenRefusesEveryone) {
  routes_.setToken(Secret{});
  EXPECT_EQ(call(HttpMethod::Get, "/api/v1/status", "Bearer ").status, 401);
  EXPECT_EQ(call(HttpMethod::Get, "/api/v1/status", bearer()).status, 401);
  routes_.setToken(Secret("new"));
  EXPECT_EQ(call(HttpMethod::Get, "/api/v1/status", "Bearer new").status, 200);
}

TEST_F(AdminRoutesTest, MetricsNeedAuthByDefault) {
  EXPECT_EQ(call(HttpMethod::Get, "/metrics").status, 401);
  const auto r = call(HttpMethod::Get, "/metrics", bearer());
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.contentType.starts_with("text/plain; version=0.0.4")) << r.contentType;
  EXPECT_EQ(r.body, "# HELP x h\n# TYPE x gauge\nx 1\n");
}

TEST_F(AdminRoutesTest, MetricsCanBeOpenedByOption) {
  AdminRoutes open(context_, Secret(std::string(kToken)), AdminRoutesOptions{Auth::None});
  AdminRequest request = AdminRequest::make(HttpMethod::Get, "/metrics");
  EXPECT_EQ(open.handle(request).status, 200);
  request = AdminRequest::make(HttpMethod::Get, "/api/v1/status");
  EXPECT_EQ(open.handle(request).status, 401);
}

TEST_F(AdminRoutesTest, UnknownPathIs404Json) {
  for (const std::string_view target :
       {"/nope", "/", "/healthz/", "/api/v1/status/extra", "/HEALTHZ"}) {
    const auto r = call(HttpMethod::Get, std::string(target), bearer());
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.contentType, "application/json");
    EXPECT_EQ(nlohmann::json::parse(r.body).at("error").at("status"), 404);
  }
}

TEST_F(AdminRoutesTest, WrongMethodIs405WithAllow) {
  auto r = call(HttpMethod::Post, "/healthz");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "GET");
  routes_.add(
      HttpMethod::Post, "/api/v1/messages",
      [](const AdminRequest&, AdminContext&) { return AdminResponse::text(202, "queued"); },
      Auth::Required);
  routes_.add(
      HttpMethod::Delete, "/api/v1/messages",
      [](const AdminRequest&, AdminContext&) { return AdminResponse::text(200, "gone"); },
      Auth::Required);
  r = call(HttpMethod::Get, "/api/v1/messages", bearer());
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "DELETE, POST");
  // The query string does not take part in routing.
  EXPECT_EQ(call(HttpMethod::Post, "/api/v1/messages?dry=1", bearer()).status, 202);
  EXPECT_EQ(call(HttpMethod::Post, "/api/v1/messages").status, 401);
}

TEST_F(AdminRoutesTest, PatternsCaptureDecodedSegments) {
  std::string seenRoute;
  routes_.add(
      HttpMethod::Get, "/api/v1/messages/{id}/parts/{part}",
      [&](const AdminRequest& request, AdminContext&) {
        seenRoute = request.route;
        return AdminResponse::json(200, {{"id", request.params.at("id")},
                                         {"part", request.params.at("part")},
                                         {"verbose", request.queryParam("verbose").value_or("-")},
                                         {"missing", request.queryParam("missing").has_value()}});
      },
      Auth::None);
  const auto r = call(HttpMethod::Get, "/api/v1/messages/ab%20c%2Fd/parts/2?verbose=a+b%21");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto json = nlohmann::json::parse(r.body);
  EXPECT_EQ(json.at("id"), "ab c/d");
  EXPECT_EQ(json.at("part"), "2");
  EXPECT_EQ(json.at("verbose"), "a b!");
  EXPECT_EQ(json.at("missing"), false);
  EXPECT_EQ(seenRoute, "/api/v1/messages/{id}/parts/{part}");
  // An empty segment does not satisfy a capture.
  EXPECT_EQ(call(HttpMethod::Get, "/api/v1/messages//parts/2").status, 404);
}

TEST_F(AdminRoutesTest, RegistrationMistakesThrow) {
  const AdminRoutes::Handler h = [](const AdminRequest&, AdminContext&) {
    return AdminResponse::text(200, "");
  };
  EXPECT_THROW(routes_.add(HttpMethod::Get, "/healthz", h, Auth::None), std::invalid_argument);
  EXPECT_THROW(routes_.add(HttpMethod::Get, "relative", h, Auth::None), std::invalid_argument);
  EXPECT_THROW(routes_.add(HttpMethod::Get, "/a//b", h, Auth::None), std::invalid_argument);
  EXPECT_THROW(routes_.add(HttpMethod::Get, "/a/{b", h, Auth::None), std::invalid_argument);
  EXPECT_THROW(routes_.add(HttpMethod::Get, "/a?x=1", h, Auth::None), std::invalid_argument);
  EXPECT_THROW(routes_.add(HttpMethod::Get, "/a", nullptr, Auth::None), std::invalid_argument);
  EXPECT_NO_THROW(routes_.add(HttpMethod::Post, "/healthz", h, Auth::None));
}

TEST_F(AdminRoutesTest, HttpErrorsMapToTheirStatusOtherExceptionsEscape) {
  routes_.add(
      HttpMethod::Get, "/bad",
      [](const AdminRequest&, AdminContext&) -> AdminResponse {
        throw HttpError(400, "amount must be positive");
      },
      Auth::None);
  routes_.add(
      HttpMethod::Get, "/boom",
      [](const AdminRequest&, AdminContext&) -> AdminResponse {
        throw std::runtime_error("disk on fire");
      },
      Auth::None);
  const auto r = call(HttpMethod::Get, "/bad");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(nlohmann::json::parse(r.body).at("error").at("message"), "amount must be positive");
  EXPECT_THROW((void)call(HttpMethod::Get, "/boom"), std::runtime_error);
}

TEST_F(AdminRoutesTest, AsyncHandlersReplyLaterAndOnlyOnce) {
  AdminRoutes::Reply saved;
  routes_.addAsync(
      HttpMethod::Post, "/api/v1/optouts",
      [&saved](const AdminRequest&, AdminContext&, AdminRoutes::Reply reply) {
        saved = std::move(reply);
      },
      Auth::Required);
  routes_.addAsync(
      HttpMethod::Delete, "/api/v1/optouts/{msisdn}",
      [](const AdminRequest& request, AdminContext&, AdminRoutes::Reply) {
        throw HttpError(400, "bad msisdn " + request.params.at("msisdn"));
      },
      Auth::Required);
  std::vector<AdminResponse> answers;
  AdminRequest request = AdminRequest::make(HttpMethod::Post, "/api/v1/optouts", "{}");
  request.headers["authorization"] = bearer();
  routes_.handleAsync(request, [&](AdminResponse r) { answers.push_back(std::move(r)); });
  EXPECT_TRUE(answers.empty());  // deferred until the "commit"
  ASSERT_TRUE(saved);
  saved(AdminResponse::text(201, "created"));
  saved(AdminResponse::text(500, "second answer is ignored"));
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].status, 201);
  // handle() cannot wait for a deferred reply.
  EXPECT_THROW((void)routes_.handle(request), std::logic_error);
  // Auth is checked before an async handler runs, and HttpError maps as for sync ones.
  saved = nullptr;
  request.headers.clear();
  EXPECT_EQ(routes_.handle(request).status, 401);
  EXPECT_FALSE(saved);
  EXPECT_EQ(call(HttpMethod::Delete, "/api/v1/optouts/12", bearer()).status, 400);
}

TEST(BearerMatches, ComparesWholeTokenOnly) {
  const Secret token("abc");
  EXPECT_TRUE(bearerMatches("Bearer abc", token));
  EXPECT_TRUE(bearerMatches("BEARER abc", token));
  EXPECT_TRUE(bearerMatches("Bearer  abc ", token));
  EXPECT_FALSE(bearerMatches("Bearer ab", token));
  EXPECT_FALSE(bearerMatches("Bearer abcd", token));
  EXPECT_FALSE(bearerMatches("Bearer abd", token));
  EXPECT_FALSE(bearerMatches("abc", token));
  EXPECT_FALSE(bearerMatches("", token));
  EXPECT_FALSE(bearerMatches("Bearer ", Secret{}));
}

TEST(HttpMethodNames, RoundTrip) {
  for (const HttpMethod m : {HttpMethod::Get, HttpMethod::Head, HttpMethod::Post, HttpMethod::Put,
                             HttpMethod::Patch, HttpMethod::Delete, HttpMethod::Options}) {
    EXPECT_EQ(httpMethodFromString(toString(m)), m);
  }
  EXPECT_EQ(httpMethodFromString("get"), HttpMethod::Other);
  EXPECT_EQ(httpMethodFromString("BREW"), HttpMethod::Other);
  EXPECT_EQ(toString(Auth::Required), "required");
}

}  // namespace
}  // namespace mfigw::gateway
