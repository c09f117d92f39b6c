// What the sync's answers do to the store: a page and its cursor in one transaction, a
// branch re-pull that sweeps what upstream no longer has, per-event answers.
#include "gateway/upstream_apply.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/business_tables.hpp"
#include "tests/store/loan_book_fixtures.hpp"
#include "tests/store/store_test_util.hpp"

namespace mfigw::gateway {
namespace {

using store::testing::sampleClient;
using store::testing::sampleLoan;
using ::testing::ElementsAre;

class UpstreamApplyTest : public ::testing::Test {
 protected:
  UpstreamApplyTest() : env_(store::testing::smallEnv(dir_.sub("data"))) {
    tables_ = store::openBusinessTables(env_);
  }

  const store::LoanBook& book() const { return tables_.loanBook; }

  std::vector<std::string> loanIds() {
    store::ReadTxn txn = env_.beginRead();
    std::vector<std::string> ids;
    book().loanTable().forEach(
        txn, [&ids](std::string_view, const store::LoanSnapshot& l) { ids.push_back(l.loanId); });
    return ids;
  }

  std::optional<store::SyncCursor> cursor(std::string_view name) {
    store::ReadTxn txn = env_.beginRead();
    return book().cursor(txn, name);
  }

  void seedLoans(const std::vector<store::LoanSnapshot>& loans) {
    env_.write([&](store::WriteTxn& txn) {
      for (const auto& l : loans)
        book().upsertLoan(txn, l);
    });
  }

