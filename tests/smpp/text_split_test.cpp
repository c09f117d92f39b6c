// Tests for SMS part counting and splitting (3GPP TS 23.040 limits) and the USSD page check.
#include "smpp/text_split.hpp"
#include "smpp/text_encoding.hpp"
#include "smpp/text_gsm7.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mfigw::smpp {
namespace {

std::string repeat(std::string_view unit, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out.append(unit);
  return out;
}

const std::string kAlef = "\xD8\xA7";           // U+0627, one UCS-2 unit
const std::string kEmoji = "\xF0\x9F\x98\x80";  // U+1F600, a surrogate pair

size_t count(const std::string& text, TextEncoding enc, SplitMode mode = SplitMode::Udh8) {
  auto n = segmentCount(text, enc, mode);
  EXPECT_TRUE(n.ok());
  return n.ok() ? *n : 0;
}

TEST(TextSplit, Gsm7BoundariesUdh8) {
  EXPECT_EQ(count("", TextEncoding::Gsm7), 1u);
  EXPECT_EQ(count(repeat("a", 160), TextEncoding::Gsm7), 1u);
  EXPECT_EQ(count(repeat("a", 161), TextEncoding::Gsm7), 2u);
  EXPECT_EQ(count(repeat("a", 306), TextEncoding::Gsm7), 2u);
  EXPECT_EQ(count(repeat("a", 307), TextEncoding::Gsm7), 3u);
  EXPECT_EQ(count(repeat("a", 459), TextEncoding::Gsm7), 3u);
  EXPECT_EQ(count(repeat("a", 460), TextEncoding::Gsm7), 4u);
  // 80 extension characters = 160 septets: one part; one more septet: two parts.
  EXPECT_EQ(count(repeat("€", 80), TextEncoding::Gsm7), 1u);
  EXPECT_EQ(count(repeat("€", 80) + "a", TextEncoding::Gsm7), 2u);
}

TEST(TextSplit, Gsm7BoundariesUdh16AndSar) {
  for (const SplitMode mode : {SplitMode::Udh16, SplitMode::Sar}) {
    EXPECT_EQ(count(repeat("a", 160), TextEncoding::Gsm7, mode), 1u);
    EXPECT_EQ(count(repeat("a", 161), TextEncoding::Gsm7, mode), 2u);
    EXPECT_EQ(count(repeat("a", 304), TextEncoding::Gsm7, mode), 2u);
    EXPECT_EQ(count(repeat("a", 305), TextEncoding::Gsm7, mode), 3u);
  }
}

TEST(TextSplit, Latin1AndUcs2Boundaries) {
  EXPECT_EQ(count(repeat("á", 140), TextEncoding::Latin1), 1u);
  EXPECT_EQ(count(repeat("á", 141), TextEncoding::Latin1), 2u);
  EXPECT_EQ(count(repeat("á", 268), TextEncoding::Latin1), 2u);
  EXPECT_EQ(count(repeat("á", 269), TextEncoding::Latin1), 3u);
  EXPECT_EQ(count(repeat("á", 266), TextEncoding::Latin1, SplitMode::Udh16), 2u);
  EXPECT_EQ(count(repeat("á", 267), TextEncoding::Latin1, SplitMode::Udh16), 3u);

  EXPECT_EQ(count(repeat(kAlef, 70), TextEncoding::Ucs2), 1u);
  EXPECT_EQ(count(repeat(kAlef, 71), TextEncoding::Ucs2), 2u);
  EXPECT_EQ(count(repeat(kAlef, 134), TextEncoding::Ucs2), 2u);
  EXPECT_EQ(count(repeat(kAlef, 135), TextEncoding::Ucs2), 3u);
  EXPECT_EQ(count(repeat(kAlef, 132), TextEncoding::Ucs2, SplitMode::Udh16), 2u);
  EXPECT_EQ(count(repeat(kAlef, 133), TextEncoding::Ucs2, SplitMode::Udh16), 3u);
  // 35 emoji = 70 units: one part.
  EXPECT_EQ(count(repeat(kEmoji, 35), TextEncoding::Ucs2), 1u);
  EXPECT_EQ(count(repeat(kEmoji, 35) + "a", TextEncoding::Ucs2), 2u);
}

TEST(TextSplit, NeverSplitsAnEscapeSequence) {
  // 152 'a' then '€': the escape would be septet 153 of part 1 -> '€' moves to part 2.
  const std::string text = repeat("a", 152) + "€" + repeat("b", 10);
  auto parts = split(text, TextEncoding::Gsm7, {SplitMode::Udh8, 7});
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].payload.size(), 152u);
  EXPECT_NE((*parts)[0].payload.back(), kGsm7Escape);
  EXPECT_EQ((*parts)[1].payload.size(), 12u);
  EXPECT_EQ((*parts)[1].payload[0], kGsm7Escape);
  EXPECT_EQ(decodeGsm7((*parts)[1].payload).value(), "€" + repeat("b", 10));
  // All extension characters: 76 fit a 153-septet part (152 septets), never 76.5.
  auto euros = split(repeat("€", 100), TextEncoding::Gsm7, {});
  ASSERT_TRUE(euros.ok());
  ASSERT_EQ(euros->size(), 2u);
  EXPECT_EQ((*euros)[0].payload.size(), 152u);
  EXPECT_EQ((*euros)[1].payload.size(), 48u);
  // Escape exactly at the last position of the 16-bit-reference part (152).
  auto wide =
      split(repeat("a", 151) + "^" + repeat("z", 20), TextEncoding::Gsm7, {SplitMode::Udh16, 1});
  ASSERT_EQ(wide->size(), 2u);
  EXPECT_EQ((*wide)[0].payload.size(), 151u);
  EXPECT_EQ(decodeGsm7((*wide)[1].payload).value(), "^" + repeat("z", 20));
  // Boundary that changes the count: 153 septets of 'a' + escape would fit 2 parts of 153
  // without the rule (306 = 2 x 153); check the counter agrees with split.
  const std::string tricky = repeat("a", 152) + repeat("€", 77);  // 152 + 154 = 306 septets
  EXPECT_EQ(count(tricky, TextEncoding::Gsm7), 3u);
  EXPECT_EQ(split(tricky, TextEncoding::Gsm7, {}).value().size(), 3u);
}

