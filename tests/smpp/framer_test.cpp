#include "smpp/framer.hpp"

#include <gtest/gtest.h>

#include "smpp/codec.hpp"

namespace mfigw::smpp {
namespace {

std::string stream() {
  SubmitSm s;
  s.sequenceNumber = 3;
  s.destination = {1, 1, "255712345678"};
  s.shortMessage = "hello";
  return encode(EnquireLink{1, CommandStatus::Ok}) + encode(s) +
         encode(EnquireLinkResp{2, CommandStatus::Ok});
}

TEST(Framer, OneByteChunks) {
  const std::string bytes = stream();
  Framer f;
  std::vector<std::string> got;
  for (char c : bytes) {
    auto out = f.feed(std::string_view(&c, 1));
    ASSERT_FALSE(out.error);
    for (auto& p : out.pdus)
      got.push_back(std::move(p));
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0] + got[1] + got[2], bytes);
  EXPECT_EQ(f.bufferedBytes(), 0u);
}

TEST(Framer, ManyPdusInOneChunkAndAPartialTail) {
  const std::string bytes = stream() + stream();
  Framer f;
  auto out = f.feed(std::string_view(bytes).substr(0, bytes.size() - 3));
  EXPECT_EQ(out.pdus.size(), 5u);
  EXPECT_EQ(f.bufferedBytes(), 13u);
  out = f.feed(std::string_view(bytes).substr(bytes.size() - 3));
  ASSERT_EQ(out.pdus.size(), 1u);
  EXPECT_TRUE(decode(out.pdus[0]).ok());
}

TEST(Framer, ShortLengthIsAStickyError) {
  Framer f;
  auto out = f.feed(encode(Unbind{4, CommandStatus::Ok}) + std::string("\x00\x00\x00\x0f", 4));
  ASSERT_EQ(out.pdus.size(), 1u);  // the good PDU before the bad length still comes out
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->commandLength, 15u);
  out = f.feed(encode(Unbind{5, CommandStatus::Ok}));
  EXPECT_TRUE(out.pdus.empty());
  EXPECT_TRUE(out.error);
  EXPECT_EQ(f.bufferedBytes(), 0u);
}

TEST(Framer, LengthAboveMaxIsReportedBeforeBuffering) {
  Framer f(1024);
  auto out = f.feed(std::string("\x00\x00\x04\x01", 4));  // 1025
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->commandLength, 1025u);
  EXPECT_EQ(toString(*out.error), "bad command_length 1025");
}

TEST(Framer, NeverHoldsMoreThanOnePartialPdu) {
  Framer f(64);
  std::string big = encode(EnquireLink{1, CommandStatus::Ok});
  for (int i = 0; i < 100; ++i)
    big += encode(EnquireLink{1, CommandStatus::Ok});
  auto out = f.feed(big + std::string("\x00\x00\x00\x40", 4) + std::string(30, '\0'));
  EXPECT_EQ(out.pdus.size(), 101u);
  EXPECT_LT(f.bufferedBytes(), f.maxPduSize());
}

}  // namespace
}  // namespace mfigw::smpp
