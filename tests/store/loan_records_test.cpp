// Codecs of the loan-book records: round trips (typical and maximum-size records), bound
// checks that name the field, and rejection of corrupt bytes.
#include "loan_book_fixtures.hpp"
#include "store/client.hpp"
#include "store/counters.hpp"
#include "store/day_number.hpp"
#include "store/encoding.hpp"
#include "store/error.hpp"
#include "store/group.hpp"
#include "store/loan_snapshot.hpp"
#include "store/payment_point.hpp"
#include "store/record_check.hpp"
#include "store/sync_cursor.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace mfigw::store {
namespace {

using testing::maxClient;
using testing::maxGroup;
using testing::maxLoan;
using testing::maxPoint;
using testing::sampleClient;
using testing::sampleGroup;
using testing::sampleLoan;
using testing::samplePoint;

template <class Codec, class Record>
Record roundTrip(const Record& record) {
  const std::string bytes = Codec::encodeValue(record);
  EXPECT_EQ(static_cast<uint8_t>(bytes.front()), Codec::kVersion);
  return Codec::decodeValue(bytes);
}

// Every strict prefix of a valid encoding is refused (no partial record is ever read).
template <class Codec>
void expectEveryTruncationRefused(const std::string& bytes) {
  for (size_t n = 1; n < bytes.size(); ++n) {
    EXPECT_THROW(Codec::decodeValue(bytes.substr(0, n)), DecodeError) << "prefix " << n;
  }
  EXPECT_THROW(Codec::decodeValue(bytes + "x"), DecodeError);  // trailing garbage
}

TEST(DayNumber, ConvertsCalendarDates) {
  static_assert(toDayNumber(1970, 1, 1) == 0);
  static_assert(toDayNumber(2024, 1, 1) == 19723);
  static_assert(toDayNumber(9999, 12, 31) == kMaxDayNumber);
  EXPECT_EQ(toDayNumber(2024, 3, 1) - toDayNumber(2024, 2, 28), 2);  // leap year
  EXPECT_EQ(toDate(19723), std::chrono::year_month_day(std::chrono::year(2024),
                                                       std::chrono::January, std::chrono::day(1)));
  EXPECT_EQ(dayOfUnixSeconds(1704067199), 19722);  // 2023-12-31T23:59:59Z
  EXPECT_EQ(dayOfUnixSeconds(1704067200), 19723);
  EXPECT_EQ(dayOfUnixSeconds(-1), -1);
}

TEST(LoanSnapshotCodec, RoundTripsTypicalAndMaximumRecords) {
  const LoanSnapshot typical = sampleLoan("L-1", "C-1");
  EXPECT_EQ(roundTrip<LoanSnapshotCodec>(typical), typical);

  const LoanSnapshot biggest = maxLoan();
  EXPECT_TRUE(loanSnapshotProblems(biggest).empty());
  EXPECT_EQ(roundTrip<LoanSnapshotCodec>(biggest), biggest);

  LoanSnapshot bare = sampleLoan("L-2", "C-1");
  bare.installments.clear();
  bare.msisdn.clear();
  bare.product.clear();
  bare.officer.clear();
  bare.lastPaymentDay = kNoDay;
  bare.lastPaymentAmount = 0;
  EXPECT_EQ(roundTrip<LoanSnapshotCodec>(bare), bare);

  for (LoanStatus st : {LoanStatus::Active, LoanStatus::Arrears, LoanStatus::Closed,
                        LoanStatus::WrittenOff, LoanStatus::Pending}) {
    LoanSnapshot l = typical;
    l.status = st;
    EXPECT_EQ(roundTrip<LoanSnapshotCodec>(l).status, st) << toString(st);
  }
}

TEST(LoanSnapshotCodec, TypicalRecordIsCompact) {
  // The store keeps fixed-width numbers for clarity; still well under LMDB's page size so
  // thousands of loans stay a few MB.
  const size_t size = LoanSnapshotCodec::encodeValue(sampleLoan("L-1", "C-1")).size();
  EXPECT_LT(size, 200u);
  EXPECT_GT(size, 100u);
}

TEST(LoanSnapshotCodec, RefusesTruncatedAndCorruptBytes) {
  const std::string bytes = LoanSnapshotCodec::encodeValue(sampleLoan("L-1", "C-1"));
  expectEveryTruncationRefused<LoanSnapshotCodec>(bytes);

  // Status byte: after version, lid, acct, cid, msisdn, lang.
  std::string badStatus = bytes;
  const size_t statusAt = 1 + 1 + 3 + 1 + 9 + 1 + 3 + 1 + 12 + 1 + 2;
  ASSERT_EQ(badStatus[statusAt], 'A');
  badStatus[statusAt] = 'X';
  EXPECT_THROW(LoanSnapshotCodec::decodeValue(badStatus), DecodeError);
}

struct LoanBoundCase {
  const char* field;
  std::function<void(LoanSnapshot&)> breakIt;
};

TEST(LoanSnapshotCodec, EachBoundIsEnforcedAndNamed) {
  const std::vector<LoanBoundCase> cases = {
      {"lid", [](LoanSnapshot& l) { l.loanId = std::string(kMaxIdBytes + 1, 'L'); }},
      {"lid", [](LoanSnapshot& l) { l.loanId.clear(); }},
      {"lid", [](LoanSnapshot& l) { l.loanId = std::string("a\0b", 3); }},
      {"acct", [](LoanSnapshot& l) { l.accountNo = std::string(kMaxAccountNoBytes + 1, '1'); }},
      {"acct", [](LoanSnapshot& l) { l.accountNo.clear(); }},
      {"cid", [](LoanSnapshot& l) { l.clientId = std::string(kMaxIdBytes + 1, 'C'); }},
      {"msisdn", [](LoanSnapshot& l) { l.msisdn = "2547123456789012"; }},  // 16 digits
      {"msisdn", [](LoanSnapshot& l) { l.msisdn = "+254712345678"; }},
      {"msisdn", [](LoanSnapshot& l) { l.msisdn = "0712345678"; }},
      {"lang", [](LoanSnapshot& l) { l.language = "e"; }},
      {"lang", [](LoanSnapshot& l) { l.language = "engl"; }},
      {"lang", [](LoanSnapshot& l) { l.language = "EN"; }},
      {"st", [](LoanSnapshot& l) { l.status = static_cast<LoanStatus>('Z'); }},
      {"cur", [](LoanSnapshot& l) { l.currency = "kes"; }},
      {"cur", [](LoanSnapshot& l) { l.currency = "KESH"; }},
      {"dec", [](LoanSnapshot& l) { l.decimals = kMaxCurrencyDecimals + 1; }},
      {"disb", [](LoanSnapshot& l) { l.disbursed = -1; }},
      {"pout", [](LoanSnapshot& l) { l.principalOutstanding = kMaxAmountMinor + 1; }},
      {"tout", [](LoanSnapshot& l) { l.totalOutstanding = std::numeric_limits<int64_t>::min(); }},
      {"tod", [](LoanSnapshot& l) { l.totalOverdue = -5; }},
      {"odsince", [](LoanSnapshot& l) { l.overdueSince = -1; }},
      {"odsince", [](LoanSnapshot& l) { l.totalOverdue = 100; }},  // arrears without a date
      {"inst", [](LoanSnapshot& l) { l.installments.resize(kMaxInstallments + 1); }},
      {"inst[0].day", [](LoanSnapshot& l) { l.installments[0].dueDay = kNoDay; }},
      {"inst[1].day", [](LoanSnapshot& l) { l.installments[1].dueDay = l.installments[0].dueDay; }},
      {"inst[1].amount", [](LoanSnapshot& l) { l.installments[1].amountDue = -1; }},
      {"inst[0].flags", [](LoanSnapshot& l) { l.installments[0].flags = 0x80; }},
      {"lpd", [](LoanSnapshot& l) { l.lastPaymentDay = kMaxDayNumber + 1; }},
      {"lpa", [](LoanSnapshot& l) { l.lastPaymentAmount = -1; }},
      {"prod", [](LoanSnapshot& l) { l.product = std::string(kMaxProductBytes + 1, 'p'); }},
      {"lo",
       [](LoanSnapshot& l) { l.officer = std::string(kMaxOfficerBytes - 1, 'o') + "\xc3\xa9"; }},
      {"flags", [](LoanSnapshot& l) { l.flags = 0x20; }},
  };
  for (const LoanBoundCase& c : cases) {
    LoanSnapshot l = sampleLoan("L-9", "C-9");
    c.breakIt(l);
    const std::vector<FieldProblem> problems = loanSnapshotProblems(l);
    ASSERT_EQ(problems.size(), 1u) << c.field;
    EXPECT_EQ(problems[0].field, c.field);
    try {
      LoanSnapshotCodec::encodeValue(l);
      ADD_FAILURE() << "expected InvalidRecord for " << c.field;
    } catch (const InvalidRecord& e) {
      EXPECT_EQ(e.problems(), problems);
      const std::string what = e.what();
      EXPECT_NE(what.find("loan snapshot '"), std::string::npos) << what;
      EXPECT_NE(what.find(std::string(c.field) + " "), std::string::npos) << what;
    }
  }
}

TEST(LoanSnapshotCodec, ReportsEveryBadFieldAtOnceWithoutQuotingThePhone) {
  LoanSnapshot l = sampleLoan("L-9", "C-9");
  l.msisdn = "25471234567890123";
  l.currency = "usd";
  l.product = std::string(20, 'x');
  try {
    LoanSnapshotCodec::encodeValue(l);
    FAIL() << "expected InvalidRecord";
  } catch (const InvalidRecord& e) {
    ASSERT_EQ(e.problems().size(), 3u);
    EXPECT_EQ(e.problems()[0].field, "msisdn");
    EXPECT_EQ(e.problems()[1].field, "cur");
    EXPECT_EQ(e.problems()[2].field, "prod");
    const std::string what = e.what();
    EXPECT_EQ(what.find("25471234567890123"), std::string::npos) << what;
    EXPECT_NE(what.find("prod is 20 bytes, must be 0..12"), std::string::npos) << what;
  }
}

TEST(ClientCodec, RoundTripsAndChecksBounds) {
  const Client typical = sampleClient("C-1", "254712345678", "G-1");
  EXPECT_EQ(roundTrip<ClientCodec>(typical), typical);
  EXPECT_TRUE(typical.has(Consent::ReminderSms));
  EXPECT_FALSE(typical.has(Consent::Marketing));
  const Client biggest = maxClient();
  EXPECT_TRUE(clientProblems(biggest).empty());
  EXPECT_EQ(roundTrip<ClientCodec>(biggest), biggest);
  Client noPhone = typical;
  noPhone.msisdn.clear();
  noPhone.groupId.clear();
  EXPECT_EQ(roundTrip<ClientCodec>(noPhone), noPhone);
  expectEveryTruncationRefused<ClientCodec>(ClientCodec::encodeValue(typical));

  const std::vector<std::pair<const char*, std::function<void(Client&)>>> cases = {
      {"cid", [](Client& c) { c.cid.clear(); }},
      {"msisdn", [](Client& c) { c.msisdn = "25471234567a"; }},
      {"name", [](Client& c) { c.shortName = std::string(kMaxClientNameBytes + 1, 'n'); }},
      {"lang", [](Client& c) { c.language.clear(); }},
      {"consent", [](Client& c) { c.consent = 0x08; }},
      {"group", [](Client& c) { c.groupId = std::string(kMaxIdBytes + 1, 'G'); }},
  };
  for (const auto& [field, breakIt] : cases) {
    Client c = typical;
    breakIt(c);
    const auto problems = clientProblems(c);
    ASSERT_EQ(problems.size(), 1u) << field;
    EXPECT_EQ(problems[0].field, field);
    EXPECT_THROW(ClientCodec::encodeValue(c), InvalidRecord) << field;
  }
}

TEST(MsisdnIndexCodec, RoundTrips) {
  const std::string cid(kMaxIdBytes, 'c');
  EXPECT_EQ(roundTrip<MsisdnIndexCodec>(cid), cid);
  expectEveryTruncationRefused<MsisdnIndexCodec>(MsisdnIndexCodec::encodeValue(cid));
}

TEST(GroupCodec, RoundTripsAndChecksBounds) {
  const Group typical = sampleGroup("G-1", "C-1");
  EXPECT_EQ(roundTrip<GroupCodec>(typical), typical);
  const Group biggest = maxGroup();
  EXPECT_TRUE(groupProblems(biggest).empty());
  EXPECT_EQ(roundTrip<GroupCodec>(biggest), biggest);
  Group unscheduled;
  unscheduled.id = "G-2";
  EXPECT_EQ(roundTrip<GroupCodec>(unscheduled), unscheduled);
  expectEveryTruncationRefused<GroupCodec>(GroupCodec::encodeValue(typical));
  EXPECT_EQ(toString(Weekday::Tuesday), "tuesday");

  const std::vector<std::pair<const char*, std::function<void(Group&)>>> cases = {
      {"id", [](Group& g) { g.id = std::string(kMaxIdBytes + 1, 'G'); }},
      {"name", [](Group& g) { g.name = std::string(kMaxGroupNameBytes + 1, 'g'); }},
      {"leader", [](Group& g) { g.leaderCid = std::string(kMaxIdBytes + 1, 'C'); }},
      {"weekday", [](Group& g) { g.meetingWeekday = static_cast<Weekday>(8); }},
      {"minute", [](Group& g) { g.meetingMinute = kMinutesPerDay; }},
      {"next_meeting", [](Group& g) { g.nextMeetingDay = -3; }},
  };
  for (const auto& [field, breakIt] : cases) {
    Group g = typical;
    breakIt(g);
    const auto problems = groupProblems(g);
    ASSERT_EQ(problems.size(), 1u) << field;
    EXPECT_EQ(problems[0].field, field);
    EXPECT_THROW(GroupCodec::encodeValue(g), InvalidRecord) << field;
  }
}

TEST(PaymentPointCodec, RoundTripsAndChecksBounds) {
  const PaymentPoint nairobi = samplePoint("P-1", -1.286389, 36.817223);
  EXPECT_EQ(nairobi.latitudeE6, -1286389);
  EXPECT_EQ(nairobi.longitudeE6, 36817223);
  EXPECT_EQ(roundTrip<PaymentPointCodec>(nairobi), nairobi);
  for (bool southWest : {true, false}) {
    const PaymentPoint corner = maxPoint(southWest);
    EXPECT_TRUE(paymentPointProblems(corner).empty());
    EXPECT_EQ(roundTrip<PaymentPointCodec>(corner), corner);
  }
  expectEveryTruncationRefused<PaymentPointCodec>(PaymentPointCodec::encodeValue(nairobi));
  EXPECT_EQ(paymentPointKindFromString("mobile_money"), PaymentPointKind::MobileMoney);
  EXPECT_EQ(toString(PaymentPointKind::Branch), "branch");
  EXPECT_FALSE(paymentPointKindFromString("kiosk").has_value());

  const std::vector<std::pair<const char*, std::function<void(PaymentPoint&)>>> cases = {
      {"id", [](PaymentPoint& p) { p.id.clear(); }},
      {"name", [](PaymentPoint& p) { p.name.clear(); }},
      {"name", [](PaymentPoint& p) { p.name = std::string(kMaxPointNameBytes + 1, 'n'); }},
      {"kind", [](PaymentPoint& p) { p.kind = static_cast<PaymentPointKind>(9); }},
      {"lat", [](PaymentPoint& p) { p.latitudeE6 = 90 * kMicrodegrees + 1; }},
      {"lon", [](PaymentPoint& p) { p.longitudeE6 = -180 * kMicrodegrees - 1; }},
      {"landmark", [](PaymentPoint& p) { p.landmark = std::string(kMaxLandmarkBytes + 1, 'l'); }},
      {"hours",
       [](PaymentPoint& p) { p.openingHours = std::string(kMaxOpeningHoursBytes + 1, 'h'); }},
      {"area", [](PaymentPoint& p) { p.areaCode = kMaxAreaCode + 1; }},
      {"services", [](PaymentPoint& p) { p.services = std::string(kMaxServicesBytes + 1, 's'); }},
  };
  for (const auto& [field, breakIt] : cases) {
    PaymentPoint p = nairobi;
    breakIt(p);
    const auto problems = paymentPointProblems(p);
    ASSERT_EQ(problems.size(), 1u) << field;
    EXPECT_EQ(problems[0].field, field);
    EXPECT_THROW(PaymentPointCodec::encodeValue(p), InvalidRecord) << field;
  }
}

TEST(SyncCursorCodec, RoundTripsAndChecksBounds) {
  const SyncCursor start{"loans", 0, "", 0};
  EXPECT_EQ(roundTrip<SyncCursorCodec>(start), start);
  const SyncCursor biggest{std::string(kMaxFeedNameBytes, 'f'),
                           std::numeric_limits<uint64_t>::max(), std::string(kMaxIdBytes, 'i'),
                           std::numeric_limits<int64_t>::min()};
  EXPECT_EQ(roundTrip<SyncCursorCodec>(biggest), biggest);
  expectEveryTruncationRefused<SyncCursorCodec>(SyncCursorCodec::encodeValue(biggest));
  EXPECT_THROW(SyncCursorCodec::encodeValue(SyncCursor{"", 1, "x", 0}), InvalidRecord);
  EXPECT_THROW(
      SyncCursorCodec::encodeValue(SyncCursor{"loans", 1, std::string(kMaxIdBytes + 1, 'i'), 0}),
      InvalidRecord);

  // Compound order: ver first, then id byte-wise.
  const SyncCursor at{"loans", 5, "L-20", 0};
  EXPECT_TRUE(at.isAfter(4, "L-99"));
  EXPECT_TRUE(at.isAfter(5, "L-2"));
  EXPECT_FALSE(at.isAfter(5, "L-20"));
  EXPECT_FALSE(at.isAfter(5, "L-3"));
  EXPECT_FALSE(at.isAfter(6, ""));
}

TEST(CounterCodec, RoundTrips) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, std::numeric_limits<uint64_t>::max()}) {
    EXPECT_EQ(roundTrip<CounterCodec>(v), v);
  }
  expectEveryTruncationRefused<CounterCodec>(CounterCodec::encodeValue(7));
}

}  // namespace
}  // namespace mfigw::store
