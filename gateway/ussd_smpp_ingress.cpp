#include "gateway/ussd_smpp_ingress.hpp"

#include <memory>

#include <fmt/format.h>

#include "smpp/text_encoding.hpp"

namespace mfigw::gateway {

namespace {

std::string decodeText(const smpp::DeliverSm& pdu) {
  const std::string& raw =
      pdu.shortMessage.empty() ? pdu.tlvs.messagePayload().value_or("") : pdu.shortMessage;
  const auto encoding =
      smpp::encodingFromDataCoding(pdu.dataCoding).value_or(smpp::TextEncoding::Gsm7);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(raw.data());
  auto text = smpp::decode({bytes, raw.size()}, encoding);
  return text ? *text : std::string();
}

// "mno-a/rx" -> "mno-a": both halves of a transmitter + receiver pair share the link's dialect.
std::string configuredName(const std::string& linkName) {
  for (const std::string_view suffix : {"/tx", "/rx"}) {
    if (linkName.size() > suffix.size() && linkName.ends_with(suffix))
      return linkName.substr(0, linkName.size() - suffix.size());
  }
  return linkName;
}

// The TLVs as tag=hex, for the one log line an odd PDU gets (6D/Mica hex-vs-decimal mix-ups
// are found by reading exactly these).
// Tags and sizes only: a TLV such as message_payload can carry what the user typed (a PIN).
std::string tlvText(const smpp::Tlvs& tlvs) {
  std::string out;
  for (const smpp::Tlv& t : tlvs.items())
    out += fmt::format("{}{:04x}:{}B", out.empty() ? "" : ",", t.tag, t.value.size());
  return out;
}

}  // namespace

std::map<std::string, UssdDialect> ussdDialectsByLink(const GatewayConfig& config) {
  std::map<std::string, UssdDialect> out;
  for (const SmppLinkConfig& link : config.smpp.links) {
    // The loader has checked every name; an unknown one cannot reach here.
    if (auto dialect = findUssdDialect(config, link.ussdDialect)) out[link.name] = *dialect;
  }
  return out;
}

UssdSmppIngress::UssdSmppIngress(SmscLinks& links, UssdService& service, MsisdnMasker mask,
                                 spdlog::logger& log, std::map<std::string, UssdDialect> dialects)
    : links_(links),
      service_(service),
      mask_(mask),
      log_(log),
      dialects_(std::move(dialects)),
      default_(builtinUssdDialects().front()) {}

const UssdDialect& UssdSmppIngress::dialectOf(LinkIndex link) const {
  const auto it = dialects_.find(configuredName(links_.info(link).name));
  return it == dialects_.end() ? default_ : it->second;
}

void UssdSmppIngress::onDeliver(LinkIndex link, smpp::DeliverSm pdu) {
  const UssdDialect& dialect = dialectOf(link);
  const auto op = pdu.tlvs.ussdServiceOp();
  const UssdOpKind kind = classifyUssdOp(dialect, op);
  const std::uint32_t seq = pdu.sequenceNumber;

  UssdRequest request;
  request.msisdn = pdu.source.addr;
  request.channel = "smpp:" + links_.info(link).name;
  request.sessionKey = ussdSessionKey(dialect, pdu);
  request.cell = ussdServingCell(dialect, pdu);

  if (kind != UssdOpKind::Begin && kind != UssdOpKind::Continue) {
    std::string outcome = "user_abort";
    if (kind == UssdOpKind::End) outcome = "network_timeout";
    if (kind == UssdOpKind::Unknown) {
      outcome = "app_error";
      log_.warn("USSD op code not in dialect {}, dialog ended link={} from={} op={} tlvs={}",
                dialect.name, links_.info(link).name, mask_(pdu.source.addr),
                op ? static_cast<int>(*op) : -1, tlvText(pdu.tlvs));
    } else {
      log_.info("USSD {} from the network from={} op={}", toString(kind), mask_(pdu.source.addr),
                op ? static_cast<int>(*op) : -1);
    }
    auto requestPdu = std::make_shared<smpp::DeliverSm>(std::move(pdu));
    service_.end(std::move(request), std::move(outcome),
                 [this, link, seq, kind, requestPdu](std::optional<UssdReply> page) {
                   if (!page) {
                     links_.acknowledge(link, seq, smpp::CommandStatus::MsgQFul);
                     return;
                   }
                   links_.acknowledge(link, seq, smpp::CommandStatus::Ok);
                   // The network already let go of an ended or aborted dialog; a code we do
                   // not know may leave it open there, so close it with our end op.
                   if (kind == UssdOpKind::Unknown)
                     reply(link, dialectOf(link), *requestPdu, *page);
                 });
    return;
  }

  request.begin = kind == UssdOpKind::Begin;
  const std::string text = decodeText(pdu);
  request.text = request.begin ? ussdDialled(dialect, pdu, text) : text;
  auto requestPdu = std::make_shared<smpp::DeliverSm>(std::move(pdu));
  // The deliver_sm is acknowledged once the step is settled (stored or refused), which may
  // be after a fallback page was sent at the step's deadline.
  service_.handle(
      std::move(request),
      [this, link, requestPdu](std::optional<UssdReply> page) {
        if (page) reply(link, dialectOf(link), *requestPdu, *page);
      },
      [this, link, seq](bool stored) {
        links_.acknowledge(link, seq,
                           stored ? smpp::CommandStatus::Ok : smpp::CommandStatus::MsgQFul);
      });
}

void UssdSmppIngress::reply(LinkIndex link, const UssdDialect& dialect,
                            const smpp::DeliverSm& request, const UssdReply& page) {
  // A receiver of a transmitter + receiver pair cannot submit: its transmitter answers.
  LinkIndex out = link;
  if (links_.info(link).mode == smpp::BindMode::Receiver) {
    const std::string partner = configuredName(links_.info(link).name) + "/tx";
    for (LinkIndex i = 0; i < links_.size(); ++i) {
      if (links_.info(i).name == partner) out = i;
    }
    if (out == link) {
      log_.warn("USSD page not sent: no transmitter for link={} to={}", links_.info(link).name,
                mask_(request.source.addr));
      return;
    }
  }
  auto pdu = ussdReplyPdu(dialect, request, page.continues, page.text);
  links_.submit(out, {kUssdLocalIdBit | nextId_++, std::move(pdu)});
}

}  // namespace mfigw::gateway
