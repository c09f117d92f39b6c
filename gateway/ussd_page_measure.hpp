// ussd_page_measure.hpp: what a USSD page costs, for the menu loader's budget checks.
//
// Purpose: menus/ must not depend on smpp/, so the gateway hands the loader this measure:
//   GSM 7-bit septets (extension characters count two) against 160, else UCS-2 units
//   against 80 (reference/ussd.md; smpp/text_split.hpp). The air allows 182 septets, but
//   some handsets and gateways cut USSD pages at 160: every page we send stays within the
//   budget that works everywhere. Invalid UTF-8 never fits.
#pragma once

#include <limits>

#include "menus/menu_tree.hpp"
#include "smpp/text_encoding.hpp"
#include "smpp/text_gsm7.hpp"
#include "smpp/text_split.hpp"

namespace mfigw::gateway {

// The page budget in GSM 7-bit septets: below the air's smpp::kUssdGsm7Chars (182).
inline constexpr std::size_t kUssdPageGsm7 = 160;

inline menus::TextMeasure ussdPageMeasure() {
  return [](std::string_view text) -> menus::TextMeasurement {
    if (const auto septets = smpp::gsm7Length(text)) return {*septets, kUssdPageGsm7};
    if (const auto units = smpp::ucs2Length(text)) return {*units, smpp::kUssdUcs2Units};
    return {std::numeric_limits<std::size_t>::max(), 0};
  };
}

}  // namespace mfigw::gateway
