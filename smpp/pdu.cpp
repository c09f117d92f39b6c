#include "smpp/pdu.hpp"

#include <cstdio>
#include <type_traits>

namespace mfigw::smpp {

namespace {

const char* knownName(CommandId id) {
  switch (id) {
    case CommandId::GenericNack:
      return "generic_nack";
    case CommandId::BindReceiver:
      return "bind_receiver";
    case CommandId::BindReceiverResp:
      return "bind_receiver_resp";
    case CommandId::BindTransmitter:
      return "bind_transmitter";
    case CommandId::BindTransmitterResp:
      return "bind_transmitter_resp";
    case CommandId::SubmitSm:
      return "submit_sm";
    case CommandId::SubmitSmResp:
      return "submit_sm_resp";
    case CommandId::DeliverSm:
      return "deliver_sm";
    case CommandId::DeliverSmResp:
      return "deliver_sm_resp";
    case CommandId::Unbind:
      return "unbind";
    case CommandId::UnbindResp:
      return "unbind_resp";
    case CommandId::BindTransceiver:
      return "bind_transceiver";
    case CommandId::BindTransceiverResp:
      return "bind_transceiver_resp";
    case CommandId::Outbind:
      return "outbind";
    case CommandId::EnquireLink:
      return "enquire_link";
    case CommandId::EnquireLinkResp:
      return "enquire_link_resp";
    case CommandId::AlertNotification:
      return "alert_notification";
    case CommandId::DataSm:
      return "data_sm";
    case CommandId::DataSmResp:
      return "data_sm_resp";
  }
  return nullptr;
}

std::uint32_t be32(std::string_view b, std::size_t at) {
  return (std::uint32_t{static_cast<unsigned char>(b[at])} << 24) |
         (std::uint32_t{static_cast<unsigned char>(b[at + 1])} << 16) |
         (std::uint32_t{static_cast<unsigned char>(b[at + 2])} << 8) |
         std::uint32_t{static_cast<unsigned char>(b[at + 3])};
}

}  // namespace

std::string toString(CommandId id) {
  if (const char* name = knownName(id)) return name;
  char buf[32];
  std::snprintf(buf, sizeof buf, "command_0x%08X", static_cast<std::uint32_t>(id));
  return buf;
}

bool isKnownCommandId(std::uint32_t raw) {
  return knownName(static_cast<CommandId>(raw)) != nullptr;
}

std::optional<Header> peekHeader(std::string_view bytes) {
  if (bytes.size() < kHeaderSize) return std::nullopt;
  return Header{be32(bytes, 0), be32(bytes, 4), static_cast<CommandStatus>(be32(bytes, 8)),
                be32(bytes, 12)};
}

const Tlv* Tlvs::find(std::uint16_t tag) const {
  for (const auto& t : items_) {
    if (t.tag == tag) return &t;
  }
  return nullptr;
}

void Tlvs::set(std::uint16_t tag, std::string value) {
  for (auto& t : items_) {
    if (t.tag == tag) {
      t.value = std::move(value);
      return;
    }
  }
  items_.push_back({tag, std::move(value)});
}

std::optional<std::uint8_t> Tlvs::u8(std::uint16_t tag) const {
  const Tlv* t = find(tag);
  if (t == nullptr || t->value.size() != 1) return std::nullopt;
  return static_cast<std::uint8_t>(t->value[0]);
}

std::optional<std::uint16_t> Tlvs::u16(std::uint16_t tag) const {
  const Tlv* t = find(tag);
  if (t == nullptr || t->value.size() != 2) return std::nullopt;
  return static_cast<std::uint16_t>((static_cast<unsigned char>(t->value[0]) << 8) |
                                    static_cast<unsigned char>(t->value[1]));
}

std::optional<std::string> Tlvs::bytes(std::uint16_t tag) const {
  const Tlv* t = find(tag);
  if (t == nullptr) return std::nullopt;
  return t->value;
}

void Tlvs::setU8(std::uint16_t tag, std::uint8_t v) {
  set(tag, std::string(1, static_cast<char>(v)));
}

void Tlvs::setU16(std::uint16_t tag, std::uint16_t v) {
  std::string s;
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v & 0xFF));
  set(tag, std::move(s));
}

