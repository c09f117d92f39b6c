#include "gateway/import_api.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>
#include <string>

#include <spdlog/sinks/null_sink.h>
#include <nlohmann/json.hpp>

#include "../store/store_test_util.hpp"

namespace mfigw::gateway {
namespace {

constexpr std::string_view kToken = "import-test-token-0123456789";
constexpr std::int64_t kNow = 1'796'083'200;  // 2026-12-01T00:00:00Z

std::string readSample(const std::string& name) {
  std::ifstream in(std::string(MFIGW_SOURCE_DIR) + "/demo/sample/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string loansCsv(int rows, int badRow) {
  std::string csv = "lid,acct,cid,st,cur,tout\n";
  for (int i = 0; i < rows; ++i) {
    csv += "L" + std::to_string(i) + ",A" + std::to_string(i) + ",C1,active,KES," +
           (i == badRow ? "1500,5" : "1500.5") + "\n";
  }
  return csv;
}

class CsvImportApi : public ::testing::Test {
 protected:
  explicit CsvImportApi(StoreConfig config = smallStore()) {
    config.path = tmp_.path();
    // Completions run inline on the writer thread; the test waits on a future.
    stores_ = std::make_unique<StoreLayout>(
        config, [](std::function<void()> fn) { fn(); }, *log_);
    api_ = std::make_unique<ImportApi>(*stores_, ImportOptions{}, *log_, [] { return kNow; });
    api_->registerRoutes(routes_);
  }

  static StoreConfig smallStore() {
    StoreConfig config;
    config.mapSize = 8ull << 20;
    config.maxMapSize = 32ull << 20;
    config.sessionMapSize = 1ull << 20;
    return config;
  }

  AdminResponse post(const std::string& target, std::string body,
                     std::string contentType = "text/csv") {
    AdminRequest request = AdminRequest::make(HttpMethod::Post, target, std::move(body));
    request.headers["authorization"] = "Bearer " + std::string(kToken);
    if (!contentType.empty()) request.headers["content-type"] = contentType;
    auto answer = std::make_shared<std::promise<AdminResponse>>();
    std::future<AdminResponse> future = answer->get_future();
    routes_.handleAsync(request, [answer](AdminResponse r) { answer->set_value(std::move(r)); });
    EXPECT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    return future.get();
  }

  std::uint64_t loanCount() {
    store::ReadTxn txn = stores_->durable().beginRead();
    return stores_->tables().loanBook.loanTable().count(txn);
  }

  store::testing::TempDir tmp_;
  std::shared_ptr<spdlog::logger> log_ = std::make_shared<spdlog::logger>(
      "import-test", std::make_shared<spdlog::sinks::null_sink_mt>());
  std::unique_ptr<StoreLayout> stores_;
  CallbackAdminContext context_;
  AdminRoutes routes_{context_, Secret(std::string(kToken))};
  std::unique_ptr<ImportApi> api_;
};

TEST_F(CsvImportApi, ImportsTheFileAndAnswersAfterTheCommit) {
  const AdminResponse r = post("/api/v1/import/clients", readSample("clients.csv"));
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body.at("kind"), "clients");
  EXPECT_EQ(body.at("file"), "clients.csv");
  EXPECT_EQ(body.at("dry_run"), false);
  EXPECT_EQ(body.at("rows"), 20);
  EXPECT_EQ(body.at("new"), 20);
  EXPECT_EQ(body.at("updated"), 0);
  EXPECT_EQ(body.at("unchanged"), 0);
  EXPECT_EQ(body.at("removed"), 0);
  EXPECT_EQ(body.at("ignored_columns"), nlohmann::json::array());

  store::ReadTxn txn = stores_->durable().beginRead();
  const auto client = stores_->tables().loanBook.clientByMsisdn(txn, "254712345678");
  ASSERT_TRUE(client);
  EXPECT_EQ(client->cid, "C001");
}

TEST_F(CsvImportApi, ReimportReportsEverythingUnchanged) {
  ASSERT_EQ(post("/api/v1/import/loans", readSample("loans.csv")).status, 200);
  const AdminResponse again = post("/api/v1/import/loans", readSample("loans.csv"));
  ASSERT_EQ(again.status, 200);
  const nlohmann::json body = nlohmann::json::parse(again.body);
  EXPECT_EQ(body.at("unchanged"), body.at("rows"));
  EXPECT_EQ(body.at("new"), 0);
  EXPECT_EQ(body.at("updated"), 0);
}

TEST_F(CsvImportApi, DryRunWritesNothing) {
  const AdminResponse r =
      post("/api/v1/import/payment_points?dry_run=1", readSample("payment_points.csv"));
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body.at("dry_run"), true);
  EXPECT_EQ(body.at("new"), 15);
  store::ReadTxn txn = stores_->durable().beginRead();
  EXPECT_EQ(stores_->tables().loanBook.paymentPointTable().count(txn), 0u);
}

TEST_F(CsvImportApi, ABadFileIsRefusedWithEveryErrorAndNothingIsWritten) {
  const AdminResponse r = post("/api/v1/import/loans?name=/home/ops/book%201.csv",
                               loansCsv(1000, 499) + "L1,B,C1,active,KES,1\n");
  ASSERT_EQ(r.status, 422) << r.body;
  const nlohmann::json body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body.at("error").at("status"), 422);
  EXPECT_EQ(body.at("error").at("message"), "book 1.csv: 2 errors; nothing was imported");
  EXPECT_EQ(body.at("error_count"), 2);
  ASSERT_EQ(body.at("errors").size(), 2u);
  const nlohmann::json& first = body.at("errors")[0];
  EXPECT_EQ(first.at("row"), 501);
  EXPECT_EQ(first.at("column"), 7);
  EXPECT_EQ(first.at("text"), "book 1.csv:501:7: a value beyond the last named column");
  EXPECT_EQ(body.at("errors")[1].at("text"), "book 1.csv:1002:1: lid: is also on row 3");
  EXPECT_EQ(loanCount(), 0u);
}