  store::testing::TempDir dir_;
  store::Env env_;
  store::BusinessTables tables_;
};

store::LoanSnapshot loanAt(const std::string& lid, std::uint16_t branch, std::uint32_t asOf) {
  store::LoanSnapshot l = sampleLoan(lid, "C-" + lid, branch, 100);
  l.asOf = asOf;
  return l;
}

TEST_F(UpstreamApplyTest, PageAndCursorLandTogetherAndLoansAreStamped) {
  seedLoans({loanAt("L-0", 12, 5)});
  ChangePage page;
  page.feed = UpstreamFeed::Loans;
  page.loans = {sampleLoan("L-1", "C-1"), sampleLoan("L-2", "C-2")};
  page.deletions = {{"L-0", 90}, {"L-never-had", 91}};
  page.next = {1700000100, "L-2"};
  page.hasMore = true;
  PageOutcome out;
  env_.write([&](store::WriteTxn& txn) { out = applyPage(txn, book(), page, 1234, 5000); });
  EXPECT_EQ(out.upserted, 2u);
  EXPECT_EQ(out.deleted, 1u);
  EXPECT_THAT(loanIds(), ElementsAre("L-1", "L-2"));
  {
    store::ReadTxn txn = env_.beginRead();
    EXPECT_EQ(book().loan(txn, "L-1")->asOf, 1234u);
    EXPECT_EQ(feedCursor(txn, book(), UpstreamFeed::Loans), (ChangeCursor{1700000100, "L-2"}));
  }
  // Mid-pull the feed is not complete: its last success stays unset until the last page.
  EXPECT_EQ(cursor("loans")->lastSuccessUnix, 0);
  page.loans.clear();
  page.deletions.clear();
  page.next = {1700000200, "L-2"};
  page.hasMore = false;
  env_.write([&](store::WriteTxn& txn) { (void)applyPage(txn, book(), page, 1300, 6000); });
  EXPECT_EQ(cursor("loans")->lastSuccessUnix, 6000);
  store::ReadTxn txn = env_.beginRead();
  EXPECT_EQ(lastCompletePull(txn, book()), 6000);
}

TEST_F(UpstreamApplyTest, AFailedPageLeavesNeitherRecordsNorCursor) {
  ChangePage page;
  page.feed = UpstreamFeed::Loans;
  page.loans = {sampleLoan("L-1", "C-1"), sampleLoan("L-2", "C-2")};
  page.loans[1].accountNo = std::string(40, '9');  // the store refuses it
  page.next = {1700000100, "L-2"};
  EXPECT_THROW(env_.write([&](store::WriteTxn& txn) { (void)applyPage(txn, book(), page, 1, 1); }),
               store::InvalidRecord);
  EXPECT_TRUE(loanIds().empty());
  EXPECT_FALSE(cursor("loans"));
}

TEST_F(UpstreamApplyTest, OtherFeedsApplyTheirRecordsAndDeletions) {
  ChangePage page;
  page.feed = UpstreamFeed::Clients;
  page.clients = {sampleClient("C-1", "254700000001"), sampleClient("C-2", "254700000002")};
  page.next = {5, "C-2"};
  env_.write([&](store::WriteTxn& txn) { (void)applyPage(txn, book(), page, 1, 1); });
  page.clients.clear();
  page.deletions = {{"C-1", 6}};
  page.next = {6, "C-1"};
  env_.write([&](store::WriteTxn& txn) { (void)applyPage(txn, book(), page, 1, 1); });
  store::ReadTxn txn = env_.beginRead();
  EXPECT_FALSE(book().client(txn, "C-1"));
  EXPECT_FALSE(book().clientByMsisdn(txn, "254700000001"));  // the index followed
  EXPECT_TRUE(book().clientByMsisdn(txn, "254700000002"));
  EXPECT_EQ(feedCursor(txn, book(), UpstreamFeed::Clients), (ChangeCursor{6, "C-1"}));
}

TEST_F(UpstreamApplyTest, BranchRePullSweepsWhatUpstreamNoLongerHas) {
  seedLoans(
      {loanAt("A", 12, 100), loanAt("B", 12, 100), loanAt("C", 12, 100), loanAt("X", 13, 100)});
  env_.write([&](store::WriteTxn& txn) {
    EXPECT_TRUE(startResync(txn, book(), 12, 200));
    EXPECT_FALSE(startResync(txn, book(), 12, 300));  // one re-pull per branch at a time
  });
  std::vector<Resync> running;
  {
    store::ReadTxn txn = env_.beginRead();
    running = pendingResyncs(txn, book());
  }
  ASSERT_THAT(running, ElementsAre(Resync{12, {}, 200}));

  // Upstream still has A and C (B was deleted without a tombstone).
  ChangePage first;
  first.feed = UpstreamFeed::Loans;
  first.loans = {loanAt("A", 12, 0)};
  first.next = {100, "A"};
  first.hasMore = true;
  env_.write([&](store::WriteTxn& txn) {
    const auto out = applyResyncPage(txn, book(), first, running[0], 150);
    EXPECT_EQ(out.swept, 0u);
  });
  EXPECT_EQ(cursor("loans@12")->ver, 100u);
  {
    store::ReadTxn txn = env_.beginRead();
    EXPECT_EQ(book().loan(txn, "A")->asOf, 200u);  // never below the sweep threshold
  }
  running[0].cursor = first.next;
  ChangePage last = first;
  last.loans = {loanAt("C", 12, 0)};
  last.next = {100, "C"};
  last.hasMore = false;
  PageOutcome out;
  env_.write(
      [&](store::WriteTxn& txn) { out = applyResyncPage(txn, book(), last, running[0], 250); });
  EXPECT_EQ(out.swept, 1u);
  EXPECT_THAT(loanIds(), ElementsAre("A", "C", "X"));  // branch 13 untouched
  EXPECT_FALSE(cursor("loans@12"));
}

TEST_F(UpstreamApplyTest, RePullNamesAndReconcileTime) {
  EXPECT_EQ(resyncFeedName(7), "loans@7");
  EXPECT_EQ(resyncBranch("loans@65535"), 65535);
  EXPECT_FALSE(resyncBranch("loans@65536"));
  EXPECT_FALSE(resyncBranch("loans@"));
  EXPECT_FALSE(resyncBranch("loans"));
  EXPECT_FALSE(resyncBranch("loans@1x"));
  {
    store::ReadTxn txn = env_.beginRead();
    EXPECT_FALSE(lastReconcileTime(txn, book()));
  }
  env_.write([&](store::WriteTxn& txn) { saveReconcileTime(txn, book(), 1709251200); });
  store::ReadTxn txn = env_.beginRead();
  EXPECT_EQ(lastReconcileTime(txn, book()), 1709251200);
  EXPECT_TRUE(pendingResyncs(txn, book()).empty());
  EXPECT_EQ(lastCompletePull(txn, book()), 0);  // the reconcile record is not a feed
}

TEST(UpstreamReconcile, MismatchedBranchesComparesCountAndHash) {
  const std::vector<store::BranchDigest> local = {{1, 10, 111}, {2, 5, 222}, {4, 1, 444}};
  const std::vector<store::BranchDigest> remote = {{1, 10, 111}, {2, 5, 223}, {3, 2, 333}};
  EXPECT_THAT(mismatchedBranches(local, remote), ElementsAre(2, 3, 4));
  EXPECT_TRUE(mismatchedBranches(local, local).empty());
}

TEST_F(UpstreamApplyTest, AnswersRemoveKeepWithReasonOrLeavePending) {
  const store::UpstreamEvents& events = tables_.upstreamEvents;
  std::vector<store::UpstreamEvent> sent;
  env_.write([&](store::WriteTxn& txn) {
    for (std::uint8_t i = 1; i <= 4; ++i) {
      events.append(txn, store::EventKey{i}, 1709251200, store::UpstreamEventType::CreditRequest,
                    "{}");
    }
  });
  {
    store::ReadTxn txn = env_.beginRead();
    sent = events.pendingBatch(txn, 10);
  }
  const std::vector<EventAnswer> answers = {{{1}, EventResult::Accepted, ""},
                                            {{2}, EventResult::Duplicate, ""},
                                            {{3}, EventResult::Rejected, "unknown loan"},
                                            {{9}, EventResult::Accepted, ""}};  // not ours
  PushOutcome out;
  env_.write([&](store::WriteTxn& txn) { out = applyAnswers(txn, events, sent, answers); });
  EXPECT_EQ(out.accepted, 1u);
  EXPECT_EQ(out.duplicate, 1u);
  EXPECT_EQ(out.rejected, 1u);
  EXPECT_EQ(out.unanswered, 1u);
  store::ReadTxn txn = env_.beginRead();
  EXPECT_EQ(events.counts(txn), (store::UpstreamEventCounts{1, 1}));
  const auto rejected = events.find(txn, store::EventKey{3});
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->rejectReason, "unknown loan");
  EXPECT_EQ(events.find(txn, store::EventKey{4})->attempts, 1u);
  EXPECT_FALSE(events.find(txn, store::EventKey{1}));
}

}  // namespace
}  // namespace mfigw::gateway
