// Tests for UDH parsing and concatenated MO reassembly.
#include "smpp/concat_reassembler.hpp"
#include "smpp/text_encoding.hpp"
#include "smpp/text_split.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mfigw::smpp {
namespace {

using namespace std::chrono_literals;
using TimePoint = ConcatReassembler::TimePoint;
const TimePoint kT0{};

std::vector<uint8_t> bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

ConcatPart part(std::string source, uint16_t ref, uint8_t total, uint8_t seq,
                std::string_view payload) {
  return ConcatPart{std::move(source), ConcatInfo{ref, total, seq}, 0, bytes(payload)};
}

TEST(UserDataHeader, Parses8And16BitConcatenation) {
  const std::vector<uint8_t> udh8{0x05, 0x00, 0x03, 0x2A, 0x03, 0x02, 'h', 'i'};
  auto header = parseUserDataHeader(udh8);
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->length, 6u);
  EXPECT_EQ(header->concat, (ConcatInfo{0x2A, 3, 2}));

  const std::vector<uint8_t> udh16{0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x01};
  header = parseUserDataHeader(udh16);
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->length, 7u);
  EXPECT_EQ(header->concat, (ConcatInfo{0x1234, 2, 1}));
}

TEST(UserDataHeader, SkipsOtherElementsAndRejectsOverruns) {
  // Port addressing IE (0x05, 4 octets) before the concatenation IE.
  const std::vector<uint8_t> mixed{0x0B, 0x05, 0x04, 0x0B, 0x84, 0x23,
                                   0xF0, 0x00, 0x03, 0x07, 0x02, 0x01};
  auto header = parseUserDataHeader(mixed);
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->length, 12u);
  EXPECT_EQ(header->concat, (ConcatInfo{7, 2, 1}));

  const std::vector<uint8_t> none{0x02, 0x70, 0x00};
  header = parseUserDataHeader(none);
  ASSERT_TRUE(header.has_value());
  EXPECT_FALSE(header->concat.has_value());

  EXPECT_FALSE(parseUserDataHeader(std::vector<uint8_t>{}).has_value());
  EXPECT_FALSE(parseUserDataHeader(std::vector<uint8_t>{0x05, 0x00, 0x03}).has_value());
  EXPECT_FALSE(parseUserDataHeader(std::vector<uint8_t>{0x03, 0x00, 0x05, 0x01}).has_value());
  EXPECT_FALSE(parseUserDataHeader(std::vector<uint8_t>{0x01, 0x00}).has_value());
}

TEST(ConcatReassembler, InOrderAndOutOfOrder) {
  ConcatReassembler r;
  EXPECT_EQ(r.add(part("+250788000001", 5, 3, 3, "C"), kT0).outcome, AddOutcome::Pending);
  EXPECT_EQ(r.add(part("+250788000001", 5, 3, 1, "A"), kT0).outcome, AddOutcome::Pending);
  EXPECT_EQ(r.pendingCount(), 1u);
  auto done = r.add(part("+250788000001", 5, 3, 2, "B"), kT0 + 1s);
  EXPECT_EQ(done.outcome, AddOutcome::Completed);
  ASSERT_TRUE(done.message.has_value());
  EXPECT_EQ(done.message->payload, bytes("ABC"));
  EXPECT_EQ(done.message->source, "+250788000001");
  EXPECT_EQ(done.message->total, 3);
  EXPECT_EQ(done.message->reference, 5);
  EXPECT_EQ(r.pendingCount(), 0u);
}

TEST(ConcatReassembler, DuplicatesIgnoredFirstWins) {
  ConcatReassembler r;
  r.add(part("a", 1, 2, 1, "first"), kT0);
  EXPECT_EQ(r.add(part("a", 1, 2, 1, "again"), kT0).outcome, AddOutcome::Duplicate);
  auto done = r.add(part("a", 1, 2, 2, "+second"), kT0);
  ASSERT_EQ(done.outcome, AddOutcome::Completed);
  EXPECT_EQ(done.message->payload, bytes("first+second"));
  // After completion the same key starts a new message (references wrap around).
  EXPECT_EQ(r.add(part("a", 1, 2, 2, "x"), kT0).outcome, AddOutcome::Pending);
}

TEST(ConcatReassembler, KeyIncludesSourceReferenceAndTotal) {
  ConcatReassembler r;
  r.add(part("a", 1, 2, 1, "a1"), kT0);
  r.add(part("b", 1, 2, 1, "b1"), kT0);
  r.add(part("a", 2, 2, 1, "r2"), kT0);
  r.add(part("a", 1, 3, 1, "t3"), kT0);
  EXPECT_EQ(r.pendingCount(), 4u);
  auto done = r.add(part("b", 1, 2, 2, "b2"), kT0);
  ASSERT_EQ(done.outcome, AddOutcome::Completed);
  EXPECT_EQ(done.message->payload, bytes("b1b2"));
  EXPECT_EQ(r.pendingCount(), 3u);
}

TEST(ConcatReassembler, InvalidAndSinglePart) {
  ConcatReassembler r;
  EXPECT_EQ(r.add(part("a", 1, 0, 0, "x"), kT0).outcome, AddOutcome::Invalid);
  EXPECT_EQ(r.add(part("a", 1, 2, 0, "x"), kT0).outcome, AddOutcome::Invalid);
  EXPECT_EQ(r.add(part("a", 1, 2, 3, "x"), kT0).outcome, AddOutcome::Invalid);
  EXPECT_EQ(r.pendingCount(), 0u);
  auto one = r.add(part("a", 1, 1, 1, "solo"), kT0);
  ASSERT_EQ(one.outcome, AddOutcome::Completed);
  EXPECT_EQ(one.message->payload, bytes("solo"));
}