TEST_F(CsvImportApi, AreasAndCellsGoThroughTheSameRoute) {
  const AdminResponse areas = post("/api/v1/import/areas?name=areas.csv", readSample("areas.csv"));
  ASSERT_EQ(areas.status, 200) << areas.body;
  EXPECT_EQ(nlohmann::json::parse(areas.body).at("new"), 11);

  const std::string cells =
      "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,"
      "averageSignal\n"
      "GSM,639,2,31001,12345,0,36.821945,-1.284100,1000,12,1,1459692000,1459700000,0\n"
      "UMTS,640,4,2001,987654,,39.2,-6.8,,1,1,0,0,0\n";
  const AdminResponse kept = post("/api/v1/import/cells?mcc=639&name=639.csv", cells);
  ASSERT_EQ(kept.status, 200) << kept.body;
  const nlohmann::json body = nlohmann::json::parse(kept.body);
  EXPECT_EQ(body.at("kind"), "cells");
  EXPECT_EQ(body.at("file"), "639.csv");
  EXPECT_EQ(body.at("new"), 1);
  EXPECT_EQ(body.at("skipped"), 1);
  {
    store::ReadTxn txn = stores_->durable().beginRead();
    EXPECT_EQ(stores_->tables().loanBook.cellTowerTable().count(txn), 1u);
  }
  const AdminResponse bad = post("/api/v1/import/cells", cells + "LTE,639,2,1,1,0,200,0,,,,,,\n");
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(nlohmann::json::parse(bad.body).at("errors").at(0).at("text"),
            "cells.csv:4:7: lon: must be between -180 and 180 degrees");
  EXPECT_EQ(post("/api/v1/import/cells?mcc=63x", cells).status, 400);
}

TEST_F(CsvImportApi, RefusesWhatIsNotAnImport) {
  EXPECT_EQ(post("/api/v1/import/borrowers", "cid\nC1\n").status, 404);
  EXPECT_EQ(post("/api/v1/import/clients?dry_run=maybe", "cid\nC1\n").status, 400);
  EXPECT_EQ(post("/api/v1/import/clients", "{\"cid\":1}", "application/json").status, 415);
  // Spreadsheet programs' own types and no type at all are CSV.
  EXPECT_EQ(post("/api/v1/import/clients", "cid\nC1\n", "application/vnd.ms-excel").status, 200);
  EXPECT_EQ(post("/api/v1/import/clients", "cid\nC2\n", "").status, 200);
  EXPECT_EQ(post("/api/v1/import/clients", "cid\nC3\n", "text/csv; charset=utf-8").status, 200);
}

TEST_F(CsvImportApi, NeedsTheToken) {
  AdminRequest request =
      AdminRequest::make(HttpMethod::Post, "/api/v1/import/clients", "cid\nC1\n");
  EXPECT_EQ(routes_.handle(request).status, 401);
}

class CsvImportApiFullStore : public CsvImportApi {
 protected:
  CsvImportApiFullStore() : CsvImportApi(tinyStore()) {}
  static StoreConfig tinyStore() {
    StoreConfig config = smallStore();
    config.mapSize = 256ull << 10;
    config.maxMapSize = 256ull << 10;
    return config;
  }
};

TEST_F(CsvImportApiFullStore, AFullStoreIsATemporaryRefusal) {
  const AdminResponse r = post("/api/v1/import/loans", loansCsv(5000, -1));
  ASSERT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.header("retry-after"), "30");
  EXPECT_EQ(loanCount(), 0u);
  // Something that fits still goes in afterwards.
  EXPECT_EQ(post("/api/v1/import/loans", loansCsv(10, -1)).status, 200);
  EXPECT_EQ(loanCount(), 10u);
}

}  // namespace
}  // namespace mfigw::gateway
