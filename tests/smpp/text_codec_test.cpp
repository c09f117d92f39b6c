// Tests for the GSM 03.38 / Latin-1 / UCS-2 codecs, UTF-8 validation and chooseEncoding.
#include "smpp/text_encoding.hpp"
#include "smpp/text_gsm7.hpp"
#include "smpp/text_transliterate.hpp"
#include "smpp/text_utf8.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mfigw::smpp {
namespace {

const std::string kBasicChars =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const std::string kExtensionChars = "\f^{}\\[~]|€";

TEST(TextGsm7, EveryBasicSeptetRoundTrips) {
  for (uint8_t septet = 0; septet < 0x80; ++septet) {
    if (septet == kGsm7Escape) continue;
    const std::vector<uint8_t> in{septet};
    auto text = decodeGsm7(in);
    ASSERT_TRUE(text.ok());
    auto back = encodeGsm7(*text);
    ASSERT_TRUE(back.ok()) << int(septet);
    EXPECT_EQ(*back, in) << "septet " << int(septet) << " text " << *text;
  }
}

TEST(TextGsm7, BasicAlphabetIs127CharactersOfOneSeptet) {
  auto septets = encodeGsm7(kBasicChars);
  ASSERT_TRUE(septets.ok());
  EXPECT_EQ(septets->size(), 127u);
  for (size_t i = 0; i < septets->size(); ++i) {
    EXPECT_NE((*septets)[i], kGsm7Escape);
  }
  EXPECT_EQ(decodeGsm7(*septets).value(), kBasicChars);
}

TEST(TextGsm7, ExtensionCharactersCostTwoSeptetsAndRoundTrip) {
  auto septets = encodeGsm7(kExtensionChars);
  ASSERT_TRUE(septets.ok());
  EXPECT_EQ(septets->size(), 20u);
  EXPECT_EQ(decodeGsm7(*septets).value(), kExtensionChars);
  const std::vector<uint8_t> euro{0x1B, 0x65};
  EXPECT_EQ(encodeGsm7("€").value(), euro);
  EXPECT_EQ(gsm7Length("a{b}").value(), 6u);
  for (const char32_t cp : std::u32string(U"^{}\\[~]|€"))
    EXPECT_EQ(gsm7Cost(cp), 2u);
  EXPECT_EQ(gsm7Cost(U'A'), 1u);
  EXPECT_EQ(gsm7Cost(U'á'), 0u);
}

TEST(TextGsm7, KnownCodes) {
  EXPECT_EQ(encodeGsm7("@").value(), std::vector<uint8_t>{0x00});
  EXPECT_EQ(encodeGsm7("ñ").value(), std::vector<uint8_t>{0x7D});
  EXPECT_EQ(encodeGsm7("Ç").value(), std::vector<uint8_t>{0x09});
  EXPECT_EQ(encodeGsm7("Hi").value(), (std::vector<uint8_t>{0x48, 0x69}));
}

TEST(TextGsm7, NotRepresentableReportsCharacterIndex) {
  auto result = encodeGsm7("ab\xD8\xA7");  // Arabic alef
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(), TextError::NotRepresentable);
  EXPECT_EQ(result.offset(), 2u);
}

TEST(TextGsm7, LenientDecoding) {
  // Unknown extension code shows the basic character, 1B 1B shows a space, trailing
  // escape dropped, > 0x7F is an error.
  EXPECT_EQ(decodeGsm7(std::vector<uint8_t>{0x1B, 0x41}).value(), "A");
  EXPECT_EQ(decodeGsm7(std::vector<uint8_t>{0x1B, 0x1B}).value(), " ");
  EXPECT_EQ(decodeGsm7(std::vector<uint8_t>{0x41, 0x1B}).value(), "A");
  auto bad = decodeGsm7(std::vector<uint8_t>{0x41, 0x80});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), TextError::InvalidSeptet);
  EXPECT_EQ(bad.offset(), 1u);
}

TEST(TextGsm7, PackingMatchesSpecExample) {
  // TS 23.038 example: "hellohello" packs to E8 32 9B FD 46 97 D9 EC 37.
  auto septets = encodeGsm7("hellohello").value();
  const std::vector<uint8_t> packed = packSeptets(septets);
  EXPECT_EQ(packed, (std::vector<uint8_t>{0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37}));
  EXPECT_EQ(unpackSeptets(packed, septets.size()), septets);
}

