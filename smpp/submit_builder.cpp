#include "smpp/submit_builder.hpp"

namespace mfigw::smpp {

namespace {
constexpr std::uint8_t kEsmClassUdhi = 0x40;  // short_message starts with a UDH
}

TextResult<BuiltSubmits> buildSubmits(const SubmitTemplate& base, std::string_view destination,
                                      std::string_view utf8, std::uint16_t reference) {
  auto choice = chooseEncoding(utf8, base.encoding);
  if (!choice) return TextResult<BuiltSubmits>::failure(choice.error(), choice.offset());
  auto parts = split(choice->text, choice->encoding, {base.split, reference});
  if (!parts) return TextResult<BuiltSubmits>::failure(parts.error(), parts.offset());

  BuiltSubmits built;
  built.encoding = choice->encoding;
  built.transliterated = choice->transliterated;
  built.parts.reserve(parts->size());
  for (const MessagePart& part : *parts) {
    SubmitSm pdu;
    pdu.serviceType = base.serviceType;
    pdu.source = base.source;
    pdu.destination = {base.destinationTon, base.destinationNpi, std::string(destination)};
    pdu.registeredDelivery = base.registeredDelivery ? 1 : 0;
    pdu.dataCoding = dataCoding(choice->encoding);
    std::string body(part.udh.begin(), part.udh.end());
    body.append(part.payload.begin(), part.payload.end());
    if (!part.udh.empty()) pdu.esmClass |= kEsmClassUdhi;
    if (part.sar)
      pdu.tlvs.setSar(part.sar->msgRefNum, part.sar->totalSegments, part.sar->segmentSeqnum);
    if (base.split == SplitMode::Payload) {
      pdu.tlvs.setMessagePayload(std::move(body));
    } else {
      pdu.shortMessage = std::move(body);
    }
    built.parts.push_back(std::move(pdu));
  }
  return built;
}

}  // namespace mfigw::smpp