TEST(TextSplit, NeverSplitsASurrogatePair) {
  const std::string text = repeat(kAlef, 66) + kEmoji + repeat(kAlef, 10);
  auto parts = split(text, TextEncoding::Ucs2, {SplitMode::Udh8, 9});
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].payload.size(), 66u * 2);
  EXPECT_EQ(decodeUcs2((*parts)[1].payload).value(), kEmoji + repeat(kAlef, 10));
  // Without the emoji 67 units fit exactly.
  auto exact = split(repeat(kAlef, 67) + repeat(kAlef, 10), TextEncoding::Ucs2, {});
  EXPECT_EQ((*exact)[0].payload.size(), 67u * 2);
  // Udh16: pair at units 66/67.
  auto wide =
      split(repeat(kAlef, 65) + kEmoji + repeat(kAlef, 10), TextEncoding::Ucs2, {SplitMode::Udh16});
  ASSERT_EQ(wide->size(), 2u);
  EXPECT_EQ((*wide)[0].payload.size(), 65u * 2);
  for (const auto& part : *parts)
    EXPECT_TRUE(decodeUcs2(part.payload).ok());
}

TEST(TextSplit, Udh8HeadersAndReassembledText) {
  const std::string text = repeat("0123456789", 40);  // 400 septets -> 3 parts
  auto parts = split(text, TextEncoding::Gsm7, {SplitMode::Udh8, 0x1234});
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 3u);
  std::vector<uint8_t> joined;
  for (size_t k = 0; k < parts->size(); ++k) {
    const auto& part = (*parts)[k];
    EXPECT_EQ(part.udh, (std::vector<uint8_t>{0x05, 0x00, 0x03, 0x34, 3, uint8_t(k + 1)}));
    EXPECT_FALSE(part.sar.has_value());
    joined.insert(joined.end(), part.payload.begin(), part.payload.end());
  }
  EXPECT_EQ((*parts)[0].payload.size(), 153u);
  EXPECT_EQ(decodeGsm7(joined).value(), text);
}

