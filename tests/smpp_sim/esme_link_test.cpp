// EsmeLink (Session + real sockets) against the simulator on 127.0.0.1: every submit is
// acknowledged, every receipt matches its message, and a link dropped mid-window loses
// nothing.
#include "smpp/esme_link.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <set>

#include "smpp/delivery_receipt.hpp"
#include "smpp/sim/sim_server.hpp"

namespace mfigw::smpp {
namespace {

using namespace std::chrono_literals;

// Records what the link reports and answers receipts at once (nothing to commit here).
class RecordingHandler final : public LinkHandler {
 public:
  std::shared_ptr<EsmeLink> link;
  std::map<std::uint64_t, std::string> acked;  // localId -> SMSC message id (last)
  std::size_t ackCount = 0;
  std::size_t failures = 0;
  std::vector<DeliveryReceipt> receipts;
  std::size_t binds = 0;

  void onDeliver(std::variant<DeliverSm, DataSm> pdu) override {
    const auto& deliver = std::get<DeliverSm>(pdu);
    if ((deliver.esmClass & 0x04) != 0) {
      ReceiptTlvs tlvs;
      tlvs.receiptedMessageId = deliver.tlvs.receiptedMessageId();
      tlvs.messageState = deliver.tlvs.messageState();
      if (auto receipt = parseReceipt(deliver.shortMessage, tlvs)) receipts.push_back(*receipt);
    }
    link->acknowledge(deliver.sequenceNumber, CommandStatus::Ok);
  }
  void onSubmitAcked(std::uint64_t localId, const std::string& smscMessageId) override {
    acked[localId] = smscMessageId;
    ++ackCount;
  }
  void onSubmitFailed(std::uint64_t, CommandStatus, bool) override { ++failures; }
  void onRequeue(std::vector<OutgoingMessage>) override {}
  void onStateChanged(SessionState, SessionState to) override {
    if (to == SessionState::Bound) ++binds;
  }
  void onBindRejected(CommandStatus, bool) override {}
  void onEvent(EventKind, const std::string&) override {}
};

SubmitSm textMessage(std::uint64_t i) {
  SubmitSm pdu;
  pdu.source = {5, 0, "MFI"};
  pdu.destination = {1, 1, "2547123" + std::to_string(10000 + i)};
  pdu.registeredDelivery = 1;
  pdu.shortMessage = "Reminder " + std::to_string(i);
  return pdu;
}

struct Harness {
  sim::SimServer sim;
  boost::asio::io_context io;
  RecordingHandler handler;

  explicit Harness(sim::SimulatorOptions options) : sim(std::move(options)) {
    sim.start();
    SessionOptions session;
    session.systemId = "mfi";
    session.password = "secret";
    session.window = 10;
    session.tps = 100000;
    session.reconnectMin = 20ms;
    session.reconnectMax = 200ms;
    session.responseTimeout = 5s;
    handler.link = EsmeLink::create(io, {"127.0.0.1", sim.port()}, session, handler);
  }
  ~Harness() { sim.stop(); }

  // Runs the loop until `done` holds or the deadline passes (bounded: no test hangs).
  bool runUntil(const std::function<bool()>& done, std::chrono::seconds limit = 60s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.run_for(20ms);
      io.restart();
    }
    return done();
  }
};

sim::SimulatorOptions oneAccount() {
  sim::SimulatorOptions options;
  options.accounts.push_back({"mfi", "secret"});
  return options;
}

TEST(EsmeLink, ThousandSubmitsAtWindowTenAreAllAcknowledgedAndReceiptsMatch) {
  Harness h(oneAccount());
  h.handler.link->start();
  constexpr std::uint64_t kCount = 1000;
  for (std::uint64_t i = 1; i <= kCount; ++i)
    h.handler.link->submit({i, textMessage(i)});
  ASSERT_TRUE(h.runUntil([&] {
    return h.handler.acked.size() == kCount && h.handler.receipts.size() == kCount;
  })) << "acked "
      << h.handler.acked.size() << " receipts " << h.handler.receipts.size();
  EXPECT_EQ(h.handler.failures, 0u);
  EXPECT_EQ(h.handler.ackCount, kCount);  // no duplicates on a healthy link

  std::set<std::string> submitted;
  for (const auto& [id, smscId] : h.handler.acked)
    submitted.insert(smscId);
  EXPECT_EQ(submitted.size(), kCount);  // the SMSC gave each message its own id
  std::set<std::string> matched;
  for (const DeliveryReceipt& r : h.handler.receipts) {
    EXPECT_TRUE(submitted.count(r.messageId)) << "receipt for unknown id " << r.messageId;
    EXPECT_EQ(r.state, MessageState::Delivered);
    matched.insert(r.messageId);
  }
  EXPECT_EQ(matched.size(), kCount);

  h.handler.link->stop();
  EXPECT_TRUE(h.runUntil([&] { return h.handler.link->state() == SessionState::Idle; }, 10s));
}

TEST(EsmeLink, LinkDroppedMidWindowLosesNothing) {
  Harness h(oneAccount());
  h.sim.dropAfter(500);  // the SMSC cuts the TCP link after its 500th submit
  h.handler.link->start();
  constexpr std::uint64_t kCount = 1000;
  for (std::uint64_t i = 1; i <= kCount; ++i)
    h.handler.link->submit({i, textMessage(i)});
  ASSERT_TRUE(h.runUntil([&] { return h.handler.acked.size() == kCount; }))
      << "acked " << h.handler.acked.size();
  EXPECT_GE(h.handler.binds, 2u) << "the link never dropped";
  EXPECT_EQ(h.handler.failures, 0u);
  // At-least-once: what was in flight when the link dropped may be acknowledged twice, never
  // more than one window's worth.
  EXPECT_LE(h.handler.ackCount - kCount, 10u);
}

TEST(EsmeLink, WrongPasswordRaisesTheAlarmAndStopsRetrying) {
  Harness h(oneAccount());
  struct Alarm final : LinkHandler {
    std::optional<bool> credentials;
    void onDeliver(std::variant<DeliverSm, DataSm>) override {}
    void onSubmitAcked(std::uint64_t, const std::string&) override {}
    void onSubmitFailed(std::uint64_t, CommandStatus, bool) override {}
    void onRequeue(std::vector<OutgoingMessage>) override {}
    void onStateChanged(SessionState, SessionState) override {}
    void onBindRejected(CommandStatus, bool c) override { credentials = c; }
    void onEvent(EventKind, const std::string&) override {}
  } alarm;
  SessionOptions session;
  session.systemId = "mfi";
  session.password = "wrong";
  auto link = EsmeLink::create(h.io, {"127.0.0.1", h.sim.port()}, session, alarm);
  link->start();
  ASSERT_TRUE(h.runUntil([&] { return alarm.credentials.has_value(); }, 10s));
  EXPECT_TRUE(*alarm.credentials);
  EXPECT_EQ(link->state(), SessionState::Idle);
}

}  // namespace
}  // namespace mfigw::smpp
