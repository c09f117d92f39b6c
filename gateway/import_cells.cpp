#include "gateway/import_cells.hpp"

#include <array>
#include <chrono>
#include <vector>

#include "store/client.hpp"

namespace mfigw::gateway {
namespace {

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

bool allDigits(std::string_view text) {
  for (const char c : text) {
    if (!isDigit(c)) return false;
  }
  return !text.empty();
}

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// Length of the valid UTF-8 sequence at text[i], or 0 (overlong forms, surrogates and
// code points above U+10FFFF are invalid).
std::size_t utf8SequenceLength(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char minSecond = 0x80;
  unsigned char maxSecond = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) minSecond = 0xA0;  // overlong
    if (lead == 0xED) maxSecond = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) minSecond = 0x90;  // overlong
    if (lead == 0xF4) maxSecond = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < minSecond || byte(i + 1) > maxSecond) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

// Splits "a b|c;d,e" into its non-empty words.
std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ' ' || text[i] == '|' || text[i] == ';' || text[i] == ',' ||
        text[i] == '+') {
      if (i > start) out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

template <typename T, std::size_t N>
std::optional<T> lookup(const std::array<std::pair<std::string_view, T>, N>& table,
                        std::string_view name) {
  for (const auto& [key, value] : table) {
    if (key == name) return value;
  }
  return std::nullopt;
}

// Names of bits; `what` names the kind of cell in messages.
template <std::size_t N>
CellValue<std::uint8_t> parseBitNames(
    std::string_view text, const std::array<std::pair<std::string_view, std::uint8_t>, N>& table,
    std::string_view expected) {
  const std::vector<std::string_view> list = words(text);
  if (list.size() == 1 && foldName(list.front()) == "none") return CellValue<std::uint8_t>::ok(0);
  std::uint8_t bits = 0;
  for (const std::string_view word : list) {
    const std::optional<std::uint8_t> bit = lookup(table, foldName(word));
    if (!bit) {
      return CellValue<std::uint8_t>::fail("unknown name; expected " + std::string(expected) +
                                           ", separated by spaces, or none");
    }
    bits |= *bit;
  }
  return CellValue<std::uint8_t>::ok(bits);
}

constexpr std::array<std::pair<std::string_view, std::uint8_t>, 5> kLoanFlagNames = {{
    {"paused", static_cast<std::uint8_t>(store::LoanFlag::Paused)},
    {"deferral_pending", static_cast<std::uint8_t>(store::LoanFlag::DeferralPending)},
    {"opt_out", static_cast<std::uint8_t>(store::LoanFlag::OptOut)},
    {"npa", static_cast<std::uint8_t>(store::LoanFlag::Npa)},
    {"charged_off", static_cast<std::uint8_t>(store::LoanFlag::ChargedOff)},
}};

constexpr std::array<std::pair<std::string_view, std::uint8_t>, 4> kConsentNames = {{
    {"reminders", static_cast<std::uint8_t>(store::Consent::ReminderSms)},
    {"reminder_sms", static_cast<std::uint8_t>(store::Consent::ReminderSms)},
    {"marketing", static_cast<std::uint8_t>(store::Consent::Marketing)},
    {"surveys", static_cast<std::uint8_t>(store::Consent::Surveys)},
}};

constexpr std::array<std::pair<std::string_view, store::LoanStatus>, 10> kStatusNames = {{
    {"a", store::LoanStatus::Active},
    {"r", store::LoanStatus::Arrears},
    {"c", store::LoanStatus::Closed},
    {"w", store::LoanStatus::WrittenOff},
    {"p", store::LoanStatus::Pending},
    {"active", store::LoanStatus::Active},
    {"arrears", store::LoanStatus::Arrears},
    {"closed", store::LoanStatus::Closed},
    {"written_off", store::LoanStatus::WrittenOff},
    {"pending", store::LoanStatus::Pending},
}};

constexpr std::array<std::pair<std::string_view, bool>, 8> kYesNo = {{
    {"yes", true},
    {"y", true},
    {"true", true},
    {"1", true},
    {"no", false},
    {"n", false},
    {"false", false},
    {"0", false},
}};

constexpr std::array<std::string_view, 7> kWeekdays = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

// ISO 4217 minor units of the currencies MFIs report in (and the usual reserve ones).
// Others need a `dec` column.
constexpr std::array<std::pair<std::string_view, std::uint8_t>, 95> kCurrencyDecimals = {{
    {"AED", 2}, {"AFN", 2}, {"AMD", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2}, {"AZN", 2}, {"BAM", 2},
    {"BDT", 2}, {"BHD", 3}, {"BIF", 0}, {"BOB", 2}, {"BRL", 2}, {"BTN", 2}, {"BWP", 2}, {"CAD", 2},
    {"CDF", 2}, {"CHF", 2}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CRC", 2}, {"CVE", 2}, {"DJF", 0},
    {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"GBP", 2}, {"GEL", 2},
    {"GHS", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"HNL", 2}, {"HTG", 2}, {"IDR", 2}, {"INR", 2},
    {"IQD", 3}, {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KRW", 0},
    {"KWD", 3}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3},
    {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MMK", 2}, {"MNT", 2}, {"MRU", 2}, {"MUR", 2}, {"MWK", 2},
    {"MXN", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2}, {"NPR", 2}, {"OMR", 3}, {"PEN", 2},
    {"PHP", 2}, {"PKR", 2}, {"PYG", 0}, {"RWF", 0}, {"SDG", 2}, {"SLE", 2}, {"SOS", 2}, {"SSP", 2},
    {"SZL", 2}, {"TJS", 2}, {"TND", 3}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UZS", 2},
    {"VND", 0}, {"XAF", 0}, {"XOF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWL", 2},
}};

constexpr std::string_view kAmountExample = "expected a number such as 1500 or 1,500.50";

std::string decimalPlaces(std::size_t n) {
  if (n == 0) return "no decimal places";
  return std::to_string(n) + (n == 1 ? " decimal place" : " decimal places");
}

}  // namespace

std::string foldName(std::string_view text) {
  std::string out;
  bool pendingUnderscore = false;
  for (const char c : text) {
    if (c == ' ' || c == '-' || c == '.' || c == '_' || isSpace(c)) {
      pendingUnderscore = !out.empty();
      continue;
    }
    if (pendingUnderscore) out += '_';
    pendingUnderscore = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

CellValue<std::string> cleanCell(std::string_view raw) {
  std::string out;
  bool pendingSpace = false;
  for (std::size_t i = 0; i < raw.size();) {
    const std::size_t length = utf8SequenceLength(raw, i);
    if (length == 0) {
      return CellValue<std::string>::fail("is not UTF-8 text (save the sheet as \"CSV UTF-8\")");
    }
    const char c = raw[i];
    if (length == 1 && isSpace(c)) {
      pendingSpace = !out.empty();
      ++i;
      continue;
    }
    if (length == 1 && (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)) {
      return CellValue<std::string>::fail("contains a control character");
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out.append(raw.substr(i, length));
    i += length;
  }
  return CellValue<std::string>::ok(std::move(out));
}

CellValue<std::int64_t> parseAmount(std::string_view text, std::uint8_t decimals,
                                    bool thousandsCommas) {
  using Result = CellValue<std::int64_t>;
  if (text.starts_with('-')) return Result::fail("must not be negative");
  const std::size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction =
      point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
  if (point != std::string_view::npos && !allDigits(fraction)) {
    return Result::fail(std::string(kAmountExample));
  }

  std::string digits;
  if (whole.find(',') != std::string_view::npos) {
    if (!thousandsCommas) {
      return Result::fail(
          "a comma in a number is ambiguous in a ';'-separated file: write 1500.50");
    }
    // Groups of three after the first: "1,500" and "12,345,678" but not "1500,50".
    std::size_t start = 0;
    bool first = true;
    while (true) {
      const std::size_t comma = whole.find(',', start);
      const std::string_view group = whole.substr(start, comma - start);
      const bool sized = first ? (group.size() >= 1 && group.size() <= 3) : group.size() == 3;
      if (!sized || !allDigits(group)) {
        return Result::fail(
            "a comma may only separate thousands (1,500.50); write the decimal point as '.'");
      }
      digits.append(group);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
      first = false;
    }
  } else {
    if (!allDigits(whole)) return Result::fail(std::string(kAmountExample));
    digits.assign(whole);
  }

  for (std::size_t i = decimals; i < fraction.size(); ++i) {
    if (fraction[i] != '0') {
      return Result::fail("has " + decimalPlaces(fraction.size()) + "; the currency has " +
                          decimalPlaces(decimals) + " (nothing is rounded)");
    }
  }
  // whole * 10^decimals + the fraction's first `decimals` digits, padded with zeros.
  std::int64_t value = 0;
  const auto push = [&value](char digit) {
    return !__builtin_mul_overflow(value, 10, &value) &&
           !__builtin_add_overflow(value, digit - '0', &value);
  };
  bool fits = true;
  for (const char c : digits)
    fits = fits && push(c);
  for (std::size_t i = 0; i < decimals; ++i)
    fits = fits && push(i < fraction.size() ? fraction[i] : '0');
  if (!fits) return Result::fail("is too large");
  return Result::ok(value);
}

CellValue<store::DayNumber> parseDate(std::string_view text) {
  using Result = CellValue<store::DayNumber>;
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                      allDigits(text.substr(0, 4)) && allDigits(text.substr(5, 2)) &&
                      allDigits(text.substr(8, 2));
  if (!shaped) {
    if (text.find('/') != std::string_view::npos || text.find('.') != std::string_view::npos) {
      return Result::fail("expected a date as YYYY-MM-DD (day/month order is ambiguous)");
    }
    return Result::fail("expected a date as YYYY-MM-DD");
  }
  const auto number = [&](std::size_t at, std::size_t count) {
    int n = 0;
    for (std::size_t i = at; i < at + count; ++i)
      n = n * 10 + (text[i] - '0');
    return n;
  };
  const std::chrono::year_month_day date{std::chrono::year(number(0, 4)),
                                         std::chrono::month(static_cast<unsigned>(number(5, 2))),
                                         std::chrono::day(static_cast<unsigned>(number(8, 2)))};
  if (!date.ok()) return Result::fail("is not a calendar date");
  const store::DayNumber day = store::toDayNumber(date);
  if (day <= store::kNoDay) return Result::fail("must be after 1970-01-01");
  return Result::ok(day);
}

CellValue<std::uint16_t> parseTimeOfDay(std::string_view text) {
  using Result = CellValue<std::uint16_t>;
  // Spreadsheets often add ":00" seconds to a time cell.
  if (text.size() >= 7 && text.ends_with(":00") && text.find(':') != text.size() - 3) {
    text.remove_suffix(3);
  }
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3 ||
      !allDigits(text.substr(0, colon)) || !allDigits(text.substr(colon + 1))) {
    return Result::fail("expected a time as HH:MM (24-hour)");
  }
  const int hour = colon == 1 ? text[0] - '0' : (text[0] - '0') * 10 + (text[1] - '0');
  const int minute = (text[colon + 1] - '0') * 10 + (text[colon + 2] - '0');
  if (hour > 23 || minute > 59) return Result::fail("is not a time of day (00:00..23:59)");
  return Result::ok(static_cast<std::uint16_t>(hour * 60 + minute));
}

CellValue<std::int32_t> parseDegrees(std::string_view text) {
  using Result = CellValue<std::int32_t>;
  const bool negative = text.starts_with('-');
  if (negative) text.remove_prefix(1);
  const std::size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction =
      point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
  if (!allDigits(whole) || whole.size() > 3 ||
      (point != std::string_view::npos && !allDigits(fraction))) {
    return Result::fail("expected decimal degrees such as -1.286389");
  }
  std::int64_t micro = 0;
  for (const char c : whole)
    micro = micro * 10 + (c - '0');
  for (std::size_t i = 0; i < 6; ++i) {
    micro = micro * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  if (fraction.size() > 6 && fraction[6] >= '5') ++micro;  // half away from zero
  return Result::ok(static_cast<std::int32_t>(negative ? -micro : micro));
}

CellValue<std::uint64_t> parseWholeNumber(std::string_view text, std::uint64_t max) {
  using Result = CellValue<std::uint64_t>;
  if (!allDigits(text)) return Result::fail("expected a whole number");
  std::uint64_t value = 0;
  for (const char c : text) {
    if (__builtin_mul_overflow(value, 10u, &value) ||
        __builtin_add_overflow(value, static_cast<unsigned>(c - '0'), &value)) {
      return Result::fail("is too large (at most " + std::to_string(max) + ")");
    }
  }
  if (value > max) return Result::fail("is too large (at most " + std::to_string(max) + ")");
  return Result::ok(value);
}

CellValue<bool> parseYesNo(std::string_view text) {
  const std::optional<bool> value = lookup(kYesNo, foldName(text));
  if (!value) return CellValue<bool>::fail("expected yes or no");
  return CellValue<bool>::ok(*value);
}

CellValue<store::Weekday> parseWeekday(std::string_view text) {
  const std::string name = foldName(text);
  for (std::size_t i = 0; i < kWeekdays.size(); ++i) {
    if (name == kWeekdays[i] || name == kWeekdays[i].substr(0, 3) ||
        name == std::to_string(i + 1)) {
      return CellValue<store::Weekday>::ok(static_cast<store::Weekday>(i + 1));
    }
  }
  return CellValue<store::Weekday>::fail("expected a weekday: monday..sunday, mon..sun or 1..7");
}

CellValue<store::LoanStatus> parseLoanStatus(std::string_view text) {
  const std::optional<store::LoanStatus> status = lookup(kStatusNames, foldName(text));
  if (!status) {
    return CellValue<store::LoanStatus>::fail(
        "expected one of active, arrears, closed, written_off, pending (or A, R, C, W, P)");
  }
  return CellValue<store::LoanStatus>::ok(*status);
}

CellValue<std::uint8_t> parseLoanFlags(std::string_view text) {
  return parseBitNames(text, kLoanFlagNames, "paused, deferral_pending, opt_out, npa, charged_off");
}

CellValue<std::uint8_t> parseConsent(std::string_view text) {
  return parseBitNames(text, kConsentNames, "reminders, marketing, surveys");
}

CellValue<store::PaymentPointKind> parsePointKind(std::string_view text) {
  const auto kind = store::paymentPointKindFromString(foldName(text));
  if (!kind) {
    return CellValue<store::PaymentPointKind>::fail(
        "expected one of agent, branch, mobile_money, bank");
  }
  return CellValue<store::PaymentPointKind>::ok(*kind);
}

std::optional<std::uint8_t> currencyDecimals(std::string_view code) {
  return lookup(kCurrencyDecimals, code);
}

}  // namespace mfigw::gateway
