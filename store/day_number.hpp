// store/day_number.hpp: calendar days as integers (days since 1970-01-01).
//
// Purpose:   Loan records keep dates as day numbers: 0 is 1970-01-01, 19723 is
//            2024-01-01. Day numbers compare and subtract as plain integers (days past
//            due = today - odsince), carry no time zone, and encode in 4 bytes. The
//            caller decides which calendar day "today" is (borrower-local, usually); these
//            helpers only convert.
// Threading: Pure functions.
// Errors:    None; out-of-range dates are the caller's to avoid (records bound day numbers
//            to 0..kMaxDayNumber when written).
// Ownership: n/a.
#pragma once

#include <chrono>
#include <cstdint>

namespace mfigw::store {

using DayNumber = int32_t;

// 0 in a day field means "no such day" (no overdue date, no payment yet): 1970-01-01
// never occurs as a real loan date.
inline constexpr DayNumber kNoDay = 0;
// 9999-12-31, the last day a record may carry.
inline constexpr DayNumber kMaxDayNumber = 2932896;

constexpr DayNumber toDayNumber(std::chrono::year_month_day date) noexcept {
  return static_cast<DayNumber>(std::chrono::sys_days(date).time_since_epoch().count());
}

constexpr DayNumber toDayNumber(int year, unsigned month, unsigned day) noexcept {
  return toDayNumber(std::chrono::year_month_day(std::chrono::year(year), std::chrono::month(month),
                                                 std::chrono::day(day)));
}

// The UTC calendar day of an epoch-seconds time (floor, so it is right before 1970 too).
constexpr DayNumber dayOfUnixSeconds(int64_t unixSeconds) noexcept {
  return static_cast<DayNumber>(std::chrono::floor<std::chrono::days>(
                                    std::chrono::sys_seconds(std::chrono::seconds(unixSeconds)))
                                    .time_since_epoch()
                                    .count());
}

constexpr std::chrono::year_month_day toDate(DayNumber day) noexcept {
  return std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(day)));
}

}  // namespace mfigw::store
