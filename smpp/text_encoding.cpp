#include "smpp/text_encoding.hpp"

#include "smpp/text_gsm7.hpp"
#include "smpp/text_transliterate.hpp"

#include <algorithm>

namespace mfigw::smpp {

std::string_view toString(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::Gsm7:
      return "Gsm7";
    case TextEncoding::Latin1:
      return "Latin1";
    case TextEncoding::Ucs2:
      return "Ucs2";
  }
  return "?";
}

uint8_t dataCoding(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::Gsm7:
      return 0x00;
    case TextEncoding::Latin1:
      return 0x03;
    case TextEncoding::Ucs2:
      return 0x08;
  }
  return 0x00;
}

std::optional<TextEncoding> encodingFromDataCoding(uint8_t dc) {
  switch (dc) {
    case 0x00:
    case 0x0F:  // CBS-style "GSM 7-bit, language unspecified", seen from USSD gateways
      return TextEncoding::Gsm7;
    case 0x03:
      return TextEncoding::Latin1;
    case 0x08:
      return TextEncoding::Ucs2;
    default:
      break;
  }
  // TS 23.038 coding group 1111: bit 2 clear = default alphabet, set = 8-bit data.
  if ((dc & 0xF0) == 0xF0 && (dc & 0x04) == 0) return TextEncoding::Gsm7;
  return std::nullopt;
}

TextResult<std::vector<uint8_t>> encodeLatin1(std::string_view utf8) {
  using Result = TextResult<std::vector<uint8_t>>;
  auto decoded = decodeUtf8(utf8);
  if (!decoded) return Result::failure(decoded.error(), decoded.offset());
  std::vector<uint8_t> out;
  out.reserve(decoded->size());
  for (size_t i = 0; i < decoded->size(); ++i) {
    const char32_t cp = (*decoded)[i];
    if (cp > 0xFF) return Result::failure(TextError::NotRepresentable, i);
    out.push_back(static_cast<uint8_t>(cp));
  }
  return out;
}

std::string decodeLatin1(std::span<const uint8_t> octets) {
  std::string out;
  out.reserve(octets.size());
  for (const uint8_t octet : octets)
    appendUtf8(out, octet);
  return out;
}

TextResult<std::vector<uint8_t>> encodeUcs2(std::string_view utf8) {
  using Result = TextResult<std::vector<uint8_t>>;
  auto decoded = decodeUtf8(utf8);
  if (!decoded) return Result::failure(decoded.error(), decoded.offset());
  std::vector<uint8_t> out;
  out.reserve(decoded->size() * 2);
  auto put = [&out](uint32_t unit) {
    out.push_back(static_cast<uint8_t>(unit >> 8));
    out.push_back(static_cast<uint8_t>(unit & 0xFF));
  };
  for (const char32_t cp : *decoded) {
    if (cp < 0x10000) {
      put(cp);
    } else {
      const uint32_t v = cp - 0x10000;
      put(0xD800 + (v >> 10));
      put(0xDC00 + (v & 0x3FF));
    }
  }
  return out;
}

TextResult<std::string> decodeUcs2(std::span<const uint8_t> octets) {
  using Result = TextResult<std::string>;
  if (octets.size() % 2 != 0) return Result::failure(TextError::InvalidUcs2, octets.size() - 1);
  std::string out;
  out.reserve(octets.size());
  const size_t units = octets.size() / 2;
  auto unitAt = [&octets](size_t i) -> uint32_t {
    return (static_cast<uint32_t>(octets[2 * i]) << 8) | octets[2 * i + 1];
  };
  for (size_t i = 0; i < units; ++i) {
    const uint32_t unit = unitAt(i);
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      if (i + 1 >= units) return Result::failure(TextError::InvalidUcs2, 2 * i);
      const uint32_t low = unitAt(i + 1);
      if (low < 0xDC00 || low > 0xDFFF) return Result::failure(TextError::InvalidUcs2, 2 * i);
      appendUtf8(out, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
      ++i;
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      return Result::failure(TextError::InvalidUcs2, 2 * i);
    } else {
      appendUtf8(out, unit);
    }
  }
  return out;
}

TextResult<size_t> ucs2Length(std::string_view utf8) {
  auto decoded = decodeUtf8(utf8);
  if (!decoded) return TextResult<size_t>::failure(decoded.error(), decoded.offset());
  size_t units = 0;
  for (const char32_t cp : *decoded)
    units += cp < 0x10000 ? 1 : 2;
  return units;
}

TextResult<std::vector<uint8_t>> encode(std::string_view utf8, TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::Gsm7:
      return encodeGsm7(utf8);
    case TextEncoding::Latin1:
      return encodeLatin1(utf8);
    case TextEncoding::Ucs2:
      return encodeUcs2(utf8);
  }
  return TextResult<std::vector<uint8_t>>::failure(TextError::NotRepresentable, 0);
}

TextResult<std::string> decode(std::span<const uint8_t> octets, TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::Gsm7:
      return decodeGsm7(octets);
    case TextEncoding::Latin1:
      return decodeLatin1(octets);
    case TextEncoding::Ucs2:
      return decodeUcs2(octets);
  }
  return TextResult<std::string>::failure(TextError::NotRepresentable, 0);
}

TextResult<EncodingChoice> chooseEncoding(std::string_view utf8, const EncodingOptions& options) {
  auto decoded = decodeUtf8(utf8);
  if (!decoded) return TextResult<EncodingChoice>::failure(decoded.error(), decoded.offset());
  const auto allGsm = [](const std::u32string& cps) {
    return std::all_of(cps.begin(), cps.end(), [](char32_t cp) { return isGsm7(cp); });
  };
  EncodingChoice choice;
  choice.text = std::string(utf8);
  if (allGsm(*decoded)) return choice;
  if (options.transliterate) {
    auto plain = transliterateForGsm7(utf8);
    // Use it only when it fits entirely: half-transliterated text would still go as UCS-2
    // and lose its accents for nothing.
    if (plain && allGsm(decodeUtf8(*plain).value())) {
      choice.text = std::move(plain).value();
      choice.transliterated = true;
      return choice;
    }
  }
  if (options.latin1Allowed &&
      std::all_of(decoded->begin(), decoded->end(), [](char32_t cp) { return cp <= 0xFF; })) {
    choice.encoding = TextEncoding::Latin1;
    return choice;
  }
  choice.encoding = TextEncoding::Ucs2;
  return choice;
}

}  // namespace mfigw::smpp
