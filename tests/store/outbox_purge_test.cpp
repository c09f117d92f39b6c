// Outbox retention: purgeFinal() removes only final messages older than the cutoff, never
// queued / sending / submitted ones, leaves no index entry pointing at a removed message
// (each index is walked and every id it names must still exist), frees the Idempotency-Key
// with its message only, and never removes more than its limit in one call.
#include "store/outbox.hpp"

#include "store/encoding.hpp"
#include "store/env.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <set>

namespace mfigw::store {
namespace {

using testing::smallEnv;
using testing::TempDir;

struct OutboxPurge : ::testing::Test {
  TempDir dir;
  std::unique_ptr<Env> env;
  Outbox outbox;

  void SetUp() override {
    env = std::make_unique<Env>(smallEnv(dir.path()));
    WriteTxn txn = env->beginWrite();
    outbox = Outbox::open(txn);
    txn.commit();
  }

  uint64_t add(const std::string& to, int64_t now, const std::string& key = {},
               int64_t notBefore = 0) {
    OutboxMessage m;
    m.to = to;
    m.notBefore = notBefore;
    m.text = "Your payment is due";
    m.idempotencyKey = key;
    WriteTxn txn = env->beginWrite();
    const uint64_t id = outbox.enqueue(txn, std::move(m), now).id;
    txn.commit();
    return id;
  }

  // Claims everything due and submits it as one part with SMSC id "smsc-<id>".
  void submitAll(int64_t now) {
    WriteTxn txn = env->beginWrite();
    for (const OutboxMessage& m : outbox.claim(txn, now, 1000))
      outbox.markPartSubmitted(txn, m.id, 0, 1, "smsc-" + std::to_string(m.id), now);
    txn.commit();
  }
  void receipt(uint64_t id, PartState state, int64_t now) {
    WriteTxn txn = env->beginWrite();
    ASSERT_TRUE(outbox.applyReceipt(txn, "smsc-" + std::to_string(id), state, now));
    txn.commit();
  }
  size_t purge(int64_t cutoff, size_t limit) {
    WriteTxn txn = env->beginWrite();
    const size_t n = outbox.purgeFinal(txn, cutoff, limit);
    txn.commit();
    return n;
  }
  std::optional<OutboxMessage> get(uint64_t id) {
    ReadTxn txn = env->beginRead();
    return outbox.get(txn, id);
  }

