#include "smpp/pdu.hpp"

#include <gtest/gtest.h>

namespace mfigw::smpp {
namespace {

TEST(PduTlvs, TypedAccessorsCheckLength) {
  Tlvs t;
  t.setUssdServiceOp(0x12);
  t.setUserMessageReference(0xBEEF);
  t.setItsSessionInfo(std::string("\x1C\x01", 2));
  t.setReceiptedMessageId("abc");
  t.setSar(7, 3, 2);
  t.add(tlv_tag::kMessageState, "toolong");
  EXPECT_EQ(t.ussdServiceOp(), 0x12);
  EXPECT_EQ(t.userMessageReference(), 0xBEEF);
  EXPECT_EQ(t.itsSessionInfo(), std::string("\x1C\x01", 2));
  EXPECT_EQ(t.receiptedMessageId(), "abc");
  EXPECT_EQ(t.find(tlv_tag::kReceiptedMessageId)->value, std::string("abc\0", 4));
  EXPECT_EQ(t.sarMsgRefNum(), 7);
  EXPECT_EQ(t.sarTotalSegments(), 3);
  EXPECT_EQ(t.sarSegmentSeqnum(), 2);
  EXPECT_FALSE(t.messageState().has_value());  // wrong length
  EXPECT_FALSE(t.messagePayload().has_value());
  EXPECT_FALSE(t.networkErrorCode().has_value());
}

TEST(PduResponses, CopySequenceNumber) {
  SubmitSm s;
  s.sequenceNumber = 77;
  const auto r = makeResponse(s, CommandStatus::Throttled);
  EXPECT_EQ(r.sequenceNumber, 77u);
  EXPECT_EQ(r.commandStatus, CommandStatus::Throttled);
  DeliverSm d;
  d.sequenceNumber = 78;
  EXPECT_EQ(makeResponse(d, CommandStatus::Ok).messageId, "");
  const auto any = makeResponse(Pdu{EnquireLink{79, CommandStatus::Ok}}, CommandStatus::Ok);
  ASSERT_TRUE(any.has_value());
  EXPECT_EQ(commandIdOf(*any), CommandId::EnquireLinkResp);
  EXPECT_EQ(sequenceNumberOf(*any), 79u);
  EXPECT_FALSE(makeResponse(Pdu{SubmitSmResp{}}, CommandStatus::Ok).has_value());
  EXPECT_FALSE(makeResponse(Pdu{GenericNack{}}, CommandStatus::Ok).has_value());
}

TEST(PduNames, CommandIdsAndStatuses) {
  EXPECT_EQ(toString(CommandId::DeliverSmResp), "deliver_sm_resp");
  EXPECT_EQ(toString(static_cast<CommandId>(3)), "command_0x00000003");
  EXPECT_FALSE(isKnownCommandId(3));
  EXPECT_TRUE(isResponse(CommandId::GenericNack));
  EXPECT_EQ(toString(CommandStatus::Throttled), "ESME_RTHROTTLED");
  EXPECT_EQ(toString(CommandStatus::XTAppn), "ESME_RX_T_APPN");
  EXPECT_EQ(toString(static_cast<CommandStatus>(0x400)), "ESME_0x00000400");
}

TEST(CommandStatusClass, Classification) {
  EXPECT_EQ(classify(CommandStatus::Ok), StatusClass::Ok);
  for (auto s : {CommandStatus::MsgQFul, CommandStatus::Throttled, CommandStatus::SysErr,
                 CommandStatus::XTAppn, static_cast<CommandStatus>(0x401)}) {
    EXPECT_EQ(classify(s), StatusClass::Transient) << toString(s);
  }
  for (auto s : {CommandStatus::InvDstAdr, CommandStatus::XPAppn, CommandStatus::InvMsgLen}) {
    EXPECT_EQ(classify(s), StatusClass::Permanent) << toString(s);
  }
  for (auto s : {CommandStatus::InvPaswd, CommandStatus::InvSysId, CommandStatus::BindFail}) {
    EXPECT_EQ(classify(s), StatusClass::BindCredentials) << toString(s);
  }
}

}  // namespace
}  // namespace mfigw::smpp
