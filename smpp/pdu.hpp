// pdu.hpp: our own value types for the SMPP 3.4 PDUs the gateway sends and receives.
//
// Purpose:   plain values (std::string, std::uint8_t, enum class) that the Session, the
//            simulator and the tests build and compare; no libsmpp34 type leaks out of
//            smpp/codec_libsmpp34.cpp. Field names follow SMPP 3.4 section 4.
// Threading: values; no shared state.
// Errors:    none here; encoding and decoding errors are in codec.hpp.
// Ownership: every PDU owns its strings and TLV bytes.
//
// Conventions: C-Octet String fields hold the text without the terminating NUL;
// short_message and TLV values are raw bytes in std::string. A PDU carries its own
// sequence_number and command_status; command_length is computed by encode().
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "smpp/command_status.hpp"

namespace mfigw::smpp {

enum class CommandId : std::uint32_t {
  GenericNack = 0x80000000,
  BindReceiver = 0x00000001,
  BindReceiverResp = 0x80000001,
  BindTransmitter = 0x00000002,
  BindTransmitterResp = 0x80000002,
  SubmitSm = 0x00000004,
  SubmitSmResp = 0x80000004,
  DeliverSm = 0x00000005,
  DeliverSmResp = 0x80000005,
  Unbind = 0x00000006,
  UnbindResp = 0x80000006,
  BindTransceiver = 0x00000009,
  BindTransceiverResp = 0x80000009,
  Outbind = 0x0000000B,
  EnquireLink = 0x00000015,
  EnquireLinkResp = 0x80000015,
  AlertNotification = 0x00000102,
  DataSm = 0x00000103,
  DataSmResp = 0x80000103,
};

// "submit_sm"; an id not listed above gives "command_0x00000003".
std::string toString(CommandId id);
// True for the ids listed in CommandId (the ones decode() understands).
bool isKnownCommandId(std::uint32_t raw);
inline constexpr bool isResponse(CommandId id) {
  return (static_cast<std::uint32_t>(id) & 0x80000000U) != 0;
}

inline constexpr std::uint8_t kSmppVersion34 = 0x34;
inline constexpr std::size_t kHeaderSize = 16;

// The 16-octet header every PDU starts with (SMPP 3.4 section 3.2).
struct Header {
  std::uint32_t commandLength = 0;
  std::uint32_t commandId = 0;  // raw: may be an id we do not know
  CommandStatus commandStatus = CommandStatus::Ok;
  std::uint32_t sequenceNumber = 0;
  bool operator==(const Header&) const = default;
};
// Reads the header; nullopt when fewer than 16 octets are given.
std::optional<Header> peekHeader(std::string_view bytes);

// Well-known TLV tags (SMPP 3.4 section 5.3.2; USSD tags from reference/ussd.md 1.1).
namespace tlv_tag {
inline constexpr std::uint16_t kReceiptedMessageId = 0x001E;
inline constexpr std::uint16_t kUserMessageReference = 0x0204;
inline constexpr std::uint16_t kSourcePort = 0x020A;
inline constexpr std::uint16_t kDestinationPort = 0x020B;
inline constexpr std::uint16_t kSarMsgRefNum = 0x020C;
inline constexpr std::uint16_t kSarTotalSegments = 0x020E;
inline constexpr std::uint16_t kSarSegmentSeqnum = 0x020F;
inline constexpr std::uint16_t kScInterfaceVersion = 0x0210;
inline constexpr std::uint16_t kNetworkErrorCode = 0x0423;
inline constexpr std::uint16_t kMessagePayload = 0x0424;
inline constexpr std::uint16_t kMessageState = 0x0427;
inline constexpr std::uint16_t kUssdServiceOp = 0x0501;
inline constexpr std::uint16_t kItsReplyType = 0x1380;
inline constexpr std::uint16_t kItsSessionInfo = 0x1383;
}  // namespace tlv_tag

struct Tlv {
  std::uint16_t tag = 0;
  std::string value;  // raw octets, at most 65535
  bool operator==(const Tlv&) const = default;
};

// The optional parameters of one PDU, in wire order. Unknown and vendor tags are kept as
// bytes so a PDU re-encodes unchanged. Typed getters return nullopt when the TLV is
// absent or has the wrong length for its type.
class Tlvs {
 public:
  Tlvs() = default;
  Tlvs(std::initializer_list<Tlv> items) : items_(items) {}

  const std::vector<Tlv>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  const Tlv* find(std::uint16_t tag) const;
  // Replaces the first TLV with this tag, or appends one.
  void set(std::uint16_t tag, std::string value);
  void add(std::uint16_t tag, std::string value) { items_.push_back({tag, std::move(value)}); }

  std::optional<std::uint8_t> u8(std::uint16_t tag) const;
  std::optional<std::uint16_t> u16(std::uint16_t tag) const;
  std::optional<std::string> bytes(std::uint16_t tag) const;
  void setU8(std::uint16_t tag, std::uint8_t v);
  void setU16(std::uint16_t tag, std::uint16_t v);

