// The values of spreadsheet cells in a loan-book import: amounts, dates, times, enums.
//
// Purpose: one strict reading of each kind of cell, so that a value is either exactly what
//   the sheet meant or refused with a message that says how to write it. Rules:
//   - Amounts are decimal numbers in major units ("1500", "1500.5", "1,500.50"), converted
//     to integer minor units with the currency's decimal places. '.' is the only decimal
//     point. ',' is accepted only as a thousands separator in groups of three digits
//     ("12,345.50"), and only in comma-separated files: "1500,50", "1,5" and any comma in a
//     ';'-separated file (where a comma is usually a decimal comma) are refused as
//     ambiguous. No sign, no currency symbol, no spaces inside, no exponent. More decimals
//     than the currency has are refused unless they are zeros ("1500.500" is fine for KES,
//     "1500.505" is not): nothing is rounded.
//   - Dates are YYYY-MM-DD, real calendar days after 1970-01-01 (day number 0 means "no
//     day" in the store). "05/12/2026" is refused: day/month order is ambiguous.
//   - Times of day are H:MM or HH:MM, 24-hour.
//   - Coordinates are decimal degrees ("-1.286389"), rounded to microdegrees (~0.1 m).
//   - Enum cells (status, flags, consent, weekday, kind, yes/no) are case-insensitive;
//     spaces and '-' count as '_'.
//   cleanCell() comes first for every cell: UTF-8 required, surrounding whitespace trimmed,
//   each run of inner whitespace (line breaks of a multi-line cell included) folded into
//   one space, other control characters refused.
// Threading: pure functions over constant tables.
// Errors: CellValue carries the value or a message (without the cell's text, which may be
//   personal data: the caller decides whether to quote it).
// Ownership: values in, values out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "store/day_number.hpp"
#include "store/group.hpp"
#include "store/loan_snapshot.hpp"
#include "store/payment_point.hpp"

namespace mfigw::gateway {

template <typename T>
struct CellValue {
  std::optional<T> value;
  std::string error;  // set when value is not

  static CellValue ok(T v) { return {std::move(v), {}}; }
  static CellValue fail(std::string message) { return {std::nullopt, std::move(message)}; }
};

// Header and enum spelling: lower-case ASCII, ' ', '-' and '.' as '_', no repeated or
// surrounding '_' ("Loan ID" -> "loan_id", "Written-off" -> "written_off").
[[nodiscard]] std::string foldName(std::string_view text);

// The cell as the importer reads it (see the rules above).
[[nodiscard]] CellValue<std::string> cleanCell(std::string_view raw);

// Minor units of a non-negative amount written in major units.
[[nodiscard]] CellValue<std::int64_t> parseAmount(std::string_view text, std::uint8_t decimals,
                                                  bool thousandsCommas);
[[nodiscard]] CellValue<store::DayNumber> parseDate(std::string_view text);
// Minutes after midnight.
[[nodiscard]] CellValue<std::uint16_t> parseTimeOfDay(std::string_view text);
// Decimal degrees to microdegrees (bounds are the store's to check).
[[nodiscard]] CellValue<std::int32_t> parseDegrees(std::string_view text);
// Digits only, at most `max`.
[[nodiscard]] CellValue<std::uint64_t> parseWholeNumber(std::string_view text, std::uint64_t max);
// yes/no, y/n, true/false, 1/0.
[[nodiscard]] CellValue<bool> parseYesNo(std::string_view text);
// monday..sunday, mon..sun or ISO 1..7.
[[nodiscard]] CellValue<store::Weekday> parseWeekday(std::string_view text);
// A, R, C, W, P or active, arrears, closed, written_off, pending.
[[nodiscard]] CellValue<store::LoanStatus> parseLoanStatus(std::string_view text);
// Flag names (paused, deferral_pending, opt_out, npa, charged_off) separated by spaces,
// '|', ';' or ','; "none" for no flag.
[[nodiscard]] CellValue<std::uint8_t> parseLoanFlags(std::string_view text);
// Consent names (reminders, marketing, surveys) separated like flags; "none" for none.
[[nodiscard]] CellValue<std::uint8_t> parseConsent(std::string_view text);
// agent, branch, mobile_money, bank.
[[nodiscard]] CellValue<store::PaymentPointKind> parsePointKind(std::string_view text);

// ISO 4217 minor units of a currency code (upper-case), when the table knows it.
[[nodiscard]] std::optional<std::uint8_t> currencyDecimals(std::string_view code);

}  // namespace mfigw::gateway
