// Reconcile: count + hash per branch. A delete upstream that left no tombstone makes one
// branch differ; that branch is pulled again in full and what upstream no longer has is
// removed. A re-pull cut in the middle resumes where its last page committed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/upstream/loan_generator.hpp"
#include "tests/upstream/sync_harness.hpp"

namespace mfigw::testing {
namespace {

std::vector<ChangesRequest> branchRequests(const ReferenceUpstream& server) {
  std::vector<ChangesRequest> out;
  for (const ChangesRequest& r : server.changesRequests()) {
    if (r.branch) out.push_back(r);
  }
  return out;
}

// Loans with index n live in branch 1 + n % 4.
constexpr std::uint16_t kBranches = 4;

TEST(SyncReconcile, AMissedDeleteIsFoundAndSweptFromThatBranchOnly) {
  SyncHarness h;
  h.server->putLoans(generateLoans(2000, kBranches));
  h.startSync();
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;
  EXPECT_EQ(h.status().reconcileMismatches, 0u);  // the first window reconciled: equal
  EXPECT_NE(h.status().lastReconcileUnix, 0);

  // Gone upstream without a trace (branch 2: indexes 1, 5, 9), plus an ordinary change.
  for (const char* lid : {"L0000001", "L0000005", "L0000009"})
    h.server->deleteLoan(lid, false);
  h.server->putLoans(generateLoans(1, kBranches, 3, 2));
  gateway::UpstreamOptions o = h.options();
  o.schedule.reconcileInterval = 1ms;  // due again
  h.sync->setOptions(o);
  ASSERT_TRUE(h.sync->syncNow());
  ASSERT_TRUE(h.windowsDone(2)) << h.status().lastError;

  const gateway::UpstreamStatus s = h.status();
  EXPECT_EQ(s.reconcileMismatches, 1u);
  EXPECT_EQ(s.recordsSwept, 3u);
  EXPECT_EQ(s.resyncsRunning, 0u);
  EXPECT_FALSE(h.localLoan("L0000005"));
  EXPECT_EQ(h.localLoanCount(), 1997u);
  EXPECT_EQ(h.localDigests(), h.server->digests());
  const auto requests = branchRequests(*h.server);
  ASSERT_FALSE(requests.empty());
  for (const auto& r : requests)
    EXPECT_EQ(r.branch, 2);
  EXPECT_EQ(h.metrics.counter(gateway::MetricId::UpstreamRecordsTotal, {"loans", "swept"}).value(),
            3u);
  EXPECT_EQ(h.metrics.counter(gateway::MetricId::UpstreamReconcileTotal, {"mismatch"}).value(), 1u);
}

TEST(SyncReconcile, ACutRePullResumesAndStillSweeps) {
  SyncHarness h;
  h.server->putLoans(generateLoans(4000, kBranches));  // 1,000 per branch: 2 pages each
  h.startSync();
  ASSERT_TRUE(h.windowsDone(1)) << h.status().lastError;

  h.server->deleteLoan("L0000003", false);  // branch 4
  const std::size_t before = h.server->changesRequests().size();
  // The 2nd page of the re-pull (the 3rd loans request of the next window: the delta page,
  // then re-pull pages 1 and 2) is cut.
  h.server->cutChangesRequest(3);
  gateway::UpstreamOptions o = h.options();
  o.schedule.reconcileInterval = 1ms;
  h.sync->setOptions(o);
  ASSERT_TRUE(h.sync->syncNow());
  ASSERT_TRUE(h.runUntil([&] { return h.status().windowsFailed >= 1; }));
  // Between the two windows the re-pull is recorded and half done.
  ASSERT_TRUE(h.windowsDone(2)) << h.status().lastError;

  EXPECT_EQ(h.status().resyncsRunning, 0u);
  EXPECT_EQ(h.status().recordsSwept, 1u);
  EXPECT_EQ(h.localLoanCount(), 3999u);
  EXPECT_EQ(h.localDigests(), h.server->digests());
  std::vector<ChangesRequest> repull;
  const auto all = h.server->changesRequests();
  for (std::size_t i = before; i < all.size(); ++i) {
    if (all[i].branch) repull.push_back(all[i]);
  }
  ASSERT_GE(repull.size(), 3u);
  EXPECT_TRUE(repull[1].cut);
  EXPECT_EQ(repull[2].after, repull[1].after);  // resumed from the committed re-pull page
  EXPECT_EQ(repull[1].after, repull[0].next);
}

}  // namespace
}  // namespace mfigw::testing
