// Fuzz target for the SMS text codecs: any bytes, taken as UTF-8, go through
// chooseEncoding/encode/decode/split. Where the encoding accepts the input the round trip
// must be exact, parts must respect the TS 23.040 limits and never cut an escape or a
// surrogate pair. The same bytes are also fed to the decoders and the UDH parser as wire data.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "smpp/concat_reassembler.hpp"
#include "smpp/text_encoding.hpp"
#include "smpp/text_gsm7.hpp"
#include "smpp/text_split.hpp"
#include "smpp/text_utf8.hpp"

namespace {

using namespace mfigw::smpp;

void check(bool condition) {
  if (!condition) std::abort();
}

size_t perPartLimit(TextEncoding encoding, SplitMode mode) {
  const bool wide = mode != SplitMode::Udh8;
  switch (encoding) {
    case TextEncoding::Gsm7:
      return wide ? kUdh16Gsm7Septets : kUdh8Gsm7Septets;
    case TextEncoding::Latin1:
      return wide ? kUdh16Octets : kUdh8Octets;
    case TextEncoding::Ucs2:
      return 2 * (wide ? kUdh16Ucs2Units : kUdh8Ucs2Units);
  }
  return 0;
}

void checkEncoding(const std::string& text, TextEncoding encoding) {
  auto bytes = encode(text, encoding);
  if (!bytes) return;
  auto back = decode(*bytes, encoding);
  check(back.ok() && *back == text);
  for (const SplitMode mode : {SplitMode::Udh8, SplitMode::Udh16, SplitMode::Sar}) {
    auto parts = split(text, encoding, {mode, 0xABCD});
    auto count = segmentCount(text, encoding, mode);
    check(parts.ok() == count.ok());
    if (!parts) {
      check(parts.error() == TextError::TooManyParts);
      continue;
    }
    check(parts->size() == *count);
    std::vector<uint8_t> joined;
    for (const auto& part : *parts) {
      if (parts->size() > 1) {
        check(part.payload.size() <= perPartLimit(encoding, mode));
        check(decode(part.payload, encoding).ok());  // no cut surrogate pair
        if (encoding == TextEncoding::Gsm7) check(part.payload.back() != kGsm7Escape);
      }
      joined.insert(joined.end(), part.payload.begin(), part.payload.end());
    }
    check(joined == *bytes);
  }
  if (encoding == TextEncoding::Gsm7) {
    const auto packed = packSeptets(*bytes, 1);
    check(unpackSeptets(packed, bytes->size(), 1) == *bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8192) return 0;  // keep each run fast; long texts add nothing new
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::span<const uint8_t> wire(data, size);

  const bool validUtf8 = decodeUtf8(text).ok();
  for (const bool latin1 : {false, true}) {
    for (const bool translit : {false, true}) {
      auto choice = chooseEncoding(text, {latin1, translit});
      check(choice.ok() == validUtf8);
      if (!choice) continue;
      check(choice->transliterated == (choice->text != text));
      auto bytes = encode(choice->text, choice->encoding);
      check(bytes.ok());  // the chosen encoding always represents the chosen text
    }
  }
  if (validUtf8) {
    checkEncoding(text, TextEncoding::Gsm7);
    checkEncoding(text, TextEncoding::Latin1);
    checkEncoding(text, TextEncoding::Ucs2);
    auto payload = split(text, TextEncoding::Ucs2, {SplitMode::Payload, 0});
    check(payload.ok() && payload->size() == 1);
  }
  (void)fitsUssdPage(text);

  // The same bytes as received wire data.
  std::vector<uint8_t> septets(wire.begin(), wire.end());
  for (auto& s : septets)
    s &= 0x7F;
  check(decodeGsm7(septets).ok());
  (void)decodeGsm7(wire);
  (void)decodeUcs2(wire);
  (void)decodeLatin1(wire);
  if (auto header = parseUserDataHeader(wire)) check(header->length <= size);
  return 0;
}
