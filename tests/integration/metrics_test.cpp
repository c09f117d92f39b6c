// The daemon's own /metrics, scraped like Prometheus would, parses strictly and moves.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "../gateway/metrics_parser_test.hpp"
#include "daemon_process.hpp"

namespace mfigw::testing {
namespace {

TEST(DaemonMetrics, ParseAsPrometheusTextAndCountCommittedWrites) {
  DaemonProcess d;
  d.writeConfig();
  d.start();
  ASSERT_TRUE(d.waitReady()) << d.stderrText();
  auto client = d.client();
  const auto writes = [&] {
    const auto parsed = gateway::testing::ExpositionParser::parse(client.get("/metrics").body);
    return std::stod(
        parsed.value("mfigw_store_writes_total", {{"env", "durable"}, {"result", "ok"}}));
  };
  // Start-up work writes to the durable store in the background after READY (the outbox's
  // recovery, the reminder scheduler's first pass and its ledger purge): wait until the
  // first pass is counted and the counter holds still, so only our opt-out moves it.
  const auto reminderPasses = [&] {
    const auto parsed = gateway::testing::ExpositionParser::parse(client.get("/metrics").body);
    double passes = 0;
    for (const auto& sample : parsed.samples)
      if (sample.name == "mfigw_reminder_passes_total") passes += std::stod(sample.value);
    return passes;
  };
  double before = -1;
  for (int i = 0; i < 100; ++i) {  // at most ~30 s
    const double now = writes();
    if (reminderPasses() >= 1 && now == before) break;
    before = now;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  ASSERT_EQ(client.post("/api/v1/optouts", R"({"msisdn":"+254712345678"})").status, 201);

  const auto reply = client.get("/metrics");
  ASSERT_EQ(reply.status, 200);
  EXPECT_NE(reply.contentType.find("version=0.0.4"), std::string::npos);
  gateway::testing::ParsedExposition parsed;
  ASSERT_NO_THROW(parsed = gateway::testing::ExpositionParser::parse(reply.body)) << reply.body;
  EXPECT_EQ(parsed.value("mfigw_ready"), "1");
  EXPECT_EQ(parsed.value("mfigw_optouts_total"), "1");
  EXPECT_EQ(
      std::stod(parsed.value("mfigw_store_writes_total", {{"env", "durable"}, {"result", "ok"}})),
      before + 1);
  EXPECT_GE(std::stod(parsed.value("mfigw_store_commits_total", {{"env", "durable"}})), 1.0);
  EXPECT_GT(std::stod(parsed.value("mfigw_store_map_size_bytes", {{"env", "durable"}})), 0.0);
}

}  // namespace
}  // namespace mfigw::testing
