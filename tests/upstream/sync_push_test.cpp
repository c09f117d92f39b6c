// Pushing events: a restart between push and acknowledgement replays them, and upstream
// still holds each exactly once; rejected events stay for the operator with the reason;
// a batch upstream finds too large is halved.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/upstream/sync_harness.hpp"

namespace mfigw::testing {
namespace {

TEST(SyncPush, EveryEventReplayedThreeTimesExistsOnceUpstream) {
  SyncHarness h;
  const std::vector<store::EventKey> keys = h.appendEvents(250, 0x11);
  gateway::UpstreamOptions o = h.options();
  o.pushBatch = 250;            // one batch, so every event is in the replayed push
  o.schedule.backoffMin = 60s;  // no retry inside one run: the restart replays
  o.schedule.backoffMax = 60s;
  // Upstream commits the first two pushes and loses the connection before answering; the
  // gateway restarts after each (the worst moment: sent, stored, not acknowledged).
  h.server->dropEventAnswersNext(2);
  for (int attempt = 1; attempt <= 2; ++attempt) {
    h.startSync(o);
    ASSERT_TRUE(h.runUntil([&] { return h.status().windowsFailed >= 1; })) << "attempt " << attempt;
    EXPECT_EQ(h.status().lastFailureKind, "transport");
    EXPECT_EQ(h.localEventCounts().pending, 250u) << "nothing acknowledged, nothing dropped";
    h.stopSync();
  }
  h.startSync(o);
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;

  EXPECT_EQ(h.localEventCounts(), (store::UpstreamEventCounts{0, 0}));
  EXPECT_EQ(h.status().eventsDuplicate, 250u);  // upstream recognised every replay
  EXPECT_EQ(h.status().eventsAccepted, 0u);
  EXPECT_EQ(h.server->storedEventCount(), 250u);
  const auto received = h.server->receivedCounts();
  ASSERT_EQ(received.size(), 250u);
  for (const store::EventKey& key : keys) {
    EXPECT_EQ(received.at(key), 3u) << store::toString(key);
    const auto stored = h.server->storedEvent(key);
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->type, "credit_request");
  }
  // Seq order survives: upstream got the events as they were appended.
  const auto first = h.server->storedEvent(keys.front());
  const auto last = h.server->storedEvent(keys.back());
  EXPECT_LT(first->seq, last->seq);
  EXPECT_EQ(nlohmann::json::parse(last->payload).at("amount"), 2500000);
}

TEST(SyncPush, RejectedEventsStayForTheOperatorWithTheReason) {
  SyncHarness h;
  h.server->rejectEventType("referral", "no referral programme at this MFI");
  const auto credit = h.appendEvents(30, 0x21);
  const auto referral = h.appendEvents(5, 0x22, store::UpstreamEventType::Referral);
  h.startSync();
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  EXPECT_EQ(h.localEventCounts(), (store::UpstreamEventCounts{0, 5}));
  const auto kept = h.localEvent(referral[0]);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->state, store::UpstreamEventState::Rejected);
  EXPECT_EQ(kept->rejectReason, "no referral programme at this MFI");
  EXPECT_EQ(h.status().eventsRejected, 5u);
  EXPECT_EQ(h.status().eventsAccepted, 30u);
  EXPECT_EQ(h.server->storedEventCount(), 30u);

  // A later window does not push them again.
  ASSERT_TRUE(h.sync->syncNow());
  ASSERT_TRUE(h.windowsDone(2));
  EXPECT_EQ(h.server->receivedCounts().at(referral[0]), 1u);
}

TEST(SyncPush, ABatchUpstreamFindsTooLargeIsHalved) {
  SyncHarness h;
  h.appendEvents(40, 0x31);
  h.server->failNext(2, 413, {}, "/v1/events");
  gateway::UpstreamOptions o = h.options();
  o.pushBatch = 40;
  h.startSync(o);
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  EXPECT_EQ(h.status().windowsFailed, 0u);  // handled inside the window
  EXPECT_EQ(h.server->storedEventCount(), 40u);
  // 40 refused, 20 refused, then batches of 10.
  EXPECT_EQ(h.server->requestCount("/v1/events"), 2u + 4u);
}

TEST(SyncPush, EventsAppendedWhileOfflineGoOutWhenTheLinkIsBack) {
  SyncHarness h;
  h.server->pause();
  h.startSync();
  ASSERT_TRUE(h.runUntil([&] { return h.status().consecutiveFailures >= 2; }));
  const auto keys = h.appendEvents(120, 0x41);
  ASSERT_TRUE(h.runUntil([&] { return h.status().consecutiveFailures >= 4; }));
  EXPECT_EQ(h.localEventCounts().pending, 120u);
  h.server->resume();
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  EXPECT_EQ(h.localEventCounts().pending, 0u);
  EXPECT_EQ(h.server->storedEventCount(), 120u);
  for (const auto& key : keys)
    EXPECT_EQ(h.server->receivedCounts().at(key), 1u);
}

}  // namespace
}  // namespace mfigw::testing
