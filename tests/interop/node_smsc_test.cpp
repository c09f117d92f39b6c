// Our ESME (EsmeLink: Session over TCP) against node-smpp acting as the SMSC
// (tests/interop/smsc.js): issue 3's "against node-smpp as SMSC" lines. Bind; 1,000 submits
// at window 10 all acknowledged and every receipt matched to its message; the SMSC drops
// the link mid-window and none of the 1,000 is lost; a bad password is refused as
// credentials and not retried; enquire_link both ways; hex submit ids matched to decimal
// receipt ids.
#include <gtest/gtest.h>

#include "tests/interop/esme_harness.hpp"

namespace mfigw::interop {
namespace {

using smpp::AggregateState;
using smpp::CommandStatus;
using smpp::IdFormat;
using smpp::SessionState;

constexpr std::uint64_t kCount = 1000;
constexpr std::size_t kWindow = 10;

class NodeSmscTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Missing node or node_modules is a broken setup, not a reason to skip.
    const std::string problem = setupProblem(kInteropDir);
    ASSERT_TRUE(problem.empty()) << problem;
  }

  static void submitAll(EsmeRun& run, std::uint64_t count) {
    for (std::uint64_t i = 1; i <= count; ++i)
      run.handler.link->submit({i, textMessage(i)});
  }
  // Every message acknowledged and its receipt in.
  static bool allDelivered(EsmeRun& run, std::uint64_t count, IdFormat format) {
    return run.handler.ackedIds.size() == count &&
           matchReceipts(run.handler, format).delivered() == count;
  }
};

TEST_F(NodeSmscTest, ThousandSubmitsAtWindowTenAreAcknowledgedAndEveryReceiptMatches) {
  NodeSmsc smsc("mfi", "secret");
  EsmeRun run(smsc, "secret", kWindow);
  run.handler.link->start();
  submitAll(run, kCount);
  ASSERT_TRUE(run.runUntil([&] { return allDelivered(run, kCount, IdFormat::AsIs); }))
      << "acked " << run.handler.ackedIds.size() << " receipts " << run.handler.receipts.size()
      << "\nsmsc.js:\n"
      << smsc.child().output();
  ASSERT_TRUE(run.stop());

  const RecordingHandler& h = run.handler;
  EXPECT_EQ(h.binds, 1u);
  EXPECT_EQ(h.failures, 0u);
  EXPECT_EQ(h.acks.size(), kCount) << "no duplicates on a healthy link";
  EXPECT_LE(run.maxInFlight, kWindow);
  std::set<std::string> smscIds;
  for (const auto& ack : h.acks)
    smscIds.insert(ack.second);
  EXPECT_EQ(smscIds.size(), kCount) << "node-smpp gave each message its own id";

  const ReceiptMatch match = matchReceipts(h, IdFormat::AsIs);
  EXPECT_TRUE(match.unmatchedIds.empty())
      << "receipt for unknown id " << *match.unmatchedIds.begin();
  EXPECT_EQ(match.matchedReceipts, kCount);
  EXPECT_EQ(match.trackers.size(), kCount);
  for (const auto& [localId, tracker] : match.trackers)
    EXPECT_EQ(tracker.aggregate(), AggregateState::Delivered) << "message " << localId;

  // The SMSC's side of the story: what it received, answered and had acknowledged.
  const nlohmann::json counters = smsc.summary();
  EXPECT_EQ(counters["binds"], 1);
  EXPECT_EQ(counters["unbinds"], 1);
  EXPECT_EQ(counters["submits"], kCount);
  EXPECT_EQ(counters["answered"], kCount);
  EXPECT_EQ(counters["receipts_acked"], kCount);
  EXPECT_EQ(counters["stored_receipts"], 0);
}