  std::optional<std::uint8_t> ussdServiceOp() const { return u8(tlv_tag::kUssdServiceOp); }
  std::optional<std::uint16_t> userMessageReference() const {
    return u16(tlv_tag::kUserMessageReference);
  }
  // 2 octets: dialogue id and end flag, operator-specific (reference/ussd.md 1.3).
  std::optional<std::string> itsSessionInfo() const;
  std::optional<std::string> messagePayload() const { return bytes(tlv_tag::kMessagePayload); }
  // The C-Octet String without its NUL.
  std::optional<std::string> receiptedMessageId() const;
  std::optional<std::uint8_t> messageState() const { return u8(tlv_tag::kMessageState); }
  // 3 octets: network type, then the error code (2 octets).
  std::optional<std::string> networkErrorCode() const;
  std::optional<std::uint16_t> sarMsgRefNum() const { return u16(tlv_tag::kSarMsgRefNum); }
  std::optional<std::uint8_t> sarTotalSegments() const { return u8(tlv_tag::kSarTotalSegments); }
  std::optional<std::uint8_t> sarSegmentSeqnum() const { return u8(tlv_tag::kSarSegmentSeqnum); }

  void setUssdServiceOp(std::uint8_t op) { setU8(tlv_tag::kUssdServiceOp, op); }
  void setUserMessageReference(std::uint16_t ref) { setU16(tlv_tag::kUserMessageReference, ref); }
  void setItsSessionInfo(std::string twoOctets) {
    set(tlv_tag::kItsSessionInfo, std::move(twoOctets));
  }
  void setMessagePayload(std::string payload) { set(tlv_tag::kMessagePayload, std::move(payload)); }
  void setReceiptedMessageId(std::string_view id) {
    set(tlv_tag::kReceiptedMessageId, std::string(id) + '\0');
  }
  void setMessageState(std::uint8_t state) { setU8(tlv_tag::kMessageState, state); }
  void setNetworkErrorCode(std::string threeOctets) {
    set(tlv_tag::kNetworkErrorCode, std::move(threeOctets));
  }
  void setSar(std::uint16_t refNum, std::uint8_t total, std::uint8_t seqnum);

  bool operator==(const Tlvs&) const = default;

