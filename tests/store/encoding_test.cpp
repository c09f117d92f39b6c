#include "store/encoding.hpp"

#include "store/error.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace mfigw::store {
namespace {

std::string hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

TEST(Encoding, FixedWidthIntegersAreBigEndian) {
  EXPECT_EQ(hex(Encoder().u8(0xAB).data()), "ab");
  EXPECT_EQ(hex(Encoder().u16(0x0102).data()), "0102");
  EXPECT_EQ(hex(Encoder().u32(0x01020304).data()), "01020304");
  EXPECT_EQ(hex(Encoder().u64(0x0102030405060708ull).data()), "0102030405060708");
  // i64: sign bit flipped so that negative numbers sort first.
  EXPECT_EQ(hex(Encoder().i64(0).data()), "8000000000000000");
  EXPECT_EQ(hex(Encoder().i64(-1).data()), "7fffffffffffffff");
}

TEST(Encoding, SignedByteOrderIsNumericOrder) {
  const std::vector<int64_t> values = {
      std::numeric_limits<int64_t>::min(), -1000000, -256, -1, 0, 1, 255, 256, 1000000,
      std::numeric_limits<int64_t>::max()};
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    EXPECT_LT(Key().i64(values[i]).data(), Key().i64(values[i + 1]).data())
        << values[i] << " vs " << values[i + 1];
  }
}

TEST(Encoding, VarintKnownEncodings) {
  EXPECT_EQ(hex(Encoder().varint(0).data()), "00");
  EXPECT_EQ(hex(Encoder().varint(127).data()), "7f");
  EXPECT_EQ(hex(Encoder().varint(128).data()), "8001");
  EXPECT_EQ(hex(Encoder().varint(300).data()), "ac02");
  EXPECT_EQ(Encoder().varint(std::numeric_limits<uint64_t>::max()).size(), 10u);
}

