#include "gateway/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/gateway/metrics_parser_test.hpp"

namespace mfigw::gateway {
namespace {

using testing::ExpositionParser;

TEST(MetricsTable, NamesAreUniqueValidAndFollowConventions) {
  std::set<std::string_view> names;
  std::size_t index = 0;
  for (const MetricDesc& desc : metricTable()) {
    EXPECT_EQ(static_cast<std::size_t>(desc.id), index++) << desc.name;
    EXPECT_TRUE(names.insert(desc.name).second) << "duplicate " << desc.name;
    EXPECT_TRUE(desc.name.starts_with("mfigw_")) << desc.name;
    EXPECT_FALSE(desc.help.empty()) << desc.name;
    if (desc.type == MetricType::Counter) {
      EXPECT_TRUE(desc.name.ends_with("_total")) << desc.name;
    }
    for (const std::string_view label : desc.labels) {
      EXPECT_FALSE(label.empty()) << desc.name;
      EXPECT_EQ(label.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos)
          << desc.name << " label " << label;
    }
  }
  EXPECT_EQ(describe(MetricId::HttpRequestsTotal).labels,
            (std::vector<std::string_view>{"route", "code"}));
  EXPECT_EQ(toString(MetricId::OptoutsTotal), "mfigw_optouts_total");
  EXPECT_EQ(toString(MetricType::Gauge), "gauge");
}

TEST(MetricsRender, FreshRegistryParsesAndDeclaresEveryMetric) {
  const Metrics metrics;
  const auto parsed = ExpositionParser::parse(metrics.renderPrometheus());
  for (const MetricDesc& desc : metricTable()) {
    const std::string name(desc.name);
    ASSERT_TRUE(parsed.families.contains(name)) << name;
    EXPECT_EQ(parsed.families.at(name).type, toString(desc.type));
    EXPECT_EQ(parsed.families.at(name).help, desc.help);
    if (desc.labels.empty()) {
      EXPECT_EQ(parsed.value(name), "0") << name;  // visible from the first scrape
    }
  }
}

TEST(MetricsRender, SamplesRoundTripWithEscapedLabelValues) {
  Metrics metrics;
  metrics.gauge(MetricId::BuildInfo, {"0.1.0"}).set(1);
  metrics.gauge(MetricId::StartTimeSeconds).set(1712345678);
  metrics.gauge(MetricId::Ready).set(1);
  metrics.counter(MetricId::HttpRequestsTotal, {"/healthz", "200"}).inc(3);
  metrics.counter(MetricId::HttpRequestsTotal, {"/api/v1/status", "401"}).inc();
  metrics.gauge(MetricId::StoreUsedBytes, {"durable"}).set(1.5);
  metrics.counter(MetricId::StoreWritesTotal, {"durable", "ok"}).inc(7);
  const std::string nasty = "mno \"a\"\\b\nc é";
  metrics.gauge(MetricId::SmppLinkUp, {nasty}).set(1);
  metrics.gauge(MetricId::SmppLinkUp, {"mno-b"}).set(0);
  metrics.counter(MetricId::OptoutsTotal).inc(2);

  const std::string text = metrics.renderPrometheus();
  const auto parsed = ExpositionParser::parse(text);
  EXPECT_EQ(parsed.value("mfigw_build_info", {{"version", "0.1.0"}}), "1");
  EXPECT_EQ(parsed.value("mfigw_start_time_seconds"), "1712345678");
  EXPECT_EQ(parsed.value("mfigw_ready"), "1");
  EXPECT_EQ(parsed.value("mfigw_http_requests_total", {{"route", "/healthz"}, {"code", "200"}}),
            "3");
  EXPECT_EQ(
      parsed.value("mfigw_http_requests_total", {{"route", "/api/v1/status"}, {"code", "401"}}),
      "1");
  EXPECT_EQ(parsed.value("mfigw_store_used_bytes", {{"env", "durable"}}), "1.5");
  EXPECT_EQ(parsed.value("mfigw_store_writes_total", {{"env", "durable"}, {"result", "ok"}}), "7");
  EXPECT_EQ(parsed.value("mfigw_smpp_link_up", {{"link", nasty}}), "1");
  EXPECT_EQ(parsed.value("mfigw_smpp_link_up", {{"link", "mno-b"}}), "0");
  EXPECT_EQ(parsed.value("mfigw_optouts_total"), "2");
  // The escaped form on the wire, exactly.
  EXPECT_NE(text.find(R"(mfigw_smpp_link_up{link="mno \"a\"\\b\nc é"} 1)"), std::string::npos)
      << text;
}

TEST(MetricsRender, SpecialGaugeValuesUseExpositionSpelling) {
  Metrics metrics;
  metrics.gauge(MetricId::StoreUsedBytes, {"a"}).set(std::numeric_limits<double>::quiet_NaN());
  metrics.gauge(MetricId::StoreUsedBytes, {"b"}).set(std::numeric_limits<double>::infinity());
  metrics.gauge(MetricId::StoreUsedBytes, {"c"}).set(-std::numeric_limits<double>::infinity());
  metrics.gauge(MetricId::StoreUsedBytes, {"d"}).set(1e300);
  metrics.gauge(MetricId::StoreUsedBytes, {"e"}).set(-0.25);
  const auto parsed = ExpositionParser::parse(metrics.renderPrometheus());
  EXPECT_EQ(parsed.value("mfigw_store_used_bytes", {{"env", "a"}}), "NaN");
  EXPECT_EQ(parsed.value("mfigw_store_used_bytes", {{"env", "b"}}), "+Inf");
  EXPECT_EQ(parsed.value("mfigw_store_used_bytes", {{"env", "c"}}), "-Inf");
  EXPECT_DOUBLE_EQ(std::stod(parsed.value("mfigw_store_used_bytes", {{"env", "d"}})), 1e300);
  EXPECT_EQ(parsed.value("mfigw_store_used_bytes", {{"env", "e"}}), "-0.25");
}

TEST(Metrics, SameLabelsGiveTheSameSeries) {
  Metrics metrics;
  Counter& a = metrics.counter(MetricId::StoreCommitsTotal, {"durable"});
  Counter& b = metrics.counter(MetricId::StoreCommitsTotal, {"durable"});
  Counter& c = metrics.counter(MetricId::StoreCommitsTotal, {"sessions"});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  a.inc();
  b.inc(2);
  EXPECT_EQ(c.value(), 0u);
  EXPECT_EQ(a.value(), 3u);
  Gauge& g = metrics.gauge(MetricId::Ready);
  g.set(1);
  g.add(-1);
  EXPECT_EQ(g.value(), 0.0);
}

TEST(Metrics, MisuseIsAProgrammingError) {
  Metrics metrics;
  EXPECT_THROW((void)metrics.gauge(MetricId::OptoutsTotal), std::logic_error);
  EXPECT_THROW((void)metrics.counter(MetricId::Ready), std::logic_error);
  EXPECT_THROW((void)metrics.counter(MetricId::HttpRequestsTotal, {"/x"}), std::logic_error);
  EXPECT_THROW((void)metrics.counter(MetricId::OptoutsTotal, {"x"}), std::logic_error);
}

TEST(Metrics, UpdatesFromOtherThreadsAreNotLost) {
  Metrics metrics;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < kPerThread; ++i) {
        metrics.counter(MetricId::StoreWritesTotal, {"durable", "ok"}).inc();
        metrics.gauge(MetricId::StoreUsedBytes, {"durable"}).add(1);
      }
    });
  }
  // Rendering concurrently must stay well-formed.
  for (int i = 0; i < 20; ++i) {
    EXPECT_NO_THROW((void)ExpositionParser::parse(metrics.renderPrometheus()));
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(metrics.counter(MetricId::StoreWritesTotal, {"durable", "ok"}).value(),
            static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(metrics.gauge(MetricId::StoreUsedBytes, {"durable"}).value(), kThreads * kPerThread);
}

TEST(MetricsEscape, OnlyTheDefinedEscapes) {
  EXPECT_EQ(escapeLabelValue("a\\b\"c\nd\te"), "a\\\\b\\\"c\\nd\te");
  EXPECT_EQ(escapeHelp("a\\b\"c\nd"), "a\\\\b\"c\\nd");
}

TEST(MetricsParser, RejectsMalformedExposition) {
  // The strict parser itself must fail on what a broken renderer could produce.
  EXPECT_THROW(ExpositionParser::parse("x 1\n"), std::runtime_error);  // no HELP/TYPE
  EXPECT_THROW(ExpositionParser::parse("# HELP x h\n# TYPE x gauge\nx 1\nx 2\n"),
               std::runtime_error);  // duplicate series
  EXPECT_THROW(ExpositionParser::parse("# HELP x h\n# TYPE x gauge\nx{a=\"\\t\"} 1\n"),
               std::runtime_error);  // undefined escape
  EXPECT_THROW(ExpositionParser::parse("# HELP x h\n# TYPE x gauge\nx abc\n"), std::runtime_error);
  EXPECT_THROW(ExpositionParser::parse("# HELP x h\n# TYPE x gauge\n# HELP y h\n# TYPE y gauge\n"
                                       "x 1\n"),
               std::runtime_error);  // interleaved
  EXPECT_NO_THROW(ExpositionParser::parse("# HELP x h\n# TYPE x gauge\nx{a=\"1\"} 1\n"));
}

}  // namespace
}  // namespace mfigw::gateway
