// The upstream protocol codec and gzip: round trips, the documented wire shapes, clear
// errors for bad bodies, unknown fields ignored, bad records left out of their page.
#include "gateway/upstream_codec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "gateway/upstream_gzip.hpp"
#include "store/day_number.hpp"

namespace mfigw::gateway {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

store::LoanSnapshot sampleLoan() {
  store::LoanSnapshot l;
  l.loanId = "L-000123";
  l.accountNo = "100000123";
  l.clientId = "C-000045";
  l.msisdn = "254712345678";
  l.language = "sw";
  l.status = store::LoanStatus::Arrears;
  l.currency = "KES";
  l.decimals = 2;
  l.disbursed = 5'000'000;
  l.principalOutstanding = 3'200'000;
  l.totalOutstanding = 3'450'000;
  l.totalOverdue = 450'000;
  l.overdueSince = store::toDayNumber(2024, 2, 5);
  l.installments = {{store::toDayNumber(2024, 3, 5), 450'000, 1},
                    {store::toDayNumber(2024, 4, 5), 450'000, 0}};
  l.lastPaymentDay = store::toDayNumber(2024, 1, 5);
  l.lastPaymentAmount = 450'000;
  l.product = "Biashara";
  l.officer = "J. Otieno";
  l.branch = 12;
  l.flags = static_cast<std::uint8_t>(store::LoanFlag::DeferralPending);
  l.ver = 1709251200123;
  return l;
}

// ---- gzip ----

TEST(UpstreamGzip, RoundTripsTextAndBinary) {
  std::mt19937 rng(7);
  std::string binary(200000, '\0');
  for (char& c : binary)
    c = static_cast<char>(rng());
  for (const std::string& data :
       {std::string(), std::string("{}"), std::string(100000, 'a'), binary}) {
    const std::string packed = gzip(data);
    EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);  // the gzip magic
    EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
    EXPECT_EQ(gunzip(packed, data.size()), data);
  }
  EXPECT_LT(gzip(std::string(100000, 'a')).size(), 1000u);
}

TEST(UpstreamGzip, RefusesGarbageTruncationTrailingBytesAndBombs) {
  const std::string packed = gzip(std::string(50000, 'x'));
  EXPECT_THROW((void)gunzip("not gzip at all", 1000), GzipError);
  EXPECT_THROW((void)gunzip(packed.substr(0, packed.size() / 2), 100000), GzipError);
  EXPECT_THROW((void)gunzip(packed + "junk", 100000), GzipError);
  try {
    (void)gunzip(packed, 1000);
    FAIL() << "inflated past the bound";
  } catch (const GzipError& e) {
    EXPECT_THAT(e.what(), HasSubstr("more than 1000 bytes"));
  }
}

// ---- records ----

TEST(UpstreamCodec, LoanRoundTripsWithShortKeysAndWithoutAsOf) {
  store::LoanSnapshot loan = sampleLoan();
  loan.asOf = 1709251300;  // local: never on the wire
  const json wire = toJson(loan);
  EXPECT_EQ(wire.at("lid"), "L-000123");
  EXPECT_EQ(wire.at("st"), "R");
  EXPECT_EQ(wire.at("inst"), json::parse("[[19787,450000,1],[19818,450000]]"));
  EXPECT_FALSE(wire.contains("asof"));
  store::LoanSnapshot back = loanFromJson(wire);
  loan.asOf = 0;
  EXPECT_EQ(back, loan);
}

TEST(UpstreamCodec, DefaultsAreLeftOutAndReadBack) {
  store::LoanSnapshot loan;
  loan.loanId = "L-1";
  loan.accountNo = "1";
  loan.clientId = "C-1";
  loan.language = "en";
  loan.currency = "UGX";
  loan.ver = 7;
  EXPECT_EQ(toJson(loan).dump(),
            R"({"acct":"1","cid":"C-1","cur":"UGX","lang":"en","lid":"L-1","st":"A","ver":7})");
  EXPECT_EQ(loanFromJson(toJson(loan)), loan);
}

TEST(UpstreamCodec, OtherRecordsRoundTrip) {
  store::Client c{"C-9", "256772000111", "Amina W.", "lg", 3, "G-2", 4, 55};
  EXPECT_EQ(clientFromJson(toJson(c)), c);
  store::Group g{
      "G-2", "Tusubira", "C-9", store::Weekday::Tuesday, 600, store::toDayNumber(2024, 3, 5),
      4,     56};
  EXPECT_EQ(groupFromJson(toJson(g)), g);
  store::PaymentPoint p{"P-1",
                        "Mama Njeri shop",
                        store::PaymentPointKind::MobileMoney,
                        -1286389,
                        36817223,
                        4,
                        "opposite the market",
                        "Mon-Sat 8-18",
                        57,
                        0,  // the protocol carries no area code or services yet
                        ""};
  EXPECT_EQ(paymentPointFromJson(toJson(p)), p);
  EXPECT_EQ(toJson(p).at("kind"), "mobile_money");
}

TEST(UpstreamCodec, UnknownFieldsAreIgnored) {
  json wire = toJson(sampleLoan());
  wire["risk_score"] = 0.7;
  wire["x_vendor"] = {{"nested", true}};
  store::LoanSnapshot expected = sampleLoan();
  EXPECT_EQ(loanFromJson(wire), expected);

  const std::string page = R"({"feed":"loans","v2_hint":"later","recs":[)" + wire.dump() +
                           R"(],"next":{"ver":9,"id":"L-000123","extra":1},"has_more":false})";
  const ChangePage decoded = decodeChangePage(page, UpstreamFeed::Loans);
  ASSERT_EQ(decoded.loans.size(), 1u);
  EXPECT_EQ(decoded.loans[0], expected);
  EXPECT_TRUE(decoded.invalid.empty());

  const auto answers = decodeEventAnswers(
      R"({"results":[{"k":"000102030405060708090a0b0c0d0e0f","r":"accepted","t_ms":3}],"server":"x"})");
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].result, EventResult::Accepted);
}

// ---- bodies: clear errors ----

std::string errorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const UpstreamProtocolError& e) {
    return e.what();
  }
  return "no error";
}

