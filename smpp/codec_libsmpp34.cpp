// codec_libsmpp34.cpp: the only file that includes libsmpp34 (Debian libsmpp34-dev 1.14).
//
// Threading: libsmpp34 writes its error text into the process globals smpp34_errno and
// smpp34_strerror on every pack/unpack. Call encode()/decode() from one thread only (the
// SMPP strand); the error text is copied out right after the call that set it.
//
// What libsmpp34 does and what we do by hand, and why (read in src/smpp34_unpack.c,
// smpp34_pack.c, smpp34_params.c and def_frame/*.frame of libsmpp34 1.14):
// - decode is by hand, for every PDU. smpp34_unpack is not safe on input from the network:
//   * C_OCTET runs strlen() on the input before checking the remaining length, so an
//     unterminated C-Octet String at the end of the buffer is read past its end;
//   * TLVs of an unlisted tag below 0x1400 (e.g. 0x0100) take no branch: the value is not
//     skipped and the next TLV is read from the middle of this one; typed TLVs (u8/u16)
//     ignore the length on the wire, so a 2-octet ussd_service_op desynchronises the rest;
//   * it rejects valid PDUs: vendor command_status codes (0x400-0x4FF), TON/NPI values not
//     in its list, interface_version other than 0x34 (a 3.3 peer), message_payload above
//     1024 octets, bind_resp / data_sm_resp error responses without a body;
//   * it returns TLVs in reverse wire order in a list it mallocs.
//   We never call unpack, so libsmpp34 never allocates a TLV list here (had it, the list
//   would be owned by a unique_ptr whose deleter calls destroy_tlv).
//   Our decoder checks every length against the bytes it was given and never reads past
//   them; it keeps TLVs in wire order as raw bytes.
// - encode() is the hand writer. libsmpp34's smpp34_pack is the reference it is checked
//   against: detail::encodeWithLibsmpp34 packs the mandatory part through smpp34_pack when
//   every field is inside what libsmpp34 packs faithfully (see packableByLibsmpp34), and
//   the golden tests require both to give identical bytes for every PDU we send. pack is
//   off the hot path because it costs 2.1 us per submit_sm against 0.13 us by hand
//   (bench/smpp_bench BM_EncodeSubmitSm, docs/BENCHMARKS.md), and because it refuses or
//   silently truncates outside those bounds (short_message
//   of 254 octets, reserved TON/NPI, vendor status, sequence_number 0, body-less error
//   responses, data_sm addresses over 20, non-0x34 bind versions). TLVs are always written
//   by hand (libsmpp34's TLV writer uses its own type table, so a vendor TLV or an
//   odd-length value would be re-shaped).
// - Field limits are checked by us before anything is packed: libsmpp34 truncates an
//   over-long C-Octet String and still returns success.
//
// Open issues:
// - submit_multi, query_sm, cancel_sm, replace_sm are not decoded (answered RINVCMDID).
#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "smpp/codec.hpp"

// The order matters (each header uses the previous one's types), hence the blank lines that
// keep clang-format from sorting them.
extern "C" {
#include <smpp34.h>

#include <smpp34_structs.h>

#include <smpp34_params.h>
}

namespace mfigw::smpp {

namespace {

// ---- limits (SMPP 3.4 section 4; sizes include the NUL) ----------------------------------
constexpr std::size_t kSystemIdMax = 16;
constexpr std::size_t kPasswordMax = 9;
constexpr std::size_t kSystemTypeMax = 13;
constexpr std::size_t kAddressRangeMax = 41;
constexpr std::size_t kServiceTypeMax = 6;
constexpr std::size_t kAddr21 = 21;
constexpr std::size_t kAddr65 = 65;
constexpr std::size_t kTimeMax = 17;
constexpr std::size_t kMessageIdMax = 65;
constexpr std::size_t kShortMessageMax = 254;

// ---- hand reader: every read is checked against the bytes given ---------------------------

struct Failure {
  CommandStatus status;
  const char* reason;
};

class Reader {
 public:
  explicit Reader(std::string_view bytes) : b_(bytes) {}
  std::size_t remaining() const { return b_.size() - pos_; }

