// smpp/delivery_receipt.hpp: SMPP delivery receipts, message-id matching, multipart status.
//
// Purpose:   A receipt arrives as a deliver_sm whose short_message holds the de-facto text
//            form (SMPP 3.4 Appendix B: "id:… sub:… dlvrd:… submit date:… done date:…
//            stat:… err:… text:…") and/or the TLVs receipted_message_id, message_state and
//            network_error_code. SMSCs bend the text form (field order, key case, missing
//            fields, "submit_date", 12-digit dates), so parsing is lenient; TLV values win
//            over the text when both are present.
//            Many SMSCs give the id in submit_sm_resp as hex and in the receipt as decimal
//            (or the reverse); normalizeMessageId()/messageIdsMatch() convert per link config.
//            MessageDeliveryTracker folds per-part receipts of a multipart SMS into one state.
// Threading: Pure functions and a plain value class; no locking, no clocks.
// Errors:    Values: nullopt when a receipt has no message id; unparsable fields are left
//            empty rather than failing the whole receipt.
// Ownership: All results own their strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::smpp {

// SMPP 3.4 §5.2.28 message_state values.
enum class MessageState : uint8_t {
  Enroute = 1,
  Delivered = 2,
  Expired = 3,
  Deleted = 4,
  Undeliverable = 5,
  Accepted = 6,
  Unknown = 7,
  Rejected = 8,
};
std::string_view toString(MessageState state);
// The receipt "stat:" word: DELIVRD, EXPIRED, DELETED, UNDELIV, ACCEPTD, UNKNOWN, REJECTD,
// ENROUTE.
std::string_view statString(MessageState state);
// Case-insensitive; also accepts the long forms some SMSCs send (DELIVERED, UNDELIVERABLE,
// ACCEPTED, REJECTED) and "FAILED" (as Undeliverable).
std::optional<MessageState> stateFromStat(std::string_view stat);
std::optional<MessageState> stateFromCode(uint8_t code);
// Delivered, Expired, Deleted, Undeliverable, Rejected: no further receipt will change it.
bool isFinal(MessageState state);
// Expired, Deleted, Undeliverable, Rejected: the message definitively did not arrive.
bool isFailure(MessageState state);

// A receipt date: YYMMDDhhmm or YYMMDDhhmmss, year taken as 20YY.
struct ReceiptDate {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  std::optional<int> second;
  bool operator==(const ReceiptDate&) const = default;
};
std::optional<ReceiptDate> parseReceiptDate(std::string_view digits);

struct DeliveryReceipt {
  std::string messageId;
  MessageState state = MessageState::Unknown;
  bool stateKnown = false;             // a stat field or message_state TLV was understood
  std::optional<int> error;            // err: field or the network_error_code error value
  std::optional<uint8_t> networkType;  // first octet of network_error_code (1 ANSI-136,
                                       // 2 IS-95, 3 GSM, ...)
  std::optional<int> submitted;        // sub:
  std::optional<int> delivered;        // dlvrd:
  std::optional<ReceiptDate> submitDate;
  std::optional<ReceiptDate> doneDate;
  std::string text;  // text: (first characters of the original message)
};

// Parses the text form. Returns nullopt if there is no non-empty id.
std::optional<DeliveryReceipt> parseReceiptText(std::string_view text);

// The receipt TLVs as the codec hands them over.
struct ReceiptTlvs {
  std::optional<std::string> receiptedMessageId;
  std::optional<uint8_t> messageState;
  std::optional<std::vector<uint8_t>> networkErrorCode;  // 3 octets: type, error (BE u16)
};
// TLV form only; nullopt without a receipted_message_id.
std::optional<DeliveryReceipt> receiptFromTlvs(const ReceiptTlvs& tlvs);
// Both forms: TLVs win field by field, the text fills the rest. nullopt if neither has an id.
std::optional<DeliveryReceipt> parseReceipt(std::string_view shortMessage, const ReceiptTlvs& tlvs);

enum class IdFormat {
  AsIs,          // both sides use the same form
  HexToDecimal,  // submit_sm_resp gives hex, the receipt decimal
  DecimalToHex,  // submit_sm_resp gives decimal, the receipt hex
};
std::string_view toString(IdFormat format);

// Converts a submit_sm_resp id to the form receipts use. Leading zeros are dropped by the
// conversion; hex output is upper case. An id that is not a number in the source base, or
// does not fit in 64 bits, is returned unchanged (it is then compared as-is).
std::string normalizeMessageId(std::string_view id, IdFormat format);
// The form used to compare (and to index stored ids): ids made only of hex digits lose their
// leading zeros and are upper-cased; any other id is kept exactly.
std::string canonicalMessageId(std::string_view id);
// True if the receipt refers to the message the SMSC acknowledged with submitRespId.
bool messageIdsMatch(std::string_view submitRespId, std::string_view receiptId, IdFormat format);

enum class AggregateState { Pending, Delivered, Failed };
std::string_view toString(AggregateState state);

// Per-part receipt states of one logical message and their aggregate: Delivered only when
// every part is delivered; Failed as soon as one part fails definitively; else Pending.
// A part's final state is kept even if a late, non-final receipt (ENROUTE) arrives after it.
class MessageDeliveryTracker {
 public:
  explicit MessageDeliveryTracker(size_t parts);

  // partIndex is 0-based; an index out of range is ignored. Returns the aggregate.
  AggregateState record(size_t partIndex, MessageState state);
  AggregateState aggregate() const;
  std::optional<MessageState> partState(size_t partIndex) const;
  size_t parts() const { return states_.size(); }

 private:
  std::vector<std::optional<MessageState>> states_;
};

}  // namespace mfigw::smpp