std::optional<std::string> Tlvs::itsSessionInfo() const {
  const Tlv* t = find(tlv_tag::kItsSessionInfo);
  if (t == nullptr || t->value.size() != 2) return std::nullopt;
  return t->value;
}

std::optional<std::string> Tlvs::receiptedMessageId() const {
  const Tlv* t = find(tlv_tag::kReceiptedMessageId);
  if (t == nullptr) return std::nullopt;
  // A C-Octet String; some SMSCs omit the NUL, so accept both.
  std::string_view v = t->value;
  if (const auto nul = v.find('\0'); nul != std::string_view::npos) v = v.substr(0, nul);
  return std::string(v);
}

std::optional<std::string> Tlvs::networkErrorCode() const {
  const Tlv* t = find(tlv_tag::kNetworkErrorCode);
  if (t == nullptr || t->value.size() != 3) return std::nullopt;
  return t->value;
}

void Tlvs::setSar(std::uint16_t refNum, std::uint8_t total, std::uint8_t seqnum) {
  setU16(tlv_tag::kSarMsgRefNum, refNum);
  setU8(tlv_tag::kSarTotalSegments, total);
  setU8(tlv_tag::kSarSegmentSeqnum, seqnum);
}

CommandId commandIdOf(const Pdu& pdu) {
  return std::visit([](const auto& p) { return std::decay_t<decltype(p)>::kId; }, pdu);
}

std::uint32_t sequenceNumberOf(const Pdu& pdu) {
  return std::visit([](const auto& p) { return p.sequenceNumber; }, pdu);
}

CommandStatus commandStatusOf(const Pdu& pdu) {
  return std::visit([](const auto& p) { return p.commandStatus; }, pdu);
}

namespace {

template <typename Resp, typename Req>
Resp responseTo(const Req& req, CommandStatus status) {
  Resp resp;
  resp.sequenceNumber = req.sequenceNumber;
  resp.commandStatus = status;
  return resp;
}

}  // namespace

BindTransmitterResp makeResponse(const BindTransmitter& req, CommandStatus status) {
  return responseTo<BindTransmitterResp>(req, status);
}
BindReceiverResp makeResponse(const BindReceiver& req, CommandStatus status) {
  return responseTo<BindReceiverResp>(req, status);
}
BindTransceiverResp makeResponse(const BindTransceiver& req, CommandStatus status) {
  return responseTo<BindTransceiverResp>(req, status);
}
UnbindResp makeResponse(const Unbind& req, CommandStatus status) {
  return responseTo<UnbindResp>(req, status);
}
EnquireLinkResp makeResponse(const EnquireLink& req, CommandStatus status) {
  return responseTo<EnquireLinkResp>(req, status);
}
SubmitSmResp makeResponse(const SubmitSm& req, CommandStatus status) {
  return responseTo<SubmitSmResp>(req, status);
}
DeliverSmResp makeResponse(const DeliverSm& req, CommandStatus status) {
  return responseTo<DeliverSmResp>(req, status);
}
DataSmResp makeResponse(const DataSm& req, CommandStatus status) {
  return responseTo<DataSmResp>(req, status);
}

std::optional<Pdu> makeResponse(const Pdu& request, CommandStatus status) {
  return std::visit(
      [status](const auto& p) -> std::optional<Pdu> {
        // Every concrete type converts to Pdu, so the Pdu overload is what remains for
        // types without a response of their own.
        if constexpr (!std::is_same_v<decltype(makeResponse(p, status)), std::optional<Pdu>>) {
          return Pdu{makeResponse(p, status)};
        } else {
          return std::nullopt;
        }
      },
      request);
}

}  // namespace mfigw::smpp
