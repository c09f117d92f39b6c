#include "gateway/ussd_smpp_ingress.hpp"

#include "smpp/text_encoding.hpp"

namespace mfigw::gateway {

namespace {

// SMPP 3.4 section 5.3.2.44.
constexpr std::uint8_t kPssrIndication = 1;
constexpr std::uint8_t kUssrRequest = 2;
constexpr std::uint8_t kPssrResponse = 17;
constexpr std::uint8_t kUssrConfirm = 18;
constexpr std::uint8_t kFirstVendorOp = 32;  // 32-255: vendor codes, used for aborts

std::string decodeText(const smpp::DeliverSm& pdu) {
  const std::string& raw =
      pdu.shortMessage.empty() ? pdu.tlvs.messagePayload().value_or("") : pdu.shortMessage;
  const auto encoding =
      smpp::encodingFromDataCoding(pdu.dataCoding).value_or(smpp::TextEncoding::Gsm7);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(raw.data());
  auto text = smpp::decode({bytes, raw.size()}, encoding);
  return text ? *text : std::string();
}

}  // namespace

UssdSmppIngress::UssdSmppIngress(SmscLinks& links, UssdService& service, MsisdnMasker mask,
                                 spdlog::logger& log)
    : links_(links), service_(service), mask_(mask), log_(log) {}

void UssdSmppIngress::onDeliver(LinkIndex link, smpp::DeliverSm pdu) {
  const std::uint8_t op = pdu.tlvs.ussdServiceOp().value_or(kPssrIndication);
  const std::uint32_t seq = pdu.sequenceNumber;
  if (op >= kFirstVendorOp) {
    // The network or the phone gave up: nothing to answer but the resp.
    log_.info("USSD abort from the network from={} op={}", mask_(pdu.source.addr), op);
    links_.acknowledge(link, seq, smpp::CommandStatus::Ok);
    return;
  }
  UssdRequest request;
  request.msisdn = pdu.source.addr;
  request.channel = "smpp:" + links_.info(link).name;
  request.sessionKey = pdu.tlvs.itsSessionInfo().value_or("");
  request.begin = op != kUssrConfirm;
  request.text = decodeText(pdu);
  const std::string serviceAddress = pdu.destination.addr;
  service_.handle(std::move(request),
                  [this, link, seq, phone = pdu.source, serviceAddress,
                   sessionInfo = pdu.tlvs.itsSessionInfo()](std::optional<UssdReply> reply) {
                    if (!reply) {
                      links_.acknowledge(link, seq, smpp::CommandStatus::MsgQFul);
                      return;
                    }
                    links_.acknowledge(link, seq, smpp::CommandStatus::Ok);
                    smpp::SubmitSm out;
                    out.serviceType = "USSD";
                    out.source = {0, 0, serviceAddress};
                    out.destination = phone;
                    const auto choice = smpp::chooseEncoding(reply->text, {});
                    const auto encoding = choice ? choice->encoding : smpp::TextEncoding::Ucs2;
                    out.dataCoding = smpp::dataCoding(encoding);
                    const auto bytes = smpp::encode(reply->text, encoding);
                    if (bytes) out.shortMessage.assign(bytes->begin(), bytes->end());
                    out.tlvs.setUssdServiceOp(reply->continues ? kUssrRequest : kPssrResponse);
                    if (sessionInfo && sessionInfo->size() == 2) {
                      std::string info = *sessionInfo;
                      // Second octet, bit 0: end of session (reference/ussd.md 1.3).
                      if (reply->continues) {
                        info[1] = static_cast<char>(info[1] & ~1);
                      } else {
                        info[1] = static_cast<char>(info[1] | 1);
                      }
                      out.tlvs.setItsSessionInfo(std::move(info));
                    }
                    links_.submit(link, {kUssdLocalIdBit | nextId_++, std::move(out)});
                  });
}

}  // namespace mfigw::gateway
