// A thin link and a flaky upstream: unreachable, 500, 503 with Retry-After, a hang, a body
// cut short, refused credentials. Each ends the window, the schedule backs off, nothing is
// lost or half-applied, and the next window finishes the job.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateway/admin_routes.hpp"
#include "gateway/upstream_api.hpp"
#include "tests/upstream/loan_generator.hpp"
#include "tests/upstream/sync_harness.hpp"

namespace mfigw::testing {
namespace {

using ::testing::HasSubstr;

TEST(SyncFaults, UnreachableUpstreamBacksOffLosesNothingAndRecovers) {
  SyncHarness h;
  h.server->putLoans(generateLoans(700, 3));
  const auto keys = h.appendEvents(25, 0x51);
  h.server->pause();  // connection refused
  h.startSync();
  ASSERT_TRUE(h.runUntil([&] { return h.status().consecutiveFailures >= 5; }));
  gateway::UpstreamStatus s = h.status();
  EXPECT_EQ(s.lastFailureKind, "connect");
  EXPECT_THAT(s.lastError, HasSubstr("Connection refused"));
  EXPECT_EQ(s.windowsOk, 0u);
  if (!h.syncing()) {
    EXPECT_EQ(s.state, gateway::UpstreamState::BackingOff);
    // The delay has grown to the bound (200 ms, +20% jitter at most).
    EXPECT_LE(s.nextWindowInMs, 240);
  }
  EXPECT_EQ(h.localEventCounts().pending, 25u);
  EXPECT_EQ(h.localLoanCount(), 0u);
  EXPECT_EQ(h.metrics.counter(gateway::MetricId::UpstreamWindowsTotal, {"connect"}).value(),
            s.windowsFailed);

  h.server->resume();
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  s = h.status();
  EXPECT_EQ(s.consecutiveFailures, 0u);
  EXPECT_EQ(s.state, gateway::UpstreamState::Idle);
  EXPECT_EQ(h.localEventCounts().pending, 0u);
  EXPECT_EQ(h.server->storedEventCount(), 25u);
  EXPECT_EQ(h.localLoanCount(), 700u);
  EXPECT_EQ(h.localDigests(), h.server->digests());
  h.sync->exportMetrics();
  EXPECT_EQ(h.metrics.gauge(gateway::MetricId::UpstreamUp).value(), 1.0);
  EXPECT_GT(h.metrics.gauge(gateway::MetricId::UpstreamLastSuccessSeconds).value(), 0.0);
  EXPECT_EQ(h.metrics.gauge(gateway::MetricId::UpstreamEvents, {"pending"}).value(), 0.0);
}

struct FaultCase {
  std::string name;
  std::function<void(ReferenceUpstream&)> inject;
  std::string kind;   // lastFailureKind after the first window
  std::string error;  // part of lastError
};

// Names the case in test listings instead of dumping its bytes.
void PrintTo(const FaultCase& c, std::ostream* os) {
  *os << c.name;
}

class SyncFault : public ::testing::TestWithParam<FaultCase> {};

TEST_P(SyncFault, EndsTheWindowAndTheNextOneFinishes) {
  SyncHarness h;
  h.server->putLoans(generateLoans(1300, 2));
  h.appendEvents(10, 0x61);
  GetParam().inject(*h.server);
  gateway::UpstreamOptions o = h.options();
  o.client.timeout = 300ms;  // the hang case gives up after this much silence
  h.startSync(o);
  ASSERT_TRUE(h.runUntil([&] { return h.status().windowsFailed >= 1; }));
  EXPECT_EQ(h.status().lastFailureKind, GetParam().kind);
  EXPECT_THAT(h.status().lastError, HasSubstr(GetParam().error));
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  EXPECT_EQ(h.status().windowsFailed, 1u);
  EXPECT_EQ(h.localLoanCount(), 1300u);
  EXPECT_EQ(h.localDigests(), h.server->digests());
  EXPECT_EQ(h.status().recordsUpserted, 1300u);  // no page applied twice
  EXPECT_EQ(h.localEventCounts().pending, 0u);
  EXPECT_EQ(h.server->storedEventCount(), 10u);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, SyncFault,
    ::testing::Values(FaultCase{"Http500OnAPage",
                                [](ReferenceUpstream& s) { s.failNext(1, 500, {}, "/v1/changes"); },
                                "http", "HTTP 500 injected"},
                      FaultCase{"Http503RetryAfterOnPush",
                                [](ReferenceUpstream& s) { s.failNext(1, 503, 1, "/v1/events"); },
                                "http", "POST /v1/events: HTTP 503"},
                      FaultCase{"HangOnAPage",
                                [](ReferenceUpstream& s) { s.hangNext(1, "/v1/changes"); },
                                "timeout", "timed out"},
                      FaultCase{"CloseMidBodyOnAPage",
                                [](ReferenceUpstream& s) { s.closeMidBodyNext(1, "/v1/changes"); },
                                "transport", "reading the answer"},
                      FaultCase{"CloseMidBodyOnPushAnswer",
                                [](ReferenceUpstream& s) { s.closeMidBodyNext(1, "/v1/events"); },
                                "transport", "reading the answer"}),
    [](const ::testing::TestParamInfo<FaultCase>& p) { return p.param.name; });

TEST(SyncFaults, RetryAfterIsHonouredWithinTheBound) {
  SyncHarness h;
  h.server->failNext(1, 429, 1);  // "come back in 1 s"; our bound is 200 ms
  gateway::UpstreamOptions o = h.options();
  h.startSync(o);
  ASSERT_TRUE(h.runUntil([&] { return h.status().windowsFailed >= 1 && !h.syncing(); }));
  const auto s = h.status();
  EXPECT_EQ(s.lastFailureKind, "http");
  EXPECT_GE(s.nextWindowInMs, 100);  // the back-off alone would be 16..24 ms
  EXPECT_LE(s.nextWindowInMs, 200);
  ASSERT_TRUE(h.windowsDone(1));
}

TEST(SyncFaults, WrongCredentialsArePermanentAndWaitTheLongestBackOff) {
  ReferenceUpstreamOptions server;
  server.bearerToken = "right-token-0123456789";
  SyncHarness h(server);
  gateway::UpstreamOptions o = h.options();
  o.client.auth = gateway::UpstreamAuth::Bearer;
  o.client.token = gateway::Secret("wrong-token");
  o.schedule.backoffMax = 60s;
  h.startSync(o);
  ASSERT_TRUE(h.runUntil([&] { return h.status().windowsFailed >= 1 && !h.syncing(); }));
  const auto s = h.status();
  EXPECT_EQ(s.lastFailureKind, "auth");
  EXPECT_THAT(s.lastError, HasSubstr("HTTP 401"));
  EXPECT_GT(s.nextWindowInMs, 50000);  // backoff_max, not the 20 ms back-off
  EXPECT_EQ(h.server->unauthorizedCount(), 1u);

  // Fixed by the operator (reload): the next window uses it.
  o.client.token = gateway::Secret("right-token-0123456789");
  h.sync->setOptions(o);
  ASSERT_TRUE(h.sync->syncNow());
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
}

TEST(SyncFaults, BasicAuthAndGzipRequestBodies) {
  ReferenceUpstreamOptions server;
  server.basicUser = "gateway-01";
  server.basicPassword = "pa:ss word";
  SyncHarness h(server);
  h.appendEvents(60, 0x71);  // about 5 KB of JSON: sent gzipped
  gateway::UpstreamOptions o = h.options();
  o.client.auth = gateway::UpstreamAuth::Basic;
  o.client.username = "gateway-01";
  o.client.password = gateway::Secret("pa:ss word");
  h.startSync(o);
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  EXPECT_EQ(h.server->storedEventCount(), 60u);
  EXPECT_EQ(h.server->unauthorizedCount(), 0u);
}

TEST(SyncFaults, StatusAndSyncNowOverTheAdminApi) {
  SyncHarness h;
  h.server->putLoans(generateLoans(10, 1));
  h.startSync();
  ASSERT_TRUE(h.windowsDone(1));
  gateway::CallbackAdminContext context;
  gateway::AdminRoutes routes(context, gateway::Secret("admin-token-0123456789"));
  gateway::UpstreamApi api(*h.sync);
  api.registerRoutes(routes);
  const auto ask = [&](gateway::HttpMethod method, const std::string& path) {
    auto request = gateway::AdminRequest::make(method, path);
    request.headers["authorization"] = "Bearer admin-token-0123456789";
    return routes.handle(request);
  };
  const auto status = ask(gateway::HttpMethod::Get, "/api/v1/sync");
  ASSERT_EQ(status.status, 200) << status.body;
  const auto json = nlohmann::json::parse(status.body);
  EXPECT_EQ(json.at("state"), "idle");
  EXPECT_EQ(json.at("records").at("upserted"), 10);
  EXPECT_GT(json.at("bytes").at("in").get<std::uint64_t>(), 0u);
  EXPECT_EQ(ask(gateway::HttpMethod::Post, "/api/v1/sync/now").status, 202);
  ASSERT_TRUE(h.windowsDone(2));
  h.sync->stop();
  EXPECT_EQ(ask(gateway::HttpMethod::Post, "/api/v1/sync/now").status, 409);
}

}  // namespace
}  // namespace mfigw::testing