  // Every id any index names must be a stored message, and the message must be in the
  // state (and, for `ready`, the queue) the index says.
  void expectIndexesClean() {
    using Index = Table<std::string, uint64_t, OutboxIndexCodec>;
    WriteTxn txn = env->beginWrite();  // opening a table handle needs a write txn
    for (const char* name :
         {"outbox_ready", "outbox_state", "outbox_smsc", "outbox_to", "outbox_idem"}) {
      const Index index = Index::open(txn, name);
      index.forEach(txn, [&](std::string_view key, uint64_t value) {
        const uint64_t id = std::string(name) == "outbox_smsc" ? value >> 8 : value;
        const auto m = outbox.get(txn, id);
        ASSERT_TRUE(m) << name << " names purged message " << id;
        if (std::string(name) == "outbox_state") {
          Decoder k(key);
          EXPECT_EQ(k.u8(), static_cast<uint8_t>(m->state)) << name << " " << id;
        }
        if (std::string(name) == "outbox_ready") {
          EXPECT_EQ(m->state, OutboxState::Queued) << name << " " << id;
        }
      });
    }
  }
};

TEST_F(OutboxPurge, OnlyFinalMessagesOlderThanTheCutoffGo) {
  const uint64_t delivered = add("254711000001", 1000, "k-delivered");
  const uint64_t failed = add("254711000002", 1000, "k-failed");
  const uint64_t submitted = add("254711000003", 1000, "k-submitted");
  submitAll(1000);
  receipt(delivered, PartState::Delivered, 1100);
  receipt(failed, PartState::Failed, 1100);
  const uint64_t sending = add("254711000004", 1000, "k-sending");
  {
    WriteTxn txn = env->beginWrite();
    ASSERT_EQ(outbox.claim(txn, 1200, 10).size(), 1u);
    txn.commit();
  }
  const uint64_t queued = add("254711000005", 1000, "k-queued", 1'000'000'000);  // not yet due
  const uint64_t cancelled = add("254711000006", 1000);
  const uint64_t youngDelivered = add("254711000007", 1000);
  {
    WriteTxn txn = env->beginWrite();
    ASSERT_TRUE(outbox.cancel(txn, cancelled, 1300));
    txn.commit();
  }
  submitAll(1400);
  receipt(youngDelivered, PartState::Delivered, 5000);

  // Cutoff 1200: the rows that became final at 1100 go; the one cancelled at 1300 stays.
  EXPECT_EQ(purge(1200, 100), 2u);
  EXPECT_FALSE(get(delivered));
  EXPECT_FALSE(get(failed));
  EXPECT_TRUE(get(cancelled));
  expectIndexesClean();

  // A cutoff far in the future still never takes a live or submitted message.
  EXPECT_EQ(purge(1'000'000, 100), 2u);  // the cancelled and the young delivered one
  for (uint64_t id : {submitted, sending, queued}) {
    ASSERT_TRUE(get(id)) << id;
    EXPECT_FALSE(isFinal(get(id)->state)) << id;
  }
  EXPECT_FALSE(get(cancelled));
  EXPECT_FALSE(get(youngDelivered));
  expectIndexesClean();

  ReadTxn txn = env->beginRead();
  EXPECT_EQ(outbox.count(txn, OutboxState::Delivered), 0u);
  EXPECT_EQ(outbox.count(txn, OutboxState::Submitted) + outbox.count(txn, OutboxState::Sending) +
                outbox.count(txn, OutboxState::Queued),
            3u);
}

TEST_F(OutboxPurge, TheKeyAnswersWhileTheRowLivesThenMakesANewMessage) {
  const uint64_t first = add("254711000001", 1000, "order-77");
  submitAll(1000);
  receipt(first, PartState::Delivered, 1000);
  EXPECT_EQ(add("254711000001", 1500, "order-77"), first);  // a replay, row still kept
  EXPECT_EQ(purge(1001, 10), 1u);
  {
    ReadTxn txn = env->beginRead();
    EXPECT_FALSE(outbox.findByKey(txn, "order-77"));
  }
  const uint64_t again = add("254711000001", 2000, "order-77");
  EXPECT_NE(again, first);  // the retry after the purge is a new message
  ReadTxn txn = env->beginRead();
  EXPECT_EQ(outbox.findByKey(txn, "order-77"), again);
}

TEST_F(OutboxPurge, AReceiptForAPurgedMessageIsNotOurs) {
  const uint64_t id = add("254711000001", 1000);
  submitAll(1000);
  receipt(id, PartState::Delivered, 1000);
  ASSERT_EQ(purge(2000, 10), 1u);
  WriteTxn txn = env->beginWrite();
  EXPECT_FALSE(outbox.applyReceipt(txn, "smsc-" + std::to_string(id), PartState::Delivered, 2100));
}

TEST_F(OutboxPurge, EachCallRemovesAtMostItsLimit) {
  std::set<uint64_t> ids;
  for (int i = 0; i < 25; ++i)
    ids.insert(add("2547110000" + std::to_string(10 + i), 1000));
  submitAll(1000);
  for (uint64_t id : ids)
    receipt(id, PartState::Delivered, 1000);
  EXPECT_EQ(purge(2000, 0), 0u);
  std::vector<size_t> chunks;
  for (int call = 0; call < 10; ++call) {
    const size_t n = purge(2000, 10);
    chunks.push_back(n);
    expectIndexesClean();  // each chunk commits a consistent outbox
    if (n < 10) break;
  }
  EXPECT_EQ(chunks, (std::vector<size_t>{10, 10, 5}));
  for (uint64_t id : ids)
    EXPECT_FALSE(get(id)) << id;
}

}  // namespace
}  // namespace mfigw::store
