// The `cells` import (OpenCellID layout): the real header and column aliases, rows of other
// countries skipped, every bad cell by row and column, nothing written on any error, a dry
// run, a re-import that changes nothing; and the locator measuring from the serving cell.
#include "gateway/cell_tower_import.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gateway/borrower_data.hpp"
#include "store/business_tables.hpp"
#include "store/payment_point_index.hpp"
#include "tests/store/loan_book_fixtures.hpp"
#include "tests/store/store_test_util.hpp"

namespace mfigw::gateway {
namespace {

constexpr const char* kHeader =
    "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,"
    "averageSignal\n";

const std::string kFile = std::string(kHeader) +
                          "GSM,639,2,31001,12345,0,36.821945,-1.284100,1000,12,1,1459692000,"
                          "1459700000,0\n"
                          "LTE,639,3,105,123456789,0,36.787,-1.3133,2500,4,1,1459692000,"
                          "1459700000,-90\n"
                          "UMTS,640,4,2001,987654,,39.2,-6.8,,1,1,0,0,0\n"
                          "\n";

std::vector<std::string> texts(const CellImportResult& result) {
  std::vector<std::string> out;
  for (const ImportError& e : result.errors)
    out.push_back(e.toString("cells.csv"));
  return out;
}

class CellImport : public ::testing::Test {
 protected:
  CellImport()
      : env_(store::testing::smallEnv(dir_.sub("data"))),
        tables_(store::openBusinessTables(env_)) {}

  const store::LoanBook& book() const { return tables_.loanBook; }

  CellImportResult apply(const std::string& csv, const CellImportOptions& options = {}) {
    store::WriteTxn txn = env_.beginWrite();
    CellImportResult result = applyCellTowers(book(), txn, csv, options);
    txn.commit();
    return result;
  }
  std::uint64_t count() {
    store::ReadTxn txn = env_.beginRead();
    return book().cellTowerTable().count(txn);
  }

