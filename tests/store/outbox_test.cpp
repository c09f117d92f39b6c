// The outbox's state machine and its indexes: priorities and times decide the claim order,
// stale messages expire instead of going out, receipts aggregate per part, STOP cancels what
// has not gone out, a crash's Sending messages come back, and every index stays consistent.
#include "store/outbox.hpp"

#include "store/env.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

namespace mfigw::store {
namespace {

using testing::smallEnv;
using testing::TempDir;

struct OutboxFixture : ::testing::Test {
  TempDir dir;
  std::unique_ptr<Env> env;
  Outbox outbox;

  void SetUp() override { reopen(); }
  void reopen() {
    outbox = Outbox{};
    env.reset();
    env = std::make_unique<Env>(smallEnv(dir.path()));
    WriteTxn txn = env->beginWrite();
    outbox = Outbox::open(txn);
    txn.commit();
  }

  OutboxMessage draft(std::string to, std::string text = "Your payment is due",
                      OutboxPriority priority = OutboxPriority::Normal) {
    OutboxMessage m;
    m.to = std::move(to);
    m.text = std::move(text);
    m.priority = priority;
    return m;
  }

  uint64_t add(OutboxMessage m, int64_t now = 1000) {
    WriteTxn txn = env->beginWrite();
    const uint64_t id = outbox.enqueue(txn, std::move(m), now).id;
    txn.commit();
    return id;
  }

  template <class F>
  auto write(F f) {
    WriteTxn txn = env->beginWrite();
    if constexpr (std::is_void_v<decltype(f(txn))>) {
      f(txn);
      txn.commit();
    } else {
      auto result = f(txn);
      txn.commit();
      return result;
    }
  }

