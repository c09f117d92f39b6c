// UssdDialect: how one operator's USSD centre speaks USSD over SMPP (reference/ussd.md 1.4).
//
// Purpose:   USSD over SMPP is standardised only as far as three TLVs; each USSD centre uses
//            them its own way. A dialect is the profile of one: which ussd_service_op codes
//            begin, continue, end and abort a dialog (vendor codes included), which codes we
//            answer with, where the session key lives (its_session_info, user_message_reference,
//            a vendor TLV, or nowhere: the MSISDN alone), where the dialled string is, whether
//            replies go as submit_sm or data_sm, and their data coding. Built-in profiles:
//            smpp34 (the SMPP 3.4 conventions, the default) and user_message_reference (Mica,
//            Eyeline); gateway.yaml may declare more (ussd.dialects) and picks one per link.
//            Pure functions: PDU fields in, values and PDUs out.
// Threading: none; values are immutable once built.
// Errors:    config errors are caught by the config rules (checkDialects); the functions here
//            never throw and treat odd PDUs (a short TLV, a missing op) as documented below.
// Ownership: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gateway/config.hpp"
#include "smpp/pdu.hpp"
#include "store/cell_tower.hpp"

namespace mfigw::gateway {

// What a deliver_sm's ussd_service_op means in a dialect.
enum class UssdOpKind { Begin, Continue, End, Abort, Unknown };
[[nodiscard]] std::string_view toString(UssdOpKind kind);

enum class UssdSessionKeyPlace { ItsSessionInfo, UserMessageReference, Tlv, None };
enum class UssdServiceCodePlace { Text, DestinationAddr, Tlv };
enum class UssdReplyCommand { SubmitSm, DataSm };
enum class UssdReplyCoding { Auto, Ucs2, Latin1 };

struct UssdDialect {
  std::string name;
  std::vector<std::uint8_t> beginOps;
  std::vector<std::uint8_t> continueOps;
  std::vector<std::uint8_t> endOps;
  std::vector<std::uint8_t> abortOps;
  std::uint8_t replyContinueOp = 2;
  std::uint8_t replyEndOp = 17;
  UssdSessionKeyPlace sessionKey = UssdSessionKeyPlace::ItsSessionInfo;
  std::uint16_t sessionTlv = 0;
  UssdServiceCodePlace serviceCode = UssdServiceCodePlace::Text;
  std::uint16_t serviceCodeTlv = 0;
  std::uint16_t cellTlv = 0;  // the caller's cell (CGI); 0: the dialect carries none
  UssdReplyCommand replyWith = UssdReplyCommand::SubmitSm;
  UssdReplyCoding dataCoding = UssdReplyCoding::Auto;
};

// The names gateway.yaml may use without declaring them.
inline constexpr std::string_view kDefaultUssdDialect = "smpp34";
[[nodiscard]] const std::vector<UssdDialect>& builtinUssdDialects();

// A declared dialect as a profile. The config rules have checked it (checkUssdDialects).
[[nodiscard]] UssdDialect ussdDialectFrom(const UssdDialectConfig& config);
// The profile named `name`: declared in config first, then built in; nullopt when unknown.
[[nodiscard]] std::optional<UssdDialect> findUssdDialect(const GatewayConfig& config,
                                                         std::string_view name);

// Problems of ussd.dialects and smpp.links[].ussd_dialect, for the config loader's rules.
struct UssdDialectProblem {
  std::string path;  // "ussd.dialects[1].end_ops", "smpp.links[0].ussd_dialect"
  std::string message;
};
[[nodiscard]] std::vector<UssdDialectProblem> checkUssdDialects(const GatewayConfig& config);

// A missing ussd_service_op is read as the dialect's first begin code (USSD centres that mark
// USSD by service_type alone send one kind of PDU: the dial).
[[nodiscard]] UssdOpKind classifyUssdOp(const UssdDialect& dialect, std::optional<std::uint8_t> op);

// The caller's serving cell from the dialect's cell TLV, when it has one and the value is a
// well-formed CGI (gateway/cell_global_id.hpp); nullopt else.
[[nodiscard]] std::optional<store::CellId> ussdServingCell(const UssdDialect& dialect,
                                                           const smpp::DeliverSm& pdu);

// The operator's dialog key in a deliver_sm ("" when the dialect has none or it is missing):
// its_session_info contributes its first octet only (the second carries a per-unit sequence
// and the end bit), user_message_reference its 16 bits, a vendor TLV its whole value.
// Hex, so it can be logged and stored as text.
[[nodiscard]] std::string ussdSessionKey(const UssdDialect& dialect, const smpp::DeliverSm& pdu);

// The dialled string of a begin: the message text as decoded, the destination address, or the
// dialect's TLV (read as text).
[[nodiscard]] std::string ussdDialled(const UssdDialect& dialect, const smpp::DeliverSm& pdu,
                                      const std::string& decodedText);

// The page for the phone, as the dialect sends it: service_type USSD, addresses swapped, the
// continue or end op, the operator's session TLVs echoed (its_session_info with its end bit
// set on the last page, user_message_reference, the dialect's vendor TLV), the text in the
// dialect's coding (auto: GSM 7-bit when it fits, else UCS-2; latin1 falls back to UCS-2 for
// text Latin-1 cannot carry).
[[nodiscard]] std::variant<smpp::SubmitSm, smpp::DataSm> ussdReplyPdu(
    const UssdDialect& dialect, const smpp::DeliverSm& request, bool continues,
    const std::string& text);

// Lower-case hex of raw bytes (TLV values in log lines).
[[nodiscard]] std::string hexBytes(std::string_view bytes);

}  // namespace mfigw::gateway
