// UTF-8 scanning for lengths and cuts. Strict where it matters (validUtf8 rejects
// overlong forms, surrogates and values above U+10FFFF), lenient elsewhere.
#include "menus/utf8_text.hpp"

#include <cstdint>

namespace mfigw::menus {

namespace {

// Length of the sequence starting with lead byte c: 1..4, or 0 for a byte that cannot
// start one.
std::size_t sequenceLength(unsigned char c) {
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return 2;
  if (c >= 0xE0 && c <= 0xEF) return 3;
  if (c >= 0xF0 && c <= 0xF4) return 4;
  return 0;
}

// Bytes of the character at text[i] (1 for a malformed one).
std::size_t characterBytes(std::string_view text, std::size_t i) {
  const std::size_t n = sequenceLength(static_cast<unsigned char>(text[i]));
  if (n == 0 || i + n > text.size()) return 1;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 1;
  return n;
}

}  // namespace

bool validUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t n = sequenceLength(lead);
    if (n == 0 || i + n > text.size()) return false;
    uint32_t cp = n == 1 ? lead : (lead & (0xFFu >> (n + 1)));
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)) return false;  // overlong
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;                        // surrogate
    if (cp > 0x10FFFF) return false;
    i += n;
  }
  return true;
}

std::size_t utf16Units(std::string_view text) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = characterBytes(text, i);
    units += n == 4 ? 2 : 1;
    i += n;
  }
  return units;
}

std::string_view prefixWithinUnits(std::string_view text, std::size_t maxUnits) {
  std::size_t units = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t n = characterBytes(text, i);
    const std::size_t cost = n == 4 ? 2 : 1;
    if (units + cost > maxUnits) break;
    units += cost;
    i += n;
  }
  return text.substr(0, i);
}

std::string_view dropLastCharacter(std::string_view text) {
  if (text.empty()) return text;
  std::size_t i = text.size() - 1;
  // Step back over continuation bytes, at most three, to the lead byte.
  for (int k = 0; k < 3 && i > 0 && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80; ++k)
    --i;
  if (characterBytes(text, i) != text.size() - i) i = text.size() - 1;  // malformed tail
  return text.substr(0, i);
}

}  // namespace mfigw::menus
