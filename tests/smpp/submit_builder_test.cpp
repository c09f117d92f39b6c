// buildSubmits: the text's encoding decides data_coding, long text becomes UDH parts with
// UDHI set (or SAR TLVs, or one message_payload), and every part is addressed alike.
#include "smpp/submit_builder.hpp"

#include <gtest/gtest.h>

namespace mfigw::smpp {
namespace {

SubmitTemplate base() {
  SubmitTemplate t;
  t.source = {5, 0, "MFI"};
  return t;
}

TEST(SubmitBuilder, ShortGsmTextIsOnePduWithReceiptRequested) {
  auto built = buildSubmits(base(), "254711000001", "Your payment of KES 500 is due", 7);
  ASSERT_TRUE(built);
  ASSERT_EQ(built->parts.size(), 1u);
  const SubmitSm& pdu = built->parts[0];
  EXPECT_EQ(built->encoding, TextEncoding::Gsm7);
  EXPECT_EQ(pdu.dataCoding, 0);
  EXPECT_EQ(pdu.esmClass, 0);
  EXPECT_EQ(pdu.registeredDelivery, 1);
  EXPECT_EQ(pdu.destination.addr, "254711000001");
  EXPECT_EQ(pdu.destination.ton, 1);
  EXPECT_EQ(pdu.source.addr, "MFI");
  EXPECT_EQ(pdu.shortMessage, "Your payment of KES 500 is due");
}

TEST(SubmitBuilder, LongTextIsSplitWithUdhAndTheUdhiBit) {
  const std::string text(400, 'a');  // 153 + 153 + 94 septets
  auto built = buildSubmits(base(), "254711000001", text, 0x1234);
  ASSERT_TRUE(built);
  ASSERT_EQ(built->parts.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const SubmitSm& pdu = built->parts[i];
    EXPECT_EQ(pdu.esmClass & 0x40, 0x40);
    ASSERT_GE(pdu.shortMessage.size(), 6u);
    EXPECT_EQ(static_cast<unsigned char>(pdu.shortMessage[3]), 0x34);   // 8-bit reference
    EXPECT_EQ(static_cast<unsigned char>(pdu.shortMessage[4]), 3);      // parts
    EXPECT_EQ(static_cast<unsigned char>(pdu.shortMessage[5]), i + 1);  // this part
  }
  EXPECT_EQ(built->parts[2].shortMessage.size(), 6u + 94u);
}

TEST(SubmitBuilder, ArabicGoesAsUcs2AndSpanishCanBeTransliterated) {
  auto arabic = buildSubmits(base(), "254711000001", "قرضك مستحق", 1);
  ASSERT_TRUE(arabic);
  EXPECT_EQ(arabic->encoding, TextEncoding::Ucs2);
  EXPECT_EQ(arabic->parts[0].dataCoding, 8);

  SubmitTemplate t = base();
  auto plain = buildSubmits(t, "254711000001", "Su cuota vence el día 5", 1);
  EXPECT_EQ(plain->encoding, TextEncoding::Ucs2);  // í is not in GSM 03.38
  t.encoding.transliterate = true;
  auto folded = buildSubmits(t, "254711000001", "Su cuota vence el día 5", 1);
  EXPECT_EQ(folded->encoding, TextEncoding::Gsm7);
  EXPECT_TRUE(folded->transliterated);
}

TEST(SubmitBuilder, SarModePutsTheConcatenationInTlvs) {
  SubmitTemplate t = base();
  t.split = SplitMode::Sar;
  auto built = buildSubmits(t, "254711000001", std::string(200, 'b'), 42);
  ASSERT_TRUE(built);
  ASSERT_EQ(built->parts.size(), 2u);
  EXPECT_EQ(built->parts[1].esmClass & 0x40, 0);
  EXPECT_EQ(built->parts[1].tlvs.sarMsgRefNum(), 42);
  EXPECT_EQ(built->parts[1].tlvs.sarTotalSegments(), 2);
  EXPECT_EQ(built->parts[1].tlvs.sarSegmentSeqnum(), 2);
}

TEST(SubmitBuilder, PayloadModeSendsOnePduWithMessagePayload) {
  SubmitTemplate t = base();
  t.split = SplitMode::Payload;
  auto built = buildSubmits(t, "254711000001", std::string(500, 'c'), 1);
  ASSERT_TRUE(built);
  ASSERT_EQ(built->parts.size(), 1u);
  EXPECT_TRUE(built->parts[0].shortMessage.empty());
  EXPECT_EQ(built->parts[0].tlvs.messagePayload()->size(), 500u);
}

TEST(SubmitBuilder, InvalidUtf8IsAnErrorNotAPdu) {
  auto built = buildSubmits(base(), "254711000001", std::string("ok\xff"), 1);
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error(), TextError::InvalidUtf8);
}

}  // namespace
}  // namespace mfigw::smpp
