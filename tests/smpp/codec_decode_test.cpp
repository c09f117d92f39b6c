// decode() on broken and unusual input: the error names the status and sequence to answer.
#include <gtest/gtest.h>

#include "smpp/codec.hpp"

namespace mfigw::smpp {
namespace {

std::string hdr(std::uint32_t len, std::uint32_t id, std::uint32_t status, std::uint32_t seq) {
  std::string s;
  for (std::uint32_t v : {len, id, status, seq}) {
    for (int shift = 24; shift >= 0; shift -= 8)
      s.push_back(static_cast<char>((v >> shift) & 0xFF));
  }
  return s;
}

std::string withLength(std::string body, std::uint32_t id, std::uint32_t status = 0,
                       std::uint32_t seq = 42) {
  return hdr(static_cast<std::uint32_t>(16 + body.size()), id, status, seq) + body;
}

TEST(CodecDecode, ShortInputHasNoHeader) {
  const auto r = decode(std::string("\x00\x00\x00\x10", 4));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, CommandStatus::InvCmdLen);
  EXPECT_FALSE(r.error().sequenceNumber.has_value());
  EXPECT_EQ(makeGenericNack(r.error()).sequenceNumber, 0u);
}

TEST(CodecDecode, LengthMismatchIsInvCmdLen) {
  const auto r = decode(hdr(20, 0x15, 0, 7));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, CommandStatus::InvCmdLen);
  EXPECT_EQ(r.error().sequenceNumber, 7u);
}

TEST(CodecDecode, UnknownCommandIdIsInvCmdId) {
  const auto r = decode(hdr(16, 0x00000003, 0, 9));  // query_sm: not supported
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, CommandStatus::InvCmdId);
  EXPECT_EQ(r.error().commandId, 3u);
  const auto nack = makeGenericNack(r.error());
  EXPECT_EQ(nack.sequenceNumber, 9u);
  EXPECT_EQ(nack.commandStatus, CommandStatus::InvCmdId);
}

TEST(CodecDecode, UnterminatedCStringAtTheEndIsAnErrorNotAnOverread) {
  // submit_sm whose service_type runs to the end of the PDU without a NUL.
  const auto r = decode(withLength("USSD", 4));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, CommandStatus::InvCmdLen);
}

TEST(CodecDecode, OverlongCStringGetsTheFieldStatus) {
  // destination_addr of 25 digits: no NUL within 21 octets.
  std::string body = std::string("\0", 1) + std::string("\x01\x01", 2) + "255712345678" +
                     std::string("\0", 1) + std::string("\x01\x01", 2) +
                     "2557123456789012345678901" + std::string(20, '\0');
  const auto r = decode(withLength(body, 4));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, CommandStatus::InvDstAdr);
}

SubmitSm sample() {
  SubmitSm s;
  s.sequenceNumber = 5;
  s.destination = {1, 1, "255712345678"};
  s.shortMessage = "hi";
  return s;
}

TEST(CodecDecode, TlvLengthPastTheEndIsInvOptParStream) {
  std::string bytes = encode(sample()) + std::string("\x04\x24\x00\x10", 4) + "abc";
  bytes[3] = static_cast<char>(bytes.size());
  const auto r = decode(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, CommandStatus::InvOptParStream);
}

TEST(CodecDecode, FixedSizeTlvWithWrongLengthIsInvParLen) {
  std::string bytes = encode(sample()) + std::string("\x05\x01\x00\x02\x02\x00", 6);
  bytes[3] = static_cast<char>(bytes.size());
  const auto r = decode(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, CommandStatus::InvParLen);
}

TEST(CodecDecode, SmLengthPastTheEndIsInvMsgLen) {
  std::string bytes = encode(sample());
  bytes.pop_back();  // drop one octet of short_message
  bytes[3] = static_cast<char>(bytes.size());
  const auto r = decode(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, CommandStatus::InvMsgLen);
}

TEST(CodecDecode, UnknownAndVendorTlvsAreKeptInOrder) {
  // Tag 0x0100 is one libsmpp34 would mis-parse; 0x1501 is a vendor ussd_session_id.
  std::string bytes = encode(sample()) + std::string("\x01\x00\x00\x01\x07", 5) +
                      std::string("\x15\x01\x00\x04\x00\x00\x30\x39", 8);
  bytes[3] = static_cast<char>(bytes.size());
  const auto r = decode(bytes);
  ASSERT_TRUE(r.ok()) << r.error().reason;
  const auto& s = std::get<SubmitSm>(r.pdu());
  ASSERT_EQ(s.tlvs.items().size(), 2u);
  EXPECT_EQ(s.tlvs.items()[0].tag, 0x0100);
  EXPECT_EQ(s.tlvs.items()[1].tag, 0x1501);
  EXPECT_EQ(s.tlvs.items()[1].value, std::string("\x00\x00\x30\x39", 4));
  EXPECT_EQ(encode(r.pdu()), bytes);
}

TEST(CodecDecode, BodylessErrorResponsesDecodeAndReencode) {
  for (std::uint32_t id : {0x80000004U, 0x80000009U, 0x80000103U}) {
    const std::string bytes = hdr(16, id, 0x58, 11);  // ESME_RTHROTTLED, no body
    const auto r = decode(bytes);
    ASSERT_TRUE(r.ok()) << std::hex << id << " " << r.error().reason;
    EXPECT_EQ(commandStatusOf(r.pdu()), CommandStatus::Throttled);
    EXPECT_EQ(encode(r.pdu()), bytes);
  }
  // With ESME_ROK the body is required.
  EXPECT_FALSE(decode(hdr(16, 0x80000004U, 0, 11)).ok());
}

TEST(CodecDecode, VendorStatusAndReservedTonRoundTrip) {
  SubmitSm s = sample();
  s.commandStatus = static_cast<CommandStatus>(0x400);
  s.source = {7, 2, "X"};  // reserved TON/NPI: libsmpp34 refuses, the hand writer encodes
  EXPECT_FALSE(detail::packableByLibsmpp34(s));
  const auto r = decode(encode(s));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.pdu() == Pdu{s});
}

TEST(CodecDecode, ShortMessageOf254OctetsUsesTheHandWriter) {
  SubmitSm s = sample();
  s.shortMessage = std::string(254, 'a');
  const auto r = decode(encode(s));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.pdu() == Pdu{s});
  s.shortMessage.push_back('a');
  EXPECT_THROW(encode(s), EncodeError);
}

TEST(CodecEncode, FieldLimitsThrowInsteadOfTruncating) {
  SubmitSm s = sample();
  s.destination.addr = std::string(21, '1');
  EXPECT_THROW(encode(s), EncodeError);
  BindTransceiver b;
  b.sequenceNumber = 1;
  b.password = "123456789";  // 9 > 8
  EXPECT_THROW(encode(b), EncodeError);
  SubmitSmResp resp;
  resp.sequenceNumber = 1;
  resp.tlvs.setMessageState(2);
  EXPECT_THROW(encode(resp), EncodeError);
}

TEST(CodecEncode, CommandLengthIsPatched) {
  const std::string bytes = encode(sample());
  const auto h = peekHeader(bytes);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->commandLength, bytes.size());
  EXPECT_EQ(h->commandId, 4u);
  EXPECT_EQ(h->sequenceNumber, 5u);
}

}  // namespace
}  // namespace mfigw::smpp
