// ussd_page_measure.hpp: what a USSD page costs, for the menu loader's budget checks.
//
// Purpose: menus/ must not depend on smpp/, so the gateway hands the loader this measure:
//   GSM 7-bit septets (extension characters count two) against 182, else UCS-2 units
//   against 80 (reference/ussd.md; smpp/text_split.hpp). Invalid UTF-8 never fits.
#pragma once

#include <limits>

#include "menus/menu_tree.hpp"
#include "smpp/text_encoding.hpp"
#include "smpp/text_gsm7.hpp"
#include "smpp/text_split.hpp"

namespace mfigw::gateway {

inline menus::TextMeasure ussdPageMeasure() {
  return [](std::string_view text) -> menus::TextMeasurement {
    if (const auto septets = smpp::gsm7Length(text)) return {*septets, smpp::kUssdGsm7Chars};
    if (const auto units = smpp::ucs2Length(text)) return {*units, smpp::kUssdUcs2Units};
    return {std::numeric_limits<std::size_t>::max(), 0};
  };
}

}  // namespace mfigw::gateway