TEST(ConcatReassembler, TimeoutDropsIncompleteAndReports) {
  ConcatReassembler r({.maxPending = 10, .timeout = 60s});
  r.add(part("a", 1, 3, 1, "x"), kT0);
  r.add(part("a", 1, 3, 2, "y"), kT0 + 50s);
  r.add(part("b", 9, 2, 1, "z"), kT0 + 30s);
  EXPECT_TRUE(r.expire(kT0 + 59s).empty());
  auto dropped = r.expire(kT0 + 60s);  // timeout counts from the first part
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].source, "a");
  EXPECT_EQ(dropped[0].reference, 1);
  EXPECT_EQ(dropped[0].total, 3);
  EXPECT_EQ(dropped[0].received, 2);
  EXPECT_EQ(dropped[0].reason, DropReason::Timeout);
  EXPECT_EQ(r.pendingCount(), 1u);
  // A late part of the dropped message starts afresh rather than completing garbage.
  EXPECT_EQ(r.add(part("a", 1, 3, 3, "w"), kT0 + 61s).outcome, AddOutcome::Pending);
  EXPECT_EQ(r.expire(kT0 + 90s).size(), 1u);  // b
}

TEST(ConcatReassembler, BoundedMemoryEvictsOldest) {
  ConcatReassembler r({.maxPending = 2, .timeout = 60s});
  r.add(part("a", 1, 2, 1, "a"), kT0);
  r.add(part("b", 1, 2, 1, "b"), kT0 + 1s);
  r.add(part("a", 1, 2, 1, "dup"), kT0 + 2s);  // a duplicate does not refresh age
  auto result = r.add(part("c", 1, 2, 1, "c"), kT0 + 3s);
  EXPECT_EQ(result.outcome, AddOutcome::Pending);
  ASSERT_EQ(result.evicted.size(), 1u);
  EXPECT_EQ(result.evicted[0].source, "a");
  EXPECT_EQ(result.evicted[0].reason, DropReason::Evicted);
  EXPECT_EQ(r.pendingCount(), 2u);
  EXPECT_EQ(r.add(part("b", 1, 2, 2, "B"), kT0 + 4s).outcome, AddOutcome::Completed);
}

TEST(ConcatReassembler, OctetBudgetEvictsOthersAndRejectsHugeParts) {
  ConcatReassembler r({.maxPending = 10, .maxPendingOctets = 10, .timeout = 60s});
  EXPECT_EQ(r.add(part("a", 1, 2, 1, "aaaa"), kT0).outcome, AddOutcome::Pending);
  EXPECT_EQ(r.add(part("b", 1, 2, 1, "bbbb"), kT0).outcome, AddOutcome::Pending);
  EXPECT_EQ(r.pendingOctets(), 8u);
  auto result = r.add(part("b", 2, 3, 1, "cccc"), kT0);  // 12 > 10: evict "a" (oldest)
  ASSERT_EQ(result.evicted.size(), 1u);
  EXPECT_EQ(result.evicted[0].source, "a");
  EXPECT_EQ(r.pendingOctets(), 8u);
  EXPECT_EQ(r.add(part("d", 1, 2, 1, std::string(11, 'x')), kT0).outcome, AddOutcome::Invalid);
  auto done = r.add(part("b", 1, 2, 2, "BB"), kT0);
  ASSERT_EQ(done.outcome, AddOutcome::Completed);
  EXPECT_EQ(r.pendingOctets(), 4u);
  EXPECT_EQ(r.expire(kT0 + 60s).size(), 1u);
  EXPECT_EQ(r.pendingOctets(), 0u);
}

TEST(ConcatReassembler, JoinsSplitOutputBackToText) {
  // Round trip with the splitter: UDH parsed from each part, payload joined, decoded.
  std::string text;
  for (int i = 0; i < 50; ++i)
    text += "Pago recibido {€" + std::to_string(i) + "} ";
  auto parts = split(text, TextEncoding::Gsm7, {SplitMode::Udh16, 0x4242});
  ASSERT_TRUE(parts.ok());
  ASSERT_GT(parts->size(), 2u);
  ConcatReassembler r;
  std::optional<ReassembledMessage> message;
  for (size_t k = parts->size(); k-- > 0;) {  // reverse order
    std::vector<uint8_t> userData = (*parts)[k].udh;
    userData.insert(userData.end(), (*parts)[k].payload.begin(), (*parts)[k].payload.end());
    auto header = parseUserDataHeader(userData);
    ASSERT_TRUE(header && header->concat);
    ConcatPart p{"+250788000002", *header->concat, 0,
                 std::vector<uint8_t>(userData.begin() + header->length, userData.end())};
    auto result = r.add(std::move(p), kT0);
    if (result.message) message = std::move(result.message);
  }
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(decode(message->payload, TextEncoding::Gsm7).value(), text);
}

TEST(ConcatReassembler, SarValuesMapToConcatInfo) {
  EXPECT_EQ(concatFromSar(0x0102, 3, 2), (ConcatInfo{0x0102, 3, 2}));
  EXPECT_EQ(toString(AddOutcome::Duplicate), "Duplicate");
  EXPECT_EQ(toString(DropReason::Evicted), "Evicted");
}

}  // namespace
}  // namespace mfigw::smpp