TEST(Encoding, RoundTripsEveryFieldType) {
  const std::array<std::byte, 3> blob{std::byte{0}, std::byte{0xFF}, std::byte{7}};
  const std::string encoded = Encoder()
                                  .version(3)
                                  .u8(200)
                                  .u16(65535)
                                  .u32(4000000000u)
                                  .u64(std::numeric_limits<uint64_t>::max())
                                  .i64(-42)
                                  .varint(std::numeric_limits<uint64_t>::max())
                                  .varint(5)
                                  .boolean(true)
                                  .boolean(false)
                                  .str("Habari, Amina")
                                  .str("")
                                  .bytes(blob)
                                  .raw("tail")
                                  .data();
  Decoder d(encoded);
  EXPECT_EQ(d.version(3), 3);
  EXPECT_EQ(d.u8(), 200);
  EXPECT_EQ(d.u16(), 65535);
  EXPECT_EQ(d.u32(), 4000000000u);
  EXPECT_EQ(d.u64(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(d.i64(), -42);
  EXPECT_EQ(d.varint(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(d.varint(), 5u);
  EXPECT_TRUE(d.boolean());
  EXPECT_FALSE(d.boolean());
  EXPECT_EQ(d.str(), "Habari, Amina");
  EXPECT_EQ(d.strView(), "");
  EXPECT_EQ(d.bytes(), std::string("\0\xFF\x07", 3));
  EXPECT_EQ(d.rest(), "tail");
  EXPECT_TRUE(d.atEnd());
  EXPECT_NO_THROW(d.expectEnd());
}

TEST(Encoding, DecoderAcceptsByteSpans) {
  const std::array<std::byte, 4> bytes{std::byte{0}, std::byte{0}, std::byte{1}, std::byte{2}};
  Decoder d{std::span<const std::byte>(bytes)};
  EXPECT_EQ(d.u32(), 0x102u);
}

TEST(Encoding, EveryTruncationThrowsDecodeError) {
  const std::string full =
      Encoder().version(1).u32(7).i64(-9).varint(1u << 20).str("0712345678").boolean(true).data();
  // Decoding any strict prefix must fail cleanly (ASan would flag an out-of-bounds read).
  for (size_t n = 0; n < full.size(); ++n) {
    const std::string cut = full.substr(0, n);
    Decoder d(cut);
    EXPECT_THROW(
        {
          d.version(1);
          d.u32();
          d.i64();
          d.varint();
          d.str();
          d.boolean();
        },
        DecodeError)
        << "prefix length " << n;
  }
}

TEST(Encoding, RejectsMalformedFields) {
  {
    const std::string s = Encoder().varint(1000).raw("short").data();  // length > rest
    Decoder d(s);
    EXPECT_THROW(d.str(), DecodeError);
  }
  {
    Decoder d(std::string_view("\x02", 1));
    EXPECT_THROW(d.boolean(), DecodeError);
  }
  {
    const std::string overlong(11, '\x80');
    Decoder d(overlong);
    EXPECT_THROW(d.varint(), DecodeError);
  }
  {
    // Ten bytes whose last one carries more than the 64th bit.
    std::string overflow(9, '\xFF');
    overflow.push_back('\x02');
    Decoder d(overflow);
    EXPECT_THROW(d.varint(), DecodeError);
  }
  {
    Decoder d(std::string_view("\x01\x02", 2));
    d.u8();
    EXPECT_THROW(d.expectEnd(), DecodeError);
  }
}

TEST(Encoding, VersionByteIsChecked) {
  EXPECT_THROW(Decoder(std::string_view("\x00", 1)).version(3), DecodeError);
  EXPECT_THROW(Decoder(std::string_view("\x04", 1)).version(3), DecodeError);
  EXPECT_EQ(Decoder(std::string_view("\x02", 1)).version(3), 2);
  try {
    Decoder(std::string_view("\x09", 1)).version(2);
    FAIL() << "expected DecodeError";
  } catch (const DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find("version 9"), std::string::npos) << e.what();
    EXPECT_EQ(e.mdbCode(), 0);
  }
  EXPECT_THROW(Encoder().version(0), std::invalid_argument);
}

TEST(Encoding, KeyStringsKeepOrderAndRoundTrip) {
  const std::vector<std::string> ordered = {
      "",   std::string("\0", 1),   std::string("\0\0", 2),  "a",
      "ab", std::string("ab\0", 3), std::string("ab\0z", 4), "abc",
      "b"};
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    // Followed by another component, so the terminator matters.
    EXPECT_LT(Key().str(ordered[i]).u32(0xFFFFFFFF).data(), Key().str(ordered[i + 1]).u32(0).data())
        << i;
  }
  for (const std::string& s : ordered) {
    const std::string k = Key().str(s).u64(99).data();
    Decoder d(k);
    EXPECT_EQ(d.keyStr(), s);
    EXPECT_EQ(d.u64(), 99u);
    EXPECT_TRUE(d.atEnd());
  }
  Decoder bad(std::string_view("x\0\x05", 3));
  EXPECT_THROW(bad.keyStr(), DecodeError);
  Decoder unterminated(std::string_view("abc", 3));
  EXPECT_THROW(unterminated.keyStr(), DecodeError);
}

TEST(Encoding, CompositeKeyByteOrderIsTupleOrder) {
  std::mt19937_64 rng(12345);  // fixed seed: deterministic
  std::uniform_int_distribution<uint32_t> branch(0, 3);
  std::uniform_int_distribution<uint64_t> id(0, 300);
  const std::vector<std::string> names = {"", "07", "0712", "0712345678", "254712345678", "z"};
  std::uniform_int_distribution<size_t> pick(0, names.size() - 1);
  using Tuple = std::tuple<uint32_t, std::string, uint64_t, int64_t>;
  std::vector<Tuple> tuples;
  for (int i = 0; i < 400; ++i) {
    tuples.emplace_back(branch(rng), names[pick(rng)], id(rng),
                        static_cast<int64_t>(id(rng)) - 150);
  }
  auto keyOf = [](const Tuple& t) {
    return Key()
        .u32(std::get<0>(t))
        .str(std::get<1>(t))
        .u64(std::get<2>(t))
        .i64(std::get<3>(t))
        .take();
  };
  for (size_t i = 0; i + 1 < tuples.size(); ++i) {
    const Tuple& a = tuples[i];
    const Tuple& b = tuples[i + 1];
    EXPECT_EQ(a < b, keyOf(a) < keyOf(b));
    EXPECT_EQ(a == b, keyOf(a) == keyOf(b));
  }
  // A prefix of components is a byte prefix of the key.
  const Tuple& t = tuples.front();
  EXPECT_TRUE(std::string_view(keyOf(t)).starts_with(Key().u32(std::get<0>(t)).data()));
}

}  // namespace
}  // namespace mfigw::store
