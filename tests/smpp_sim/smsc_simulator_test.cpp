// Tests of the sans-I/O SmscSimulator, driven with bytes made by our own encode() and a fake
// clock.
#include "smpp/sim/smsc_simulator.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "smpp/codec.hpp"
#include "smpp/delivery_receipt.hpp"

namespace mfigw::smpp::sim {
namespace {

using namespace std::chrono_literals;

class SimTest : public ::testing::Test {
 protected:
  SimulatorOptions baseOptions() {
    SimulatorOptions o;
    o.accounts = {{"mfi", "secret"}};
    o.wallClock = [](TimePoint) {
      // 2024-03-05 14:07:00 UTC
      return std::chrono::system_clock::time_point(std::chrono::seconds(1709647620));
    };
    return o;
  }

  // All PDUs written to `conn` by these actions, decoded.
  static std::vector<Pdu> written(const Actions& actions, ConnectionId conn) {
    std::vector<Pdu> pdus;
    for (const auto& a : actions) {
      if (const auto* w = std::get_if<action::Write>(&a); w && w->connection == conn) {
        Framer f;
        for (const auto& raw : f.feed(w->bytes).pdus) {
          DecodeResult r = decode(raw);
          EXPECT_TRUE(r.ok());
          if (r.ok()) pdus.push_back(r.pdu());
        }
      }
    }
    return pdus;
  }
  static bool closes(const Actions& actions, ConnectionId conn) {
    for (const auto& a : actions) {
      if (const auto* c = std::get_if<action::Close>(&a); c && c->connection == conn) return true;
    }
    return false;
  }

  Actions send(SmscSimulator& sim, ConnectionId conn, const Pdu& pdu) {
    return sim.onBytes(conn, encode(pdu), now_);
  }

  ConnectionId bound(SmscSimulator& sim, const std::string& pw = "secret") {
    const ConnectionId c = sim.accept(now_);
    BindTransceiver b;
    b.sequenceNumber = 1;
    b.systemId = "mfi";
    b.password = pw;
    const auto pdus = written(send(sim, c, b), c);
    EXPECT_EQ(pdus.size(), 1U);
    return c;
  }

  static SubmitSm submit(std::uint32_t seq, std::uint8_t registered = 1) {
    SubmitSm s;
    s.sequenceNumber = seq;
    s.source.addr = "MFI";
    s.destination.addr = "254700000001";
    s.registeredDelivery = registered;
    s.shortMessage = "Your loan repayment of KES 500 is due tomorrow";
    return s;
  }

