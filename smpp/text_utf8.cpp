#include "smpp/text_utf8.hpp"

#include <cstdint>

namespace mfigw::smpp {

std::string_view toString(TextError error) {
  switch (error) {
    case TextError::InvalidUtf8:
      return "InvalidUtf8";
    case TextError::NotRepresentable:
      return "NotRepresentable";
    case TextError::InvalidUcs2:
      return "InvalidUcs2";
    case TextError::InvalidSeptet:
      return "InvalidSeptet";
    case TextError::TooManyParts:
      return "TooManyParts";
    case TextError::TooLong:
      return "TooLong";
  }
  return "?";
}

TextResult<std::u32string> decodeUtf8(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  size_t i = 0;
  while (i < utf8.size()) {
    const auto lead = static_cast<uint8_t>(utf8[i]);
    if (lead < 0x80) {
      out.push_back(lead);
      ++i;
      continue;
    }
    size_t length = 0;
    char32_t cp = 0;
    char32_t minimum = 0;
    if ((lead & 0xE0) == 0xC0) {
      length = 2;
      cp = lead & 0x1F;
      minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      cp = lead & 0x0F;
      minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      cp = lead & 0x07;
      minimum = 0x10000;
    } else {
      return TextResult<std::u32string>::failure(TextError::InvalidUtf8, i);
    }
    if (utf8.size() - i < length) {
      return TextResult<std::u32string>::failure(TextError::InvalidUtf8, i);
    }
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<uint8_t>(utf8[i + k]);
      if ((next & 0xC0) != 0x80) {
        return TextResult<std::u32string>::failure(TextError::InvalidUtf8, i);
      }
      cp = (cp << 6) | (next & 0x3F);
    }
    // Overlong forms and surrogates are rejected: both are classic smuggling vectors and
    // neither can be represented in UCS-2 output without inventing data.
    if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return TextResult<std::u32string>::failure(TextError::InvalidUtf8, i);
    }
    out.push_back(cp);
    i += length;
  }
  return out;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string encodeUtf8(std::u32string_view codePoints) {
  std::string out;
  out.reserve(codePoints.size());
  for (const char32_t cp : codePoints)
    appendUtf8(out, cp);
  return out;
}

}  // namespace mfigw::smpp
