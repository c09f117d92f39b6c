// Fault suite (issue 7): a flaky loan system. The real daemon syncs with the reference
// upstream (tests/upstream/server) while opt-out events from STOPs (real MOs through the
// simulator) wait to be pushed. Upstream is first unreachable, then answers the pushes with
// 500 twice, hangs past the timeout once and closes one answer mid-body. Each fault fails
// its window (counted in GET /api/v1/sync), the daemon backs off and tries again, and when
// upstream recovers every event exists there exactly once and none is left pending.
//
// daemon_sync_test.cpp covers the other half: a pull cut in mid-page, and pushes replayed by
// SIGKILLs; tests/upstream/sync_faults_test.cpp drives each fault against the sync service
// alone.
#include <cstdlib>
#include <memory>

#include <gtest/gtest.h>

#include "fault_harness.hpp"
#include "tests/upstream/server/reference_upstream.hpp"

namespace mfigw::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct FlakyUpstream {
  std::filesystem::path dir;
  std::unique_ptr<ReferenceUpstream> server;
  FlakyUpstream() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "mfigw-fault-upstream-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir = pattern;
    ReferenceUpstreamOptions o;
    o.dataDir = dir.string();
    server = std::make_unique<ReferenceUpstream>(o);
    server->start();
  }
  ~FlakyUpstream() {
    server->stop();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

json syncStatus(const DaemonProcess& daemon) {
  const auto reply = daemon.client().get("/api/v1/sync");
  return reply.status == 200 ? json::parse(reply.body) : json::object();
}

std::uint64_t syncCount(const json& s, const char* group, const char* name) {
  return s.contains(group) ? s[group][name].get<std::uint64_t>() : 0;
}

TEST(FaultUpstream, PushesSurviveOutage500HangAndCutWithBackoffAndArriveOnce) {
  FlakyUpstream up;
  FaultRig rig(FaultRig::accounts());
  up.server->pause();  // unreachable from the start
  rig.daemon.setLogLevel("info");
  rig.daemon.writeConfig(rig.linkConfig("upstream:\n  enabled: true\n  url: " + up.server->url() +
                                        "\n  auth: none\n  interval: 1h\n  timeout: 1s\n"
                                        "  backoff_min: 200ms\n  backoff_max: 1s\n"));
  rig.daemon.start();
  ASSERT_TRUE(rig.daemon.waitReady()) << rig.daemon.stderrText();
  ASSERT_TRUE(waitUntil([&] { return rig.sim.counters().binds >= 1; }, 10s));

  constexpr int kStops = 20;
  for (int i = 0; i < kStops; ++i) {
    smpp::sim::MoMessage stop;
    stop.from = "2547" + std::to_string(40000000 + i);
    stop.to = "MFI";
    stop.text = "STOP";
    ASSERT_TRUE(rig.sim.injectMo(stop));
  }
  ASSERT_TRUE(waitUntil([&] { return rig.sim.counters().moAcked == kStops; }, 20s));
  ASSERT_TRUE(waitUntil(
      [&] { return syncCount(syncStatus(rig.daemon), "events", "pending") == kStops; }, 10s))
      << syncStatus(rig.daemon).dump();
  // The outage is counted and backed off from (windows fail, the daemon keeps trying).
  ASSERT_TRUE(
      waitUntil([&] { return syncCount(syncStatus(rig.daemon), "windows", "failed") >= 2; }, 10s));

  const std::uint64_t failedBefore = syncCount(syncStatus(rig.daemon), "windows", "failed");
  up.server->failNext(2, 500, {}, "/v1/events");
  up.server->hangNext(1, "/v1/events");
  up.server->closeMidBodyNext(1, "/v1/events");
  up.server->resume();

  ASSERT_TRUE(waitUntil(
      [&] {
        const json s = syncStatus(rig.daemon);
        return syncCount(s, "windows", "ok") >= 1 && syncCount(s, "events", "pending") == 0;
      },
      45s))
      << syncStatus(rig.daemon).dump() << rig.daemon.stderrText();
  const json s = syncStatus(rig.daemon);
  // Four faulty answers, four failed windows after the outage, then success.
  EXPECT_GE(syncCount(s, "windows", "failed"), failedBefore + 4) << s.dump();
  EXPECT_EQ(s["consecutive_failures"], 0) << s.dump();
  EXPECT_GE(up.server->requestCount("/v1/events"), 5u);

  // Exactly once upstream: one stored event per STOP, whatever was pushed twice.
  EXPECT_EQ(up.server->storedEventCount(), static_cast<std::size_t>(kStops));
  EXPECT_EQ(up.server->receivedCounts().size(), static_cast<std::size_t>(kStops));
  const auto metrics = rig.daemon.client().get("/metrics").body;
  EXPECT_NE(metrics.find("mfigw_upstream"), std::string::npos);
}

}  // namespace
}  // namespace mfigw::testing