TEST_F(NodeSmscTest, LinkDroppedMidWindowLosesNoneOfTheThousand) {
  // smsc.js destroys the socket on its 500th submit_sm, with up to a window of submits
  // behind it unanswered. The responses to the 4 submits before it were issued (the SMSC
  // gave them ids) but held in node's buffer, so they die with the socket: the ESME must
  // resend those too. Receipts not acknowledged come again on the next bind.
  constexpr std::size_t kLostResponses = 4;
  NodeSmsc smsc("mfi", "secret",
                {"--drop-after", "500", "--lose-responses", std::to_string(kLostResponses)});
  EsmeRun run(smsc, "secret", kWindow);
  run.handler.link->start();
  submitAll(run, kCount);
  ASSERT_TRUE(run.runUntil([&] { return allDelivered(run, kCount, IdFormat::AsIs); }))
      << "acked " << run.handler.ackedIds.size() << " receipts " << run.handler.receipts.size()
      << "\nsmsc.js:\n"
      << smsc.child().output();
  ASSERT_TRUE(run.stop());

  const RecordingHandler& h = run.handler;
  EXPECT_EQ(smsc.linesWith("dropped"), 1u) << smsc.child().output();
  EXPECT_EQ(h.binds, 2u) << "the ESME rebinds once after the drop";
  EXPECT_EQ(h.failures, 0u);
  EXPECT_EQ(h.ackedIds.size(), kCount) << "every message acknowledged at least once";
  const std::size_t duplicateAcks = h.acks.size() - kCount;  // acks that came twice
  EXPECT_LE(duplicateAcks, kWindow);

  const nlohmann::json counters = smsc.summary();
  const std::size_t received = counters["submits"];
  const std::size_t answered = counters["answered"];
  EXPECT_EQ(counters["binds"], 2);
  EXPECT_EQ(counters["drops"], 1);
  // It answered every submit but the one it dropped the link on.
  EXPECT_EQ(answered + 1, received);
  // At-least-once: the messages whose responses died with the link were sent again and
  // accepted twice (duplicates on the phone). Nothing else was: duplicates are those alone,
  // bounded by the window.
  const std::size_t duplicates = answered - kCount;
  EXPECT_EQ(duplicates, kLostResponses);
  EXPECT_LE(duplicates, kWindow);
  // Every id the SMSC issued reached us: as an acknowledgement, or (its response lost with
  // the link) only through its receipt.
  const ReceiptMatch match = matchReceipts(h, IdFormat::AsIs);
  EXPECT_EQ(match.unmatchedIds.size(), kLostResponses);
  EXPECT_EQ(h.acks.size() + match.unmatchedIds.size(), answered);
  EXPECT_EQ(match.delivered(), kCount);
  RecordProperty("duplicates_at_smsc", static_cast<int>(duplicates));
  RecordProperty("duplicate_acks", static_cast<int>(duplicateAcks));
}

TEST_F(NodeSmscTest, BadPasswordIsRefusedAsCredentialsAndNotRetried) {
  NodeSmsc smsc("mfi", "secret");
  EsmeRun run(smsc, "wrong", kWindow);
  run.handler.link->start();
  submitAll(run, 3);
  ASSERT_TRUE(run.runUntil([&] { return run.handler.bindRejected.has_value(); }, 10s))
      << smsc.child().output();
  EXPECT_EQ(run.handler.bindRejected->first, CommandStatus::InvPaswd);
  EXPECT_TRUE(run.handler.bindRejected->second) << "classified as bad credentials";
  // With a 20 ms reconnect back-off, a retry storm would show dozens of binds in this time.
  run.runFor(1000ms);
  EXPECT_EQ(run.handler.link->state(), SessionState::Idle);
  EXPECT_EQ(run.handler.requeued, 3u) << "the queued messages are handed back, not dropped";
  EXPECT_EQ(run.handler.binds, 0u);

  const nlohmann::json counters = smsc.summary();
  EXPECT_EQ(counters["bind_rejections"], 1);
  EXPECT_EQ(counters["binds"], 0);
  EXPECT_EQ(counters["submits"], 0);
}

TEST_F(NodeSmscTest, EnquireLinkIsAnsweredBothWays) {
  // node-smpp asks every 250 ms; we ask after 100 ms of silence. Both keep the bind up.
  NodeSmsc smsc("mfi", "secret", {"--enquire-link-ms", "250"});
  EsmeRun run(smsc, "secret", kWindow, 100ms);
  run.handler.link->start();
  ASSERT_TRUE(run.runUntil([&] { return run.handler.link->state() == SessionState::Bound; }, 10s));
  run.runFor(1200ms);
  EXPECT_EQ(run.handler.link->state(), SessionState::Bound);
  EXPECT_EQ(run.handler.binds, 1u) << "no drop while idle";
  ASSERT_TRUE(run.stop());

  const nlohmann::json counters = smsc.summary();
  const int sent = counters["enquire_links_sent"];
  const int answered = counters["enquire_link_resps"];
  EXPECT_GE(sent, 3);
  EXPECT_GE(answered, sent - 1) << "the ESME answers node-smpp's enquire_link";
  EXPECT_GE(counters["enquire_links_received"], 2) << "the ESME asks when the link is idle";
  EXPECT_EQ(counters["unbinds"], 1);
}

TEST_F(NodeSmscTest, HexSubmitIdsMatchDecimalReceiptIds) {
  // A common SMSC quirk: submit_sm_resp carries the id in hex, the receipt in decimal.
  constexpr std::uint64_t kFew = 100;
  NodeSmsc smsc("mfi", "secret", {"--ids", "hex-decimal"});
  EsmeRun run(smsc, "secret", kWindow);
  run.handler.link->start();
  submitAll(run, kFew);
  ASSERT_TRUE(run.runUntil([&] { return allDelivered(run, kFew, IdFormat::HexToDecimal); }))
      << "acked " << run.handler.ackedIds.size() << " receipts " << run.handler.receipts.size();
  ASSERT_TRUE(run.stop());
  const ReceiptMatch match = matchReceipts(run.handler, IdFormat::HexToDecimal);
  EXPECT_TRUE(match.unmatchedIds.empty());
  EXPECT_EQ(match.matchedReceipts, kFew);
  // Compared as-is, decimal receipt ids above the largest hex id (0x64) match nothing, and
  // smaller ones pair with the wrong message: the conversion is what matched them.
  EXPECT_EQ(matchReceipts(run.handler, IdFormat::AsIs).unmatchedIds.size(), 36u);
}

}  // namespace
}  // namespace mfigw::interop