  TimePoint now_ = TimePoint(std::chrono::hours(1000));
};

TEST_F(SimTest, BindOkAndRejections) {
  SmscSimulator sim(baseOptions());
  const ConnectionId c = sim.accept(now_);
  BindTransceiver b;
  b.sequenceNumber = 7;
  b.systemId = "mfi";
  b.password = "wrong";
  auto pdus = written(send(sim, c, b), c);
  ASSERT_EQ(pdus.size(), 1U);
  EXPECT_EQ(std::get<BindTransceiverResp>(pdus[0]).commandStatus, CommandStatus::InvPaswd);
  EXPECT_EQ(std::get<BindTransceiverResp>(pdus[0]).sequenceNumber, 7U);

  b.systemId = "nobody";
  pdus = written(send(sim, c, b), c);
  EXPECT_EQ(std::get<BindTransceiverResp>(pdus.at(0)).commandStatus, CommandStatus::InvSysId);

  // Not bound yet: submit refused.
  pdus = written(send(sim, c, submit(8)), c);
  EXPECT_EQ(std::get<SubmitSmResp>(pdus.at(0)).commandStatus, CommandStatus::InvBndSts);

  b.systemId = "mfi";
  b.password = "secret";
  pdus = written(send(sim, c, b), c);
  const auto& ok = std::get<BindTransceiverResp>(pdus.at(0));
  EXPECT_EQ(ok.commandStatus, CommandStatus::Ok);
  EXPECT_EQ(ok.systemId, "mfismsc");
  EXPECT_EQ(sim.counters().binds, 1U);
  EXPECT_EQ(sim.counters().bindRejections, 2U);
  EXPECT_EQ(sim.boundConnections(), 1U);

  EnquireLink e;
  e.sequenceNumber = 9;
  pdus = written(send(sim, c, e), c);
  EXPECT_EQ(std::get<EnquireLinkResp>(pdus.at(0)).sequenceNumber, 9U);

  Unbind u;
  u.sequenceNumber = 10;
  const Actions acts = send(sim, c, u);
  pdus = written(acts, c);
  EXPECT_EQ(std::get<UnbindResp>(pdus.at(0)).commandStatus, CommandStatus::Ok);
  EXPECT_TRUE(closes(acts, c));
  EXPECT_EQ(sim.openConnections(), 0U);
  EXPECT_EQ(sim.counters().unbinds, 1U);
  EXPECT_EQ(sim.received().size(), 6U);
}

TEST_F(SimTest, SubmitGetsRespThenReceiptAfterDelay) {
  SimulatorOptions o = baseOptions();
  o.receiptDelay = 2s;
  o.messageIdFormat = MessageIdFormat::Hex;
  o.firstMessageId = 255;
  SmscSimulator sim(o);
  const ConnectionId c = bound(sim);
  const Actions acts = send(sim, c, submit(2));
  auto pdus = written(acts, c);
  ASSERT_EQ(pdus.size(), 1U);
  const auto& resp = std::get<SubmitSmResp>(pdus[0]);
  EXPECT_EQ(resp.commandStatus, CommandStatus::Ok);
  EXPECT_EQ(resp.messageId, "FF");
  ASSERT_TRUE(sim.nextTimer());
  EXPECT_EQ(*sim.nextTimer(), now_ + 2s);
  bool armed = false;
  for (const auto& a : acts)
    armed |= std::holds_alternative<action::ArmTimer>(a);
  EXPECT_TRUE(armed);

  // Early: nothing.
  EXPECT_TRUE(written(sim.onTimer(now_ + 1s), c).empty());
  pdus = written(sim.onTimer(now_ + 2s), c);
  ASSERT_EQ(pdus.size(), 1U);
  const auto& dr = std::get<DeliverSm>(pdus[0]);
  EXPECT_EQ(dr.esmClass, 0x04);
  EXPECT_EQ(dr.destination.addr, "MFI");
  EXPECT_EQ(dr.source.addr, "254700000001");
  EXPECT_EQ(dr.shortMessage,
            "id:FF sub:001 dlvrd:001 submit date:2403051407 done date:2403051407 stat:DELIVRD "
            "err:000 text:Your loan repayment ");
  EXPECT_EQ(dr.tlvs.receiptedMessageId(), "FF");
  EXPECT_EQ(dr.tlvs.messageState(), static_cast<std::uint8_t>(MessageState::Delivered));
  const auto parsed = parseReceiptText(dr.shortMessage);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->state, MessageState::Delivered);
  EXPECT_EQ(sim.counters().receiptsSent, 1U);
  EXPECT_EQ(sim.unacknowledgedDeliveries(), 1U);

  DeliverSmResp ack = makeResponse(dr, CommandStatus::Ok);
  EXPECT_TRUE(written(send(sim, c, ack), c).empty());
  EXPECT_EQ(sim.counters().receiptsAcked, 1U);
  EXPECT_EQ(sim.unacknowledgedDeliveries(), 0U);
  EXPECT_FALSE(sim.nextTimer());

