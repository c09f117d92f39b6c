#include "smpp/text_transliterate.hpp"

#include "smpp/text_gsm7.hpp"

#include <algorithm>
#include <array>

namespace mfigw::smpp {

namespace {

struct Entry {
  char32_t from;
  std::string_view to;
};

// Sorted by code point for binary search. Only characters NOT in GSM 03.38 belong here;
// a test checks every replacement is itself GSM-7.
constexpr std::array kTable = std::to_array<Entry>({
    {U'\t', " "},    {0x00A0, " "},  // no-break space
    {0x00A2, "c"},                   // ¢
    {0x00AA, "a"},                   // ª (Spanish ordinal)
    {0x00AB, "\""},                  // «
    {0x00AD, "-"},                   // soft hyphen
    {0x00B0, "o"},                   // °
    {0x00B4, "'"},                   // ´
    {0x00B7, "."},                   // ·
    {0x00BA, "o"},                   // º (Spanish ordinal)
    {0x00BB, "\""},                  // »
    {0x00C0, "A"},                   // À
    {0x00C1, "A"},                   // Á
    {0x00C2, "A"},                   // Â
    {0x00C3, "A"},                   // Ã
    {0x00C8, "E"},                   // È
    {0x00CA, "E"},                   // Ê
    {0x00CB, "E"},                   // Ë
    {0x00CC, "I"},                   // Ì
    {0x00CD, "I"},                   // Í
    {0x00CE, "I"},                   // Î
    {0x00CF, "I"},                   // Ï
    {0x00D2, "O"},                   // Ò
    {0x00D3, "O"},                   // Ó
    {0x00D4, "O"},                   // Ô
    {0x00D5, "O"},                   // Õ
    {0x00D7, "x"},                   // ×
    {0x00D9, "U"},                   // Ù
    {0x00DA, "U"},                   // Ú
    {0x00DB, "U"},                   // Û
    {0x00DD, "Y"},                   // Ý
    {0x00E1, "a"},                   // á
    {0x00E2, "a"},                   // â
    {0x00E3, "a"},                   // ã
    {0x00E7, "Ç"},                   // ç: GSM has only the capital (TS 23.038 0x09)
    {0x00EA, "e"},                   // ê
    {0x00EB, "e"},                   // ë
    {0x00ED, "i"},                   // í
    {0x00EE, "i"},                   // î
    {0x00EF, "i"},                   // ï
    {0x00F3, "o"},                   // ó
    {0x00F4, "o"},                   // ô
    {0x00F5, "o"},                   // õ
    {0x00FA, "u"},                   // ú
    {0x00FB, "u"},                   // û
    {0x00FD, "y"},                   // ý
    {0x00FF, "y"},                   // ÿ
    {0x0152, "OE"},                  // Œ
    {0x0153, "oe"},                  // œ
    {0x0178, "Y"},                   // Ÿ
    {0x2010, "-"},                   // hyphen
    {0x2011, "-"},                   // non-breaking hyphen
    {0x2012, "-"},                   // figure dash
    {0x2013, "-"},                   // en dash
    {0x2014, "-"},                   // em dash
    {0x2018, "'"},                   // ‘
    {0x2019, "'"},                   // ’
    {0x201A, "'"},                   // ‚
    {0x201C, "\""},                  // “
    {0x201D, "\""},                  // ”
    {0x201E, "\""},                  // „
    {0x2022, "*"},                   // •
    {0x2026, "..."},                 // …
    {0x2032, "'"},                   // ′
    {0x2033, "\""},                  // ″
    {0x2039, "'"},                   // ‹
    {0x203A, "'"},                   // ›
    {0x20A6, "N"},                   // ₦ (naira)
    {0x2212, "-"},                   // minus sign
});

}  // namespace

std::optional<std::string_view> gsm7Transliteration(char32_t codePoint) {
  const auto it = std::lower_bound(kTable.begin(), kTable.end(), codePoint,
                                   [](const Entry& e, char32_t cp) { return e.from < cp; });
  if (it == kTable.end() || it->from != codePoint) return std::nullopt;
  return it->to;
}

TextResult<std::string> transliterateForGsm7(std::string_view utf8) {
  auto decoded = decodeUtf8(utf8);
  if (!decoded) return TextResult<std::string>::failure(decoded.error(), decoded.offset());
  std::string out;
  out.reserve(utf8.size());
  for (const char32_t cp : *decoded) {
    if (!isGsm7(cp)) {
      if (const auto replacement = gsm7Transliteration(cp)) {
        out.append(*replacement);
        continue;
      }
    }
    appendUtf8(out, cp);
  }
  return out;
}

}  // namespace mfigw::smpp
