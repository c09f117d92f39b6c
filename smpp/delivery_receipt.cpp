#include "smpp/delivery_receipt.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>

namespace mfigw::smpp {

namespace {

char upper(char c) {
  return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
}
bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isHexDigit(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

bool equalsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return upper(x) == upper(y); });
}

bool allOf(std::string_view s, bool (*pred)(char)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back()))
    s.remove_suffix(1);
  return s;
}

std::string_view stripLeadingZeros(std::string_view s) {
  while (s.size() > 1 && s.front() == '0')
    s.remove_prefix(1);
  return s;
}

// Parses digits in base 10 or 16 into a u64; nullopt on overflow or a bad digit.
std::optional<uint64_t> parseUnsigned(std::string_view s, unsigned base) {
  if (s.empty()) return std::nullopt;
  uint64_t value = 0;
  for (const char c : s) {
    unsigned digit = 0;
    if (isDigit(c)) {
      digit = static_cast<unsigned>(c - '0');
    } else if (base == 16 && isHexDigit(c)) {
      digit = static_cast<unsigned>(upper(c) - 'A' + 10);
    } else {
      return std::nullopt;
    }
    if (digit >= base) return std::nullopt;
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / base) return std::nullopt;
    value = value * base + digit;
  }
  return value;
}

std::optional<int> parseSmallInt(std::string_view s, unsigned base) {
  if (s.size() > 9) return std::nullopt;
  const auto value = parseUnsigned(s, base);
  if (!value) return std::nullopt;
  return static_cast<int>(*value);
}

enum class Field { Id, Sub, Dlvrd, SubmitDate, DoneDate, Stat, Err, Text, Count };

struct KeySpelling {
  Field field;
  std::string_view first;   // "submit"
  std::string_view second;  // "date" for two-word keys, else empty
};

constexpr std::array<KeySpelling, 8> kKeys = {{
    {Field::Id, "id", ""},
    {Field::Sub, "sub", ""},
    {Field::Dlvrd, "dlvrd", ""},
    {Field::SubmitDate, "submit", "date"},
    {Field::DoneDate, "done", "date"},
    {Field::Stat, "stat", ""},
    {Field::Err, "err", ""},
    {Field::Text, "text", ""},
}};

struct KeyMatch {
  Field field;
  size_t valueStart;
};

// Matches "<key>:" at position i (which starts a word). Two-word keys accept a space or
// an underscore between the words ("submit date", "submit_date").
std::optional<KeyMatch> matchKey(std::string_view s, size_t i) {
  for (const auto& key : kKeys) {
    size_t p = i;
    if (s.size() - p < key.first.size() ||
        !equalsNoCase(s.substr(p, key.first.size()), key.first)) {
      continue;
    }
    p += key.first.size();
    if (!key.second.empty()) {
      size_t gap = 0;
      while (p < s.size() && (s[p] == ' ' || s[p] == '_')) {
        ++p;
        ++gap;
      }
      if (gap == 0 || s.size() - p < key.second.size() ||
          !equalsNoCase(s.substr(p, key.second.size()), key.second)) {
        continue;
      }
      p += key.second.size();
    }
    if (p >= s.size() || s[p] != ':') continue;
    return KeyMatch{key.field, p + 1};
  }
  return std::nullopt;
}

bool wordStart(std::string_view s, size_t i) {
  return i == 0 || isSpace(s[i - 1]);
}

void assign(DeliveryReceipt& receipt, Field field, std::string_view value) {
  switch (field) {
    case Field::Id:
      receipt.messageId = std::string(value);
      break;
    case Field::Sub:
      receipt.submitted = parseSmallInt(value, 10);
      break;
    case Field::Dlvrd:
      receipt.delivered = parseSmallInt(value, 10);
      break;
    case Field::SubmitDate:
      receipt.submitDate = parseReceiptDate(value);
      break;
    case Field::DoneDate:
      receipt.doneDate = parseReceiptDate(value);
      break;
    case Field::Stat:
      if (const auto state = stateFromStat(value)) {
        receipt.state = *state;
        receipt.stateKnown = true;
      }
      break;
    case Field::Err:
      // Usually decimal ("err:000"); a few SMSCs send hex ("err:0B").
      receipt.error = parseSmallInt(value, 10);
      if (!receipt.error) receipt.error = parseSmallInt(value, 16);
      break;
    case Field::Text:
      receipt.text = std::string(value);
      break;
    case Field::Count:
      break;
  }
}

}  // namespace