  // No receipt asked for: none scheduled.
  send(sim, c, submit(3, 0));
  EXPECT_FALSE(sim.nextTimer());
  EXPECT_EQ(sim.counters().respsWithStatus(CommandStatus::Ok), 2U);
}

TEST_F(SimTest, UnacknowledgedOrRefusedReceiptsAreOfferedAgain) {
  SimulatorOptions o = baseOptions();
  o.receiptRetry = 1s;
  SmscSimulator sim(o);
  const ConnectionId c = bound(sim);
  send(sim, c, submit(2));
  auto pdus = written(sim.onTimer(now_), c);
  ASSERT_EQ(pdus.size(), 1U);
  const DeliverSm first = std::get<DeliverSm>(pdus[0]);

  // Refused (the ESME could not store it): offered again a second later.
  send(sim, c, makeResponse(first, CommandStatus::MsgQFul));
  EXPECT_TRUE(written(sim.onTimer(now_ + 500ms), c).empty());
  pdus = written(sim.onTimer(now_ + 1s), c);
  ASSERT_EQ(pdus.size(), 1U);
  EXPECT_EQ(std::get<DeliverSm>(pdus[0]).tlvs.receiptedMessageId(),
            first.tlvs.receiptedMessageId());

  // The link dies before the answer: the next bind gets it.
  sim.onClosed(c, now_ + 1s);
  for (const auto& a : sim.onTimer(now_ + 2s))  // nobody bound: kept, not dropped
    EXPECT_FALSE(std::holds_alternative<action::Write>(a));
  EXPECT_TRUE(sim.nextTimer());
  const ConnectionId again = bound(sim);
  pdus = written(sim.onTimer(now_ + 3s), again);
  ASSERT_EQ(pdus.size(), 1U);
  const DeliverSm last = std::get<DeliverSm>(pdus[0]);
  EXPECT_EQ(last.tlvs.receiptedMessageId(), first.tlvs.receiptedMessageId());
  send(sim, again, makeResponse(last, CommandStatus::Ok));
  EXPECT_EQ(sim.counters().receiptsAcked, 1U);
  EXPECT_GE(sim.counters().receiptsRetried, 3U);
  EXPECT_FALSE(sim.nextTimer());  // acknowledged: nothing more to offer
}

TEST_F(SimTest, ReceiptOutcomeAndRatio) {
  SimulatorOptions o = baseOptions();
  o.receiptOutcome = MessageState::Undeliverable;
  SmscSimulator sim(o);
  const ConnectionId c = bound(sim);
  send(sim, c, submit(2));
  auto pdus = written(sim.onTimer(now_), c);
  ASSERT_EQ(pdus.size(), 1U);
  auto r = parseReceiptText(std::get<DeliverSm>(pdus[0]).shortMessage);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->state, MessageState::Undeliverable);
  EXPECT_EQ(r->delivered, 0);

  sim.setReceiptOutcome(MessageState::Expired, 0.5);
  int delivered = 0;
  int expired = 0;
  for (std::uint32_t i = 0; i < 10; ++i)
    send(sim, c, submit(10 + i));
  for (const auto& p : written(sim.onTimer(now_), c)) {
    const auto st = std::get<DeliverSm>(p).tlvs.messageState();
    if (st == static_cast<std::uint8_t>(MessageState::Delivered)) ++delivered;
    if (st == static_cast<std::uint8_t>(MessageState::Expired)) ++expired;
  }
  EXPECT_EQ(delivered, 5);
  EXPECT_EQ(expired, 5);
}

TEST_F(SimTest, ThrottleByTpsAndByCommand) {
  SimulatorOptions o = baseOptions();
  o.throttleTps = 2;
  SmscSimulator sim(o);
  const ConnectionId c = bound(sim);
  std::vector<CommandStatus> st;
  for (std::uint32_t i = 0; i < 3; ++i) {
    st.push_back(
        std::get<SubmitSmResp>(written(send(sim, c, submit(2 + i, 0)), c).at(0)).commandStatus);
  }
  EXPECT_EQ(st, (std::vector<CommandStatus>{CommandStatus::Ok, CommandStatus::Ok,
                                            CommandStatus::Throttled}));
  now_ += 1s;  // the bucket refills
  EXPECT_EQ(std::get<SubmitSmResp>(written(send(sim, c, submit(9, 0)), c).at(0)).commandStatus,
            CommandStatus::Ok);

  sim.setThrottleTps(0, now_);
  sim.throttleNext(2);
  st.clear();
  for (std::uint32_t i = 0; i < 3; ++i) {
    st.push_back(
        std::get<SubmitSmResp>(written(send(sim, c, submit(20 + i, 0)), c).at(0)).commandStatus);
  }
  EXPECT_EQ(st, (std::vector<CommandStatus>{CommandStatus::Throttled, CommandStatus::Throttled,
                                            CommandStatus::Ok}));
  EXPECT_EQ(sim.counters().respsWithStatus(CommandStatus::Throttled), 3U);
}

