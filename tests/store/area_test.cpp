// Areas of the locator (issue 5 item 7): the area-code reading, the record and its bounds,
// payment points written by the v1 codec still read (area code 0, no services), the loan
// book's area table moves the locator's generation, the centres of areas and branches,
// and a version-5 store gains the areas table and keeps its data.
#include "store/area.hpp"

#include "loan_book_fixtures.hpp"
#include "store/business_tables.hpp"
#include "store/encoding.hpp"
#include "store/env.hpp"
#include "store/error.hpp"
#include "store/loan_book.hpp"
#include "store/payment_point_index.hpp"
#include "store/place_centres.hpp"
#include "store/schema.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace mfigw::store {
namespace {

using testing::sampleClient;
using testing::samplePoint;
using testing::smallEnv;
using testing::TempDir;

Area kibera() {
  Area a;
  a.code = 34;
  a.name = "Kibera";
  a.latitudeE6 = -1'313'300;
  a.longitudeE6 = 36'787'000;
  a.branch = 2;
  a.ver = 9;
  return a;
}

TEST(AreaCode, IsOneToEightDigitsAndNeverZero) {
  EXPECT_EQ(parseAreaCode("34"), 34u);
  EXPECT_EQ(parseAreaCode("007"), 7u);  // a spreadsheet's 7 and a poster's 007 are one area
  EXPECT_EQ(parseAreaCode("99999999"), kMaxAreaCode);
  EXPECT_EQ(parseAreaCode("00000001"), 1u);
  for (const char* bad :
       {"", "0", "000", "123456789", "-3", "+3", " 3", "3 ", "3a", "br:3", "1.5"}) {
    EXPECT_FALSE(parseAreaCode(bad).has_value()) << bad;
  }
}

TEST(AreaCodec, RoundTripsAndChecksBounds) {
  const Area a = kibera();
  const std::string bytes = AreaCodec::encodeValue(a);
  EXPECT_EQ(static_cast<uint8_t>(bytes.front()), AreaCodec::kVersion);
  EXPECT_EQ(AreaCodec::decodeValue(bytes), a);
  EXPECT_THROW(AreaCodec::decodeValue(bytes + "x"), DecodeError);
  for (size_t n = 1; n < bytes.size(); ++n) {
    EXPECT_THROW(AreaCodec::decodeValue(bytes.substr(0, n)), DecodeError) << n;
  }
  // Keys sort numerically: area 9 before area 10.
  EXPECT_LT(AreaCodec::encodeKey(9), AreaCodec::encodeKey(10));

  Area edge = a;
  edge.code = kMaxAreaCode;
  edge.name = std::string(kMaxAreaNameBytes, 'n');
  edge.latitudeE6 = -90 * kMicrodegrees;
  edge.longitudeE6 = 180 * kMicrodegrees;
  EXPECT_TRUE(areaProblems(edge).empty());
  EXPECT_EQ(AreaCodec::decodeValue(AreaCodec::encodeValue(edge)), edge);

  const std::vector<std::pair<const char*, Area>> broken = {
      {"area",
       [] {
         Area x = kibera();
         x.code = 0;
         return x;
       }()},
      {"area",
       [] {
         Area x = kibera();
         x.code = kMaxAreaCode + 1;
         return x;
       }()},
      {"name",
       [] {
         Area x = kibera();
         x.name.clear();
         return x;
       }()},
      {"name",
       [] {
         Area x = kibera();
         x.name = std::string(kMaxAreaNameBytes + 1, 'n');
         return x;
       }()},
      {"lat",
       [] {
         Area x = kibera();
         x.latitudeE6 = 90 * kMicrodegrees + 1;
         return x;
       }()},
      {"lon",
       [] {
         Area x = kibera();
         x.longitudeE6 = -180 * kMicrodegrees - 1;
         return x;
       }()},
  };
  for (const auto& [field, area] : broken) {
    const auto problems = areaProblems(area);
    ASSERT_EQ(problems.size(), 1u) << field;
    EXPECT_EQ(problems[0].field, field);
    EXPECT_THROW(AreaCodec::encodeValue(area), InvalidRecord) << field;
  }
}

// The bytes the v1 codec (before area codes and services) wrote for a point.
std::string version1Bytes(const PaymentPoint& p) {
  return Encoder()
      .version(1)
      .str(p.id)
      .str(p.name)
      .u8(static_cast<uint8_t>(p.kind))
      .u32(static_cast<uint32_t>(p.latitudeE6))
      .u32(static_cast<uint32_t>(p.longitudeE6))
      .u16(p.branch)
      .str(p.landmark)
      .str(p.openingHours)
      .u64(p.ver)
      .take();
}

TEST(PaymentPointCodec, ReadsVersion1RecordsAndWritesVersion2) {
  const PaymentPoint old = samplePoint("P-1", -1.2841, 36.8233);
  const PaymentPoint read = PaymentPointCodec::decodeValue(version1Bytes(old));
  EXPECT_EQ(read, old);
  EXPECT_EQ(read.areaCode, kNoArea);
  EXPECT_EQ(read.services, "");
  EXPECT_THROW(PaymentPointCodec::decodeValue(version1Bytes(old) + "x"), DecodeError);

  PaymentPoint now = old;
  now.areaCode = 34;
  now.services = "repay;cash-out;register";
  const std::string bytes = PaymentPointCodec::encodeValue(now);
  EXPECT_EQ(static_cast<uint8_t>(bytes.front()), 2);
  EXPECT_EQ(PaymentPointCodec::decodeValue(bytes), now);
}

TEST(LoanBookAreas, UpsertLookupRemoveAndTheLocatorSeesThem) {
  TempDir tmp;
  Env env(smallEnv(tmp.path(), Durability::Durable));
  LoanBook book;
  env.write([&](WriteTxn& txn) { book = LoanBook::open(txn); });
  PaymentPointLocator locator(book);
  {
    ReadTxn txn = env.beginRead();
    locator.refresh(txn);
    EXPECT_FALSE(locator.index()->places().ofArea(34).has_value());
  }
  uint64_t before = 0;
  env.write([&](WriteTxn& txn) {
    before = book.paymentPointsGeneration(txn);
    EXPECT_TRUE(book.upsertArea(txn, kibera()));
    EXPECT_FALSE(book.upsertArea(txn, kibera()));  // replaced
    Area bad = kibera();
    bad.name.clear();
    EXPECT_THROW(book.upsertArea(txn, bad), InvalidRecord);
  });
  {
    ReadTxn txn = env.beginRead();
    EXPECT_EQ(book.area(txn, 34), kibera());
    EXPECT_FALSE(book.area(txn, 35).has_value());
    EXPECT_GT(book.paymentPointsGeneration(txn), before);
    EXPECT_TRUE(locator.refresh(txn));  // the area moved the generation
    EXPECT_EQ(locator.index()->places().ofArea(34), (Position{-1'313'300, 36'787'000}));
  }
  env.write([&](WriteTxn& txn) {
    EXPECT_TRUE(book.removeArea(txn, 34));
    EXPECT_FALSE(book.removeArea(txn, 34));
  });
  ReadTxn txn = env.beginRead();
  EXPECT_FALSE(book.area(txn, 34).has_value());
  EXPECT_TRUE(locator.refresh(txn));
  EXPECT_FALSE(locator.index()->places().ofArea(34).has_value());
}

TEST(PlaceCentres, AreaFromTheTableElseFromTaggedPointsBranchFromItsPoints) {
  std::vector<PaymentPoint> points = {
      samplePoint("P-1", -1.0, 36.0, 1),
      samplePoint("P-2", -1.2, 36.4, 1),
      samplePoint("P-3", -2.0, 37.0, 2),
      samplePoint("P-4", -3.0, 38.0, 0),
  };
  points[0].areaCode = 50;
  points[1].areaCode = 50;
  points[2].areaCode = 34;  // the areas table says otherwise for 34: the table wins
  const PlaceCentres places(points, {kibera()});
  EXPECT_EQ(places.ofArea(34), (Position{-1'313'300, 36'787'000}));
  EXPECT_EQ(places.ofArea(50), (Position{-1'100'000, 36'200'000}));
  EXPECT_FALSE(places.ofArea(51).has_value());
  EXPECT_EQ(places.ofBranch(1), (Position{-1'100'000, 36'200'000}));
  EXPECT_EQ(places.ofBranch(2), (Position{-2'000'000, 37'000'000}));
  EXPECT_FALSE(places.ofBranch(0).has_value());  // 0 is "no branch", not a place
  EXPECT_FALSE(places.ofBranch(3).has_value());
  ASSERT_NE(places.area(34), nullptr);
  EXPECT_EQ(places.area(34)->name, "Kibera");
  EXPECT_EQ(places.area(50), nullptr);
}

// What the version-5 build did: every table up to the PINs, with data, and points in v1.
TEST(AreaMigration, AVersion5StoreGainsTheAreasTableAndKeepsItsData) {
  TempDir tmp;
  const PaymentPoint oldPoint = samplePoint("P-1", -1.2841, 36.8233);
  {
    Env env(smallEnv(tmp.path(), Durability::Durable));
    migrate(env, 5, businessMigrations());  // a fresh store stamped 5, as that build did
    env.write([&](WriteTxn& txn) {
      const OptOutTable optouts = OptOutTable::open(txn, "optouts");
      optouts.put(txn, "254712345678", OptOut{"254712345678", 1709251200, OptOutSource::Sms});
      for (const char* name :
           {LoanBookTableNames::kClients, LoanBookTableNames::kClientsByMsisdn,
            LoanBookTableNames::kLoans, LoanBookTableNames::kLoansByClient,
            LoanBookTableNames::kGroups, LoanBookTableNames::kGroupMembers,
            LoanBookTableNames::kPaymentPoints, LoanBookTableNames::kSyncCursors, kCountersTable}) {
        txn.openDbi(name, MDB_CREATE);
      }
      const Dbi points = txn.openDbi(LoanBookTableNames::kPaymentPoints, MDB_CREATE);
      txn.put(points, oldPoint.id, version1Bytes(oldPoint));
      PinTable::open(txn).set(txn, "254712345678", "$argon2id$fake", 1);
    });
    ReadTxn txn = env.beginRead();
    ASSERT_EQ(readSchemaVersion(txn), 5u);
    EXPECT_FALSE(txn.findDbi(LoanBookTableNames::kAreas).has_value());
  }
  Env env(smallEnv(tmp.path(), Durability::Durable));
  MigrationReport report;
  const BusinessTables tables = openBusinessTables(env, &report);
  EXPECT_EQ(report.previousVersion, 5u);
  EXPECT_EQ(report.applied, (std::vector<std::string>{"create-areas-and-cell-towers"}));
  {
    ReadTxn txn = env.beginRead();
    EXPECT_EQ(readSchemaVersion(txn), kBusinessSchemaVersion);
    EXPECT_TRUE(txn.findDbi(LoanBookTableNames::kAreas).has_value());
    EXPECT_TRUE(txn.findDbi(LoanBookTableNames::kCellTowers).has_value());
    EXPECT_EQ(tables.optouts.count(txn), 1u);
    EXPECT_EQ(tables.pins.size(txn), 1u);
    EXPECT_EQ(tables.loanBook.paymentPoint(txn, "P-1"), oldPoint);
    EXPECT_EQ(tables.loanBook.areaTable().count(txn), 0u);
  }
  // The new table works with the old ones in one txn; the old point is rewritten as v2.
  env.write([&](WriteTxn& txn) {
    tables.loanBook.upsertArea(txn, kibera());
    PaymentPoint tagged = oldPoint;
    tagged.areaCode = 34;
    tables.loanBook.upsertPaymentPoint(txn, tagged);
    tables.loanBook.upsertClient(txn, sampleClient("C-1", "254733333333"));
  });
  ReadTxn txn = env.beginRead();
  EXPECT_EQ(tables.loanBook.area(txn, 34), kibera());
  EXPECT_EQ(tables.loanBook.paymentPoint(txn, "P-1")->areaCode, 34u);
  EXPECT_EQ(tables.loanBook.clientByMsisdn(txn, "254733333333")->cid, "C-1");
}

}  // namespace
}  // namespace mfigw::store