  std::uint8_t u8() {
    need(1);
    return static_cast<std::uint8_t>(b_[pos_++]);
  }
  std::uint16_t u16() {
    need(2);
    const auto v = static_cast<std::uint16_t>((static_cast<unsigned char>(b_[pos_]) << 8) |
                                              static_cast<unsigned char>(b_[pos_ + 1]));
    pos_ += 2;
    return v;
  }
  std::string octets(std::size_t n, CommandStatus status, const char* reason) {
    if (n > remaining()) throw Failure{status, reason};
    std::string s(b_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // A C-Octet String of at most `max` octets including its NUL.
  std::string cstr(std::size_t max, CommandStatus tooLong, const char* reason) {
    const std::size_t window = std::min(max, remaining());
    const std::string_view w = b_.substr(pos_, window);
    const auto nul = w.find('\0');
    if (nul == std::string_view::npos) {
      // No NUL before the end of the PDU: the PDU is cut short. No NUL within `max` but
      // bytes remain: the field itself is too long.
      if (window == remaining()) throw Failure{CommandStatus::InvCmdLen, reason};
      throw Failure{tooLong, reason};
    }
    std::string s(w.substr(0, nul));
    pos_ += nul + 1;
    return s;
  }

 private:
  void need(std::size_t n) const {
    if (n > remaining()) throw Failure{CommandStatus::InvCmdLen, "PDU body too short"};
  }
  std::string_view b_;
  std::size_t pos_ = 0;
};

std::size_t fixedTlvLength(std::uint16_t tag) {
  switch (tag) {
    case tlv_tag::kUssdServiceOp:
    case tlv_tag::kSarTotalSegments:
    case tlv_tag::kSarSegmentSeqnum:
    case tlv_tag::kMessageState:
    case tlv_tag::kScInterfaceVersion:
      return 1;
    case tlv_tag::kUserMessageReference:
    case tlv_tag::kSarMsgRefNum:
    case tlv_tag::kItsSessionInfo:
    case tlv_tag::kSourcePort:
    case tlv_tag::kDestinationPort:
      return 2;
    case tlv_tag::kNetworkErrorCode:
      return 3;
    default:
      return 0;
  }
}

Tlvs readTlvs(Reader& r) {
  Tlvs tlvs;
  while (r.remaining() > 0) {
    if (r.remaining() < 4) throw Failure{CommandStatus::InvOptParStream, "truncated TLV header"};
    const std::uint16_t tag = r.u16();
    const std::uint16_t len = r.u16();
    std::string value = r.octets(len, CommandStatus::InvOptParStream, "TLV length past the end");
    if (const auto want = fixedTlvLength(tag); want != 0 && want != len) {
      throw Failure{CommandStatus::InvParLen, "TLV of a fixed size has the wrong length"};
    }
    tlvs.add(tag, std::move(value));
  }
  return tlvs;
}

void expectEnd(const Reader& r) {
  if (r.remaining() != 0) throw Failure{CommandStatus::InvCmdLen, "bytes after the PDU body"};
}

Address readAddress(Reader& r, std::size_t max, CommandStatus tooLong) {
  Address a;
  a.ton = r.u8();
  a.npi = r.u8();
  a.addr = r.cstr(max, tooLong, "address too long");
  return a;
}

template <typename T>
T readBind(Reader& r) {
  T p;
  p.systemId = r.cstr(kSystemIdMax, CommandStatus::InvSysId, "system_id too long");
  p.password = r.cstr(kPasswordMax, CommandStatus::InvPaswd, "password too long");
  p.systemType = r.cstr(kSystemTypeMax, CommandStatus::InvSysTyp, "system_type too long");
  p.interfaceVersion = r.u8();
  p.addrTon = r.u8();
  p.addrNpi = r.u8();
  p.addressRange = r.cstr(kAddressRangeMax, CommandStatus::SysErr, "address_range too long");
  expectEnd(r);
  return p;
}

template <typename T>
T readShortMessage(Reader& r) {
  T p;
  p.serviceType = r.cstr(kServiceTypeMax, CommandStatus::InvSerTyp, "service_type too long");
  p.source = readAddress(r, kAddr21, CommandStatus::InvSrcAdr);
  p.destination = readAddress(r, kAddr21, CommandStatus::InvDstAdr);
  p.esmClass = r.u8();
  p.protocolId = r.u8();
  p.priorityFlag = r.u8();
  p.scheduleDeliveryTime = r.cstr(kTimeMax, CommandStatus::InvSched, "schedule time too long");
  p.validityPeriod = r.cstr(kTimeMax, CommandStatus::InvExpiry, "validity period too long");
  p.registeredDelivery = r.u8();
  p.replaceIfPresentFlag = r.u8();
  p.dataCoding = r.u8();
  p.smDefaultMsgId = r.u8();
  const std::uint8_t smLength = r.u8();
  if (smLength > kShortMessageMax) throw Failure{CommandStatus::InvMsgLen, "sm_length > 254"};
  p.shortMessage = r.octets(smLength, CommandStatus::InvMsgLen, "sm_length past the end");
  p.tlvs = readTlvs(r);
  return p;
}

// Responses whose body an SMSC may leave out when the status is an error.
template <typename T>
T readMessageIdResp(Reader& r, CommandStatus status, bool withTlvs) {
  T p;
  if (status != CommandStatus::Ok && r.remaining() == 0) return p;
  p.messageId = r.cstr(kMessageIdMax, CommandStatus::InvMsgId, "message_id too long");
  if (withTlvs) {
    p.tlvs = readTlvs(r);
  } else {
    expectEnd(r);
  }
  return p;
}

template <typename T>
T readBindResp(Reader& r, CommandStatus status) {
  T p;
  if (status != CommandStatus::Ok && r.remaining() == 0) return p;
  p.systemId = r.cstr(kSystemIdMax, CommandStatus::InvSysId, "system_id too long");
  p.tlvs = readTlvs(r);
  return p;
}

Pdu readBody(CommandId id, CommandStatus status, Reader& r) {
  switch (id) {
    case CommandId::GenericNack:
      expectEnd(r);
      return GenericNack{};
    case CommandId::Unbind:
      expectEnd(r);
      return Unbind{};
    case CommandId::UnbindResp:
      expectEnd(r);
      return UnbindResp{};
    case CommandId::EnquireLink:
      expectEnd(r);
      return EnquireLink{};
    case CommandId::EnquireLinkResp:
      expectEnd(r);
      return EnquireLinkResp{};
    case CommandId::BindTransmitter:
      return readBind<BindTransmitter>(r);
    case CommandId::BindReceiver:
      return readBind<BindReceiver>(r);
    case CommandId::BindTransceiver:
      return readBind<BindTransceiver>(r);
    case CommandId::BindTransmitterResp:
      return readBindResp<BindTransmitterResp>(r, status);
    case CommandId::BindReceiverResp:
      return readBindResp<BindReceiverResp>(r, status);
    case CommandId::BindTransceiverResp:
      return readBindResp<BindTransceiverResp>(r, status);
    case CommandId::SubmitSm:
      return readShortMessage<SubmitSm>(r);
    case CommandId::DeliverSm:
      return readShortMessage<DeliverSm>(r);
    case CommandId::SubmitSmResp:
      return readMessageIdResp<SubmitSmResp>(r, status, false);
    case CommandId::DeliverSmResp:
      return readMessageIdResp<DeliverSmResp>(r, status, false);
    case CommandId::DataSmResp:
      return readMessageIdResp<DataSmResp>(r, status, true);
    case CommandId::DataSm: {
      DataSm p;
      p.serviceType = r.cstr(kServiceTypeMax, CommandStatus::InvSerTyp, "service_type too long");
      p.source = readAddress(r, kAddr65, CommandStatus::InvSrcAdr);
      p.destination = readAddress(r, kAddr65, CommandStatus::InvDstAdr);
      p.esmClass = r.u8();
      p.registeredDelivery = r.u8();
      p.dataCoding = r.u8();
      p.tlvs = readTlvs(r);
      return p;
    }
    case CommandId::Outbind: {
      Outbind p;
      p.systemId = r.cstr(kSystemIdMax, CommandStatus::InvSysId, "system_id too long");
      p.password = r.cstr(kPasswordMax, CommandStatus::InvPaswd, "password too long");
      expectEnd(r);
      return p;
    }
    case CommandId::AlertNotification: {
      AlertNotification p;
      p.source = readAddress(r, kAddr65, CommandStatus::InvSrcAdr);
      p.esme = readAddress(r, kAddr65, CommandStatus::InvSrcAdr);
      p.tlvs = readTlvs(r);
      return p;
    }
  }
  throw Failure{CommandStatus::InvCmdId, "unknown command_id"};
}

// ---- hand writer ---------------------------------------------------------------------------

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v & 0xFF));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v & 0xFFFF));
  }
  void cstr(const std::string& s, std::size_t max, const char* field) {
    checkCstr(s, max, field);
    out_.append(s);
    out_.push_back('\0');
  }
  void octets(std::string_view s) { out_.append(s); }
  std::string& str() { return out_; }

  static void checkCstr(const std::string& s, std::size_t max, const char* field) {
    if (s.size() + 1 > max) {
      throw EncodeError(std::string(field) + " longer than " + std::to_string(max - 1));
    }
    if (s.find('\0') != std::string::npos) {
      throw EncodeError(std::string(field) + " contains a NUL");
    }
  }

 private:
  std::string out_;
};