TEST_F(SimTest, FailNextK) {
  SmscSimulator sim(baseOptions());
  const ConnectionId c = bound(sim);
  sim.failNext(2, CommandStatus::MsgQFul);
  std::vector<CommandStatus> st;
  for (std::uint32_t i = 0; i < 3; ++i) {
    st.push_back(
        std::get<SubmitSmResp>(written(send(sim, c, submit(2 + i)), c).at(0)).commandStatus);
  }
  EXPECT_EQ(st, (std::vector<CommandStatus>{CommandStatus::MsgQFul, CommandStatus::MsgQFul,
                                            CommandStatus::Ok}));
  // Only the accepted one gets a receipt.
  EXPECT_EQ(written(sim.onTimer(now_), c).size(), 1U);
}

TEST_F(SimTest, DropAfterMSubmits) {
  SmscSimulator sim(baseOptions());
  const ConnectionId c = bound(sim);
  sim.dropAfter(2);
  Actions a = send(sim, c, submit(2, 0));
  EXPECT_FALSE(closes(a, c));
  a = send(sim, c, submit(3, 0));
  ASSERT_EQ(written(a, c).size(), 1U);  // answered, then closed
  EXPECT_TRUE(closes(a, c));
  EXPECT_EQ(sim.openConnections(), 0U);

  // dropAfter(0): the next submit closes its link unanswered.
  const ConnectionId c2 = bound(sim);
  sim.dropAfter(0);
  a = send(sim, c2, submit(2, 0));
  EXPECT_TRUE(written(a, c2).empty());
  EXPECT_TRUE(closes(a, c2));
  EXPECT_EQ(sim.counters().submits, 3U);
}

TEST_F(SimTest, SilentAndDelayedResponses) {
  SmscSimulator sim(baseOptions());
  const ConnectionId c = bound(sim);
  sim.setAnswering(false);
  EXPECT_TRUE(written(send(sim, c, submit(2)), c).empty());
  EXPECT_EQ(sim.received().size(), 2U);
  sim.setAnswering(true);
  sim.setResponseDelay(500ms);
  EXPECT_TRUE(written(send(sim, c, submit(3, 0)), c).empty());
  EXPECT_TRUE(written(sim.onTimer(now_ + 499ms), c).empty());
  const auto pdus = written(sim.onTimer(now_ + 500ms), c);
  ASSERT_EQ(pdus.size(), 1U);
  EXPECT_EQ(std::get<SubmitSmResp>(pdus[0]).sequenceNumber, 3U);
}

TEST_F(SimTest, MoInjectionAndAckAccounting) {
  SmscSimulator sim(baseOptions());
  // Nobody bound: nothing sent.
  Injection none = sim.injectMo({"254700000002", "22384", "BAL", 0, ""}, now_);
  EXPECT_FALSE(none.connection);
  EXPECT_TRUE(none.actions.empty());

  const ConnectionId c = bound(sim);
  std::vector<std::uint32_t> seqs;
  for (int i = 0; i < 3; ++i) {
    Injection inj = sim.injectMo({"254700000002", "22384", "BAL", 0, ""}, now_);
    ASSERT_EQ(inj.connection, c);
    const auto pdus = written(inj.actions, c);
    ASSERT_EQ(pdus.size(), 1U);
    const auto& d = std::get<DeliverSm>(pdus[0]);
    EXPECT_EQ(d.shortMessage, "BAL");
    EXPECT_EQ(d.source.addr, "254700000002");
    EXPECT_EQ(d.esmClass, 0);
    seqs.push_back(d.sequenceNumber);
  }
  EXPECT_EQ(sim.counters().moSent, 3U);
  DeliverSmResp ack;
  ack.sequenceNumber = seqs[0];
  send(sim, c, ack);
  ack.sequenceNumber = seqs[0];  // a duplicate is not counted twice
  send(sim, c, ack);
  ack.sequenceNumber = seqs[1];
  ack.commandStatus = CommandStatus::XTAppn;
  send(sim, c, ack);
  EXPECT_EQ(sim.counters().moAcked, 1U);
  EXPECT_EQ(sim.counters().deliverRespErrors, 1U);
  EXPECT_EQ(sim.unacknowledgedDeliveries(), 2U);
  sim.onClosed(c, now_);
  EXPECT_EQ(sim.unacknowledgedDeliveries(), 2U);
  ASSERT_EQ(sim.sentDeliveries().size(), 3U);
  EXPECT_FALSE(sim.sentDeliveries()[2].ackStatus);
}

