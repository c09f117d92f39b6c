#include "gateway/msisdn_mask.hpp"

#include <gtest/gtest.h>

namespace mfigw::gateway {
namespace {

TEST(MsisdnMask, KeepsCountryCodeAndLastTwoDigits) {
  EXPECT_EQ(maskMsisdn("+254712345678"), "+254*******78");
  EXPECT_EQ(maskMsisdn("254712345678"), "254*******78");
}

TEST(MsisdnMask, ShortNumbersHideAllButTheTail) {
  EXPECT_EQ(maskMsisdn("12345"), "***45");
  EXPECT_EQ(maskMsisdn("123"), "***");
  EXPECT_EQ(maskMsisdn(""), "");
  EXPECT_EQ(maskMsisdn("+"), "+");
}

TEST(MsisdnMask, MaskerCanBeTurnedOff) {
  EXPECT_EQ(MsisdnMasker(true)("+254712345678"), "+254*******78");
  EXPECT_EQ(MsisdnMasker(false)("+254712345678"), "+254712345678");
}

}  // namespace
}  // namespace mfigw::gateway
