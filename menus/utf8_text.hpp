// menus/utf8_text.hpp: the little UTF-8 the menus need (validity, length, cutting).
//
// Purpose:   Lengths of menu variables are counted in UTF-16 units (what a UCS-2 page
//            counts; a character outside the BMP costs two), and values and pages are cut
//            on character boundaries. Encoding choice and GSM 7-bit costs are not here:
//            they come from the caller's TextMeasure (smpp/ owns those tables).
// Threading: Pure functions; safe from any thread.
// Errors:    Invalid UTF-8 is reported by validUtf8(); the other functions treat each bad
//            byte as one character.
// Ownership: Results own their text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mfigw::menus {

bool validUtf8(std::string_view text);

// UTF-16 code units the text would need.
std::size_t utf16Units(std::string_view text);

// The longest prefix of whole characters needing at most maxUnits UTF-16 units.
std::string_view prefixWithinUnits(std::string_view text, std::size_t maxUnits);

// The text without its last character ("" stays "").
std::string_view dropLastCharacter(std::string_view text);

}  // namespace mfigw::menus