void writeTlvs(Writer& w, const Tlvs& tlvs) {
  for (const auto& t : tlvs.items()) {
    if (t.value.size() > 0xFFFF) throw EncodeError("TLV value longer than 65535 octets");
    w.u16(t.tag);
    w.u16(static_cast<std::uint16_t>(t.value.size()));
    w.octets(t.value);
  }
}

void writeAddress(Writer& w, const Address& a, std::size_t max, const char* field) {
  w.u8(a.ton);
  w.u8(a.npi);
  w.cstr(a.addr, max, field);
}

// Whether the hand writer leaves out the body: an error response with nothing to say,
// which is what decode() gives for a body-less error response.
template <typename T>
bool bodylessError(const T& p) {
  if constexpr (requires { p.messageId; }) {
    return p.commandStatus != CommandStatus::Ok && p.messageId.empty() && p.tlvs.empty();
  } else if constexpr (requires {
                         p.tlvs;
                         p.systemId;
                       } &&
                       isResponse(T::kId)) {
    return p.commandStatus != CommandStatus::Ok && p.systemId.empty() && p.tlvs.empty();
  } else {
    return false;
  }
}

// The mandatory part by hand (no header, no TLVs).
template <typename T>
void writeMandatory(Writer& w, const T& p) {
  if (bodylessError(p)) return;
  if constexpr (requires { p.interfaceVersion; }) {  // bind_*
    w.cstr(p.systemId, kSystemIdMax, "system_id");
    w.cstr(p.password, kPasswordMax, "password");
    w.cstr(p.systemType, kSystemTypeMax, "system_type");
    w.u8(p.interfaceVersion);
    w.u8(p.addrTon);
    w.u8(p.addrNpi);
    w.cstr(p.addressRange, kAddressRangeMax, "address_range");
  } else if constexpr (requires { p.shortMessage; }) {  // submit_sm, deliver_sm
    w.cstr(p.serviceType, kServiceTypeMax, "service_type");
    writeAddress(w, p.source, kAddr21, "source_addr");
    writeAddress(w, p.destination, kAddr21, "destination_addr");
    w.u8(p.esmClass);
    w.u8(p.protocolId);
    w.u8(p.priorityFlag);
    w.cstr(p.scheduleDeliveryTime, kTimeMax, "schedule_delivery_time");
    w.cstr(p.validityPeriod, kTimeMax, "validity_period");
    w.u8(p.registeredDelivery);
    w.u8(p.replaceIfPresentFlag);
    w.u8(p.dataCoding);
    w.u8(p.smDefaultMsgId);
    if (p.shortMessage.size() > kShortMessageMax) {
      throw EncodeError("short_message longer than 254 octets: use message_payload");
    }
    w.u8(static_cast<std::uint8_t>(p.shortMessage.size()));
    w.octets(p.shortMessage);
  } else if constexpr (std::is_same_v<T, DataSm>) {
    w.cstr(p.serviceType, kServiceTypeMax, "service_type");
    writeAddress(w, p.source, kAddr65, "source_addr");
    writeAddress(w, p.destination, kAddr65, "destination_addr");
    w.u8(p.esmClass);
    w.u8(p.registeredDelivery);
    w.u8(p.dataCoding);
  } else if constexpr (std::is_same_v<T, AlertNotification>) {
    writeAddress(w, p.source, kAddr65, "source_addr");
    writeAddress(w, p.esme, kAddr65, "esme_addr");
  } else if constexpr (std::is_same_v<T, Outbind>) {
    w.cstr(p.systemId, kSystemIdMax, "system_id");
    w.cstr(p.password, kPasswordMax, "password");
  } else if constexpr (requires { p.messageId; }) {
    w.cstr(p.messageId, kMessageIdMax, "message_id");
  } else if constexpr (requires { p.systemId; }) {  // bind_*_resp
    w.cstr(p.systemId, kSystemIdMax, "system_id");
  }
}

