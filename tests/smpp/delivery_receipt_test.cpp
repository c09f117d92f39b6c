// Tests for delivery-receipt parsing (text and TLV forms), id matching and the multipart
// delivery aggregate.
#include "smpp/delivery_receipt.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mfigw::smpp {
namespace {

TEST(ReceiptText, StandardForm) {
  auto r = parseReceiptText(
      "id:1234567890 sub:001 dlvrd:001 submit date:2611221530 done date:2611221531 "
      "stat:DELIVRD err:000 text:Your payment of 500 was");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->messageId, "1234567890");
  EXPECT_EQ(r->state, MessageState::Delivered);
  EXPECT_TRUE(r->stateKnown);
  EXPECT_EQ(r->error, 0);
  EXPECT_EQ(r->submitted, 1);
  EXPECT_EQ(r->delivered, 1);
  EXPECT_EQ(r->submitDate, (ReceiptDate{2026, 11, 22, 15, 30, std::nullopt}));
  EXPECT_EQ(r->doneDate, (ReceiptDate{2026, 11, 22, 15, 31, std::nullopt}));
  EXPECT_EQ(r->text, "Your payment of 500 was");
}

TEST(ReceiptText, LenientVariants) {
  // Any order, upper-case keys, underscore dates with seconds, text not last, missing sub.
  auto r = parseReceiptText(
      "STAT:undeliv Text:hello world ERR:34 Done_Date:261122153159 ID:0A1B2C "
      "Submit_date:261122153001");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->messageId, "0A1B2C");
  EXPECT_EQ(r->state, MessageState::Undeliverable);
  EXPECT_EQ(r->error, 34);
  EXPECT_EQ(r->text, "hello world");
  EXPECT_EQ(r->doneDate, (ReceiptDate{2026, 11, 22, 15, 31, 59}));
  EXPECT_EQ(r->submitDate, (ReceiptDate{2026, 11, 22, 15, 30, 1}));
  EXPECT_FALSE(r->submitted.has_value());
}

TEST(ReceiptText, TextMayContainKeyWords) {
  auto r = parseReceiptText("id:7 stat:EXPIRED err:0 text:reply stat: id:9 ok");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->messageId, "7");
  EXPECT_EQ(r->state, MessageState::Expired);
  EXPECT_EQ(r->text, "reply stat: id:9 ok");
}

TEST(ReceiptText, MissingAndBadFields) {
  EXPECT_FALSE(parseReceiptText("").has_value());
  EXPECT_FALSE(parseReceiptText("sub:001 stat:DELIVRD").has_value());
  EXPECT_FALSE(parseReceiptText("id: stat:DELIVRD").has_value());
  EXPECT_FALSE(parseReceiptText("hello, I paid yesterday").has_value());
  EXPECT_FALSE(parseReceiptText("paid:id:5").has_value());  // id: not at a word start

  auto r = parseReceiptText("id:abc stat:WEIRD err:zz submit date:2613321530 sub:x");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->messageId, "abc");
  EXPECT_EQ(r->state, MessageState::Unknown);
  EXPECT_FALSE(r->stateKnown);
  EXPECT_FALSE(r->error.has_value());
  EXPECT_FALSE(r->submitDate.has_value());  // month 13
  EXPECT_FALSE(r->submitted.has_value());
  EXPECT_TRUE(r->text.empty());

  auto spaced = parseReceiptText("id: 42 stat: DELIVRD err:0B");
  ASSERT_TRUE(spaced.has_value());
  EXPECT_EQ(spaced->messageId, "42");
  EXPECT_EQ(spaced->state, MessageState::Delivered);
  EXPECT_EQ(spaced->error, 11);  // hex fallback
}

