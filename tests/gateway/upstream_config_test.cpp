// The upstream section of gateway.yaml: URL syntax, cross-field rules, the mapping to the
// service's options, and the client's Retry-After parsing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateway/config_schema.hpp"
#include "gateway/upstream_client.hpp"
#include "gateway/upstream_sync.hpp"
#include "gateway/upstream_url.hpp"

namespace mfigw::gateway {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

TEST(UpstreamUrl, ParsesSchemesPortsAndBasePaths) {
  EXPECT_EQ(parseUpstreamUrl("https://sync.mfi.example"),
            (UpstreamUrl{true, "sync.mfi.example", 443, ""}));
  EXPECT_EQ(parseUpstreamUrl("http://127.0.0.1:8080/"),
            (UpstreamUrl{false, "127.0.0.1", 8080, ""}));
  EXPECT_EQ(parseUpstreamUrl("https://[::1]:8443/api/sync/"),
            (UpstreamUrl{true, "::1", 8443, "/api/sync"}));
  EXPECT_EQ(parseUpstreamUrl("https://h.example/api")->hostHeader(), "h.example");
  EXPECT_EQ(parseUpstreamUrl("http://h.example:8080")->hostHeader(), "h.example:8080");
  EXPECT_EQ(parseUpstreamUrl("https://[::1]:8443")->hostHeader(), "[::1]:8443");
}

TEST(UpstreamUrl, RefusesWhatTheClientCannotUse) {
  for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
           {"ftp://x", "must start with https:// or http://"},
           {"sync.mfi.example", "must start with https:// or http://"},
           {"https://", "has no host"},
           {"https://user:pw@h", "must not carry credentials"},
           {"https://h:0", "port that is not a number"},
           {"https://h:70000", "port that is not a number"},
           {"https://h:", "port that is not a number"},
           {"https://h/x?y=1", "query or fragment"},
           {"https://h x", "without spaces"},
           {"https://::1", "needs brackets"}}) {
    std::string error;
    EXPECT_FALSE(parseUpstreamUrl(text, &error)) << text;
    EXPECT_THAT(error, HasSubstr(why)) << text;
  }
}

TEST(UpstreamConfig, UrlIsCheckedByTheSchema) {
  const SettingSpec* url = findSetting("upstream.url");
  ASSERT_NE(url, nullptr);
  EXPECT_TRUE(parseScalar(*url, "").ok());
  EXPECT_TRUE(parseScalar(*url, "https://sync.mfi.example/api").ok());
  EXPECT_THAT(parseScalar(*url, "sync.mfi.example").error, HasSubstr("https://"));
  EXPECT_THAT(parseScalar(*findSetting("upstream.username"), "a:b").error, HasSubstr("':'"));
}

std::vector<std::string> violations(const GatewayConfig& c) {
  std::vector<std::string> out;
  for (const RuleViolation& v : checkCrossFieldRules(c))
    out.push_back(v.path + ": " + v.message);
  return out;
}

TEST(UpstreamConfig, CrossFieldRules) {
  GatewayConfig c;
  EXPECT_TRUE(violations(c).empty());  // disabled by default, nothing required

  c.upstream.enabled = true;
  EXPECT_THAT(violations(c),
              ::testing::ElementsAre("upstream.url: is required when upstream.enabled is true"));

  c.upstream.url = "http://10.0.0.5:8080";
  c.upstream.auth = "bearer";
  c.upstream.tlsCaFile = "/etc/ca.pem";
  c.upstream.tlsKeyFile = "/etc/key.pem";
  c.upstream.backoffMin = 60s;
  c.upstream.backoffMax = 10s;
  EXPECT_THAT(violations(c),
              ::testing::ElementsAre(
                  "upstream.token_file: is required when upstream.auth is bearer",
                  "upstream.backoff_max: must be at least upstream.backoff_min (1m; got 10s)",
                  "upstream.url: tls_* settings are given but the URL is not https://",
                  "upstream.tls_key_file: needs upstream.tls_cert_file (the certificate this key "
                  "belongs to)"));

  GatewayConfig basic;
  basic.upstream.auth = "basic";
  EXPECT_THAT(violations(basic),
              ::testing::ElementsAre("upstream.username: is required when upstream.auth is basic"));
}

TEST(UpstreamConfig, MapsToServiceOptions) {
  UpstreamConfig c;
  c.enabled = true;
  c.url = "https://sync.mfi.example:8443/api";
  c.auth = "basic";
  c.username = "gw";
  c.password = Secret("pw");
  c.interval = 5min;
  c.reconcileInterval = 12h;
  c.backoffMin = 2s;
  c.backoffMax = 10min;
  c.timeout = 20s;
  c.pageSize = 1000;
  c.pushBatch = 50;
  c.tlsVerify = false;
  c.tlsServerName = "sync.internal";
  const UpstreamOptions o = upstreamOptions(c);
  EXPECT_TRUE(o.enabled);
  EXPECT_EQ(o.client.url, (UpstreamUrl{true, "sync.mfi.example", 8443, "/api"}));
  EXPECT_EQ(o.client.auth, UpstreamAuth::Basic);
  EXPECT_EQ(o.client.username, "gw");
  EXPECT_EQ(o.client.password.reveal(), "pw");
  EXPECT_FALSE(o.client.tls.verify);
  EXPECT_EQ(o.client.tls.serverName, "sync.internal");
  EXPECT_EQ(o.client.timeout, 20s);
  EXPECT_THAT(o.client.userAgent, HasSubstr("mfi-gatewayd/"));
  EXPECT_EQ(o.schedule.interval, 5min);
  EXPECT_EQ(o.schedule.reconcileInterval, 12h);
  EXPECT_EQ(o.schedule.backoffMin, 2s);
  EXPECT_EQ(o.schedule.backoffMax, 10min);
  EXPECT_EQ(o.pageSize, 1000u);
  EXPECT_EQ(o.pushBatch, 50u);
  c.url = "nonsense";
  EXPECT_THROW((void)upstreamOptions(c), std::invalid_argument);
}

TEST(UpstreamClient, RetryAfterTakesSecondsOrAnHttpDate) {
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // 06 Nov 1994 08:49:37
  EXPECT_EQ(parseRetryAfter("120", now), 120s);
  EXPECT_EQ(parseRetryAfter(" 0 ", now), 0s);
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:51:37 GMT", now), 120s);
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now), 0s);  // in the past
  EXPECT_FALSE(parseRetryAfter("soon", now));
  EXPECT_FALSE(parseRetryAfter("-5", now));
  EXPECT_FALSE(parseRetryAfter("", now));
}

TEST(UpstreamClient, TlsContextNamesTheFileItCannotLoad) {
  UpstreamTlsOptions tls;
  tls.caFile = "/nonexistent/upstream-ca.pem";
  try {
    (void)makeUpstreamTlsContext(tls);
    FAIL() << "loaded a missing CA file";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("CA file '/nonexistent/upstream-ca.pem'"));
  }
}

}  // namespace
}  // namespace mfigw::gateway