template <typename T>
void writeOptional(Writer& w, const T& p) {
  if constexpr (requires { p.tlvs; }) {
    if constexpr (T::kId == CommandId::SubmitSmResp || T::kId == CommandId::DeliverSmResp) {
      // SMPP 3.4 defines no TLVs for these; decode() would reject them as trailing bytes.
      if (!p.tlvs.empty()) throw EncodeError(toString(T::kId) + " carries no TLVs");
    }
    writeTlvs(w, p.tlvs);
  }
}

void writeHeader(Writer& w, CommandId id, CommandStatus status, std::uint32_t seq) {
  w.u32(0);  // command_length, patched at the end
  w.u32(static_cast<std::uint32_t>(id));
  w.u32(toWire(status));
  w.u32(seq);
}

void patchLength(std::string& out) {
  const auto len = static_cast<std::uint32_t>(out.size());
  out[0] = static_cast<char>(len >> 24);
  out[1] = static_cast<char>((len >> 16) & 0xFF);
  out[2] = static_cast<char>((len >> 8) & 0xFF);
  out[3] = static_cast<char>(len & 0xFF);
}

// ---- libsmpp34 writer -------------------------------------------------------------------

bool tonPackable(std::uint8_t ton) {
  return ton <= TON_Abbreviated;
}
bool npiPackable(std::uint8_t npi) {
  switch (npi) {
    case NPI_Unknown:
    case NPI_ISDN_E163_E164:
    case NPI_Data_X121:
    case NPI_Telex_F69:
    case NPI_Land_Mobile_E212:
    case NPI_National:
    case NPI_Private:
    case NPI_ERMES:
    case NPI_Internet_IP:
    case NPI_WAP_Client_Id:
      return true;
    default:
      return false;
  }
}
bool addressPackable(const Address& a) {
  return tonPackable(a.ton) && npiPackable(a.npi);
}