TEST(ReceiptText, EveryStatWord) {
  for (uint8_t code = 1; code <= 8; ++code) {
    const MessageState state = *stateFromCode(code);
    const std::string text = "id:1 stat:" + std::string(statString(state));
    auto r = parseReceiptText(text);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->state, state) << text;
    EXPECT_EQ(static_cast<uint8_t>(state), code);
  }
  EXPECT_EQ(stateFromStat("delivered"), MessageState::Delivered);
  EXPECT_EQ(stateFromStat("REJECTED"), MessageState::Rejected);
  EXPECT_EQ(stateFromStat("nope"), std::nullopt);
  EXPECT_EQ(stateFromCode(0), std::nullopt);
  EXPECT_EQ(stateFromCode(9), std::nullopt);
  EXPECT_EQ(statString(MessageState::Undeliverable), "UNDELIV");
  EXPECT_EQ(toString(MessageState::Accepted), "Accepted");
}

TEST(ReceiptDates, Formats) {
  EXPECT_EQ(parseReceiptDate("2601020304"), (ReceiptDate{2026, 1, 2, 3, 4, std::nullopt}));
  EXPECT_EQ(parseReceiptDate("260102030405"), (ReceiptDate{2026, 1, 2, 3, 4, 5}));
  EXPECT_FALSE(parseReceiptDate("26010203").has_value());
  EXPECT_FALSE(parseReceiptDate("2601020360").has_value());
  EXPECT_FALSE(parseReceiptDate("2600020304").has_value());
  EXPECT_FALSE(parseReceiptDate("26010203a4").has_value());
}

TEST(ReceiptTlv, TlvForm) {
  ReceiptTlvs tlvs;
  tlvs.receiptedMessageId = "0A1B2C";
  tlvs.messageState = 5;
  tlvs.networkErrorCode = std::vector<uint8_t>{0x03, 0x00, 0x22};
  auto r = receiptFromTlvs(tlvs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->messageId, "0A1B2C");
  EXPECT_EQ(r->state, MessageState::Undeliverable);
  EXPECT_EQ(r->error, 0x22);
  EXPECT_EQ(r->networkType, 3);
  EXPECT_FALSE(receiptFromTlvs(ReceiptTlvs{}).has_value());
  ReceiptTlvs badCode{std::string("x"), uint8_t{42}, std::vector<uint8_t>{1, 2}};
  auto bad = receiptFromTlvs(badCode);
  ASSERT_TRUE(bad.has_value());
  EXPECT_FALSE(bad->stateKnown);
  EXPECT_FALSE(bad->error.has_value());
}

TEST(ReceiptTlv, TlvsWinOverText) {
  ReceiptTlvs tlvs;
  tlvs.messageState = 2;
  auto r = parseReceipt("id:99 stat:ENROUTE err:5 text:hi", tlvs);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->messageId, "99");                 // from text
  EXPECT_EQ(r->state, MessageState::Delivered);  // from TLV
  EXPECT_EQ(r->error, 5);
  EXPECT_EQ(r->text, "hi");
  tlvs.receiptedMessageId = "100";
  EXPECT_EQ(parseReceipt("garbage", tlvs)->messageId, "100");
  EXPECT_FALSE(parseReceipt("garbage", ReceiptTlvs{}).has_value());
}

TEST(MessageIds, Normalisation) {
  EXPECT_EQ(normalizeMessageId("0A1B2C", IdFormat::HexToDecimal), "662316");
  EXPECT_EQ(normalizeMessageId("0a1b2c", IdFormat::HexToDecimal), "662316");
  EXPECT_EQ(normalizeMessageId("662316", IdFormat::DecimalToHex), "A1B2C");
  EXPECT_EQ(normalizeMessageId("000", IdFormat::DecimalToHex), "0");
  EXPECT_EQ(normalizeMessageId("FFFFFFFFFFFFFFFF", IdFormat::HexToDecimal), "18446744073709551615");
  // Longer than 64 bits, or not a number in the source base: unchanged.
  EXPECT_EQ(normalizeMessageId("1FFFFFFFFFFFFFFFF", IdFormat::HexToDecimal), "1FFFFFFFFFFFFFFFF");
  EXPECT_EQ(normalizeMessageId("18446744073709551616", IdFormat::DecimalToHex),
            "18446744073709551616");
  EXPECT_EQ(normalizeMessageId("abc-1", IdFormat::HexToDecimal), "abc-1");
  EXPECT_EQ(normalizeMessageId("12AB", IdFormat::DecimalToHex), "12AB");
  EXPECT_EQ(normalizeMessageId(" 0012 ", IdFormat::AsIs), "0012");
  EXPECT_EQ(canonicalMessageId("000a1b"), "A1B");
  EXPECT_EQ(canonicalMessageId("msg-001"), "msg-001");
  EXPECT_EQ(toString(IdFormat::HexToDecimal), "HexToDecimal");
}

