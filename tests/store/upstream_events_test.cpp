// UpstreamEvents: idempotent append, seq order and monotonicity across a reopen, upstream
// answers (accepted / duplicate remove, rejected keeps with the reason), counts.
#include "store/upstream_events.hpp"

#include "store/env.hpp"
#include "store/error.hpp"
#include "store/record_check.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace mfigw::store {
namespace {

using testing::smallEnv;
using testing::TempDir;

EventKey keyOf(uint8_t n) {
  EventKey k{};
  k[0] = 0x4a;
  k[15] = n;
  return k;
}

std::vector<uint64_t> seqsOf(const std::vector<UpstreamEvent>& events) {
  std::vector<uint64_t> seqs;
  for (const UpstreamEvent& e : events) {
    seqs.push_back(e.seq);
  }
  return seqs;
}

class UpstreamEventsTest : public ::testing::Test {
 protected:
  UpstreamEventsTest() { reopen(); }

  void reopen() {
    events_ = UpstreamEvents{};
    env_.reset();
    env_ = std::make_unique<Env>(smallEnv(tmp_.path(), Durability::Durable));
    WriteTxn txn = env_->beginWrite();
    events_ = UpstreamEvents::open(txn);
    txn.commit();
  }
  void write(const std::function<void(WriteTxn&)>& fn) { env_->write(fn); }
  UpstreamEvents::Appended append(uint8_t n, UpstreamEventType type = UpstreamEventType::OptOut,
                                  std::string payload = "p") {
    UpstreamEvents::Appended a;
    write([&](WriteTxn& txn) { a = events_.append(txn, keyOf(n), 1709251200 + n, type, payload); });
    return a;
  }
  UpstreamEventCounts counts() {
    ReadTxn txn = env_->beginRead();
    return events_.counts(txn);
  }

  TempDir tmp_;
  std::unique_ptr<Env> env_;
  UpstreamEvents events_;
};

TEST_F(UpstreamEventsTest, AppendAssignsIncreasingSeqsAndKeepsOnePerKey) {
  const auto first = append(1, UpstreamEventType::CreditRequest, "amount=5000");
  const auto second = append(2);
  EXPECT_TRUE(first.inserted);
  EXPECT_TRUE(second.inserted);
  EXPECT_EQ(first.seq, 1u);
  EXPECT_GT(second.seq, first.seq);

  // The same key again (a retried USSD confirm, a replay after restart): one event.
  const auto again = append(1, UpstreamEventType::Referral, "different payload");
  EXPECT_FALSE(again.inserted);
  EXPECT_EQ(again.seq, first.seq);
  write([&](WriteTxn& txn) {
    // Twice inside one txn, too.
    EXPECT_TRUE(events_.append(txn, keyOf(3), 5, UpstreamEventType::SurveyAnswer, "").inserted);
    EXPECT_FALSE(events_.append(txn, keyOf(3), 6, UpstreamEventType::SurveyAnswer, "").inserted);
  });
  EXPECT_EQ(counts(), (UpstreamEventCounts{3, 0}));

  ReadTxn txn = env_->beginRead();
  const auto held = events_.find(txn, keyOf(1));
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->type, UpstreamEventType::CreditRequest);  // the first append's
  EXPECT_EQ(held->payload, "amount=5000");
  EXPECT_EQ(held->createdAt, 1709251201);
  EXPECT_EQ(held->state, UpstreamEventState::Pending);
  EXPECT_EQ(held->attempts, 0u);
  EXPECT_EQ(held->key, keyOf(1));
  EXPECT_FALSE(events_.find(txn, keyOf(99)).has_value());
  EXPECT_EQ(events_.lastSeq(txn), 3u);
}