 private:
  std::vector<Tlv> items_;
};

struct Address {
  std::uint8_t ton = 0;
  std::uint8_t npi = 0;
  std::string addr;
  bool operator==(const Address&) const = default;
};

// PDUs with a header only: unbind(_resp), enquire_link(_resp), generic_nack.
template <CommandId Id>
struct HeaderOnlyPdu {
  static constexpr CommandId kId = Id;
  std::uint32_t sequenceNumber = 0;
  CommandStatus commandStatus = CommandStatus::Ok;
  bool operator==(const HeaderOnlyPdu&) const = default;
};
using Unbind = HeaderOnlyPdu<CommandId::Unbind>;
using UnbindResp = HeaderOnlyPdu<CommandId::UnbindResp>;
using EnquireLink = HeaderOnlyPdu<CommandId::EnquireLink>;
using EnquireLinkResp = HeaderOnlyPdu<CommandId::EnquireLinkResp>;
using GenericNack = HeaderOnlyPdu<CommandId::GenericNack>;

// bind_transmitter / bind_receiver / bind_transceiver (SMPP 3.4 4.1.1).
template <CommandId Id>
struct BindPdu {
  static constexpr CommandId kId = Id;
  std::uint32_t sequenceNumber = 0;
  CommandStatus commandStatus = CommandStatus::Ok;
  std::string systemId;    // max 15
  std::string password;    // max 8
  std::string systemType;  // max 12
  std::uint8_t interfaceVersion = kSmppVersion34;
  std::uint8_t addrTon = 0;
  std::uint8_t addrNpi = 0;
  std::string addressRange;  // max 40
  bool operator==(const BindPdu&) const = default;
};
using BindTransmitter = BindPdu<CommandId::BindTransmitter>;
using BindReceiver = BindPdu<CommandId::BindReceiver>;
using BindTransceiver = BindPdu<CommandId::BindTransceiver>;

// bind_*_resp (4.1.2): system_id plus an optional sc_interface_version TLV. An error
// response may come without a body; it decodes with an empty systemId and re-encodes
// without one.
template <CommandId Id>
struct BindRespPdu {
  static constexpr CommandId kId = Id;
  std::uint32_t sequenceNumber = 0;
  CommandStatus commandStatus = CommandStatus::Ok;
  std::string systemId;  // max 15
  Tlvs tlvs;
  bool operator==(const BindRespPdu&) const = default;
};
using BindTransmitterResp = BindRespPdu<CommandId::BindTransmitterResp>;
using BindReceiverResp = BindRespPdu<CommandId::BindReceiverResp>;
using BindTransceiverResp = BindRespPdu<CommandId::BindTransceiverResp>;

// submit_sm (4.4.1) and deliver_sm (4.6.1) share one layout.
template <CommandId Id>
struct ShortMessagePdu {
  static constexpr CommandId kId = Id;
  std::uint32_t sequenceNumber = 0;
  CommandStatus commandStatus = CommandStatus::Ok;
  std::string serviceType;  // max 5, e.g. "USSD"
  Address source;           // addr max 20
  Address destination;      // addr max 20
  std::uint8_t esmClass = 0;
  std::uint8_t protocolId = 0;
  std::uint8_t priorityFlag = 0;
  std::string scheduleDeliveryTime;  // max 16; empty in deliver_sm
  std::string validityPeriod;        // max 16; empty in deliver_sm
  std::uint8_t registeredDelivery = 0;
  std::uint8_t replaceIfPresentFlag = 0;
  std::uint8_t dataCoding = 0;
  std::uint8_t smDefaultMsgId = 0;
  std::string shortMessage;  // raw octets, max 254 (longer text goes in message_payload)
  Tlvs tlvs;
  bool operator==(const ShortMessagePdu&) const = default;
};
using SubmitSm = ShortMessagePdu<CommandId::SubmitSm>;
using DeliverSm = ShortMessagePdu<CommandId::DeliverSm>;

// submit_sm_resp (4.4.2), deliver_sm_resp (4.6.2), data_sm_resp (4.7.2): a message_id.
// With a non-zero status the body may be absent; it decodes as an empty messageId.
template <CommandId Id>
struct MessageIdRespPdu {
  static constexpr CommandId kId = Id;
  std::uint32_t sequenceNumber = 0;
  CommandStatus commandStatus = CommandStatus::Ok;
  std::string messageId;  // max 64; always empty in deliver_sm_resp
  Tlvs tlvs;              // data_sm_resp only, per the spec
  bool operator==(const MessageIdRespPdu&) const = default;
};
using SubmitSmResp = MessageIdRespPdu<CommandId::SubmitSmResp>;
using DeliverSmResp = MessageIdRespPdu<CommandId::DeliverSmResp>;
using DataSmResp = MessageIdRespPdu<CommandId::DataSmResp>;

// data_sm (4.7.1).
struct DataSm {
  static constexpr CommandId kId = CommandId::DataSm;
  std::uint32_t sequenceNumber = 0;
  CommandStatus commandStatus = CommandStatus::Ok;
  std::string serviceType;  // max 5
  Address source;           // addr max 64
  Address destination;      // addr max 64
  std::uint8_t esmClass = 0;
  std::uint8_t registeredDelivery = 0;
  std::uint8_t dataCoding = 0;
  Tlvs tlvs;
  bool operator==(const DataSm&) const = default;
};

// outbind (4.1.7).
struct Outbind {
  static constexpr CommandId kId = CommandId::Outbind;
  std::uint32_t sequenceNumber = 0;
  CommandStatus commandStatus = CommandStatus::Ok;
  std::string systemId;  // max 15
  std::string password;  // max 8
  bool operator==(const Outbind&) const = default;
};

// alert_notification (4.12.1).
struct AlertNotification {
  static constexpr CommandId kId = CommandId::AlertNotification;
  std::uint32_t sequenceNumber = 0;
  CommandStatus commandStatus = CommandStatus::Ok;
  Address source;  // addr max 64
  Address esme;    // addr max 64
  Tlvs tlvs;
  bool operator==(const AlertNotification&) const = default;
};

using Pdu = std::variant<BindTransmitter, BindTransmitterResp, BindReceiver, BindReceiverResp,
                         BindTransceiver, BindTransceiverResp, Unbind, UnbindResp, EnquireLink,
                         EnquireLinkResp, GenericNack, SubmitSm, SubmitSmResp, DeliverSm,
                         DeliverSmResp, DataSm, DataSmResp, Outbind, AlertNotification>;

CommandId commandIdOf(const Pdu& pdu);
std::uint32_t sequenceNumberOf(const Pdu& pdu);
CommandStatus commandStatusOf(const Pdu& pdu);

// Responses that copy the request's sequence number, so nobody copies it by hand. The
// caller fills systemId / messageId where it has one.
BindTransmitterResp makeResponse(const BindTransmitter& req, CommandStatus status);
BindReceiverResp makeResponse(const BindReceiver& req, CommandStatus status);
BindTransceiverResp makeResponse(const BindTransceiver& req, CommandStatus status);
UnbindResp makeResponse(const Unbind& req, CommandStatus status);
EnquireLinkResp makeResponse(const EnquireLink& req, CommandStatus status);
SubmitSmResp makeResponse(const SubmitSm& req, CommandStatus status);
// message_id is always empty: SMPP 3.4 4.6.2 says it is unused and set to NULL.
DeliverSmResp makeResponse(const DeliverSm& req, CommandStatus status);
DataSmResp makeResponse(const DataSm& req, CommandStatus status);
// The response to any request PDU; nullopt for responses, outbind and alert_notification,
// which are not answered.
std::optional<Pdu> makeResponse(const Pdu& request, CommandStatus status);

}  // namespace mfigw::smpp
