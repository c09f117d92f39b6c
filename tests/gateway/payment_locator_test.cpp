// Payment-point location by area code (issue 5 item 7): the `areas` import (aliases, codes as
// numbers, every bad cell by row and column, all or nothing, dry run, removal), payment
// points with an area code separate from the branch and their services, and BorrowerData's
// locator: an area code measures from the area's centre, the home branch ("br:N") from its
// branch's points, an unknown code (or the branch number typed as a code) finds nothing.
// The demo sample finds points for every area code it lists.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/borrower_data.hpp"
#include "gateway/loan_book_import.hpp"
#include "store/business_tables.hpp"
#include "store/payment_point_index.hpp"
#include "tests/store/loan_book_fixtures.hpp"
#include "tests/store/store_test_util.hpp"

namespace mfigw::gateway {
namespace {

using store::testing::sampleClient;

constexpr std::int64_t kNow = std::int64_t{store::toDayNumber(2026, 12, 1)} * 86400;
constexpr const char* kMsisdn = "254712345678";

std::vector<std::string> texts(const ImportPlan& plan, std::string_view file) {
  std::vector<std::string> out;
  for (const ImportError& e : plan.errors)
    out.push_back(e.toString(file));
  return out;
}

std::vector<std::string> names(const std::vector<menus::PaymentPoint>& points) {
  std::vector<std::string> out;
  for (const auto& p : points)
    out.push_back(p.name);
  return out;
}

std::string readSample(const std::string& name) {
  std::ifstream in(std::string(MFIGW_SOURCE_DIR) + "/demo/sample/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class PaymentLocator : public ::testing::Test {
 protected:
  PaymentLocator()
      : env_(store::testing::smallEnv(dir_.sub("data"))),
        tables_(store::openBusinessTables(env_)),
        locator_(tables_.loanBook) {}

  const store::LoanBook& book() const { return tables_.loanBook; }

  ImportOutcome import(ImportKind kind, const std::string& csv, bool dryRun = false) {
    const ImportPlan plan = parseImport(kind, csv, {});
    EXPECT_TRUE(plan.ok()) << (plan.errors.empty() ? "" : plan.errors.front().toString("file"));
    if (!plan.ok()) return {};
    store::WriteTxn txn = env_.beginWrite();
    ImportOutcome outcome = dryRun ? previewImport(book(), txn, plan, kNow, {})
                                   : applyImport(book(), txn, plan, kNow, {});
    txn.commit();
    EXPECT_TRUE(outcome.ok());
    return outcome;
  }

  // The caller (home branch `branch`) as the USSD service sees it for one step.
  BorrowerData caller(std::uint16_t branch) {
    store::ReadTxn txn = env_.beginRead();
    locator_.refresh(txn);
    BorrowerView view = readBorrower(txn, book(), kMsisdn);
    if (view.client) view.client->homeBranch = branch;
    return BorrowerData(std::move(view), store::toDayNumber(2026, 12, 1), &locator_, "KE");
  }

  store::testing::TempDir dir_;
  store::Env env_;
  store::BusinessTables tables_;
  store::PaymentPointLocator locator_;
};

// Branch 1's points sit around (0, 36); area 34 is ~100 km north, where one agent is.
const char* const kPoints =
    "id,name,kind,lat,lon,branch,area_code,services\n"
    "P1,Branch one,branch,0.000,36.000,1,10,repay;cash-out;register\n"
    "P2,Agent west,agent,0.000,35.990,1,10,repay\n"
    "P3,Agent east,agent,0.000,36.010,1,11,\n"
    "P4,North agent,agent,0.900,36.000,2,34,repay;cash-out\n"
    "P5,Far agent,agent,0.950,36.000,2,,\n";

TEST_F(PaymentLocator, AreasImportWithAliasesAndCodesAsNumbers) {
  const ImportOutcome outcome = import(ImportKind::Areas,
                                       "Area Code,Area name,Latitude,Longitude,Branch\n"
                                       "34,North market,0.9,36.0,2\n"
                                       "007,Lakeside,-0.5,34.75,\n");
  EXPECT_EQ(outcome.counts, (ImportCounts{.rows = 2, .added = 2}));
  store::ReadTxn txn = env_.beginRead();
  const std::optional<store::Area> north = book().area(txn, 34);
  ASSERT_TRUE(north);
  EXPECT_EQ(north->name, "North market");
  EXPECT_EQ(north->latitudeE6, 900'000);
  EXPECT_EQ(north->longitudeE6, 36'000'000);
  EXPECT_EQ(north->branch, 2);
  EXPECT_EQ(north->ver, static_cast<std::uint64_t>(kNow));
  ASSERT_TRUE(book().area(txn, 7));  // "007" is area 7
  EXPECT_EQ(book().area(txn, 7)->branch, 0);
}

TEST_F(PaymentLocator, AreaErrorsNameRowAndColumnAndNothingIsWritten) {
  const ImportPlan plan = parseImport(ImportKind::Areas,
                                      "area_code,name,lat,lon,branch\n"
                                      "34,North market,0.9,36.0,2\n"
                                      "0,Zero,0.1,36.0,\n"
                                      "12a,Letters,0.1,36.0,\n"
                                      "35,,91,36.0,\n"
                                      "034,Again,0.2,36.0,\n"
                                      "36,Branch too big,0.2,36.0,70000\n",
                                      {});
  EXPECT_EQ(
      texts(plan, "areas.csv"),
      (std::vector<std::string>{
          "areas.csv:3:1: area_code: must be an area code: 1 to 8 digits, not 0 (got \"0\")",
          "areas.csv:4:1: area_code: must be an area code: 1 to 8 digits, not 0 (got \"12a\")",
          "areas.csv:5:2: name: is empty; this column is required",
          "areas.csv:5:3: lat: must be between -90 and 90 degrees",
          "areas.csv:6:1: area_code: is also on row 2",
          "areas.csv:7:5: branch: is too large (at most 65535) (got \"70000\")",
      }));
  EXPECT_TRUE(plan.areas.empty());  // all or nothing: the good row is not kept either

  const ImportPlan missing = parseImport(ImportKind::Areas, "name,lat,lon\nX,0,0\n", {});
  EXPECT_EQ(texts(missing, "areas.csv"),
            (std::vector<std::string>{"areas.csv:1:4: area: required column is missing"}));
}

TEST_F(PaymentLocator, AreaDryRunReimportAndRemoval) {
  const std::string file = "area,name,lat,lon\n34,North,0.9,36.0\n35,South,-0.9,36.0\n";
  EXPECT_EQ(import(ImportKind::Areas, file, true).counts, (ImportCounts{.rows = 2, .added = 2}));
  {
    store::ReadTxn txn = env_.beginRead();
    EXPECT_EQ(book().areaTable().count(txn), 0u);  // the dry run wrote nothing
  }
  EXPECT_EQ(import(ImportKind::Areas, file).counts, (ImportCounts{.rows = 2, .added = 2}));
  EXPECT_EQ(import(ImportKind::Areas, file).counts, (ImportCounts{.rows = 2, .unchanged = 2}));
  EXPECT_EQ(import(ImportKind::Areas,
                   "area,name,lat,lon,active\n34,North,0.9,36.0,no\n"
                   "36,Gone,0,0,no\n")
                .counts,
            (ImportCounts{.rows = 2, .unchanged = 1, .removed = 1}));
  store::ReadTxn txn = env_.beginRead();
  EXPECT_FALSE(book().area(txn, 34));
  EXPECT_TRUE(book().area(txn, 35));
}

TEST_F(PaymentLocator, PointsKeepBranchAndAreaCodeApartAndStoreServices) {
  import(ImportKind::PaymentPoints, kPoints);
  {
    store::ReadTxn txn = env_.beginRead();
    const auto p1 = book().paymentPoint(txn, "P1");
    ASSERT_TRUE(p1);
    EXPECT_EQ(p1->branch, 1);
    EXPECT_EQ(p1->areaCode, 10u);
    EXPECT_EQ(p1->services, "repay;cash-out;register");
    EXPECT_EQ(book().paymentPoint(txn, "P5")->areaCode, store::kNoArea);
  }
  // A file without the columns keeps what is stored.
  EXPECT_EQ(
      import(ImportKind::PaymentPoints, "id,name,kind,lat,lon\nP1,Branch one,branch,0,36\n").counts,
      (ImportCounts{.rows = 1, .unchanged = 1}));
  // An older file whose area_code column meant the branch: it imports, and now tags areas.
  import(ImportKind::PaymentPoints, "id,name,kind,lat,lon,area_code\nP9,Old,agent,0,36,7\n");
  store::ReadTxn txn = env_.beginRead();
  EXPECT_EQ(book().paymentPoint(txn, "P9")->areaCode, 7u);
  EXPECT_EQ(book().paymentPoint(txn, "P9")->branch, 0);
}

TEST_F(PaymentLocator, PointCellErrorsForAreaAndServices) {
  const ImportPlan plan = parseImport(ImportKind::PaymentPoints,
                                      "id,name,kind,lat,lon,area_code,services\n"
                                      "P1,A,agent,0,36,x1,repay\n"
                                      "P2,B,agent,0,36,5," +
                                          std::string(41, 's') + "\n",
                                      {});
  EXPECT_EQ(
      texts(plan, "points.csv"),
      (std::vector<std::string>{
          "points.csv:2:6: area_code: must be an area code: 1 to 8 digits, not 0 (got \"x1\")",
          "points.csv:3:7: services: is 41 bytes, must be 0..40",
      }));
}

TEST_F(PaymentLocator, AnAreaCodeMeasuresFromTheAreaCentre) {
  import(ImportKind::PaymentPoints, kPoints);
  import(ImportKind::Areas, "area,name,lat,lon\n34,North market,0.92,36.0\n");
  const BorrowerData data = caller(1);
  const auto found = data.paymentPointsNear("34", 3);
  EXPECT_EQ(names(found), (std::vector<std::string>{"North agent", "Far agent", "Branch one"}));
  EXPECT_NEAR(found[0].distanceMeters, 2224, 2);  // 0.02 degrees of latitude
  EXPECT_EQ(names(data.paymentPointsNear("0034", 1)), (std::vector<std::string>{"North agent"}));
}

TEST_F(PaymentLocator, WithoutAnAreaRecordTheTaggedPointsGiveTheCentre) {
  import(ImportKind::PaymentPoints, kPoints);
  const BorrowerData data = caller(1);
  // Area 10 is P1 and P2: centre (0, 35.995), half-way between them.
  const auto found = data.paymentPointsNear("10", 2);
  EXPECT_THAT(names(found), ::testing::UnorderedElementsAre("Agent west", "Branch one"));
  EXPECT_NEAR(found[0].distanceMeters, 556, 2);
  EXPECT_NEAR(found[1].distanceMeters, 556, 2);
}

TEST_F(PaymentLocator, AnUnknownCodeOrTheBranchNumberTypedAsACodeFindsNothing) {
  import(ImportKind::PaymentPoints, kPoints);
  import(ImportKind::Areas, "area,name,lat,lon\n34,North market,0.92,36.0\n");
  const BorrowerData data = caller(1);
  EXPECT_TRUE(data.paymentPointsNear("99", 6).empty());
  // The bug this fixes: "1" used to be read as branch 1.
  EXPECT_TRUE(data.paymentPointsNear("1", 6).empty());
  for (const char* junk : {"", "0", "-34", "34 ", "br:", "br:x", "br:70000", "123456789"}) {
    EXPECT_TRUE(data.paymentPointsNear(junk, 6).empty()) << junk;
  }
}

TEST_F(PaymentLocator, TheHomeBranchIsAPlaceTokenMeasuredFromItsPoints) {
  env_.write([&](store::WriteTxn& txn) { book().upsertClient(txn, sampleClient("C1", kMsisdn)); });
  import(ImportKind::PaymentPoints, kPoints);
  import(ImportKind::Areas, "area,name,lat,lon\n1,Somewhere else,0.95,36.0\n");
  const BorrowerData data = caller(1);
  EXPECT_EQ(data.value("home_branch"), "br:1");
  // Branch 1's points (P1..P3) centre on (0, 36): area 1's record plays no part.
  const auto near = names(data.paymentPointsNear(*data.value("home_branch"), 3));
  ASSERT_EQ(near.size(), 3u);
  EXPECT_EQ(near[0], "Branch one");
  EXPECT_THAT(near, ::testing::UnorderedElementsAre("Branch one", "Agent east", "Agent west"));
  EXPECT_EQ(names(data.paymentPointsNear("1", 1)), (std::vector<std::string>{"Far agent"}));
  EXPECT_TRUE(caller(3).paymentPointsNear(*caller(3).value("home_branch"), 3).empty());
  EXPECT_FALSE(caller(0).value("home_branch").has_value());  // no branch, no place
}

TEST_F(PaymentLocator, TheDemoSampleFindsPointsForEveryAreaCode) {
  import(ImportKind::PaymentPoints, readSample("payment_points.csv"));
  const ImportOutcome areas = import(ImportKind::Areas, readSample("areas.csv"));
  EXPECT_EQ(areas.counts.added, 11u);
  const BorrowerData data = caller(1);
  store::ReadTxn txn = env_.beginRead();
  book().areaTable().forEach(txn, [&](std::string_view, const store::Area& area) {
    const auto found = data.paymentPointsNear(std::to_string(area.code), 3);
    ASSERT_EQ(found.size(), 3u) << area.name;
    EXPECT_LT(found[0].distanceMeters, 3000u) << area.name;  // a point in the area itself
  });
  EXPECT_EQ(names(data.paymentPointsNear("20", 2)),
            (std::vector<std::string>{"Mkopo Branch Kibera", "Kibera Olympic Agent"}));
}

}  // namespace
}  // namespace mfigw::gateway