TEST(MessageIds, Matching) {
  EXPECT_TRUE(messageIdsMatch("0A1B2C", "662316", IdFormat::HexToDecimal));
  EXPECT_TRUE(messageIdsMatch("0A1B2C", "0000662316", IdFormat::HexToDecimal));
  EXPECT_FALSE(messageIdsMatch("0A1B2C", "662316", IdFormat::AsIs));
  EXPECT_FALSE(messageIdsMatch("0A1B2C", "662317", IdFormat::HexToDecimal));
  EXPECT_TRUE(messageIdsMatch("662316", "000a1b2c", IdFormat::DecimalToHex));
  EXPECT_TRUE(messageIdsMatch("00123", "123", IdFormat::AsIs));
  EXPECT_TRUE(messageIdsMatch("abc-DEF", "abc-DEF", IdFormat::AsIs));
  EXPECT_FALSE(messageIdsMatch("abc-DEF", "abc-def", IdFormat::AsIs));
  EXPECT_TRUE(messageIdsMatch("123456789012345678901234", "123456789012345678901234",
                              IdFormat::DecimalToHex));
  EXPECT_FALSE(messageIdsMatch("", "", IdFormat::AsIs));
}

TEST(DeliveryTracker, DeliveredOnlyWhenAllPartsDelivered) {
  MessageDeliveryTracker t(3);
  EXPECT_EQ(t.aggregate(), AggregateState::Pending);
  EXPECT_EQ(t.record(0, MessageState::Delivered), AggregateState::Pending);
  EXPECT_EQ(t.record(2, MessageState::Delivered), AggregateState::Pending);
  EXPECT_EQ(t.record(1, MessageState::Accepted), AggregateState::Pending);
  EXPECT_EQ(t.record(1, MessageState::Delivered), AggregateState::Delivered);
  EXPECT_EQ(t.partState(1), MessageState::Delivered);
  EXPECT_EQ(t.partState(3), std::nullopt);
}

TEST(DeliveryTracker, FailsAsSoonAsOnePartFails) {
  for (const MessageState failure : {MessageState::Undeliverable, MessageState::Rejected,
                                     MessageState::Expired, MessageState::Deleted}) {
    MessageDeliveryTracker t(2);
    EXPECT_EQ(t.record(1, failure), AggregateState::Failed);
    EXPECT_EQ(t.record(0, MessageState::Delivered), AggregateState::Failed);
  }
  MessageDeliveryTracker unknown(1);
  EXPECT_EQ(unknown.record(0, MessageState::Unknown), AggregateState::Pending);
}

TEST(DeliveryTracker, FinalStateSticksAndBadIndexIgnored) {
  MessageDeliveryTracker t(1);
  t.record(0, MessageState::Delivered);
  EXPECT_EQ(t.record(0, MessageState::Enroute), AggregateState::Delivered);
  EXPECT_EQ(t.record(0, MessageState::Undeliverable), AggregateState::Delivered);
  EXPECT_EQ(t.record(7, MessageState::Rejected), AggregateState::Delivered);
  EXPECT_EQ(t.parts(), 1u);
  EXPECT_EQ(toString(AggregateState::Failed), "Failed");
  EXPECT_TRUE(isFinal(MessageState::Delivered));
  EXPECT_FALSE(isFinal(MessageState::Accepted));
  EXPECT_FALSE(isFailure(MessageState::Unknown));
}

}  // namespace
}  // namespace mfigw::smpp
