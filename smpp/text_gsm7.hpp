// smpp/text_gsm7.hpp: the GSM 03.38 default alphabet and its extension table.
//
// Purpose:   UTF-8 <-> GSM 7-bit septets as SMPP data_coding 0 usually carries them
//            (unpacked, one septet per byte), and septet packing for payloads that must
//            follow a UDH bit-aligned (3GPP TS 23.038 §6.1.2.1, TS 23.040 §9.2.3.24).
//            The extension characters ^ { } \ [ ~ ] | € and form feed cost two septets
//            (escape 0x1B + code).
// Threading: Pure functions; safe from any thread.
// Errors:    Values (TextResult): InvalidUtf8, NotRepresentable, InvalidSeptet.
// Ownership: Results own their bytes.
#pragma once

#include "smpp/text_utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::smpp {

inline constexpr uint8_t kGsm7Escape = 0x1B;

// Septets needed for one code point: 1 (default alphabet), 2 (extension table) or
// 0 (not representable in GSM 03.38).
size_t gsm7Cost(char32_t codePoint);
inline bool isGsm7(char32_t codePoint) {
  return gsm7Cost(codePoint) != 0;
}

// Septets the whole UTF-8 text needs, escapes counted twice.
TextResult<size_t> gsm7Length(std::string_view utf8);

// UTF-8 -> unpacked septets (values 0..0x7F, escapes as 0x1B + code).
TextResult<std::vector<uint8_t>> encodeGsm7(std::string_view utf8);

// Unpacked septets -> UTF-8. Lenient where TS 23.038 says a receiver should be: an escape
// before a code the extension table does not define shows the default-alphabet character,
// 0x1B 0x1B (reserved) shows a space, and a trailing lone escape is dropped. A byte above
// 0x7F is InvalidSeptet.
TextResult<std::string> decodeGsm7(std::span<const uint8_t> septets);

// Packs septets LSB-first into octets. fillBits (0..6) zero bits come first, so a packed
// payload after a UDH starts on a septet boundary: see udhFillBits().
std::vector<uint8_t> packSeptets(std::span<const uint8_t> septets, unsigned fillBits = 0);
// Inverse of packSeptets: reads septetCount septets after fillBits bits (stops early if the
// octets run out).
std::vector<uint8_t> unpackSeptets(std::span<const uint8_t> packed, size_t septetCount,
                                   unsigned fillBits = 0);
// Fill bits after a UDH of udhOctets octets (UDHL included): 6 octets -> 1, 7 octets -> 0.
inline unsigned udhFillBits(size_t udhOctets) {
  return static_cast<unsigned>((7 - (udhOctets * 8) % 7) % 7);
}

}  // namespace mfigw::smpp