TEST(TextGsm7, PackingWithFillBitsRoundTrips) {
  EXPECT_EQ(udhFillBits(6), 1u);
  EXPECT_EQ(udhFillBits(7), 0u);
  auto septets = encodeGsm7("The quick brown fox {jumps} over €5").value();
  for (unsigned fill = 0; fill < 7; ++fill) {
    const auto packed = packSeptets(septets, fill);
    EXPECT_EQ(packed.size(), (fill + septets.size() * 7 + 7) / 8);
    EXPECT_EQ(unpackSeptets(packed, septets.size(), fill), septets) << fill;
  }
  // Fill bits are zero: a single '@'(0) after one fill bit, and 'A'(0x41) -> 0x82.
  EXPECT_EQ(packSeptets(std::vector<uint8_t>{0x41}, 1), (std::vector<uint8_t>{0x82}));
}

TEST(TextUtf8, RejectsMalformedInput) {
  for (const std::string& bad : {std::string("\x80"), std::string("a\xC3"),
                                 std::string("\xC0\xAF"),          // overlong '/'
                                 std::string("\xED\xA0\x80"),      // surrogate
                                 std::string("\xF4\x90\x80\x80"),  // > U+10FFFF
                                 std::string("\xFF"), std::string("\xE2\x82")}) {
    auto decoded = decodeUtf8(bad);
    EXPECT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error(), TextError::InvalidUtf8);
    EXPECT_FALSE(encodeGsm7(bad).ok());
    EXPECT_FALSE(encodeUcs2(bad).ok());
    EXPECT_FALSE(encodeLatin1(bad).ok());
    EXPECT_FALSE(chooseEncoding(bad, {}).ok());
  }
  EXPECT_EQ(decodeUtf8("a\xC3").offset(), 1u);
}

TEST(TextUtf8, RoundTripsAllPlanes) {
  const std::string text = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // a é € 😀
  auto cps = decodeUtf8(text);
  ASSERT_TRUE(cps.ok());
  EXPECT_EQ(*cps, (std::u32string{U'a', 0xE9, 0x20AC, 0x1F600}));
  EXPECT_EQ(encodeUtf8(*cps), text);
}

TEST(TextLatin1, EncodesUpToFFAndRoundTrips) {
  auto bytes = encodeLatin1("Año ¿qué?");
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->size(), 9u);
  EXPECT_EQ((*bytes)[1], 0xF1);
  EXPECT_EQ(decodeLatin1(*bytes), "Año ¿qué?");
  auto euro = encodeLatin1("5€");
  ASSERT_FALSE(euro.ok());
  EXPECT_EQ(euro.error(), TextError::NotRepresentable);
  EXPECT_EQ(euro.offset(), 1u);
}

TEST(TextUcs2, BigEndianWithSurrogatePairs) {
  auto bytes = encodeUcs2("A\xD8\xA7\xF0\x9F\x98\x80");  // A, alef, 😀
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, (std::vector<uint8_t>{0x00, 0x41, 0x06, 0x27, 0xD8, 0x3D, 0xDE, 0x00}));
  EXPECT_EQ(decodeUcs2(*bytes).value(), "A\xD8\xA7\xF0\x9F\x98\x80");
  EXPECT_EQ(ucs2Length("A\xD8\xA7\xF0\x9F\x98\x80").value(), 4u);
}

TEST(TextUcs2, MalformedInputIsAnError) {
  EXPECT_EQ(decodeUcs2(std::vector<uint8_t>{0x00}).error(), TextError::InvalidUcs2);
  EXPECT_EQ(decodeUcs2(std::vector<uint8_t>{0xD8, 0x3D}).error(), TextError::InvalidUcs2);
  EXPECT_EQ(decodeUcs2(std::vector<uint8_t>{0xDE, 0x00, 0x00, 0x41}).error(),
            TextError::InvalidUcs2);
  EXPECT_EQ(decodeUcs2(std::vector<uint8_t>{0xD8, 0x3D, 0x00, 0x41}).error(),
            TextError::InvalidUcs2);
}