template <typename T>
bool packable(const T& p) {
  // Header: its U32 checks reject sequence 0 and statuses outside its list.
  if (p.sequenceNumber == 0 || toString(p.commandStatus).rfind("ESME_0x", 0) == 0) return false;
  // C_OCTET responses write a body even for errors (O_C_OCTET in submit_sm_resp leaves it
  // out); the hand writer owns the error-response cases.
  if constexpr (isResponse(T::kId) && T::kId != CommandId::GenericNack &&
                T::kId != CommandId::UnbindResp && T::kId != CommandId::EnquireLinkResp) {
    if (p.commandStatus != CommandStatus::Ok) return false;
  }
  if constexpr (requires { p.interfaceVersion; }) {
    return p.interfaceVersion == kSmppVersion34 && tonPackable(p.addrTon) && npiPackable(p.addrNpi);
  } else if constexpr (requires { p.shortMessage; }) {
    // OCTET8 refuses sm_length 254 (off by one); deliver_sm time fields are 1 octet there.
    const bool timesOk = T::kId == CommandId::SubmitSm ||
                         (p.scheduleDeliveryTime.empty() && p.validityPeriod.empty());
    return p.shortMessage.size() < kShortMessageMax && timesOk && addressPackable(p.source) &&
           addressPackable(p.destination);
  } else if constexpr (std::is_same_v<T, DataSm>) {
    // data_sm.frame sizes source_addr at 21, not the 65 of the spec.
    return p.source.addr.size() < kAddr21 && addressPackable(p.source) &&
           addressPackable(p.destination);
  } else if constexpr (std::is_same_v<T, AlertNotification>) {
    return addressPackable(p.source) && addressPackable(p.esme);
  } else if constexpr (T::kId == CommandId::DeliverSmResp) {
    return p.messageId.empty();  // deliver_sm_resp.frame: message_id of 1 octet
  } else {
    return true;
  }
}