TEST(UpstreamCodec, BadJsonGivesAClearError) {
  EXPECT_THAT(
      errorOf([] { (void)decodeChangePage("{\"feed\": \"loans\", ", UpstreamFeed::Loans); }),
      HasSubstr("changes page: not valid JSON"));
  EXPECT_THAT(errorOf([] { (void)decodeChangePage("[1,2]", UpstreamFeed::Loans); }),
              HasSubstr("changes page: expected a JSON object"));
  EXPECT_THAT(errorOf([] { (void)decodeDigests("<html>502 Bad Gateway</html>"); }),
              HasSubstr("reconcile digests: not valid JSON ([json.exception.parse_error"));
  EXPECT_EQ(errorOf([] { (void)decodeEventAnswers(R"({"results":{}})"); }),
            "event answers: results: expected an array");
  EXPECT_EQ(errorOf([] { (void)decodeEventAnswers(R"({"results":[{"k":"zz","r":"accepted"}]})"); }),
            "event answers: results[0].k: expected 32 hex digits");
}

TEST(UpstreamCodec, PageShapeErrorsNameThePath) {
  EXPECT_EQ(errorOf([] {
              (void)decodeChangePage(
                  R"({"feed":"clients","recs":[],"next":{"ver":1},"has_more":false})",
                  UpstreamFeed::Loans);
            }),
            "changes page: feed: expected \"loans\" (got \"clients\")");
  EXPECT_EQ(errorOf([] {
              (void)decodeChangePage(R"({"feed":"loans","recs":[],"has_more":false})",
                                     UpstreamFeed::Loans);
            }),
            "changes page: next: missing");
  EXPECT_EQ(errorOf([] {
              (void)decodeChangePage(
                  R"({"feed":"loans","recs":[],"next":{"ver":-1},"has_more":false})",
                  UpstreamFeed::Loans);
            }),
            "changes page: next.ver: expected an unsigned integer");
  EXPECT_EQ(errorOf([] {
              (void)decodeChangePage(
                  R"({"feed":"loans","recs":[],"next":{"ver":1},"has_more":true})",
                  UpstreamFeed::Loans);
            }),
            "changes page: has_more: is true on a page with no record and no deletion");
}