TEST_F(SimTest, UssdDialogStartAndReplyRecording) {
  SmscSimulator sim(baseOptions());
  const ConnectionId c = bound(sim);
  const std::string session("\x12\x34", 2);
  Injection start = sim.startUssd("254700000003", "*384#", session, now_);
  auto pdus = written(start.actions, c);
  ASSERT_EQ(pdus.size(), 1U);
  const auto& d = std::get<DeliverSm>(pdus[0]);
  EXPECT_EQ(d.serviceType, "USSD");
  EXPECT_EQ(d.tlvs.ussdServiceOp(), 0x01);
  EXPECT_EQ(d.tlvs.itsSessionInfo(), session);
  EXPECT_EQ(d.shortMessage, "*384#");

  // The gateway answers with a menu (op 0x02, continue).
  SubmitSm menu;
  menu.sequenceNumber = 5;
  menu.serviceType = "USSD";
  menu.destination.addr = "254700000003";
  menu.shortMessage = "1. Balance\n2. Repay";
  menu.tlvs.setUssdServiceOp(0x02);
  menu.tlvs.setItsSessionInfo(session);
  pdus = written(send(sim, c, menu), c);
  EXPECT_EQ(std::get<SubmitSmResp>(pdus.at(0)).commandStatus, CommandStatus::Ok);
  ASSERT_EQ(sim.ussdReplies().size(), 1U);
  EXPECT_EQ(sim.ussdReplies()[0].op, 0x02);
  EXPECT_EQ(sim.ussdReplies()[0].msisdn, "254700000003");
  EXPECT_EQ(sim.ussdReplies()[0].text, "1. Balance\n2. Repay");
  EXPECT_EQ(sim.ussdReplies()[0].sessionInfo, session);

  // The phone answers "1" (op 0x12, same session).
  Injection input = sim.ussdInput("254700000003", "*384#", "1", session, now_);
  pdus = written(input.actions, c);
  const auto& in = std::get<DeliverSm>(pdus.at(0));
  EXPECT_EQ(in.tlvs.ussdServiceOp(), 0x12);
  EXPECT_EQ(in.shortMessage, "1");
  EXPECT_EQ(in.tlvs.itsSessionInfo(), session);

  menu.sequenceNumber = 6;
  menu.shortMessage = "Balance: KES 1,200";
  menu.tlvs.setUssdServiceOp(0x11);
  send(sim, c, menu);
  ASSERT_EQ(sim.ussdReplies().size(), 2U);
  EXPECT_EQ(sim.ussdReplies()[1].op, 0x11);
}

TEST_F(SimTest, UssdInTheUserMessageReferenceDialectWithDataSmReplies) {
  SimulatorOptions o = baseOptions();
  o.ussd = *ussdDialectNamed("user_message_reference");
  EXPECT_FALSE(ussdDialectNamed("tata"));
  SmscSimulator sim(o);
  const ConnectionId c = bound(sim);
  const std::string session("\x00\x2a", 2);
  auto pdus = written(sim.startUssd("254700000003", "*384#", session, now_).actions, c);
  const auto& d = std::get<DeliverSm>(pdus.at(0));
  EXPECT_EQ(d.tlvs.ussdServiceOp(), 0x01);
  EXPECT_EQ(d.tlvs.userMessageReference(), 0x2a);
  EXPECT_FALSE(d.tlvs.itsSessionInfo());

  // The gateway answers as data_sm, text in message_payload.
  DataSm menu;
  menu.sequenceNumber = 5;
  menu.serviceType = "USSD";
  menu.destination.addr = "254700000003";
  menu.dataCoding = 8;
  menu.tlvs.setUssdServiceOp(0x02);
  menu.tlvs.setMessagePayload(std::string("\0H\0i", 4));
  menu.tlvs.setUserMessageReference(0x2a);
  pdus = written(send(sim, c, menu), c);
  EXPECT_EQ(std::get<DataSmResp>(pdus.at(0)).commandStatus, CommandStatus::Ok);
  ASSERT_EQ(sim.ussdReplies().size(), 1U);
  const UssdReply& r = sim.ussdReplies()[0];
  EXPECT_EQ(r.command, CommandId::DataSm);
  EXPECT_EQ(r.text, std::string("\0H\0i", 4));
  EXPECT_EQ(r.dataCoding, 8);
  EXPECT_EQ(r.userMessageReference, session);
  EXPECT_EQ(r.sessionInfo, "");

  // Any op code, e.g. a vendor abort.
  pdus = written(sim.ussdOp("254700000003", "*384#", "", 0x81, session, now_).actions, c);
  EXPECT_EQ(std::get<DeliverSm>(pdus.at(0)).tlvs.ussdServiceOp(), 0x81);
}

