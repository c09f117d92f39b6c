// Cell towers (OpenCellID layout) for the locator: the record round-trips, keys keep one
// network's cells together in numeric order, bounds are checked, and the loan book looks a
// cell up by its full id.
#include "store/cell_tower.hpp"

#include "store/env.hpp"
#include "store/error.hpp"
#include "store/loan_book.hpp"
#include "store/payment_point.hpp"
#include "store_test_util.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mfigw::store {
namespace {

using testing::smallEnv;
using testing::TempDir;

CellTower safaricomCell() {
  CellTower t;
  t.id = {639, 2, 31'000, 123'456'789};
  t.radio = CellRadio::Lte;
  t.latitudeE6 = -1'284'100;
  t.longitudeE6 = 36'821'900;
  t.rangeMeters = 1'500;
  return t;
}

TEST(CellTowerCodec, RoundTripsAndChecksBounds) {
  const CellTower t = safaricomCell();
  const std::string bytes = CellTowerCodec::encodeValue(t);
  CellTower read = CellTowerCodec::decodeValue(bytes);
  EXPECT_EQ(read.id, CellId{});  // the id lives in the key
  read.id = CellTowerCodec::decodeKey(CellTowerCodec::encodeKey(t.id));
  EXPECT_EQ(read, t);
  EXPECT_THROW(CellTowerCodec::decodeValue(bytes + "x"), DecodeError);
  for (size_t n = 1; n < bytes.size(); ++n) {
    EXPECT_THROW(CellTowerCodec::decodeValue(bytes.substr(0, n)), DecodeError) << n;
  }
  // One network's cells share a key prefix; cells sort numerically within it.
  const std::string a = CellTowerCodec::encodeKey({639, 2, 7, 9});
  const std::string b = CellTowerCodec::encodeKey({639, 2, 7, 10});
  const std::string other = CellTowerCodec::encodeKey({639, 3, 0, 0});
  EXPECT_LT(a, b);
  EXPECT_LT(b, other);
  EXPECT_EQ(a.substr(0, 4), b.substr(0, 4));

  CellTower nr = t;
  nr.radio = CellRadio::Nr;
  nr.id = {kMaxMcc, kMaxMnc, kMaxCellArea, kMaxCellId};
  EXPECT_TRUE(cellTowerProblems(nr).empty());
  const std::vector<std::pair<const char*, CellTower>> broken = {
      {"mcc",
       [] {
         CellTower x = safaricomCell();
         x.id.mcc = 0;
         return x;
       }()},
      {"mcc",
       [] {
         CellTower x = safaricomCell();
         x.id.mcc = 1000;
         return x;
       }()},
      {"net",
       [] {
         CellTower x = safaricomCell();
         x.id.net = 1000;
         return x;
       }()},
      {"area",
       [] {
         CellTower x = safaricomCell();
         x.id.area = kMaxCellArea + 1;
         return x;
       }()},
      {"cell",
       [] {
         CellTower x = safaricomCell();
         x.id.cell = kMaxCellId + 1;
         return x;
       }()},
      {"radio",
       [] {
         CellTower x = safaricomCell();
         x.radio = static_cast<CellRadio>(9);
         return x;
       }()},
      {"lat",
       [] {
         CellTower x = safaricomCell();
         x.latitudeE6 = 90 * kMicrodegrees + 1;
         return x;
       }()},
      {"lon",
       [] {
         CellTower x = safaricomCell();
         x.longitudeE6 = 180 * kMicrodegrees + 1;
         return x;
       }()},
  };
  for (const auto& [field, tower] : broken) {
    const auto problems = cellTowerProblems(tower);
    ASSERT_EQ(problems.size(), 1u) << field;
    EXPECT_EQ(problems[0].field, field);
    EXPECT_THROW(CellTowerCodec::encodeValue(tower), InvalidRecord) << field;
  }
}

TEST(CellTowerCodec, RadioNamesAsOpenCellIdWritesThem) {
  EXPECT_EQ(cellRadioFromString("GSM"), CellRadio::Gsm);
  EXPECT_EQ(cellRadioFromString("umts"), CellRadio::Umts);
  EXPECT_EQ(cellRadioFromString("LTE"), CellRadio::Lte);
  EXPECT_EQ(cellRadioFromString("NR"), CellRadio::Nr);
  EXPECT_EQ(cellRadioFromString("CDMA"), CellRadio::Cdma);
  EXPECT_FALSE(cellRadioFromString("WCDMA").has_value());
  EXPECT_FALSE(cellRadioFromString("").has_value());
  EXPECT_EQ(toString(CellRadio::Lte), "LTE");
}

TEST(LoanBookCellTowers, LookUpByTheFullId) {
  TempDir tmp;
  Env env(smallEnv(tmp.path()));
  LoanBook book;
  env.write([&](WriteTxn& txn) { book = LoanBook::open(txn); });
  uint64_t generation = 0;
  env.write([&](WriteTxn& txn) {
    generation = book.paymentPointsGeneration(txn);
    EXPECT_TRUE(book.upsertCellTower(txn, safaricomCell()));
    EXPECT_FALSE(book.upsertCellTower(txn, safaricomCell()));
    CellTower bad = safaricomCell();
    bad.id.mcc = 0;
    EXPECT_THROW(book.upsertCellTower(txn, bad), InvalidRecord);
  });
  ReadTxn txn = env.beginRead();
  EXPECT_EQ(book.cellTower(txn, safaricomCell().id), safaricomCell());
  for (const CellId& miss :
       {CellId{639, 2, 31'000, 123'456'788}, CellId{639, 3, 31'000, 123'456'789},
        CellId{640, 2, 31'000, 123'456'789}, CellId{639, 2, 31'001, 123'456'789}}) {
    EXPECT_FALSE(book.cellTower(txn, miss).has_value());
  }
  EXPECT_EQ(book.cellTowerTable().count(txn), 1u);
  EXPECT_EQ(book.paymentPointsGeneration(txn), generation);  // not in the in-memory index
}

}  // namespace
}  // namespace mfigw::store
