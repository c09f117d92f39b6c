// menus/value_format.hpp: how a variable's raw value is shown in one language.
//
// Purpose:   Numbers grouped ("12,500" / "12 500"), money from minor units with the
//            currency's decimals and code ("KES 1,250.00" / "1 250,00 KES"), ISO dates in
//            the language's pattern ("12/06/2024"), distances ("850 m", "1.2 km"), and text
//            cut to its declared maximum. worstCaseValue() gives the longest value a
//            variable may render as, which the loader uses to prove pages fit.
// Threading: Pure functions; safe from any thread.
// Errors:    A raw value that does not parse for its type is shown as given (cut to the
//            declared maximum): a menu never fails because the gateway sent "n/a".
// Ownership: Results own their text.
#pragma once

#include <string>
#include <string_view>

#include "menus/menu_tree.hpp"

namespace mfigw::menus {

// Formatters; nullopt-free: each returns the raw text unchanged when it does not parse.
std::string formatNumber(std::string_view integer, const Locale& locale);
std::string formatMoney(std::string_view minorUnits, int decimals, std::string_view currency,
                        const Locale& locale);
std::string formatDate(std::string_view isoDate, const Locale& locale);
std::string formatDistance(std::string_view meters, const Locale& locale);

// The value as a page shows it. Text is cut to spec.max UTF-16 units; numbers, money and
// dates are never cut (a wrong number is worse than a long page; the engine's last-resort
// fit trims the page instead).
std::string formatValue(const VarSpec& spec, std::string_view raw, const Locale& locale);

// The longest rendering the declaration allows: '8' digits for numeric types, the date
// pattern filled, and for text `max` characters of the costliest kind its alphabet allows.
std::string worstCaseValue(const VarSpec& spec, const Locale& locale);

// Parses an optionally signed decimal integer of at most 18 digits.
bool parseInt64(std::string_view text, int64_t& out);

}  // namespace mfigw::menus
