#include "smpp/text_gsm7.hpp"

#include <array>
#include <unordered_map>

namespace mfigw::smpp {

namespace {

// 3GPP TS 23.038 §6.2.1 default alphabet, indexed by septet. 0x1B is the escape to the
// extension table; it decodes to a space if it ever stands alone (see decodeGsm7).
constexpr std::array<char32_t, 128> kBasic = {
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì', U'ò', U'Ç',  U'\n', U'Ø', U'ø',    U'\r', U'Å',
    U'å', U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ', U'Σ',  U'Θ',  U'Ξ', U'\x1B', U'Æ',  U'æ',
    U'ß', U'É', U' ', U'!', U'"', U'#', U'¤', U'%', U'&', U'\'', U'(',  U')', U'*',    U'+',  U',',
    U'-', U'.', U'/', U'0', U'1', U'2', U'3', U'4', U'5', U'6',  U'7',  U'8', U'9',    U':',  U';',
    U'<', U'=', U'>', U'?', U'¡', U'A', U'B', U'C', U'D', U'E',  U'F',  U'G', U'H',    U'I',  U'J',
    U'K', U'L', U'M', U'N', U'O', U'P', U'Q', U'R', U'S', U'T',  U'U',  U'V', U'W',    U'X',  U'Y',
    U'Z', U'Ä', U'Ö', U'Ñ', U'Ü', U'§', U'¿', U'a', U'b', U'c',  U'd',  U'e', U'f',    U'g',  U'h',
    U'i', U'j', U'k', U'l', U'm', U'n', U'o', U'p', U'q', U'r',  U's',  U't', U'u',    U'v',  U'w',
    U'x', U'y', U'z', U'ä', U'ö', U'ñ', U'ü', U'à',
};

struct ExtensionEntry {
  uint8_t code;
  char32_t codePoint;
};
// TS 23.038 §6.2.1.1 extension table (the characters every handset supports).
constexpr std::array<ExtensionEntry, 10> kExtension = {{
    {0x0A, U'\f'},
    {0x14, U'^'},
    {0x28, U'{'},
    {0x29, U'}'},
    {0x2F, U'\\'},
    {0x3C, U'['},
    {0x3D, U'~'},
    {0x3E, U']'},
    {0x40, U'|'},
    {0x65, U'€'},
}};

// code point -> (escaped? , septet). Built once; function-local statics initialise
// thread-safely.
struct Reverse {
  std::unordered_map<char32_t, uint16_t> map;  // low byte septet, 0x100 flag = extension
  Reverse() {
    for (size_t i = 0; i < kBasic.size(); ++i) {
      if (i == kGsm7Escape) continue;
      map.emplace(kBasic[i], static_cast<uint16_t>(i));
    }
    for (const auto& entry : kExtension) {
      map.emplace(entry.codePoint, static_cast<uint16_t>(0x100 | entry.code));
    }
  }
};

const Reverse& reverse() {
  static const Reverse table;
  return table;
}

// Returns -1 when not representable, else the table value.
int lookup(char32_t cp) {
  const auto& map = reverse().map;
  const auto it = map.find(cp);
  return it == map.end() ? -1 : it->second;
}

}  // namespace

size_t gsm7Cost(char32_t codePoint) {
  const int value = lookup(codePoint);
  if (value < 0) return 0;
  return (value & 0x100) != 0 ? 2 : 1;
}

TextResult<size_t> gsm7Length(std::string_view utf8) {
  auto decoded = decodeUtf8(utf8);
  if (!decoded) return TextResult<size_t>::failure(decoded.error(), decoded.offset());
  size_t total = 0;
  for (size_t i = 0; i < decoded->size(); ++i) {
    const size_t cost = gsm7Cost((*decoded)[i]);
    if (cost == 0) return TextResult<size_t>::failure(TextError::NotRepresentable, i);
    total += cost;
  }
  return total;
}

TextResult<std::vector<uint8_t>> encodeGsm7(std::string_view utf8) {
  using Result = TextResult<std::vector<uint8_t>>;
  auto decoded = decodeUtf8(utf8);
  if (!decoded) return Result::failure(decoded.error(), decoded.offset());
  std::vector<uint8_t> septets;
  septets.reserve(decoded->size());
  for (size_t i = 0; i < decoded->size(); ++i) {
    const int value = lookup((*decoded)[i]);
    // The offset is the code-point index: the caller can point at the character.
    if (value < 0) return Result::failure(TextError::NotRepresentable, i);
    if ((value & 0x100) != 0) septets.push_back(kGsm7Escape);
    septets.push_back(static_cast<uint8_t>(value & 0x7F));
  }
  return septets;
}

TextResult<std::string> decodeGsm7(std::span<const uint8_t> septets) {
  std::string out;
  out.reserve(septets.size());
  for (size_t i = 0; i < septets.size(); ++i) {
    const uint8_t septet = septets[i];
    if (septet > 0x7F) return TextResult<std::string>::failure(TextError::InvalidSeptet, i);
    if (septet != kGsm7Escape) {
      appendUtf8(out, kBasic[septet]);
      continue;
    }
    if (i + 1 == septets.size()) break;  // lone trailing escape: nothing to show
    const uint8_t code = septets[++i];
    if (code > 0x7F) return TextResult<std::string>::failure(TextError::InvalidSeptet, i);
    if (code == kGsm7Escape) {
      appendUtf8(out, U' ');
      continue;
    }
    char32_t shown = kBasic[code];
    for (const auto& entry : kExtension) {
      if (entry.code == code) shown = entry.codePoint;
    }
    appendUtf8(out, shown);
  }
  return out;
}

std::vector<uint8_t> packSeptets(std::span<const uint8_t> septets, unsigned fillBits) {
  fillBits %= 7;
  const size_t totalBits = fillBits + septets.size() * 7;
  std::vector<uint8_t> out((totalBits + 7) / 8, 0);
  size_t bit = fillBits;
  for (const uint8_t septet : septets) {
    const unsigned value = septet & 0x7Fu;
    const size_t byte = bit / 8;
    const size_t shift = bit % 8;
    out[byte] = static_cast<uint8_t>(out[byte] | ((value << shift) & 0xFFu));
    if (shift > 1) out[byte + 1] = static_cast<uint8_t>(out[byte + 1] | (value >> (8 - shift)));
    bit += 7;
  }
  return out;
}

std::vector<uint8_t> unpackSeptets(std::span<const uint8_t> packed, size_t septetCount,
                                   unsigned fillBits) {
  fillBits %= 7;
  std::vector<uint8_t> out;
  out.reserve(septetCount);
  size_t bit = fillBits;
  for (size_t n = 0; n < septetCount; ++n) {
    const size_t byte = bit / 8;
    const size_t shift = bit % 8;
    if (byte >= packed.size()) break;
    unsigned value = static_cast<unsigned>(packed[byte]) >> shift;
    if (shift > 1) {
      if (byte + 1 >= packed.size()) break;
      value |= static_cast<unsigned>(packed[byte + 1]) << (8 - shift);
    }
    out.push_back(static_cast<uint8_t>(value & 0x7F));
    bit += 7;
  }
  return out;
}

}  // namespace mfigw::smpp
