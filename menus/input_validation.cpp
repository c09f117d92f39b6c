// Input validators. Amounts compare in minor units so bounds from the loan book (minor
// units) and typed amounts (major units) meet without floating point.
#include "menus/input_validation.hpp"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "menus/value_format.hpp"

namespace mfigw::menus {

namespace {

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

InputCheck accepted(std::string value) {
  return InputCheck{InputVerdict::Accepted, std::move(value), {}};
}
InputCheck rejected(std::string reason) {
  return InputCheck{InputVerdict::Rejected, {}, std::move(reason)};
}

InputCheck checkInteger(const Validator& v, std::string_view input) {
  int64_t n = 0;
  if (!allDigits(input) || input.size() > 12 || !parseInt64(input, n)) {
    return rejected("not a whole number");
  }
  if (n < v.min || n > v.max) return rejected(fmt::format("{} outside {}..{}", n, v.min, v.max));
  return accepted(std::to_string(n));
}

InputCheck checkAmount(const Validator& v, std::string_view input, int decimals,
                       const VariableLookup& variable) {
  int64_t major = 0;
  // 12 digits of major units keep the minor-unit product far from int64 overflow.
  if (!allDigits(input) || input.size() > 12 || !parseInt64(input, major)) {
    return rejected("not an amount");
  }
  int64_t scale = 1;
  for (int i = 0; i < decimals; ++i)
    scale *= 10;
  const int64_t minor = major * scale;
  auto bound = [&](const AmountBound& b, int64_t& out) -> std::optional<std::string> {
    if (!b.present) return std::nullopt;
    if (b.var.empty()) {
      out = b.literalMajor * scale;
      return std::nullopt;
    }
    const auto raw = variable(b.var);
    if (!raw || !parseInt64(*raw, out)) return fmt::format("bound '{}' unknown", b.var);
    return std::nullopt;
  };
  int64_t lo = 0;
  int64_t hi = INT64_MAX;
  if (auto missing = bound(v.amountMin, lo))
    return InputCheck{InputVerdict::Unavailable, {}, *missing};
  if (auto missing = bound(v.amountMax, hi))
    return InputCheck{InputVerdict::Unavailable, {}, *missing};
  if (minor < lo || minor > hi) return rejected(fmt::format("{} outside {}..{}", minor, lo, hi));
  return accepted(std::to_string(minor));
}

InputCheck checkDate(std::string_view input) {
  if (input.size() != 8 || !allDigits(input)) return rejected("not DDMMYYYY");
  const int day = (input[0] - '0') * 10 + (input[1] - '0');
  const int month = (input[2] - '0') * 10 + (input[3] - '0');
  int year = 0;
  for (std::size_t i = 4; i < 8; ++i)
    year = year * 10 + (input[i] - '0');
  if (!validDate(day, month, year)) return rejected("no such date");
  return accepted(fmt::format("{:04}-{:02}-{:02}", year, month, day));
}

}  // namespace

bool validDate(int day, int month, int year) {
  if (year < 1900 || year > 2199 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int last = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= last;
}

bool takesDigitsOnly(ValidatorKind kind) {
  return kind == ValidatorKind::Integer || kind == ValidatorKind::Amount ||
         kind == ValidatorKind::Pin || kind == ValidatorKind::Date || kind == ValidatorKind::Phone;
}

InputCheck checkInput(const Validator& validator, std::string_view input, int decimals,
                      const VariableLookup& variable, const DataSource& data) {
  if (input.size() > kMaxInputBytes) return rejected("too long");
  if (takesDigitsOnly(validator.kind) && !input.empty() && !allDigits(input)) {
    InputCheck out = rejected("not digits");
    out.notDigits = true;
    return out;
  }
  switch (validator.kind) {
    case ValidatorKind::Integer:
      return checkInteger(validator, input);
    case ValidatorKind::Amount:
      return checkAmount(validator, input, decimals, variable);
    case ValidatorKind::Pin:
      if (!allDigits(input) || input.size() < validator.minLength ||
          input.size() > validator.maxLength) {
        return rejected("not a PIN");  // the reason never repeats the input
      }
      return accepted(std::string(input));
    case ValidatorKind::Date:
      return checkDate(input);
    case ValidatorKind::Phone:
      if (!allDigits(input) || input.size() < validator.minLength ||
          input.size() > validator.maxLength) {
        return rejected("not a phone number");
      }
      if (!data.phoneAcceptable(input)) return rejected("phone number refused by the gateway");
      return accepted(std::string(input));
    case ValidatorKind::Regex:
      if (validator.regex == nullptr || input.size() > kMaxRegexInputBytes ||
          !std::regex_match(input.begin(), input.end(), *validator.regex)) {
        return rejected("does not match the pattern");
      }
      return accepted(std::string(input));
    case ValidatorKind::Choice:
      for (const auto& choice : validator.choices)
        if (choice.key == input) return accepted(choice.value);
      return rejected("not one of the choices");
  }
  return rejected("unknown validator");
}

}  // namespace mfigw::menus