template <std::size_t N>
void copyCstr(std::uint8_t (&dst)[N], const std::string& s) {
  // Lengths were checked by Writer::checkCstr against the same SMPP limits.
  std::memcpy(dst, s.data(), std::min(s.size(), N - 1));
  dst[std::min(s.size(), N - 1)] = 0;
}

template <typename Lib>
std::string libPack(std::uint32_t cmd, Lib& s) {
  // Zero-initialised so every unset field packs as 0 / empty and tlv is NULL.
  std::uint8_t buf[1024];
  int len = 0;
  if (smpp34_pack(cmd, buf, static_cast<int>(sizeof buf), &len, &s) != 0) {
    const std::string why(smpp34_strerror, strnlen(smpp34_strerror, sizeof smpp34_strerror));
    throw EncodeError("libsmpp34 refused " + toString(static_cast<CommandId>(cmd)) + ": " + why);
  }
  // Strip the header libsmpp34 wrote: the caller writes its own.
  return std::string(reinterpret_cast<const char*>(buf) + kHeaderSize,
                     static_cast<std::size_t>(len) - kHeaderSize);
}

template <typename Lib, typename T>
void fillHeader(Lib& s, const T& p) {
  s.command_id = static_cast<std::uint32_t>(T::kId);
  s.command_status = toWire(p.commandStatus);
  s.sequence_number = p.sequenceNumber;
}

// The libsmpp34 struct of each PDU type.
template <CommandId>
struct LibStruct;
#define MFIGW_LIBSMPP34_STRUCT(id, type) \
  template <>                            \
  struct LibStruct<CommandId::id> {      \
    using Type = type;                   \
  };