  OutboxMessage get(uint64_t id) {
    ReadTxn txn = env->beginRead();
    return *outbox.get(txn, id);
  }
  uint64_t count(OutboxState s) {
    ReadTxn txn = env->beginRead();
    return outbox.count(txn, s);
  }
  std::vector<uint64_t> claimIds(int64_t now, size_t limit = 100) {
    std::vector<uint64_t> ids;
    for (const OutboxMessage& m : write([&](WriteTxn& t) { return outbox.claim(t, now, limit); }))
      ids.push_back(m.id);
    return ids;
  }
};

TEST_F(OutboxFixture, EnqueueAssignsIncreasingIdsThatSurviveAReopen) {
  const uint64_t a = add(draft("254711000001"));
  const uint64_t b = add(draft("254711000002"));
  EXPECT_LT(a, b);
  reopen();
  const uint64_t c = add(draft("254711000003"));
  EXPECT_GT(c, b);
  EXPECT_EQ(get(a).state, OutboxState::Queued);
  EXPECT_EQ(get(c).to, "254711000003");
  EXPECT_EQ(count(OutboxState::Queued), 3u);
}

TEST_F(OutboxFixture, SameIdempotencyKeyGivesTheFirstMessage) {
  OutboxMessage m = draft("254711000001");
  m.idempotencyKey = "order-77";
  const EnqueueResult first = write([&](WriteTxn& t) { return outbox.enqueue(t, m, 1000); });
  m.text = "a different text";
  const EnqueueResult again = write([&](WriteTxn& t) { return outbox.enqueue(t, m, 1001); });
  EXPECT_TRUE(first.created);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(first.id, again.id);
  EXPECT_EQ(get(first.id).text, "Your payment is due");
  EXPECT_EQ(count(OutboxState::Queued), 1u);
}

TEST_F(OutboxFixture, BadFieldsAreRefusedWithTheirName) {
  EXPECT_THROW(add(draft("", "x")), OutboxError);
  EXPECT_THROW(add(draft("254711000001", "")), OutboxError);
  OutboxMessage m = draft("254711000001");
  m.notBefore = 2000;
  m.notAfter = 1500;
  try {
    add(m);
    FAIL();
  } catch (const OutboxError& e) {
    EXPECT_NE(std::string(e.what()).find("not_after"), std::string::npos);
  }
}

TEST_F(OutboxFixture, ClaimTakesHigherPriorityFirstThenOldestAndOnlyWhatIsDue) {
  const uint64_t bulk = add(draft("254711000001", "bulk", OutboxPriority::Bulk));
  const uint64_t normal = add(draft("254711000002", "normal", OutboxPriority::Normal));
  OutboxMessage later = draft("254711000003", "later", OutboxPriority::Dialog);
  later.notBefore = 5000;
  const uint64_t future = add(later);
  const uint64_t dialog = add(draft("254711000004", "dialog", OutboxPriority::Dialog));

  EXPECT_EQ(claimIds(1000, 2), (std::vector<uint64_t>{dialog, normal}));
  EXPECT_EQ(claimIds(1000), (std::vector<uint64_t>{bulk}));
  EXPECT_TRUE(claimIds(4999).empty());
  {
    ReadTxn txn = env->beginRead();
    EXPECT_EQ(outbox.nextDue(txn), 5000);
  }
  EXPECT_EQ(claimIds(5000), (std::vector<uint64_t>{future}));
  EXPECT_EQ(count(OutboxState::Sending), 4u);
  EXPECT_EQ(count(OutboxState::Queued), 0u);
}

TEST_F(OutboxFixture, AMessagePastItsLatestSendTimeExpiresInsteadOfGoingOut) {
  OutboxMessage m = draft("254711000001");
  m.notAfter = 1500;
  const uint64_t id = add(m);
  EXPECT_TRUE(claimIds(1501).empty());
  EXPECT_EQ(get(id).state, OutboxState::Expired);
}

TEST_F(OutboxFixture, TwoPartMessageIsSubmittedThenDeliveredWhenBothPartsAre) {
  const uint64_t id = add(draft("254711000001"));
  claimIds(1000);
  write([&](WriteTxn& t) { outbox.markPartSubmitted(t, id, 0, 2, "a1", 1001); });
  EXPECT_EQ(get(id).state, OutboxState::Sending);  // one part still out
  write([&](WriteTxn& t) { outbox.markPartSubmitted(t, id, 1, 2, "a2", 1001); });
  EXPECT_EQ(get(id).state, OutboxState::Submitted);

  auto first =
      write([&](WriteTxn& t) { return outbox.applyReceipt(t, "a2", PartState::Delivered, 1002); });
  ASSERT_TRUE(first);
  EXPECT_EQ(first->id, id);
  EXPECT_EQ(first->state, OutboxState::Submitted);
  auto second =
      write([&](WriteTxn& t) { return outbox.applyReceipt(t, "a1", PartState::Delivered, 1003); });
  EXPECT_EQ(second->state, OutboxState::Delivered);
  EXPECT_EQ(get(id).parts[0].state, PartState::Delivered);
  EXPECT_FALSE(
      write([&](WriteTxn& t) { return outbox.applyReceipt(t, "zz", PartState::Delivered, 1); }));
}

TEST_F(OutboxFixture, OneFailedPartFailsTheMessage) {
  const uint64_t id = add(draft("254711000001"));
  claimIds(1000);
  write([&](WriteTxn& t) {
    outbox.markPartSubmitted(t, id, 0, 2, "b1", 1001);
    outbox.markPartSubmitted(t, id, 1, 2, "b2", 1001);
  });
  write([&](WriteTxn& t) { outbox.applyReceipt(t, "b1", PartState::Delivered, 1002); });
  write([&](WriteTxn& t) { outbox.applyReceipt(t, "b2", PartState::Failed, 1002); });
  EXPECT_EQ(get(id).state, OutboxState::Failed);
  EXPECT_EQ(count(OutboxState::Failed), 1u);
  EXPECT_EQ(count(OutboxState::Submitted), 0u);
}

TEST_F(OutboxFixture, TransientFailureRetriesLaterPermanentFailureStops) {
  const uint64_t a = add(draft("254711000001"));
  const uint64_t b = add(draft("254711000002"));
  claimIds(1000);
  write([&](WriteTxn& t) {
    outbox.markFailed(t, a, 0x58, "throttled", false, 1060, 1000);
    outbox.markFailed(t, b, 0x0B, "invalid destination", true, 0, 1000);
  });
  EXPECT_EQ(get(a).state, OutboxState::Queued);
  EXPECT_EQ(get(a).attempts, 1u);
  EXPECT_EQ(get(b).state, OutboxState::Failed);
  EXPECT_EQ(get(b).lastError, "invalid destination");
  EXPECT_TRUE(claimIds(1059).empty());
  EXPECT_EQ(claimIds(1060), (std::vector<uint64_t>{a}));

  EXPECT_TRUE(write([&](WriteTxn& t) { return outbox.retry(t, b, 2000); }));
  EXPECT_EQ(get(b).state, OutboxState::Queued);
  EXPECT_EQ(claimIds(2000), (std::vector<uint64_t>{b}));
}

TEST_F(OutboxFixture, RetryPastTheLatestSendTimeExpires) {
  OutboxMessage m = draft("254711000001");
  m.notAfter = 1100;
  const uint64_t id = add(m);
  claimIds(1000);
  write([&](WriteTxn& t) { outbox.markFailed(t, id, 0x14, "queue full", false, 1200, 1000); });
  EXPECT_EQ(get(id).state, OutboxState::Expired);
}

TEST_F(OutboxFixture, StopCancelsQueuedAndSendingButNotWhatTheSmscHas) {
  const uint64_t queued = add(draft("254711000009"));
  const uint64_t other = add(draft("254711000001"));
  claimIds(1000, 1);  // `queued` is Sending now
  const uint64_t second = add(draft("254711000009"));
  const uint64_t submitted = add(draft("254711000009"));
  write([&](WriteTxn& t) {
    outbox.claim(t, 1000, 10);
    outbox.markPartSubmitted(t, submitted, 0, 1, "s1", 1000);
  });
  const size_t n = write([&](WriteTxn& t) { return outbox.cancelTo(t, "254711000009", 1001); });
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(get(queued).state, OutboxState::Cancelled);
  EXPECT_EQ(get(second).state, OutboxState::Cancelled);
  EXPECT_EQ(get(submitted).state, OutboxState::Submitted);
  EXPECT_EQ(get(other).state, OutboxState::Sending);
  // A late submit_sm_resp for a cancelled message does not resurrect it.
  write([&](WriteTxn& t) { outbox.markPartSubmitted(t, queued, 0, 1, "late", 1002); });
  EXPECT_EQ(get(queued).state, OutboxState::Cancelled);
}

TEST_F(OutboxFixture, RecoverPutsSendingBackInTheQueueAfterACrash) {
  const uint64_t a = add(draft("254711000001"));
  const uint64_t b = add(draft("254711000002"));
  claimIds(1000);
  // The process dies here: nothing else is written. A new process opens the store.
  reopen();
  EXPECT_EQ(write([&](WriteTxn& t) { return outbox.recover(t, 2000); }), 2u);
  EXPECT_EQ(count(OutboxState::Sending), 0u);
  EXPECT_EQ(claimIds(2000), (std::vector<uint64_t>{a, b}));
}

TEST_F(OutboxFixture, MessageRoundTripsWithEveryField) {
  OutboxMessage m = draft("254711000001", std::string(OutboxMessage::kMaxText, 'x'));
  m.source = "MFI";
  m.lang = "fr";
  m.kind = OutboxKind::Reminder;
  m.idempotencyKey = std::string(OutboxMessage::kMaxKey, 'k');
  m.notBefore = 1200;
  m.notAfter = 9000;
  const uint64_t id = add(m);
  write([&](WriteTxn& t) {
    outbox.claim(t, 1300, 1);
    outbox.markPartSubmitted(t, id, 2, 3, "ff01", 1301);
  });
  const std::string bytes = OutboxMessageCodec::encodeValue(get(id));
  EXPECT_EQ(OutboxMessageCodec::decodeValue(bytes), get(id));
  EXPECT_EQ(get(id).parts.size(), 3u);
  EXPECT_EQ(get(id).parts[2].smscId, "ff01");
  EXPECT_EQ(get(id).lang, "fr");
  EXPECT_EQ(get(id).kind, OutboxKind::Reminder);
  EXPECT_THROW(OutboxMessageCodec::decodeValue(bytes.substr(0, bytes.size() - 1)), DecodeError);
}

}  // namespace
}  // namespace mfigw::store