std::string_view toString(MessageState state) {
  switch (state) {
    case MessageState::Enroute:
      return "Enroute";
    case MessageState::Delivered:
      return "Delivered";
    case MessageState::Expired:
      return "Expired";
    case MessageState::Deleted:
      return "Deleted";
    case MessageState::Undeliverable:
      return "Undeliverable";
    case MessageState::Accepted:
      return "Accepted";
    case MessageState::Unknown:
      return "Unknown";
    case MessageState::Rejected:
      return "Rejected";
  }
  return "?";
}

std::string_view statString(MessageState state) {
  switch (state) {
    case MessageState::Enroute:
      return "ENROUTE";
    case MessageState::Delivered:
      return "DELIVRD";
    case MessageState::Expired:
      return "EXPIRED";
    case MessageState::Deleted:
      return "DELETED";
    case MessageState::Undeliverable:
      return "UNDELIV";
    case MessageState::Accepted:
      return "ACCEPTD";
    case MessageState::Unknown:
      return "UNKNOWN";
    case MessageState::Rejected:
      return "REJECTD";
  }
  return "UNKNOWN";
}

std::optional<MessageState> stateFromStat(std::string_view stat) {
  struct Alias {
    std::string_view word;
    MessageState state;
  };
  static constexpr std::array<Alias, 14> kAliases = {{
      {"DELIVRD", MessageState::Delivered},
      {"DELIVERED", MessageState::Delivered},
      {"EXPIRED", MessageState::Expired},
      {"DELETED", MessageState::Deleted},
      {"UNDELIV", MessageState::Undeliverable},
      {"UNDELIVERABLE", MessageState::Undeliverable},
      {"FAILED", MessageState::Undeliverable},
      {"ACCEPTD", MessageState::Accepted},
      {"ACCEPTED", MessageState::Accepted},
      {"UNKNOWN", MessageState::Unknown},
      {"REJECTD", MessageState::Rejected},
      {"REJECTED", MessageState::Rejected},
      {"ENROUTE", MessageState::Enroute},
      {"EN_ROUTE", MessageState::Enroute},
  }};
  stat = trim(stat);
  for (const auto& alias : kAliases) {
    if (equalsNoCase(stat, alias.word)) return alias.state;
  }
  return std::nullopt;
}

std::optional<MessageState> stateFromCode(uint8_t code) {
  if (code < 1 || code > 8) return std::nullopt;
  return static_cast<MessageState>(code);
}

bool isFailure(MessageState state) {
  return state == MessageState::Expired || state == MessageState::Deleted ||
         state == MessageState::Undeliverable || state == MessageState::Rejected;
}

bool isFinal(MessageState state) {
  return state == MessageState::Delivered || isFailure(state);
}

std::optional<ReceiptDate> parseReceiptDate(std::string_view digits) {
  digits = trim(digits);
  if ((digits.size() != 10 && digits.size() != 12) || !allOf(digits, isDigit)) {
    return std::nullopt;
  }
  auto two = [&digits](size_t at) { return (digits[at] - '0') * 10 + (digits[at + 1] - '0'); };
  ReceiptDate date{2000 + two(0), two(2), two(4), two(6), two(8), std::nullopt};
  if (digits.size() == 12) date.second = two(10);
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31 || date.hour > 23 ||
      date.minute > 59 || date.second.value_or(0) > 59) {
    return std::nullopt;
  }
  return date;
}

std::optional<DeliveryReceipt> parseReceiptText(std::string_view s) {
  DeliveryReceipt receipt;
  std::array<bool, static_cast<size_t>(Field::Count)> seen{};
  size_t textStart = std::string_view::npos;
  size_t i = 0;
  while (i < s.size()) {
    std::optional<KeyMatch> match;
    if (wordStart(s, i)) match = matchKey(s, i);
    if (!match) {
      ++i;
      continue;
    }
    auto& fieldSeen = seen[static_cast<size_t>(match->field)];
    if (textStart != std::string_view::npos) {
      // Inside text: only a field not yet seen ends it ("text:" is usually last, and the
      // original message may itself contain "stat:" or "id:").
      if (fieldSeen) {
        ++i;
        continue;
      }
      assign(receipt, Field::Text, trim(s.substr(textStart, i - textStart)));
      textStart = std::string_view::npos;
    }
    fieldSeen = true;
    size_t v = match->valueStart;
    if (match->field == Field::Text) {
      textStart = v;
      i = v;
      continue;
    }
    // "id: 123" (space after the colon) is accepted unless what follows is the next key.
    size_t w = v;
    while (w < s.size() && (s[w] == ' ' || s[w] == '\t'))
      ++w;
    if (w < s.size() && w > v && !matchKey(s, w)) v = w;
    size_t end = v;
    while (end < s.size() && !isSpace(s[end]))
      ++end;
    assign(receipt, match->field, s.substr(v, end - v));
    i = end;
  }
  if (textStart != std::string_view::npos) {
    assign(receipt, Field::Text, trim(s.substr(textStart)));
  }
  if (receipt.messageId.empty()) return std::nullopt;
  return receipt;
}