MFIGW_LIBSMPP34_STRUCT(BindTransmitter, bind_transmitter_t)
MFIGW_LIBSMPP34_STRUCT(BindReceiver, bind_receiver_t)
MFIGW_LIBSMPP34_STRUCT(BindTransceiver, bind_transceiver_t)
MFIGW_LIBSMPP34_STRUCT(BindTransmitterResp, bind_transmitter_resp_t)
MFIGW_LIBSMPP34_STRUCT(BindReceiverResp, bind_receiver_resp_t)
MFIGW_LIBSMPP34_STRUCT(BindTransceiverResp, bind_transceiver_resp_t)
MFIGW_LIBSMPP34_STRUCT(Unbind, unbind_t)
MFIGW_LIBSMPP34_STRUCT(UnbindResp, unbind_resp_t)
MFIGW_LIBSMPP34_STRUCT(EnquireLink, enquire_link_t)
MFIGW_LIBSMPP34_STRUCT(EnquireLinkResp, enquire_link_resp_t)
MFIGW_LIBSMPP34_STRUCT(GenericNack, generic_nack_t)
MFIGW_LIBSMPP34_STRUCT(SubmitSm, submit_sm_t)
MFIGW_LIBSMPP34_STRUCT(DeliverSm, deliver_sm_t)
MFIGW_LIBSMPP34_STRUCT(SubmitSmResp, submit_sm_resp_t)
MFIGW_LIBSMPP34_STRUCT(DeliverSmResp, deliver_sm_resp_t)
MFIGW_LIBSMPP34_STRUCT(DataSmResp, data_sm_resp_t)
MFIGW_LIBSMPP34_STRUCT(DataSm, data_sm_t)
MFIGW_LIBSMPP34_STRUCT(Outbind, outbind_t)
MFIGW_LIBSMPP34_STRUCT(AlertNotification, alert_notification_t)
#undef MFIGW_LIBSMPP34_STRUCT

// Copies the mandatory fields of `p` into libsmpp34's struct; the shape of the PDU type
// says which fields it has (header-only PDUs have none beyond the header).
template <typename Lib, typename T>
void fillBody(Lib& s, const T& p) {
  if constexpr (requires { p.interfaceVersion; }) {  // bind_transmitter/receiver/transceiver
    copyCstr(s.system_id, p.systemId);
    copyCstr(s.password, p.password);
    copyCstr(s.system_type, p.systemType);
    s.interface_version = p.interfaceVersion;
    s.addr_ton = p.addrTon;
    s.addr_npi = p.addrNpi;
    copyCstr(s.address_range, p.addressRange);
  } else if constexpr (requires { p.shortMessage; }) {  // submit_sm, deliver_sm
    copyCstr(s.service_type, p.serviceType);
    s.source_addr_ton = p.source.ton;
    s.source_addr_npi = p.source.npi;
    copyCstr(s.source_addr, p.source.addr);
    s.dest_addr_ton = p.destination.ton;
    s.dest_addr_npi = p.destination.npi;
    copyCstr(s.destination_addr, p.destination.addr);
    s.esm_class = p.esmClass;
    s.protocol_id = p.protocolId;
    s.priority_flag = p.priorityFlag;
    copyCstr(s.schedule_delivery_time, p.scheduleDeliveryTime);
    copyCstr(s.validity_period, p.validityPeriod);
    s.registered_delivery = p.registeredDelivery;
    s.replace_if_present_flag = p.replaceIfPresentFlag;
    s.data_coding = p.dataCoding;
    s.sm_default_msg_id = p.smDefaultMsgId;
    s.sm_length = static_cast<std::uint8_t>(p.shortMessage.size());
    std::memcpy(s.short_message, p.shortMessage.data(), p.shortMessage.size());
  } else if constexpr (std::is_same_v<T, DataSm>) {
    copyCstr(s.service_type, p.serviceType);
    s.source_addr_ton = p.source.ton;
    s.source_addr_npi = p.source.npi;
    copyCstr(s.source_addr, p.source.addr);
    s.dest_addr_ton = p.destination.ton;
    s.dest_addr_npi = p.destination.npi;
    copyCstr(s.destination_addr, p.destination.addr);
    s.esm_class = p.esmClass;
    s.registered_delivery = p.registeredDelivery;
    s.data_coding = p.dataCoding;
  } else if constexpr (std::is_same_v<T, AlertNotification>) {
    s.source_addr_ton = p.source.ton;
    s.source_addr_npi = p.source.npi;
    copyCstr(s.source_addr, p.source.addr);
    s.esme_addr_ton = p.esme.ton;
    s.esme_addr_npi = p.esme.npi;
    copyCstr(s.esme_addr, p.esme.addr);
  } else if constexpr (std::is_same_v<T, Outbind>) {
    copyCstr(s.system_id, p.systemId);
    copyCstr(s.password, p.password);
  } else if constexpr (requires { p.systemId; }) {  // bind_*_resp
    copyCstr(s.system_id, p.systemId);
  } else if constexpr (requires { p.messageId; } && T::kId != CommandId::DeliverSmResp) {
    copyCstr(s.message_id, p.messageId);  // submit_sm_resp, data_sm_resp
  }
}