TEST_F(SimTest, RedeliversAUssdDeliverByteForByte) {
  SmscSimulator sim(baseOptions());
  const ConnectionId c = bound(sim);
  const std::string session("\x07\x00", 2);
  const Injection first = sim.ussdInput("254700000003", "*384#", "4321", session, now_);
  const std::size_t index = sim.sentDeliveries().size() - 1;
  const Injection again = sim.redeliverUssd(index, now_);
  ASSERT_EQ(again.connection, c);
  EXPECT_EQ(again.sequenceNumber, first.sequenceNumber);
  EXPECT_EQ(std::get<action::Write>(again.actions.at(0)).bytes,
            std::get<action::Write>(first.actions.at(0)).bytes);
  ASSERT_EQ(sim.sentDeliveries().size(), index + 2);
  // Not a USSD delivery: nothing is sent.
  EXPECT_FALSE(sim.redeliverUssd(index + 5, now_).connection);

  // Its link is gone: a new bind gets it under a sequence number of its own.
  sim.onClosed(c, now_);
  const ConnectionId c2 = bound(sim);
  const Injection later = sim.redeliverUssd(index, now_);
  ASSERT_EQ(later.connection, c2);
  const auto pdus = written(later.actions, c2);
  const auto& d = std::get<DeliverSm>(pdus.at(0));
  EXPECT_EQ(d.shortMessage, "4321");
  EXPECT_EQ(d.tlvs.itsSessionInfo(), session);
  EXPECT_EQ(d.tlvs.ussdServiceOp(), 0x12);
}

TEST_F(SimTest, SendsEnquireLinkWhenIdle) {
  SimulatorOptions o = baseOptions();
  o.enquireLinkInterval = 30s;
  SmscSimulator sim(o);
  const ConnectionId c = bound(sim);
  ASSERT_TRUE(sim.nextTimer());
  // Activity at +20s pushes the keep-alive to +50s.
  now_ += 20s;
  EnquireLink e;
  e.sequenceNumber = 3;
  send(sim, c, e);
  EXPECT_TRUE(written(sim.onTimer(now_ + 10s), c).empty());
  const auto pdus = written(sim.onTimer(now_ + 30s), c);
  ASSERT_EQ(pdus.size(), 1U);
  EXPECT_TRUE(std::holds_alternative<EnquireLink>(pdus[0]));
  EXPECT_EQ(sim.counters().enquireLinksSent, 1U);
}

TEST_F(SimTest, GarbageGetsGenericNackAndFramingErrorCloses) {
  SmscSimulator sim(baseOptions());
  const ConnectionId c = sim.accept(now_);
  // A well-framed PDU with an unknown command id.
  const std::string unknown("\x00\x00\x00\x10\x00\x00\x00\x77\x00\x00\x00\x00\x00\x00\x00\x05", 16);
  auto pdus = written(sim.onBytes(c, unknown, now_), c);
  ASSERT_EQ(pdus.size(), 1U);
  EXPECT_TRUE(std::holds_alternative<GenericNack>(pdus[0]));
  const std::string broken("\x00\x00\x00\x02", 4);
  EXPECT_TRUE(closes(sim.onBytes(c, broken, now_), c));
  EXPECT_EQ(sim.openConnections(), 0U);
}

}  // namespace
}  // namespace mfigw::smpp::sim
