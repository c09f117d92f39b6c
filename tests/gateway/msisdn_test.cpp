#include "gateway/msisdn.hpp"

#include <gtest/gtest.h>

namespace mfigw::gateway {
namespace {

TEST(Msisdn, NationalAndInternationalFormsMeetInE164) {
  EXPECT_EQ(normalizeMsisdn("0712 345 678", "KE").e164, "+254712345678");
  EXPECT_EQ(normalizeMsisdn("+254712345678", "KE").e164, "+254712345678");
  EXPECT_EQ(normalizeMsisdn("254712345678", "KE").e164, "+254712345678");
  // An SMPP international address from another country than the default region.
  EXPECT_EQ(normalizeMsisdn("221771234567", "KE").e164, "+221771234567");
}

TEST(Msisdn, RejectsWhatIsNotANumber) {
  const auto text = normalizeMsisdn("hello", "KE");
  EXPECT_FALSE(text.e164);
  EXPECT_FALSE(text.error.empty());
  EXPECT_FALSE(normalizeMsisdn("071", "KE").e164);
  EXPECT_FALSE(normalizeMsisdn("", "KE").e164);
}

TEST(Msisdn, KnowsRegions) {
  EXPECT_TRUE(isKnownRegion("KE"));
  EXPECT_TRUE(isKnownRegion("SN"));
  EXPECT_FALSE(isKnownRegion("XX"));
}

}  // namespace
}  // namespace mfigw::gateway