TEST(TextSplit, Udh16Headers) {
  auto parts = split(repeat("x", 200), TextEncoding::Gsm7, {SplitMode::Udh16, 0xBEEF});
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[1].udh, (std::vector<uint8_t>{0x06, 0x08, 0x04, 0xBE, 0xEF, 2, 2}));
  EXPECT_EQ((*parts)[0].payload.size(), 152u);
}

TEST(TextSplit, SarValues) {
  auto parts = split(repeat("á", 300), TextEncoding::Latin1, {SplitMode::Sar, 0x0102});
  ASSERT_TRUE(parts.ok());
  ASSERT_EQ(parts->size(), 3u);  // 133 + 133 + 34
  for (size_t k = 0; k < 3; ++k) {
    const auto& part = (*parts)[k];
    EXPECT_TRUE(part.udh.empty());
    ASSERT_TRUE(part.sar.has_value());
    EXPECT_EQ(part.sar->msgRefNum, 0x0102);
    EXPECT_EQ(part.sar->totalSegments, 3);
    EXPECT_EQ(part.sar->segmentSeqnum, k + 1);
  }
}

TEST(TextSplit, SinglePartHasNoConcatenationData) {
  for (const SplitMode mode : {SplitMode::Udh8, SplitMode::Udh16, SplitMode::Sar}) {
    auto parts = split("Hello", TextEncoding::Gsm7, {mode, 5});
    ASSERT_EQ(parts->size(), 1u);
    EXPECT_TRUE((*parts)[0].udh.empty());
    EXPECT_FALSE((*parts)[0].sar.has_value());
    EXPECT_EQ((*parts)[0].payload.size(), 5u);
  }
}

TEST(TextSplit, PayloadModeNeverSplits) {
  const std::string text = repeat("a", 1000);
  auto parts = split(text, TextEncoding::Gsm7, {SplitMode::Payload, 0});
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].payload.size(), 1000u);
  EXPECT_EQ(count(text, TextEncoding::Gsm7, SplitMode::Payload), 1u);
  auto tooLong = split(repeat("a", 65536), TextEncoding::Gsm7, {SplitMode::Payload, 0});
  ASSERT_FALSE(tooLong.ok());
  EXPECT_EQ(tooLong.error(), TextError::TooLong);
}

TEST(TextSplit, TooManyPartsAndErrors) {
  EXPECT_EQ(count(repeat("a", 153 * 255), TextEncoding::Gsm7), 255u);
  auto tooMany = split(repeat("a", 153 * 255 + 1), TextEncoding::Gsm7, {});
  ASSERT_FALSE(tooMany.ok());
  EXPECT_EQ(tooMany.error(), TextError::TooManyParts);
  EXPECT_EQ(split("\xD8\xA7", TextEncoding::Gsm7, {}).error(), TextError::NotRepresentable);
  EXPECT_EQ(segmentCount("\xFF", TextEncoding::Ucs2).error(), TextError::InvalidUtf8);
  EXPECT_EQ(encodedLength("a€", TextEncoding::Gsm7).value(), 3u);
  EXPECT_EQ(encodedLength("a€", TextEncoding::Ucs2).value(), 2u);
  EXPECT_EQ(encodedLength("aé", TextEncoding::Latin1).value(), 2u);
}

TEST(UssdPage, Limits) {
  EXPECT_EQ(kUssdGsm7Chars, 182u);
  EXPECT_EQ(kUssdUcs2Units, 80u);
  EXPECT_TRUE(fitsUssdPage(repeat("a", 182)));
  EXPECT_FALSE(fitsUssdPage(repeat("a", 183)));
  EXPECT_FALSE(fitsUssdPage(repeat("a", 181) + "€"));  // 183 septets
  EXPECT_TRUE(fitsUssdPage(repeat(kAlef, 80)));
  EXPECT_FALSE(fitsUssdPage(repeat(kAlef, 81)));
  EXPECT_FALSE(fitsUssdPage(repeat(kAlef, 79) + kEmoji));
  EXPECT_FALSE(fitsUssdPage("\xC3"));
}

}  // namespace
}  // namespace mfigw::smpp