TEST_F(UpstreamEventsTest, PendingBatchIsInSeqOrderAndLimited) {
  for (uint8_t n : {9, 3, 7, 1, 5}) {  // keys in no particular order
    append(n);
  }
  ReadTxn txn = env_->beginRead();
  const auto all = events_.pendingBatch(txn, 100);
  EXPECT_EQ(seqsOf(all), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(all[0].key, keyOf(9));  // seq follows append order, not key order
  EXPECT_EQ(seqsOf(events_.pendingBatch(txn, 2)), (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(events_.pendingBatch(txn, 0).empty());
}

TEST_F(UpstreamEventsTest, AcceptedAndDuplicateRemoveRejectedKeepsWithReason) {
  for (uint8_t n = 1; n <= 4; ++n) {
    append(n);
  }
  write([&](WriteTxn& txn) {
    EXPECT_TRUE(events_.markAccepted(txn, keyOf(1)));
    EXPECT_TRUE(events_.markDuplicate(txn, keyOf(2)));
    EXPECT_TRUE(events_.markRejected(txn, keyOf(3), "client 17 has an open application"));
    EXPECT_FALSE(events_.markAccepted(txn, keyOf(1)));  // already gone
    EXPECT_FALSE(events_.markRejected(txn, keyOf(42), "unknown"));
  });
  EXPECT_EQ(counts(), (UpstreamEventCounts{1, 1}));
  {
    ReadTxn txn = env_->beginRead();
    EXPECT_EQ(seqsOf(events_.pendingBatch(txn, 10)), (std::vector<uint64_t>{4}));
    const auto rejected = events_.rejected(txn);
    ASSERT_EQ(rejected.size(), 1u);
    EXPECT_EQ(rejected[0].key, keyOf(3));
    EXPECT_EQ(rejected[0].state, UpstreamEventState::Rejected);
    EXPECT_EQ(rejected[0].rejectReason, "client 17 has an open application");
    EXPECT_FALSE(events_.find(txn, keyOf(1)).has_value());
    EXPECT_EQ(events_.find(txn, keyOf(3))->state, UpstreamEventState::Rejected);
  }
  // A rejected key is still held: appending it again does not resurrect a pending copy.
  EXPECT_FALSE(append(3).inserted);
  EXPECT_EQ(counts(), (UpstreamEventCounts{1, 1}));

  // The operator pushes it again (same seq), then drops another.
  write([&](WriteTxn& txn) {
    EXPECT_FALSE(events_.requeue(txn, keyOf(4)));  // pending, nothing to requeue
    EXPECT_TRUE(events_.requeue(txn, keyOf(3)));
  });
  {
    ReadTxn txn = env_->beginRead();
    const auto batch = events_.pendingBatch(txn, 10);
    EXPECT_EQ(seqsOf(batch), (std::vector<uint64_t>{3, 4}));
    EXPECT_EQ(batch[0].rejectReason, "");
  }
  write([&](WriteTxn& txn) {
    EXPECT_TRUE(events_.markRejected(txn, keyOf(4), "bad"));
    EXPECT_TRUE(events_.markRejected(txn, keyOf(4), "worse"));  // reason updated
    EXPECT_TRUE(events_.discard(txn, keyOf(3)));
  });
  ReadTxn txn = env_->beginRead();
  EXPECT_EQ(events_.counts(txn), (UpstreamEventCounts{0, 1}));
  EXPECT_EQ(events_.find(txn, keyOf(4))->rejectReason, "worse");
}

TEST_F(UpstreamEventsTest, AnAcceptedKeyIsForgotten) {
  const auto first = append(1);
  write([&](WriteTxn& txn) { events_.markAccepted(txn, keyOf(1)); });
  // Documented: idempotency here covers held events; upstream dedupes the rest.
  const auto again = append(1);
  EXPECT_TRUE(again.inserted);
  EXPECT_GT(again.seq, first.seq);
}

TEST_F(UpstreamEventsTest, SeqStaysMonotonicAcrossReopenEvenWhenEmpty) {
  append(1);
  append(2);
  write([&](WriteTxn& txn) {
    events_.markAccepted(txn, keyOf(1));
    events_.markAccepted(txn, keyOf(2));
  });
  EXPECT_EQ(counts(), (UpstreamEventCounts{0, 0}));
  {
    // An aborted append does not consume a seq.
    WriteTxn txn = env_->beginWrite();
    EXPECT_EQ(events_.append(txn, keyOf(7), 0, UpstreamEventType::Referral, "").seq, 3u);
  }
  reopen();
  const auto next = append(3);
  EXPECT_EQ(next.seq, 3u);  // not 1: the table was empty, the counter was not
  append(4);
  write([&](WriteTxn& txn) {
    EXPECT_TRUE(events_.recordAttempt(txn, keyOf(3)));
    EXPECT_TRUE(events_.recordAttempt(txn, keyOf(3)));
    EXPECT_FALSE(events_.recordAttempt(txn, keyOf(1)));
    events_.markRejected(txn, keyOf(4), "no such client");
  });
  reopen();
  ReadTxn txn = env_->beginRead();
  EXPECT_EQ(events_.lastSeq(txn), 4u);
  EXPECT_EQ(events_.find(txn, keyOf(3))->attempts, 2u);
  EXPECT_EQ(events_.find(txn, keyOf(4))->rejectReason, "no such client");
  EXPECT_EQ(events_.counts(txn), (UpstreamEventCounts{1, 1}));
}

TEST_F(UpstreamEventsTest, PayloadKeyAndTypeBounds) {
  const std::string biggest(kMaxEventPayloadBytes, '\xff');
  EXPECT_TRUE(append(1, UpstreamEventType::DialogOutcomes, biggest).inserted);
  {
    ReadTxn txn = env_->beginRead();
    EXPECT_EQ(events_.find(txn, keyOf(1))->payload, biggest);
  }
  write([&](WriteTxn& txn) {
    EXPECT_THROW(events_.append(txn, keyOf(2), 0, UpstreamEventType::Referral,
                                std::string(kMaxEventPayloadBytes + 1, 'x')),
                 InvalidRecord);
    EXPECT_THROW(events_.append(txn, EventKey{}, 0, UpstreamEventType::Referral, ""),
                 InvalidRecord);
    EXPECT_THROW(events_.append(txn, keyOf(2), 0, static_cast<UpstreamEventType>(0), ""),
                 InvalidRecord);
  });
  EXPECT_EQ(counts(), (UpstreamEventCounts{1, 0}));
}

TEST_F(UpstreamEventsTest, LongReasonsAreCutAtACharacterBoundary) {
  append(1);
  // 'é' is two bytes; 200 of them straddle the bound at an odd offset.
  std::string reason;
  for (int i = 0; i < 200; ++i) {
    reason += "\xc3\xa9";
  }
  write([&](WriteTxn& txn) { events_.markRejected(txn, keyOf(1), "x" + reason); });
  ReadTxn txn = env_->beginRead();
  const std::string kept = events_.find(txn, keyOf(1))->rejectReason;
  EXPECT_LE(kept.size(), kMaxRejectReasonBytes);
  ASSERT_GE(kept.size(), 4u);
  EXPECT_EQ(kept.substr(kept.size() - 3), "...");
  const std::string body = kept.substr(1, kept.size() - 4);  // between 'x' and "..."
  EXPECT_EQ(body.size() % 2, 0u) << "cut inside a character";
  EXPECT_EQ(body, reason.substr(0, body.size()));
}

TEST(UpstreamEventCodec, RoundTripsAndRefusesCorruptBytes) {
  UpstreamEvent e;
  e.key = keyOf(0xff);
  e.seq = std::numeric_limits<uint64_t>::max();
  e.createdAt = -1;
  e.type = UpstreamEventType::DeliverySummary;
  e.payload = std::string(kMaxEventPayloadBytes, '\0');
  e.state = UpstreamEventState::Rejected;
  e.rejectReason = std::string(kMaxRejectReasonBytes, 'r');
  e.attempts = std::numeric_limits<uint32_t>::max();
  const std::string bytes = UpstreamEventCodec::encodeValue(e);
  EXPECT_EQ(UpstreamEventCodec::decodeValue(bytes), e);
  for (size_t n = 1; n < 40; ++n) {
    EXPECT_THROW(UpstreamEventCodec::decodeValue(bytes.substr(0, n)), DecodeError) << n;
  }
  std::string badType = bytes;
  badType[1 + 16 + 8 + 8] = 0x20;
  EXPECT_THROW(UpstreamEventCodec::decodeValue(badType), DecodeError);
  std::string badState = bytes;
  badState[1 + 16 + 8 + 8 + 1] = 3;
  EXPECT_THROW(UpstreamEventCodec::decodeValue(badState), DecodeError);

  for (uint8_t t = 1; t <= 7; ++t) {
    const auto type = static_cast<UpstreamEventType>(t);
    EXPECT_EQ(upstreamEventTypeFromString(toString(type)), type);
  }
  EXPECT_EQ(toString(UpstreamEventType::DialogOutcomes), "dialog_outcomes");
  EXPECT_EQ(toString(keyOf(0xab)), "4a0000000000000000000000000000ab");
}

}  // namespace
}  // namespace mfigw::store
