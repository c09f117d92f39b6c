#include "gateway/ussd_dialect.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "gateway/cell_global_id.hpp"
#include "smpp/text_encoding.hpp"

namespace mfigw::gateway {

std::string_view toString(UssdOpKind kind) {
  switch (kind) {
    case UssdOpKind::Begin:
      return "begin";
    case UssdOpKind::Continue:
      return "continue";
    case UssdOpKind::End:
      return "end";
    case UssdOpKind::Abort:
      return "abort";
    case UssdOpKind::Unknown:
      break;
  }
  return "unknown";
}

namespace {

// SMPP 3.4 5.3.2.44 and the vendor code seen at Mica and 6D (reference/ussd.md 1.2).
constexpr std::uint8_t kPssrIndication = 0x01;
constexpr std::uint8_t kUssrRequest = 0x02;
constexpr std::uint8_t kPssrResponse = 0x11;
constexpr std::uint8_t kUssrConfirm = 0x12;
constexpr std::uint8_t kUssrelIndication = 0x81;

std::vector<UssdDialect> buildBuiltins() {
  UssdDialect smpp34;
  smpp34.name = std::string(kDefaultUssdDialect);
  smpp34.beginOps = {kPssrIndication};
  smpp34.continueOps = {kUssrConfirm};
  smpp34.abortOps = {kUssrelIndication};
  smpp34.replyContinueOp = kUssrRequest;
  smpp34.replyEndOp = kPssrResponse;
  smpp34.sessionKey = UssdSessionKeyPlace::ItsSessionInfo;

  // Mica and Eyeline/SibInco: the same codes, the dialog in user_message_reference.
  UssdDialect umr = smpp34;
  umr.name = "user_message_reference";
  umr.sessionKey = UssdSessionKeyPlace::UserMessageReference;
  return {smpp34, umr};
}

std::vector<std::uint8_t> codes(const std::vector<std::uint32_t>& in) {
  std::vector<std::uint8_t> out;
  for (const std::uint32_t c : in)
    out.push_back(static_cast<std::uint8_t>(c));
  return out;
}

bool contains(const std::vector<std::uint8_t>& list, std::uint8_t op) {
  return std::find(list.begin(), list.end(), op) != list.end();
}

bool isBuiltinName(std::string_view name) {
  const auto& builtins = builtinUssdDialects();
  return std::any_of(builtins.begin(), builtins.end(),
                     [&](const UssdDialect& d) { return d.name == name; });
}

std::string codeText(std::uint32_t code) {
  return fmt::format("{} (0x{:02x})", code, code);
}

}  // namespace

const std::vector<UssdDialect>& builtinUssdDialects() {
  static const std::vector<UssdDialect> builtins = buildBuiltins();
  return builtins;
}

UssdDialect ussdDialectFrom(const UssdDialectConfig& c) {
  UssdDialect d;
  d.name = c.name;
  d.beginOps = codes(c.beginOps);
  d.continueOps = codes(c.continueOps);
  d.endOps = codes(c.endOps);
  d.abortOps = codes(c.abortOps);
  d.replyContinueOp = static_cast<std::uint8_t>(c.replyContinueOp);
  d.replyEndOp = static_cast<std::uint8_t>(c.replyEndOp);
  if (c.sessionKey == "user_message_reference") {
    d.sessionKey = UssdSessionKeyPlace::UserMessageReference;
  } else if (c.sessionKey == "tlv") {
    d.sessionKey = UssdSessionKeyPlace::Tlv;
  } else if (c.sessionKey == "none") {
    d.sessionKey = UssdSessionKeyPlace::None;
  }
  d.sessionTlv = static_cast<std::uint16_t>(c.sessionTlv);
  if (c.serviceCode == "destination_addr") {
    d.serviceCode = UssdServiceCodePlace::DestinationAddr;
  } else if (c.serviceCode == "tlv") {
    d.serviceCode = UssdServiceCodePlace::Tlv;
  }
  d.serviceCodeTlv = static_cast<std::uint16_t>(c.serviceCodeTlv);
  d.cellTlv = static_cast<std::uint16_t>(c.cellTlv);
  if (c.replyWith == "data_sm") d.replyWith = UssdReplyCommand::DataSm;
  if (c.dataCoding == "ucs2") d.dataCoding = UssdReplyCoding::Ucs2;
  if (c.dataCoding == "latin1") d.dataCoding = UssdReplyCoding::Latin1;
  return d;
}

std::optional<UssdDialect> findUssdDialect(const GatewayConfig& config, std::string_view name) {
  for (const UssdDialectConfig& c : config.ussd.dialects) {
    if (c.name == name) return ussdDialectFrom(c);
  }
  for (const UssdDialect& d : builtinUssdDialects()) {
    if (d.name == name) return d;
  }
  return std::nullopt;
}

std::vector<UssdDialectProblem> checkUssdDialects(const GatewayConfig& config) {
  std::vector<UssdDialectProblem> out;
  const auto& dialects = config.ussd.dialects;
  std::map<std::string, std::size_t> names;
  for (std::size_t i = 0; i < dialects.size(); ++i) {
    const UssdDialectConfig& d = dialects[i];
    const std::string item = fmt::format("ussd.dialects[{}]", i);
    if (isBuiltinName(d.name)) {
      out.push_back({item + ".name",
                     fmt::format("\"{}\" is a built-in dialect; give yours another name", d.name)});
    } else if (const auto [it, fresh] = names.emplace(d.name, i); !fresh && !d.name.empty()) {
      out.push_back({item + ".name", fmt::format("duplicate dialect name \"{}\" (also "
                                                 "ussd.dialects[{}])",
                                                 d.name, it->second)});
    }
    // A code in two lists (or twice in one) would make the meaning of a PDU depend on the
    // order we test the lists in.
    std::map<std::uint32_t, std::string_view> owner;
    const std::pair<std::string_view, const std::vector<std::uint32_t>*> lists[] = {
        {"begin_ops", &d.beginOps},
        {"continue_ops", &d.continueOps},
        {"end_ops", &d.endOps},
        {"abort_ops", &d.abortOps}};
    for (const auto& [key, list] : lists) {
      for (const std::uint32_t code : *list) {
        const auto [it, fresh] = owner.emplace(code, key);
        if (!fresh) {
          out.push_back({fmt::format("{}.{}", item, key),
                         it->second == key
                             ? fmt::format("code {} is listed twice", codeText(code))
                             : fmt::format("code {} is also in {}", codeText(code), it->second)});
        }
      }
    }
    if (d.beginOps.empty()) {
      out.push_back({item + ".begin_ops", "needs at least one code (how a dialog starts)"});
    }
    if (d.continueOps.empty()) {
      out.push_back({item + ".continue_ops", "needs at least one code (the phone's answers)"});
    }
    // Only its_session_info's end bit can tell a last page from a next one sent with the
    // same op (the Tata convention).
    if (d.replyContinueOp == d.replyEndOp && d.sessionKey != "its_session_info") {
      out.push_back({item + ".reply_end_op",
                     fmt::format("equals reply_continue_op ({}); only session_key "
                                 "its_session_info (whose end bit marks the last page) allows that",
                                 codeText(d.replyContinueOp))});
    }
    if (d.sessionKey == "tlv" && d.sessionTlv == 0) {
      out.push_back({item + ".session_tlv", "is required when session_key is tlv"});
    } else if (d.sessionKey != "tlv" && d.sessionTlv != 0) {
      out.push_back({item + ".session_tlv", "is given but session_key is not tlv"});
    }
    if (d.serviceCode == "tlv" && d.serviceCodeTlv == 0) {
      out.push_back({item + ".service_code_tlv", "is required when service_code is tlv"});
    } else if (d.serviceCode != "tlv" && d.serviceCodeTlv != 0) {
      out.push_back({item + ".service_code_tlv", "is given but service_code is not tlv"});
    }
    for (const auto& [key, tag] :
         {std::pair<std::string_view, std::uint32_t>{"session_tlv", d.sessionTlv},
          {"service_code_tlv", d.serviceCodeTlv},
          {"cell_tlv", d.cellTlv}}) {
      if (tag == smpp::tlv_tag::kUssdServiceOp || tag == smpp::tlv_tag::kMessagePayload) {
        out.push_back({fmt::format("{}.{}", item, key),
                       fmt::format("0x{:04x} is a standard TLV with another meaning", tag)});
      }
    }
  }
  for (std::size_t i = 0; i < config.smpp.links.size(); ++i) {
    const std::string& name = config.smpp.links[i].ussdDialect;
    if (!findUssdDialect(config, name)) {
      std::string known;
      for (const UssdDialect& d : builtinUssdDialects())
        known += (known.empty() ? "" : ", ") + d.name;
      for (const UssdDialectConfig& d : config.ussd.dialects)
        known += ", " + d.name;
      out.push_back({fmt::format("smpp.links[{}].ussd_dialect", i),
                     fmt::format("unknown dialect \"{}\" (known: {})", name, known)});
    }
  }
  return out;
}

UssdOpKind classifyUssdOp(const UssdDialect& dialect, std::optional<std::uint8_t> op) {
  if (!op) return dialect.beginOps.empty() ? UssdOpKind::Unknown : UssdOpKind::Begin;
  if (contains(dialect.beginOps, *op)) return UssdOpKind::Begin;
  if (contains(dialect.continueOps, *op)) return UssdOpKind::Continue;
  if (contains(dialect.endOps, *op)) return UssdOpKind::End;
  if (contains(dialect.abortOps, *op)) return UssdOpKind::Abort;
  return UssdOpKind::Unknown;
}

std::string hexBytes(std::string_view bytes) {
  std::string out;
  for (const char ch : bytes)
    out += fmt::format("{:02x}", static_cast<unsigned char>(ch));
  return out;
}

std::optional<store::CellId> ussdServingCell(const UssdDialect& dialect,
                                             const smpp::DeliverSm& pdu) {
  if (dialect.cellTlv == 0) return std::nullopt;
  const auto value = pdu.tlvs.bytes(dialect.cellTlv);
  return value ? decodeCellGlobalId(*value) : std::nullopt;
}

std::string ussdSessionKey(const UssdDialect& dialect, const smpp::DeliverSm& pdu) {
  switch (dialect.sessionKey) {
    case UssdSessionKeyPlace::ItsSessionInfo: {
      const auto info = pdu.tlvs.itsSessionInfo();
      return info ? hexBytes(info->substr(0, 1)) : std::string();
    }
    case UssdSessionKeyPlace::UserMessageReference: {
      const auto ref = pdu.tlvs.userMessageReference();
      return ref ? fmt::format("{:04x}", *ref) : std::string();
    }
    case UssdSessionKeyPlace::Tlv: {
      const auto value = pdu.tlvs.bytes(dialect.sessionTlv);
      return value ? hexBytes(*value) : std::string();
    }
    case UssdSessionKeyPlace::None:
      break;
  }
  return {};
}

std::string ussdDialled(const UssdDialect& dialect, const smpp::DeliverSm& pdu,
                        const std::string& decodedText) {
  switch (dialect.serviceCode) {
    case UssdServiceCodePlace::Text:
      return decodedText;
    case UssdServiceCodePlace::DestinationAddr:
      return pdu.destination.addr;
    case UssdServiceCodePlace::Tlv: {
      std::string value = pdu.tlvs.bytes(dialect.serviceCodeTlv).value_or("");
      // Some vendors send a C-Octet String: the NUL is not part of the code.
      if (!value.empty() && value.back() == '\0') value.pop_back();
      return value;
    }
  }
  return decodedText;
}

std::variant<smpp::SubmitSm, smpp::DataSm> ussdReplyPdu(const UssdDialect& dialect,
                                                        const smpp::DeliverSm& request,
                                                        bool continues, const std::string& text) {
  smpp::TextEncoding encoding = smpp::TextEncoding::Ucs2;
  switch (dialect.dataCoding) {
    case UssdReplyCoding::Auto: {
      const auto choice = smpp::chooseEncoding(text, {});
      if (choice) encoding = choice->encoding;
      break;
    }
    case UssdReplyCoding::Latin1:
      if (smpp::encodeLatin1(text)) encoding = smpp::TextEncoding::Latin1;
      break;
    case UssdReplyCoding::Ucs2:
      break;
  }
  const auto bytes = smpp::encode(text, encoding);
  const std::string octets = bytes ? std::string(bytes->begin(), bytes->end()) : std::string();

  smpp::Tlvs tlvs;
  tlvs.setUssdServiceOp(continues ? dialect.replyContinueOp : dialect.replyEndOp);
  // Echo every session TLV the operator sent: USSD centres match our answer to the dialog by
  // them, whatever the dialect keys on.
  if (const auto info = request.tlvs.itsSessionInfo()) {
    std::string echoed = *info;
    // Second octet, bit 0: end of session (reference/ussd.md 1.3).
    echoed[1] = static_cast<char>(continues ? (echoed[1] & ~1) : (echoed[1] | 1));
    tlvs.setItsSessionInfo(std::move(echoed));
  }
  if (const smpp::Tlv* ref = request.tlvs.find(smpp::tlv_tag::kUserMessageReference)) {
    tlvs.set(ref->tag, ref->value);
  }
  if (dialect.sessionKey == UssdSessionKeyPlace::Tlv) {
    if (const smpp::Tlv* vendor = request.tlvs.find(dialect.sessionTlv)) {
      tlvs.set(vendor->tag, vendor->value);
    }
  }

  const smpp::Address from{0, 0, request.destination.addr};
  if (dialect.replyWith == UssdReplyCommand::DataSm) {
    smpp::DataSm out;
    out.serviceType = "USSD";
    out.source = from;
    out.destination = request.source;
    out.dataCoding = smpp::dataCoding(encoding);
    out.tlvs = std::move(tlvs);
    out.tlvs.setMessagePayload(octets);
    return out;
  }
  smpp::SubmitSm out;
  out.serviceType = "USSD";
  out.source = from;
  out.destination = request.source;
  out.dataCoding = smpp::dataCoding(encoding);
  out.shortMessage = octets;
  out.tlvs = std::move(tlvs);
  return out;
}

}  // namespace mfigw::gateway
