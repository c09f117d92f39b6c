// smpp/text_encoding.hpp: the three SMS text encodings and the choice between them.
//
// Purpose:   UTF-8 text in, SMPP short_message octets out (and back): GSM 03.38 septets
//            (data_coding 0, unpacked), Latin-1 (data_coding 3) and UCS-2 big-endian
//            (data_coding 8; characters outside the BMP go as UTF-16 surrogate pairs, which
//            is what handsets display). chooseEncoding() picks the cheapest encoding that
//            represents the text: fewer parts means fewer charged SMS for the MFI.
// Threading: Pure functions; safe from any thread.
// Errors:    Values (TextResult): InvalidUtf8, NotRepresentable, InvalidUcs2, InvalidSeptet.
// Ownership: Results own their bytes/text.
#pragma once

#include "smpp/text_utf8.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mfigw::smpp {

enum class TextEncoding : uint8_t {
  Gsm7,    // data_coding 0, one septet per octet
  Latin1,  // data_coding 3
  Ucs2,    // data_coding 8, UTF-16BE
};
std::string_view toString(TextEncoding encoding);
uint8_t dataCoding(TextEncoding encoding);
// SMPP 3.4 data_coding -> encoding for the values this gateway sends and understands
// (0, 3, 8; also 0xF0..0xF3 and 0x0F style "GSM 7-bit default" classes). Others: nullopt.
std::optional<TextEncoding> encodingFromDataCoding(uint8_t dataCoding);

TextResult<std::vector<uint8_t>> encodeLatin1(std::string_view utf8);
std::string decodeLatin1(std::span<const uint8_t> octets);  // every octet is a character
TextResult<std::vector<uint8_t>> encodeUcs2(std::string_view utf8);
TextResult<std::string> decodeUcs2(std::span<const uint8_t> octets);
// UTF-16 code units the text needs in UCS-2 (2 for a character outside the BMP).
TextResult<size_t> ucs2Length(std::string_view utf8);

TextResult<std::vector<uint8_t>> encode(std::string_view utf8, TextEncoding encoding);
TextResult<std::string> decode(std::span<const uint8_t> octets, TextEncoding encoding);

struct EncodingOptions {
  bool latin1Allowed = false;  // the SMSC accepts data_coding 3 (many do not)
  bool transliterate = false;  // replace á -> a etc. when that makes the text fit GSM-7
};

struct EncodingChoice {
  TextEncoding encoding = TextEncoding::Gsm7;
  std::string text;             // what to encode: the input, or its transliteration
  bool transliterated = false;  // text differs from the input
};

// GSM-7 if every character is in the default alphabet or extension table; else, with
// transliterate on, GSM-7 of the transliterated text if that fits; else Latin-1 if allowed
// and every character is <= U+00FF; else UCS-2. Only InvalidUtf8 can fail.
TextResult<EncodingChoice> chooseEncoding(std::string_view utf8, const EncodingOptions& options);

}  // namespace mfigw::smpp