namespace {

void applyTlvs(DeliveryReceipt& receipt, const ReceiptTlvs& tlvs) {
  if (tlvs.receiptedMessageId && !tlvs.receiptedMessageId->empty()) {
    receipt.messageId = *tlvs.receiptedMessageId;
  }
  if (tlvs.messageState) {
    if (const auto state = stateFromCode(*tlvs.messageState)) {
      receipt.state = *state;
      receipt.stateKnown = true;
    }
  }
  if (tlvs.networkErrorCode && tlvs.networkErrorCode->size() == 3) {
    const auto& code = *tlvs.networkErrorCode;
    receipt.networkType = code[0];
    receipt.error = (code[1] << 8) | code[2];
  }
}

}  // namespace

std::optional<DeliveryReceipt> receiptFromTlvs(const ReceiptTlvs& tlvs) {
  DeliveryReceipt receipt;
  applyTlvs(receipt, tlvs);
  if (receipt.messageId.empty()) return std::nullopt;
  return receipt;
}

std::optional<DeliveryReceipt> parseReceipt(std::string_view shortMessage,
                                            const ReceiptTlvs& tlvs) {
  DeliveryReceipt receipt = parseReceiptText(shortMessage).value_or(DeliveryReceipt{});
  applyTlvs(receipt, tlvs);
  if (receipt.messageId.empty()) return std::nullopt;
  return receipt;
}

std::string_view toString(IdFormat format) {
  switch (format) {
    case IdFormat::AsIs:
      return "AsIs";
    case IdFormat::HexToDecimal:
      return "HexToDecimal";
    case IdFormat::DecimalToHex:
      return "DecimalToHex";
  }
  return "?";
}

std::string normalizeMessageId(std::string_view id, IdFormat format) {
  const std::string_view trimmed = trim(id);
  switch (format) {
    case IdFormat::AsIs:
      return std::string(trimmed);
    case IdFormat::HexToDecimal: {
      const auto value = parseUnsigned(stripLeadingZeros(trimmed), 16);
      return value ? std::to_string(*value) : std::string(trimmed);
    }
    case IdFormat::DecimalToHex: {
      const auto value = parseUnsigned(stripLeadingZeros(trimmed), 10);
      if (!value) return std::string(trimmed);
      static constexpr std::string_view kDigits = "0123456789ABCDEF";
      std::string out;
      uint64_t v = *value;
      do {
        out.insert(out.begin(), kDigits[v % 16]);
        v /= 16;
      } while (v != 0);
      return out;
    }
  }
  return std::string(trimmed);
}

std::string canonicalMessageId(std::string_view id) {
  id = trim(id);
  if (!allOf(id, isHexDigit)) return std::string(id);
  std::string out(stripLeadingZeros(id));
  for (char& c : out)
    c = upper(c);
  return out;
}

bool messageIdsMatch(std::string_view submitRespId, std::string_view receiptId, IdFormat format) {
  if (trim(submitRespId).empty()) return false;
  return canonicalMessageId(normalizeMessageId(submitRespId, format)) ==
         canonicalMessageId(receiptId);
}

std::string_view toString(AggregateState state) {
  switch (state) {
    case AggregateState::Pending:
      return "Pending";
    case AggregateState::Delivered:
      return "Delivered";
    case AggregateState::Failed:
      return "Failed";
  }
  return "?";
}

MessageDeliveryTracker::MessageDeliveryTracker(size_t parts)
    : states_(std::max<size_t>(parts, 1)) {}

AggregateState MessageDeliveryTracker::record(size_t partIndex, MessageState state) {
  if (partIndex < states_.size()) {
    auto& current = states_[partIndex];
    // The first final state of a part sticks: receipts can arrive out of order or twice.
    if (!current || !isFinal(*current)) current = state;
  }
  return aggregate();
}

AggregateState MessageDeliveryTracker::aggregate() const {
  bool allDelivered = true;
  for (const auto& state : states_) {
    if (state && isFailure(*state)) return AggregateState::Failed;
    if (state != MessageState::Delivered) allDelivered = false;
  }
  return allDelivered ? AggregateState::Delivered : AggregateState::Pending;
}

std::optional<MessageState> MessageDeliveryTracker::partState(size_t partIndex) const {
  if (partIndex >= states_.size()) return std::nullopt;
  return states_[partIndex];
}

}  // namespace mfigw::smpp
