// Value formatting per language. All separators come from the tree's locales; the code
// only knows digits, signs and the DD/MM/YYYY tokens.
#include "menus/value_format.hpp"

#include <cstdint>

#include "menus/utf8_text.hpp"

namespace mfigw::menus {

namespace {

bool allDigits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// "1234567" -> "1,234,567" with the given separator.
std::string groupDigits(std::string_view digits, std::string_view separator) {
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i != 0 && (n - i) % 3 == 0) out += separator;
    out += digits[i];
  }
  return out;
}

std::string_view stripLeadingZeros(std::string_view digits) {
  while (digits.size() > 1 && digits.front() == '0')
    digits.remove_prefix(1);
  return digits;
}

void replaceAll(std::string& text, std::string_view token, std::string_view with) {
  std::size_t at = 0;
  while ((at = text.find(token, at)) != std::string::npos) {
    text.replace(at, token.size(), with);
    at += with.size();
  }
}

std::string applyDatePattern(std::string_view pattern, std::string_view year,
                             std::string_view month, std::string_view day) {
  std::string out(pattern);
  replaceAll(out, "YYYY", year);
  replaceAll(out, "MM", month);
  replaceAll(out, "DD", day);
  return out;
}

}  // namespace

bool parseInt64(std::string_view text, int64_t& out) {
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (!allDigits(text) || text.size() > 18) return false;
  int64_t value = 0;
  for (const char c : text)
    value = value * 10 + (c - '0');
  out = negative ? -value : value;
  return true;
}

std::string formatNumber(std::string_view integer, const Locale& locale) {
  const bool negative = !integer.empty() && integer.front() == '-';
  const std::string_view digits = negative ? integer.substr(1) : integer;
  if (!allDigits(digits)) return std::string(integer);
  // Appended rather than "-" + string: g++ 12 at -O3 reports a false -Wrestrict there.
  std::string out = negative ? "-" : "";
  out += groupDigits(stripLeadingZeros(digits), locale.thousands);
  return out;
}

std::string formatMoney(std::string_view minorUnits, int decimals, std::string_view currency,
                        const Locale& locale) {
  const bool negative = !minorUnits.empty() && minorUnits.front() == '-';
  std::string digits(negative ? minorUnits.substr(1) : minorUnits);
  if (!allDigits(digits) || decimals < 0 || decimals > 6) return std::string(minorUnits);
  const auto places = static_cast<std::size_t>(decimals);
  if (digits.size() < places + 1) digits.insert(0, places + 1 - digits.size(), '0');
  const std::string_view all(digits);
  std::string amount = negative ? "-" : "";
  amount += groupDigits(stripLeadingZeros(all.substr(0, all.size() - places)), locale.thousands);
  if (places > 0) {
    amount += locale.decimal;
    amount += all.substr(all.size() - places);
  }
  std::string out = locale.moneyPattern;
  replaceAll(out, "{code}", currency);
  replaceAll(out, "{amount}", amount);
  return out;
}

std::string formatDate(std::string_view isoDate, const Locale& locale) {
  if (isoDate.size() != 10 || isoDate[4] != '-' || isoDate[7] != '-' ||
      !allDigits(isoDate.substr(0, 4)) || !allDigits(isoDate.substr(5, 2)) ||
      !allDigits(isoDate.substr(8, 2))) {
    return std::string(isoDate);
  }
  return applyDatePattern(locale.datePattern, isoDate.substr(0, 4), isoDate.substr(5, 2),
                          isoDate.substr(8, 2));
}

std::string formatDistance(std::string_view meters, const Locale& locale) {
  int64_t m = 0;
  if (!parseInt64(meters, m) || m < 0) return std::string(meters);
  if (m < 1000) return std::to_string(m) + " m";
  const int64_t tenths = (m + 50) / 100;  // km with one decimal, rounded
  return formatNumber(std::to_string(tenths / 10), locale) + locale.decimal +
         std::to_string(tenths % 10) + " km";
}

std::string formatValue(const VarSpec& spec, std::string_view raw, const Locale& locale) {
  switch (spec.type) {
    case VarType::Text:
      return std::string(prefixWithinUnits(raw, spec.max));
    case VarType::Number:
      return formatNumber(raw, locale);
    case VarType::Money:
      return formatMoney(raw, spec.decimals, spec.currency, locale);
    case VarType::Date:
      return formatDate(raw, locale);
    case VarType::Distance:
      return formatDistance(raw, locale);
    case VarType::Flag:
    case VarType::Secret:
      break;  // the loader keeps these out of templates
  }
  return "";
}

std::string worstCaseValue(const VarSpec& spec, const Locale& locale) {
  switch (spec.type) {
    case VarType::Text: {
      // Arabic SHEEN: one UTF-16 unit that no GSM alphabet has, so the page goes UCS-2.
      const std::string_view costliest = spec.alphabet == Alphabet::Gsm7 ? "W" : "\xD8\xB4";
      std::string out;
      for (std::size_t i = 0; i < spec.max; ++i)
        out += costliest;
      return out;
    }
    case VarType::Number:
    case VarType::Money:
    case VarType::Distance:
      return std::string(spec.max, '8');
    case VarType::Date:
      return applyDatePattern(locale.datePattern, "8888", "88", "88");
    case VarType::Flag:
    case VarType::Secret:
      break;
  }
  return "";
}

}  // namespace mfigw::menus
