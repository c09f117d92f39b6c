#include "smpp/backoff.hpp"

#include <gtest/gtest.h>

namespace mfigw::smpp {
namespace {

using namespace std::chrono_literals;

TEST(Backoff, DoublesToMaxWithoutJitter) {
  Backoff b(1s, 8s, 0.0, [] { return 0.7; });
  EXPECT_EQ(b.next(), 1s);
  EXPECT_EQ(b.next(), 2s);
  EXPECT_EQ(b.next(), 4s);
  EXPECT_EQ(b.next(), 8s);
  EXPECT_EQ(b.next(), 8s);
  b.reset();
  EXPECT_EQ(b.next(), 1s);
}

TEST(Backoff, JitterStaysWithinBounds) {
  double u = 0.0;
  Backoff lo(10s, 60s, 0.2, [&] { return u; });
  EXPECT_EQ(lo.next(), 8s);  // 10 s * 0.8
  u = 0.999999;
  const auto d = lo.next();  // 20 s * ~1.2
  EXPECT_GT(d, 23s);
  EXPECT_LE(d, 24s);
  u = 5.0;  // out of contract: clamped
  EXPECT_LE(lo.next(), 48s);
}

TEST(Backoff, ShrinkHalvesDownToMin) {
  Backoff b(200ms, 10s, 0.0, nullptr);
  b.next();
  b.next();
  b.next();
  EXPECT_EQ(b.currentBase(), 1600ms);
  EXPECT_TRUE(b.active());
  b.shrink();
  EXPECT_EQ(b.currentBase(), 800ms);
  b.shrink();
  b.shrink();
  b.shrink();
  EXPECT_EQ(b.currentBase(), 200ms);
  EXPECT_FALSE(b.active());
}

}  // namespace
}  // namespace mfigw::smpp