// The mandatory part (no header, no TLVs) through smpp34_pack.
template <typename T>
std::string libMandatory(const T& p) {
  typename LibStruct<T::kId>::Type s{};
  fillHeader(s, p);
  fillBody(s, p);
  return libPack(static_cast<std::uint32_t>(T::kId), s);
}

template <typename T>
std::string encodeOne(const T& p, bool allowLibsmpp34) {
  Writer w;
  writeHeader(w, T::kId, p.commandStatus, p.sequenceNumber);
  // The hand writer validates every field limit, so it runs even when libsmpp34 then packs
  // the same fields for the cross-check (pack would truncate an over-long string and report
  // success).
  Writer body;
  writeMandatory(body, p);
  if (allowLibsmpp34 && packable(p)) {
    w.octets(libMandatory(p));
  } else {
    w.octets(body.str());
  }
  writeOptional(w, p);
  if (w.str().size() > 0xFFFFFFFFULL) throw EncodeError("PDU too long");
  patchLength(w.str());
  return std::move(w.str());
}

}  // namespace

std::string encode(const Pdu& pdu) {
  return std::visit([](const auto& p) { return encodeOne(p, false); }, pdu);
}

namespace detail {
std::string encodeByHand(const Pdu& pdu) {
  return encode(pdu);
}
std::optional<std::string> encodeWithLibsmpp34(const Pdu& pdu) {
  if (!packableByLibsmpp34(pdu)) return std::nullopt;
  return std::visit([](const auto& p) { return encodeOne(p, true); }, pdu);
}
bool packableByLibsmpp34(const Pdu& pdu) {
  return std::visit([](const auto& p) { return packable(p); }, pdu);
}
}  // namespace detail

DecodeResult decode(std::string_view wholePdu) {
  const auto header = peekHeader(wholePdu);
  if (!header) {
    return DecodeError{std::nullopt, std::nullopt, CommandStatus::InvCmdLen,
                       "shorter than a header"};
  }
  DecodeError err{header->commandId, header->sequenceNumber, CommandStatus::SysErr, ""};
  if (header->commandLength != wholePdu.size()) {
    err.status = CommandStatus::InvCmdLen;
    err.reason = "command_length does not match the PDU size";
    return err;
  }
  if (!isKnownCommandId(header->commandId)) {
    err.status = CommandStatus::InvCmdId;
    err.reason = "unknown command_id";
    return err;
  }
  Reader r(wholePdu.substr(kHeaderSize));
  try {
    Pdu pdu = readBody(static_cast<CommandId>(header->commandId), header->commandStatus, r);
    std::visit(
        [&](auto& p) {
          p.sequenceNumber = header->sequenceNumber;
          p.commandStatus = header->commandStatus;
        },
        pdu);
    return pdu;
  } catch (const Failure& f) {
    err.status = f.status;
    err.reason = f.reason;
    return err;
  }
}

GenericNack makeGenericNack(const DecodeError& error) {
  GenericNack nack;
  nack.sequenceNumber = error.sequenceNumber.value_or(0);
  nack.commandStatus = error.status;
  return nack;
}

}  // namespace mfigw::smpp
