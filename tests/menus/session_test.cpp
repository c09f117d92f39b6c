// Session encoding: round trips, a pinned byte layout (sessions outlive a daemon upgrade
// in LMDB) and refusal of anything malformed.
#include "menus/session.hpp"

#include <gtest/gtest.h>

#include <string>

namespace mfigw::menus {
namespace {

Session sample() {
  Session s;
  s.treeVersion = "v@1";
  s.screen = "main";
  s.language = "en";
  s.page = 2;
  s.steps = 300;
  s.vars = {{"a", "b"}};
  s.backStack = {{"x", 1}};
  return s;
}

TEST(SessionCodec, FormatOneLayoutIsPinned) {
  std::string expected;
  expected += '\x01';      // format 1
  expected += "\x03v@1";   // tree version (length 3)
  expected += "\x04main";  // screen
  expected += '\x02';      // language: length...
  expected += "en";        // ...and bytes
  expected += '\x02';      // page
  expected += "\xAC\x02";  // steps: 300 in LEB128
  expected += '\x00';      // not ended
  expected += '\x01';      // one variable:
  expected += '\x01';      //   name length
  expected += 'a';
  expected += '\x01';  //   value length
  expected += 'b';
  expected += "\x01\x01x\x01";  // one back entry: "x", page 1
  EXPECT_EQ(encodeSession(sample()), expected);
}

TEST(SessionCodec, RoundTrips) {
  Session s = sample();
  s.ended = true;
  s.steps = 0xFFFFFFFFu;
  s.vars = {{"amount", "150000"}, {"name", std::string(4096, 'x')}, {"z", ""}};
  for (uint32_t i = 0; i < kMaxBackStack; ++i)
    s.backStack.push_back({"screen_" + std::to_string(i), i * 1000});
  s.backStack.resize(kMaxBackStack);
  const auto decoded = decodeSession(encodeSession(s));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, s);
  EXPECT_EQ(decodeSession(encodeSession(Session{})), Session{});
}

TEST(SessionCodec, RefusesMalformedBytes) {
  const std::string good = encodeSession(sample());
  EXPECT_TRUE(decodeSession(good).has_value());
  // Every truncation fails, and so does a trailing byte.
  for (std::size_t n = 0; n < good.size(); ++n)
    EXPECT_FALSE(decodeSession(good.substr(0, n)).has_value()) << n;
  EXPECT_FALSE(decodeSession(good + '\0').has_value());
  // Another format version.
  std::string other = good;
  other[0] = 2;
  EXPECT_FALSE(decodeSession(other).has_value());
  // A varint longer than 32 bits.
  EXPECT_FALSE(decodeSession(std::string("\x01\xFF\xFF\xFF\xFF\x7F", 6)).has_value());
  // An "ended" flag other than 0 or 1.
  std::string flag = good;
  flag[good.find("\xAC\x02") + 2] = 7;
  EXPECT_FALSE(decodeSession(flag).has_value());
  // Variables out of order (a map never writes that).
  Session twoVars = sample();
  twoVars.vars = {{"a", "1"}, {"b", "2"}};
  std::string swapped = encodeSession(twoVars);
  // Rename the first variable "a" to "c": the names then arrive as "c", "b".
  const std::size_t at = swapped.find(std::string{'\x01', 'a', '\x01', '1'});
  ASSERT_NE(at, std::string::npos);
  swapped[at + 1] = 'c';
  EXPECT_FALSE(decodeSession(swapped).has_value());
  // A back-stack longer than the engine ever keeps.
  Session deep = sample();
  deep.backStack.assign(kMaxBackStack + 1, BackEntry{"x", 0});
  EXPECT_FALSE(decodeSession(encodeSession(deep)).has_value());
}

}  // namespace
}  // namespace mfigw::menus