TEST(UpstreamCodec, BadRecordsAreLeftOutOfTheirPageWithTheReason) {
  json good = toJson(sampleLoan());
  json mistyped = good;
  mistyped["lid"] = "L-2";
  mistyped["disb"] = "5000";
  json tooLong = good;
  tooLong["lid"] = "L-3";
  tooLong["acct"] = std::string(21, '9');
  const std::string body = json{
      {"feed", "loans"},
      {"recs", {mistyped, good, tooLong}},
      {"dels", {{{"id", "L-9"}, {"ver", 4}}}},
      {"next", {{"ver", 10}, {"id", "L-3"}}},
      {"has_more", true}}.dump();
  const ChangePage page = decodeChangePage(body, UpstreamFeed::Loans);
  ASSERT_EQ(page.loans.size(), 1u);
  EXPECT_EQ(page.loans[0].loanId, "L-000123");
  EXPECT_THAT(page.invalid, ElementsAre("recs[0].disb: expected an integer",
                                        "recs[2] (id L-3): acct: is 21 bytes, must be 1..20"));
  EXPECT_THAT(page.deletions, ElementsAre(Deletion{"L-9", 4}));
  EXPECT_EQ(page.next, (ChangeCursor{10, "L-3"}));
  EXPECT_TRUE(page.hasMore);
}

TEST(UpstreamCodec, ChangePageRoundTrips) {
  ChangePage page;
  page.feed = UpstreamFeed::Clients;
  page.clients = {{"C-1", "254700000001", "A", "en", 1, "", 3, 11},
                  {"C-2", "", "", "fr", 0, "G-1", 3, 12}};
  page.deletions = {{"C-0", 10}};
  page.next = {12, "C-2"};
  page.hasMore = true;
  const ChangePage back = decodeChangePage(encodeChangePage(page), UpstreamFeed::Clients);
  EXPECT_EQ(back.clients, page.clients);
  EXPECT_EQ(back.deletions, page.deletions);
  EXPECT_EQ(back.next, page.next);
  EXPECT_TRUE(back.hasMore);
}

TEST(UpstreamCodec, ChangesQueryEncodesTheCursor) {
  EXPECT_EQ(changesQuery(UpstreamFeed::Loans, {0, ""}, 500),
            "feed=loans&after_ver=0&after_id=&limit=500");
  EXPECT_EQ(changesQuery(UpstreamFeed::PaymentPoints, {77, "P 1/&x"}, 10, 12),
            "feed=payment_points&after_ver=77&after_id=P%201%2F%26x&limit=10&branch=12");
}

// ---- events ----

TEST(UpstreamCodec, EventBatchCarriesJsonPayloadsAsJsonAndOthersAsBase64) {
  WireEvent credit{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
                   17,
                   "credit_request",
                   1709251200,
                   R"({"lid":"L-1","amount":500000})"};
  WireEvent opaque{{0xff}, 18, "survey_answer", 1709251201, std::string("\x00\x01\xfe", 3)};
  const std::vector<WireEvent> events = {credit, opaque};
  const std::string body = encodeEventBatch(events);
  const json parsed = json::parse(body);
  EXPECT_EQ(parsed.at("v"), kUpstreamProtocolVersion);
  EXPECT_EQ(parsed.at("events")[0].at("k"), "0102030405060708090a0b0c0d0e0f10");
  EXPECT_EQ(parsed.at("events")[0].at("p").at("amount"), 500000);
  EXPECT_EQ(parsed.at("events")[1].at("pb"), "AAH+");
  const std::vector<WireEvent> back = decodeEventBatch(body);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1], opaque);
  EXPECT_EQ(json::parse(back[0].payload), json::parse(credit.payload));
  EXPECT_EQ(back[0].key, credit.key);
}

TEST(UpstreamCodec, AnswersRoundTripAndUnknownResultsAreLeftOut) {
  const std::vector<EventAnswer> answers = {{{1}, EventResult::Accepted, ""},
                                            {{2}, EventResult::Duplicate, ""},
                                            {{3}, EventResult::Rejected, "loan L-1 is closed"}};
  EXPECT_EQ(decodeEventAnswers(encodeEventAnswers(answers)), answers);
  const auto some =
      decodeEventAnswers(R"({"results":[{"k":"01000000000000000000000000000000","r":"deferred"},)"
                         R"({"k":"02000000000000000000000000000000","r":"duplicate"}]})");
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some[0].key, (store::EventKey{2}));
}

// ---- reconcile ----

TEST(UpstreamCodec, DigestsCarryTheHashAsHex) {
  const std::vector<store::BranchDigest> digests = {{12, 2, 0x6df68946ff55d0cdULL}, {13, 0, 0}};
  const std::string body = encodeDigests(digests);
  EXPECT_EQ(
      body,
      R"({"branches":[{"br":12,"h":"6df68946ff55d0cd","n":2},{"br":13,"h":"0000000000000000","n":0}]})");
  EXPECT_EQ(decodeDigests(body), digests);
}

}  // namespace
}  // namespace mfigw::gateway
