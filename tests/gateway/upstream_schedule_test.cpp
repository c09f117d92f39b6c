// UpstreamSchedule with a fake clock: interval after success, doubling jittered back-off
// while offline (bounded), Retry-After honoured within the bound, syncNow, reconcile due.
#include "gateway/upstream_schedule.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace mfigw::gateway {
namespace {

using namespace std::chrono_literals;
using TimePoint = UpstreamSchedule::TimePoint;

// A clock that only moves when the test says so.
struct FakeClock {
  TimePoint now{std::chrono::hours(1000)};
  void advance(UpstreamSchedule::Duration d) { now += d; }
};

UpstreamScheduleOptions options() {
  UpstreamScheduleOptions o;
  o.interval = 15min;
  o.reconcileInterval = 24h;
  o.backoffMin = 10s;
  o.backoffMax = 160s;
  o.jitter = 0.2;
  return o;
}

TEST(UpstreamSchedule, FirstWindowAtStartThenEveryInterval) {
  FakeClock clock;
  UpstreamSchedule s(options(), [] { return 0.5; });
  s.start(clock.now);
  EXPECT_TRUE(s.due(clock.now));
  s.windowSucceeded(clock.now, false);
  EXPECT_EQ(s.nextWindow(), clock.now + 15min);
  clock.advance(15min - 1ms);
  EXPECT_FALSE(s.due(clock.now));
  clock.advance(1ms);
  EXPECT_TRUE(s.due(clock.now));
}

TEST(UpstreamSchedule, BackOffDoublesUpToTheBoundWithMidJitter) {
  FakeClock clock;
  UpstreamSchedule s(options(), [] { return 0.5; });  // 0.5: the factor is exactly 1
  s.start(clock.now);
  std::vector<UpstreamSchedule::Duration> delays;
  for (int i = 0; i < 7; ++i) {
    delays.push_back(s.windowFailed(clock.now));
    EXPECT_EQ(s.nextWindow(), clock.now + delays.back());
    clock.advance(delays.back());
    EXPECT_TRUE(s.due(clock.now));
  }
  const std::vector<UpstreamSchedule::Duration> expected = {10s, 20s, 40s, 80s, 160s, 160s, 160s};
  EXPECT_EQ(delays, expected);
  EXPECT_EQ(s.consecutiveFailures(), 7u);
  EXPECT_TRUE(s.backingOff());

  // Back online: the interval again, and the next outage starts from backoffMin.
  s.windowSucceeded(clock.now, false);
  EXPECT_FALSE(s.backingOff());
  EXPECT_EQ(s.nextWindow(), clock.now + 15min);
  EXPECT_EQ(s.windowFailed(clock.now), 10s);
}

TEST(UpstreamSchedule, JitterSpreadsDelaysWithinTwentyPercent) {
  FakeClock clock;
  double next = 0.0;
  UpstreamSchedule low(options(), [] { return 0.0; });
  UpstreamSchedule high(options(), [] { return 0.999999; });
  UpstreamSchedule varied(options(), [&next] {
    next += 0.37;
    if (next >= 1.0) next -= 1.0;
    return next;
  });
  EXPECT_EQ(low.windowFailed(clock.now), 8s);
  EXPECT_NEAR(std::chrono::duration<double>(high.windowFailed(clock.now)).count(), 12.0, 0.001);
  for (int i = 0; i < 20; ++i) {
    const double seconds = std::chrono::duration<double>(varied.windowFailed(clock.now)).count();
    EXPECT_GE(seconds, 8.0);
    EXPECT_LE(seconds, 160 * 1.2);
  }
}

TEST(UpstreamSchedule, RetryAfterStretchesTheDelayButNotPastTheBound) {
  FakeClock clock;
  UpstreamSchedule s(options(), [] { return 0.5; });
  EXPECT_EQ(s.windowFailed(clock.now, 60s), 60s);     // more than the back-off: believed
  EXPECT_EQ(s.windowFailed(clock.now, 1s), 20s);      // less: the back-off wins
  EXPECT_EQ(s.windowFailed(clock.now, 3600s), 160s);  // a day-long ask is capped
}

TEST(UpstreamSchedule, SyncNowOpensAWindowEvenWhileBackingOff) {
  FakeClock clock;
  UpstreamSchedule s(options(), [] { return 0.5; });
  s.start(clock.now);
  (void)s.windowFailed(clock.now);
  clock.advance(1s);
  EXPECT_FALSE(s.due(clock.now));
  s.requestNow(clock.now);
  EXPECT_TRUE(s.due(clock.now));
  // A request never postpones a window that is already due earlier.
  s.windowSucceeded(clock.now, false);
  clock.advance(20min);
  const TimePoint due = s.nextWindow();
  s.requestNow(clock.now);
  EXPECT_EQ(s.nextWindow(), due);
}

TEST(UpstreamSchedule, ReconcileIsDueAtFirstAndThenPerInterval) {
  FakeClock clock;
  UpstreamSchedule s(options(), [] { return 0.5; });
  s.start(clock.now);
  EXPECT_TRUE(s.reconcileDue(clock.now));
  s.windowSucceeded(clock.now, /*reconciled=*/true);
  clock.advance(23h);
  EXPECT_FALSE(s.reconcileDue(clock.now));
  s.windowSucceeded(clock.now, false);  // a window without reconcile does not reset it
  clock.advance(1h);
  EXPECT_TRUE(s.reconcileDue(clock.now));
  // Restored from the store after a restart: 2 h ago.
  UpstreamSchedule restarted(options(), [] { return 0.5; });
  restarted.setLastReconcile(clock.now - 2h);
  EXPECT_FALSE(restarted.reconcileDue(clock.now));
  clock.advance(22h);
  EXPECT_TRUE(restarted.reconcileDue(clock.now));
}

TEST(UpstreamSchedule, ReloadKeepsCountingFailures) {
  FakeClock clock;
  UpstreamSchedule s(options(), [] { return 0.5; });
  (void)s.windowFailed(clock.now);
  (void)s.windowFailed(clock.now);
  UpstreamScheduleOptions shorter = options();
  shorter.backoffMin = 1s;
  shorter.backoffMax = 4s;
  s.setOptions(shorter);
  EXPECT_EQ(s.consecutiveFailures(), 2u);
  EXPECT_EQ(s.windowFailed(clock.now), 1s);
  EXPECT_EQ(s.consecutiveFailures(), 3u);
}

}  // namespace
}  // namespace mfigw::gateway
