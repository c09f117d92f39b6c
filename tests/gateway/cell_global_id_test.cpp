// The 7-octet cell global identity a USSD centre may pass, decoded to the cell table's key.
#include "gateway/cell_global_id.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mfigw::gateway {
namespace {

TEST(CellGlobalId, DecodesTwoAndThreeDigitNetworks) {
  // MCC 639, MNC 02 (filler F in the third MNC digit), LAC 0x1234, CI 0xabcd.
  const auto kenya = decodeCellGlobalId(std::string("\x36\xf9\x20\x12\x34\xab\xcd", 7));
  ASSERT_TRUE(kenya);
  EXPECT_EQ(*kenya, (store::CellId{639, 2, 0x1234, 0xabcd}));
  // MCC 310, MNC 260: the third MNC digit is in the high half of the second octet.
  const auto us = decodeCellGlobalId(std::string("\x13\x00\x62\x00\x01\x00\x02", 7));
  ASSERT_TRUE(us);
  EXPECT_EQ(*us, (store::CellId{310, 260, 1, 2}));
}

TEST(CellGlobalId, RefusesWhatIsNotACgi) {
  EXPECT_FALSE(decodeCellGlobalId(std::string("\x36\xf9\x20\x12\x34\xab", 6)));  // too short
  EXPECT_FALSE(decodeCellGlobalId(std::string("\x36\xf9\x20\x12\x34\xab\xcd\x00", 8)));
  EXPECT_FALSE(decodeCellGlobalId(std::string("\x3a\xf9\x20\x12\x34\xab\xcd", 7)));  // digit A
  EXPECT_FALSE(decodeCellGlobalId(std::string("\x00\xf0\x20\x12\x34\xab\xcd", 7)));  // MCC 000
  EXPECT_FALSE(decodeCellGlobalId(std::string("\x36\xe9\x20\x12\x34\xab\xcd", 7)));  // MNC E
}

}  // namespace
}  // namespace mfigw::gateway
