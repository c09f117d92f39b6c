// smpp/text_transliterate.hpp: replace characters outside GSM 03.38 by close GSM ones.
//
// Purpose:   An MFI reminder in Spanish or French usually misses GSM-7 by one accent
//            (á, ó, ú, í, â, œ, curly quotes), which halves the capacity (UCS-2, 70 per
//            part). When an operator turns transliteration on, those characters become
//            their plain forms so the text fits GSM-7. Characters already in GSM 03.38
//            (ñ, é, è, ü, Ç, ¿, ¡ ...) are never touched; scripts with no Latin form
//            (Arabic, Amharic ...) are left as they are, so chooseEncoding falls back to UCS-2.
// Threading: Pure functions; safe from any thread.
// Errors:    InvalidUtf8 as a value.
// Ownership: Results own their text.
#pragma once

#include "smpp/text_utf8.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace mfigw::smpp {

// The table entry for one code point (UTF-8), if the table has one.
std::optional<std::string_view> gsm7Transliteration(char32_t codePoint);

// Replaces every character that has a table entry and is not already GSM-7. Characters
// without an entry are kept, so the result may still need UCS-2.
TextResult<std::string> transliterateForGsm7(std::string_view utf8);

}  // namespace mfigw::smpp
