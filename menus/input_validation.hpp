// menus/input_validation.hpp: checking what a user typed on an input screen.
//
// Purpose:   One function per validator kind, all digits-first (users type digits, '*'
//            and '#'): integer ranges, amounts in major units within bounds that may be
//            data variables (stored in minor units), PINs, DDMMYYYY dates (stored as ISO
//            YYYY-MM-DD), phone numbers (length here, the real check through the
//            DataSource hook), regular expressions and numbered choices.
// Threading: Pure apart from the DataSource calls.
// Errors:    A value: Accepted (with the value to store), Rejected (re-show the screen with
//            the error line) or Unavailable (a bound the gateway should know is missing).
// Ownership: Results own their strings.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "menus/data_source.hpp"
#include "menus/menu_tree.hpp"

namespace mfigw::menus {

enum class InputVerdict : uint8_t { Accepted, Rejected, Unavailable };

struct InputCheck {
  InputVerdict verdict = InputVerdict::Rejected;
  std::string value;       // Accepted: what to store
  std::string reason;      // Rejected/Unavailable: for logs and tests, never shown as is
  bool notDigits = false;  // Rejected: letters where the validator takes digits only
};

// Validators whose input is digits only (a letter there deserves "digits only").
bool takesDigitsOnly(ValidatorKind kind);

// Longest input considered (a USSD string is at most 182 characters anyway).
inline constexpr std::size_t kMaxInputBytes = 182;
// Longest input a regular expression is run on, to bound backtracking.
inline constexpr std::size_t kMaxRegexInputBytes = 64;

// `variable` reads a variable's raw value (for amount bounds); `decimals` are those of the
// variable the input is stored in (amounts).
using VariableLookup = std::function<std::optional<std::string>(std::string_view name)>;

InputCheck checkInput(const Validator& validator, std::string_view input, int decimals,
                      const VariableLookup& variable, const DataSource& data);

// True for a real calendar date (Gregorian, years 1900-2199).
bool validDate(int day, int month, int year);

}  // namespace mfigw::menus