TEST(TextEncoding, DataCodingValues) {
  EXPECT_EQ(dataCoding(TextEncoding::Gsm7), 0);
  EXPECT_EQ(dataCoding(TextEncoding::Latin1), 3);
  EXPECT_EQ(dataCoding(TextEncoding::Ucs2), 8);
  EXPECT_EQ(encodingFromDataCoding(8), TextEncoding::Ucs2);
  EXPECT_EQ(encodingFromDataCoding(3), TextEncoding::Latin1);
  EXPECT_EQ(encodingFromDataCoding(0), TextEncoding::Gsm7);
  EXPECT_EQ(encodingFromDataCoding(0xF0), TextEncoding::Gsm7);
  EXPECT_EQ(encodingFromDataCoding(0xF4), std::nullopt);
  EXPECT_EQ(encodingFromDataCoding(4), std::nullopt);
  EXPECT_EQ(toString(TextEncoding::Ucs2), "Ucs2");
}

TEST(ChooseEncoding, GsmTextStaysGsm7) {
  // ñ, ¿, € and [ ] are all GSM 03.38 (basic or extension): no UCS-2 needed.
  auto choice = chooseEncoding("Su pago de 5€ vence mañana. ¿Dudas? [ok]", {});
  ASSERT_TRUE(choice.ok());
  EXPECT_EQ(choice->encoding, TextEncoding::Gsm7);
  EXPECT_FALSE(choice->transliterated);
}

TEST(ChooseEncoding, AccentedSpanishNeedsUcs2UnlessTransliterated) {
  const std::string spanish = "Señor García, su cuota vence el miércoles. Gracias.";
  auto off = chooseEncoding(spanish, {});
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->encoding, TextEncoding::Ucs2);
  EXPECT_EQ(off->text, spanish);
  auto on = chooseEncoding(spanish, {.latin1Allowed = false, .transliterate = true});
  ASSERT_TRUE(on.ok());
  EXPECT_EQ(on->encoding, TextEncoding::Gsm7);
  EXPECT_TRUE(on->transliterated);
  EXPECT_EQ(on->text, "Señor Garcia, su cuota vence el miércoles. Gracias.");
}

TEST(ChooseEncoding, ArabicIsUcs2EvenWithTransliteration) {
  const std::string arabic = "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7";  // مرحبا
  EXPECT_EQ(chooseEncoding(arabic, {}).value().encoding, TextEncoding::Ucs2);
  auto on = chooseEncoding(arabic + " á", {.latin1Allowed = true, .transliterate = true});
  EXPECT_EQ(on->encoding, TextEncoding::Ucs2);
  EXPECT_FALSE(on->transliterated);
  EXPECT_EQ(on->text, arabic + " á");
}

TEST(ChooseEncoding, Latin1OnlyWhenAllowed) {
  EXPECT_EQ(chooseEncoding("café á", {}).value().encoding, TextEncoding::Ucs2);
  EXPECT_EQ(chooseEncoding("café á", {.latin1Allowed = true}).value().encoding,
            TextEncoding::Latin1);
  // € is GSM but not Latin-1; with á it must be UCS-2.
  EXPECT_EQ(chooseEncoding("5€ á", {.latin1Allowed = true}).value().encoding, TextEncoding::Ucs2);
}

TEST(Transliterate, TableEntriesAreGsmAndNeverReplaceGsmCharacters) {
  for (char32_t cp = 0; cp < 0x2300; ++cp) {
    const auto entry = gsm7Transliteration(cp);
    if (!entry) continue;
    EXPECT_FALSE(isGsm7(cp)) << "table replaces GSM character U+" << std::hex << uint32_t(cp);
    EXPECT_TRUE(gsm7Length(*entry).ok())
        << "replacement not GSM for U+" << std::hex << uint32_t(cp);
  }
  EXPECT_EQ(transliterateForGsm7("“Hola” — ¿qué tal… ça?").value(), "\"Hola\" - ¿qué tal... Ça?");
  EXPECT_EQ(transliterateForGsm7("ÁÉÍÓÚ áíóú ñÑ").value(), "AÉIOU aiou ñÑ");
  EXPECT_FALSE(transliterateForGsm7("\xC3").ok());
}

}  // namespace
}  // namespace mfigw::smpp