  store::testing::TempDir dir_;
  store::Env env_;
  store::BusinessTables tables_;
};

TEST_F(CellImport, ReadsTheOpenCellIdLayout) {
  const CellImportResult result = apply(kFile);
  ASSERT_TRUE(result.ok()) << texts(result).front();
  EXPECT_EQ(result.dataRows, 3u);
  EXPECT_EQ(result.counts, (ImportCounts{.rows = 3, .added = 3}));
  store::ReadTxn txn = env_.beginRead();
  const auto lte = book().cellTower(txn, {639, 3, 105, 123456789});
  ASSERT_TRUE(lte);
  EXPECT_EQ(lte->radio, store::CellRadio::Lte);
  EXPECT_EQ(lte->latitudeE6, -1'313'300);
  EXPECT_EQ(lte->longitudeE6, 36'787'000);
  EXPECT_EQ(lte->rangeMeters, 2500u);
  EXPECT_EQ(book().cellTower(txn, {640, 4, 2001, 987654})->rangeMeters, 0u);  // empty range
}

TEST_F(CellImport, OnlyTheWantedCountriesAreKept) {
  CellImportOptions kenya;
  kenya.mccs = {639};
  const CellImportResult result = apply(kFile, kenya);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.skipped, 1u);
  EXPECT_EQ(result.counts, (ImportCounts{.rows = 2, .added = 2}));
  EXPECT_EQ(count(), 2u);
}

TEST_F(CellImport, AliasesAndAnyColumnOrder) {
  const CellImportResult result =
      apply("LAT,LON,CID,LAC,MNC,MCC,Radio\n-1.28,36.82,77,5,2,639,gsm\n");
  ASSERT_TRUE(result.ok()) << texts(result).front();
  store::ReadTxn txn = env_.beginRead();
  EXPECT_EQ(book().cellTower(txn, {639, 2, 5, 77})->latitudeE6, -1'280'000);
}

TEST_F(CellImport, EveryBadCellIsNamedAndNothingIsWritten) {
  const CellImportResult result =
      apply(std::string(kHeader) +
            "GSM,639,2,31001,12345,0,36.8,-1.28,1000,1,1,0,0,0\n"
            "WCDMA,0,1000,16777216,68719476736,0,181,-91,big,1,1,0,0,0\n"
            "LTE,639,2,1,1,0,,-1.28,,1,1,0,0,0\n"
            "LTE,639,2,\"1\",1,0,36.8,-1.28,,1,1,0,0,0\n");
  EXPECT_EQ(texts(result),
            (std::vector<std::string>{
                "cells.csv:3:1: radio: must be GSM, UMTS, CDMA, LTE or NR (got \"WCDMA\")",
                "cells.csv:3:2: mcc: must be a whole number 1..999 (got \"0\")",
                "cells.csv:3:3: net: must be a whole number 0..999 (got \"1000\")",
                "cells.csv:3:4: area: must be a whole number 0..16777215 (got \"16777216\")",
                "cells.csv:3:5: cell: must be a whole number 0..68719476735 (got \"68719476736\")",
                "cells.csv:3:7: lon: must be between -180 and 180 degrees",
                "cells.csv:3:8: lat: must be between -90 and 90 degrees",
                "cells.csv:3:9: range: must be a whole number 0..4294967295 (got \"big\")",
                "cells.csv:4:7: lon: is empty; this column is required",
                "cells.csv:5:1: a quote: OpenCellID files have no quoted cells",
            }));
  EXPECT_EQ(count(), 0u);  // the good row 2 is not written either

  const CellImportResult header = checkCellTowers("radio,mcc,net,cell,lat,lon\n", {});
  EXPECT_EQ(texts(header),
            (std::vector<std::string>{"cells.csv:1:7: area: required column is missing"}));
  EXPECT_EQ(texts(checkCellTowers("", {})),
            (std::vector<std::string>{
                "cells.csv:1:1: the file is empty: expected the OpenCellID header row"}));
}

TEST_F(CellImport, DryRunThenReimportChangesNothing) {
  {
    store::ReadTxn txn = env_.beginRead();
    EXPECT_EQ(previewCellTowers(book(), txn, kFile, {}).counts,
              (ImportCounts{.rows = 3, .added = 3}));
  }
  EXPECT_EQ(count(), 0u);
  apply(kFile);
  EXPECT_EQ(apply(kFile).counts, (ImportCounts{.rows = 3, .unchanged = 3}));
  const std::string moved = std::string(kHeader) + "GSM,639,2,31001,12345,0,36.9,-1.2,900\n";
  EXPECT_EQ(apply(moved).counts, (ImportCounts{.rows = 1, .updated = 1}));
  EXPECT_EQ(count(), 3u);
}

TEST_F(CellImport, TheLocatorMeasuresFromTheServingCell) {
  apply(kFile);
  env_.write([&](store::WriteTxn& txn) {
    book().upsertPaymentPoint(txn, store::testing::samplePoint("P-CBD", -1.2841, 36.8220));
    book().upsertPaymentPoint(txn, store::testing::samplePoint("P-KIB", -1.3130, 36.7870));
  });
  store::PaymentPointLocator locator(book());
  store::ReadTxn txn = env_.beginRead();
  locator.refresh(txn);
  BorrowerView view;
  view.servingCell = readServingCell(txn, book(), {639, 3, 105, 123456789});
  ASSERT_TRUE(view.servingCell);
  const BorrowerData here(view, store::toDayNumber(2026, 12, 1), &locator, "KE");
  EXPECT_EQ(here.value("has_cell"), "1");
  EXPECT_EQ(here.value("cell_place"), "cell");
  const auto found = here.paymentPointsNear(*here.value("cell_place"), 2);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].name, "Agent P-KIB");
  EXPECT_LT(found[0].distanceMeters, 100u);

  EXPECT_FALSE(readServingCell(txn, book(), {639, 3, 105, 1}).has_value());
  const BorrowerData nowhere(BorrowerView{}, store::toDayNumber(2026, 12, 1), &locator, "KE");
  EXPECT_EQ(nowhere.value("has_cell"), "0");
  EXPECT_FALSE(nowhere.value("cell_place").has_value());
  EXPECT_TRUE(nowhere.paymentPointsNear("cell", 2).empty());
}

}  // namespace
}  // namespace mfigw::gateway
