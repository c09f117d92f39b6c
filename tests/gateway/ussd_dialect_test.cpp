#include "gateway/ussd_dialect.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateway/config_loader.hpp"
#include "smpp/text_encoding.hpp"

namespace mfigw::gateway {
namespace {

using ::testing::HasSubstr;

const UssdDialect& builtin(std::string_view name) {
  for (const UssdDialect& d : builtinUssdDialects()) {
    if (d.name == name) return d;
  }
  throw std::runtime_error("no built-in dialect " + std::string(name));
}

smpp::DeliverSm deliver(std::uint8_t op, std::string text) {
  smpp::DeliverSm d;
  d.serviceType = "USSD";
  d.source = {1, 1, "254712345678"};
  d.destination = {0, 0, "*123#"};
  d.shortMessage = std::move(text);
  d.tlvs.setUssdServiceOp(op);
  return d;
}

std::string pageText(const smpp::SubmitSm& s) {
  const auto* raw = reinterpret_cast<const std::uint8_t*>(s.shortMessage.data());
  const auto encoding =
      smpp::encodingFromDataCoding(s.dataCoding).value_or(smpp::TextEncoding::Gsm7);
  const auto text = smpp::decode({raw, s.shortMessage.size()}, encoding);
  return text ? *text : "?";
}

TEST(UssdDialect, Smpp34ReadsTheSpecCodesAndKeysOnTheFirstOctetOfItsSessionInfo) {
  const UssdDialect& d = builtin("smpp34");
  EXPECT_EQ(classifyUssdOp(d, 0x01), UssdOpKind::Begin);
  EXPECT_EQ(classifyUssdOp(d, 0x12), UssdOpKind::Continue);
  EXPECT_EQ(classifyUssdOp(d, 0x81), UssdOpKind::Abort);
  EXPECT_EQ(classifyUssdOp(d, 0x02), UssdOpKind::Unknown);  // an ESME->MC code coming back
  EXPECT_EQ(classifyUssdOp(d, 0x99), UssdOpKind::Unknown);
  EXPECT_EQ(classifyUssdOp(d, std::nullopt), UssdOpKind::Begin);

  smpp::DeliverSm first = deliver(0x12, "1");
  first.tlvs.setItsSessionInfo(std::string("\x2a\x04", 2));
  smpp::DeliverSm next = first;
  next.tlvs.setItsSessionInfo(std::string("\x2a\x06", 2));  // the next unit's sequence
  EXPECT_EQ(ussdSessionKey(d, first), "2a");
  EXPECT_EQ(ussdSessionKey(d, first), ussdSessionKey(d, next));
  EXPECT_EQ(ussdSessionKey(d, deliver(0x12, "1")), "");  // none sent
}

TEST(UssdDialect, Smpp34RepliesEchoItsSessionInfoWithTheEndBit) {
  const UssdDialect& d = builtin("smpp34");
  smpp::DeliverSm in = deliver(0x12, "1");
  in.tlvs.setItsSessionInfo(std::string("\x07\x04", 2));
  const auto page = std::get<smpp::SubmitSm>(ussdReplyPdu(d, in, true, "1 Balance"));
  EXPECT_EQ(page.serviceType, "USSD");
  EXPECT_EQ(page.destination.addr, "254712345678");
  EXPECT_EQ(page.source.addr, "*123#");
  EXPECT_EQ(page.tlvs.ussdServiceOp(), 2);
  EXPECT_EQ(page.tlvs.itsSessionInfo(), std::string("\x07\x04", 2));
  EXPECT_EQ(page.dataCoding, 0);
  EXPECT_EQ(pageText(page), "1 Balance");
  const auto last = std::get<smpp::SubmitSm>(ussdReplyPdu(d, in, false, "Bye"));
  EXPECT_EQ(last.tlvs.ussdServiceOp(), 17);
  EXPECT_EQ(last.tlvs.itsSessionInfo(), std::string("\x07\x05", 2));
}

TEST(UssdDialect, UserMessageReferenceKeysOnItAndEchoesIt) {
  const UssdDialect& d = builtin("user_message_reference");
  smpp::DeliverSm in = deliver(0x01, "*123#");
  in.tlvs.setUserMessageReference(0x0102);
  EXPECT_EQ(ussdSessionKey(d, in), "0102");
  in.tlvs.setItsSessionInfo(std::string("\x09\x00", 2));
  EXPECT_EQ(ussdSessionKey(d, in), "0102");  // its_session_info is not this dialect's key
  const auto page = std::get<smpp::SubmitSm>(ussdReplyPdu(d, in, true, "Welcome"));
  EXPECT_EQ(page.tlvs.userMessageReference(), 0x0102);
  // Every session TLV the operator sent is echoed, whatever the dialect keys on.
  EXPECT_EQ(page.tlvs.itsSessionInfo(), std::string("\x09\x00", 2));
}

TEST(UssdDialect, DeclaredDialectWithVendorTlvDataSmAndUcs2) {
  UssdDialectConfig c;
  c.name = "comverse";
  c.beginOps = {1};
  c.continueOps = {18, 2};
  c.endOps = {0x80};
  c.abortOps = {0x81, 65, 66};
  c.replyContinueOp = 2;
  c.replyEndOp = 0x11;
  c.sessionKey = "tlv";
  c.sessionTlv = 0x1501;
  c.serviceCode = "destination_addr";
  c.replyWith = "data_sm";
  c.dataCoding = "ucs2";
  const UssdDialect d = ussdDialectFrom(c);
  EXPECT_EQ(classifyUssdOp(d, 2), UssdOpKind::Continue);
  EXPECT_EQ(classifyUssdOp(d, 0x80), UssdOpKind::End);
  EXPECT_EQ(classifyUssdOp(d, 66), UssdOpKind::Abort);
  smpp::DeliverSm in = deliver(0x01, "ignored");
  in.tlvs.add(0x1501, std::string("\x00\x00\x30\x39", 4));
  EXPECT_EQ(ussdSessionKey(d, in), "00003039");
  EXPECT_EQ(ussdDialled(d, in, "ignored"), "*123#");
  const auto page = std::get<smpp::DataSm>(ussdReplyPdu(d, in, false, "Bye"));
  EXPECT_EQ(page.tlvs.ussdServiceOp(), 0x11);
  EXPECT_EQ(page.dataCoding, 8);
  EXPECT_EQ(page.tlvs.messagePayload(), std::string("\0B\0y\0e", 6));
  ASSERT_NE(page.tlvs.find(0x1501), nullptr);
  EXPECT_EQ(page.tlvs.find(0x1501)->value, std::string("\x00\x00\x30\x39", 4));
}

TEST(UssdDialect, Latin1CodingFallsBackToUcs2ForArabic) {
  UssdDialectConfig c;
  c.name = "latin";
  c.dataCoding = "latin1";
  const UssdDialect d = ussdDialectFrom(c);
  const smpp::DeliverSm in = deliver(0x01, "*123#");
  EXPECT_EQ(std::get<smpp::SubmitSm>(ussdReplyPdu(d, in, true, "Crédit")).dataCoding, 3);
  EXPECT_EQ(std::get<smpp::SubmitSm>(ussdReplyPdu(d, in, true, "رصيد")).dataCoding, 8);
  // auto keeps GSM 7-bit for text it can carry, UCS-2 otherwise.
  EXPECT_EQ(std::get<smpp::SubmitSm>(ussdReplyPdu(builtin("smpp34"), in, true, "رصيد")).dataCoding,
            8);
}

TEST(UssdDialect, ServiceCodeFromATlvDropsItsNul) {
  UssdDialectConfig c;
  c.name = "tlvcode";
  c.serviceCode = "tlv";
  c.serviceCodeTlv = 0x1502;
  const UssdDialect d = ussdDialectFrom(c);
  smpp::DeliverSm in = deliver(0x01, "");
  in.tlvs.add(0x1502, std::string("*123*1#\0", 8));
  EXPECT_EQ(ussdDialled(d, in, ""), "*123*1#");
}

ConfigResult load(const std::string& yaml) {
  return loadConfigText(yaml, "/etc/mfi-gateway/gateway.yaml");
}

TEST(UssdDialectConfig, LinksPickBuiltInOrDeclaredDialects) {
  const auto r = load(
      "ussd:\n"
      "  dialects:\n"
      "    - name: mica-ke\n"
      "      begin_ops: [1]\n"
      "      continue_ops: [0x12, 2]\n"
      "      abort_ops: [0x81]\n"
      "      session_key: none\n"
      "smpp:\n"
      "  links:\n"
      "    - {name: a, host: h, system_id: s, ussd_dialect: mica-ke}\n"
      "    - {name: b, host: h, system_id: s, ussd_dialect: user_message_reference}\n"
      "    - {name: c, host: h, system_id: s}\n");
  ASSERT_TRUE(r.ok()) << r.errorText();
  ASSERT_EQ(r.config.ussd.dialects.size(), 1u);
  EXPECT_EQ(r.config.ussd.dialects[0].continueOps, (std::vector<std::uint32_t>{18, 2}));
  const auto a = findUssdDialect(r.config, r.config.smpp.links[0].ussdDialect);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->sessionKey, UssdSessionKeyPlace::None);
  EXPECT_EQ(classifyUssdOp(*a, 2), UssdOpKind::Continue);
  EXPECT_EQ(findUssdDialect(r.config, "user_message_reference")->sessionKey,
            UssdSessionKeyPlace::UserMessageReference);
  EXPECT_EQ(r.config.smpp.links[2].ussdDialect, "smpp34");
}

TEST(UssdDialectConfig, MistakesNameTheirLineAndColumn) {
  const auto r = load(
      "ussd:\n"                                                         // 1
      "  dialects:\n"                                                   // 2
      "    - name: odd\n"                                               // 3
      "      begin_ops: [1, 300]\n"                                     // 4
      "      continue_ops: [18, 1]\n"                                   // 5
      "      reply_end_op: 2\n"                                         // 6
      "      session_key: user_message_reference\n"                     // 7
      "    - name: smpp34\n"                                            // 8
      "    - name: twice\n"                                             // 9
      "      abort_ops: [0x81, 0x81]\n"                                 // 10
      "    - name: vendor\n"                                            // 11
      "      session_key: tlv\n"                                        // 12
      "smpp:\n"                                                         // 13
      "  links:\n"                                                      // 14
      "    - {name: a, host: h, system_id: s, ussd_dialect: nope}\n");  // 15
  ASSERT_FALSE(r.ok());
  const std::string text = r.errorText();
  EXPECT_THAT(text, HasSubstr("gateway.yaml:4:22: ussd.dialects[0].begin_ops[1]: must be "
                              "between 0 and 255 (got \"300\")"));
  EXPECT_THAT(text, HasSubstr("gateway.yaml:5:21: ussd.dialects[0].continue_ops: code 1 (0x01) "
                              "is also in begin_ops"));
  EXPECT_THAT(text, HasSubstr("gateway.yaml:6:21: ussd.dialects[0].reply_end_op: equals "
                              "reply_continue_op"));
  EXPECT_THAT(text, HasSubstr("gateway.yaml:8:13: ussd.dialects[1].name: \"smpp34\" is a "
                              "built-in dialect"));
  EXPECT_THAT(text, HasSubstr("gateway.yaml:10:18: ussd.dialects[2].abort_ops: code 129 (0x81) "
                              "is listed twice"));
  EXPECT_THAT(text, HasSubstr("gateway.yaml:11:7: ussd.dialects[3].session_tlv: is required "
                              "when session_key is tlv"));
  EXPECT_THAT(text, HasSubstr("gateway.yaml:15:54: smpp.links[0].ussd_dialect: unknown dialect "
                              "\"nope\" (known: smpp34, user_message_reference, odd, smpp34, "
                              "twice, vendor)"));
}

TEST(UssdDialectConfig, DuplicateNamesAndWrongKinds) {
  const auto r = load(
      "ussd:\n"
      "  dialects:\n"
      "    - name: x\n"
      "      begin_ops: {a: 1}\n"
      "    - name: x\n"
      "      end_ops: [[1]]\n");
  ASSERT_FALSE(r.ok());
  const std::string text = r.errorText();
  EXPECT_THAT(text, HasSubstr("gateway.yaml:4:18: ussd.dialects[0].begin_ops: expected an int "
                              "list, got a map"));
  EXPECT_THAT(text, HasSubstr("gateway.yaml:5:13: ussd.dialects[1].name: duplicate dialect name "
                              "\"x\" (also ussd.dialects[0])"));
  EXPECT_THAT(text, HasSubstr("gateway.yaml:6:17: ussd.dialects[1].end_ops[0]: expected an "
                              "integer, got a list"));
}

}  // namespace
}  // namespace mfigw::gateway
