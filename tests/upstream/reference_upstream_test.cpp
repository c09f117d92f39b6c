// The reference upstream and the client, exchange by exchange: paging by (ver, id) across
// ties, tombstones, the branch filter, auth, gzip, idempotent pushes, keep-alive and the
// reconnect after the server closed an idle connection.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include "gateway/upstream_client.hpp"
#include "gateway/upstream_codec.hpp"
#include "tests/upstream/loan_generator.hpp"
#include "tests/upstream/sync_harness.hpp"

namespace mfigw::testing {
namespace {

using gateway::ChangeCursor;
using gateway::ChangePage;
using gateway::UpstreamFeed;

class ReferenceUpstreamTest : public ::testing::Test {
 protected:
  void start(ReferenceUpstreamOptions o = {}) {
    o.dataDir = dir_.sub("upstream");
    server_ = std::make_unique<ReferenceUpstream>(o);
    server_->start();
    options_.url = *gateway::parseUpstreamUrl(server_->url());
    options_.timeout = 2s;
    conn_ =
        std::make_unique<gateway::UpstreamConnection>(io_.get_executor(), options_, nullptr, *log_);
  }

  gateway::UpstreamExchange exchange(std::string_view method, std::string_view target,
                                     std::string_view body = "") {
    auto future =
        boost::asio::co_spawn(io_, conn_->exchange(method, target, body), boost::asio::use_future);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (future.wait_for(0s) != std::future_status::ready &&
           std::chrono::steady_clock::now() < deadline) {
      io_.run_for(5ms);
      io_.restart();
    }
    return future.get();
  }

  ChangePage page(UpstreamFeed feed, const ChangeCursor& after, std::size_t limit,
                  std::optional<std::uint16_t> branch = std::nullopt) {
    const std::string target = "/v1/changes?" + gateway::changesQuery(feed, after, limit, branch);
    const auto x = exchange("GET", target);
    EXPECT_TRUE(x.ok()) << x.message;
    EXPECT_EQ(x.reply.status, 200u) << x.reply.body;
    return gateway::decodeChangePage(x.reply.body, feed);
  }

  store::testing::TempDir dir_;
  boost::asio::io_context io_;
  std::shared_ptr<spdlog::logger> log_ = testLogger();
  gateway::UpstreamClientOptions options_;
  std::unique_ptr<ReferenceUpstream> server_;
  std::unique_ptr<gateway::UpstreamConnection> conn_;
};

TEST_F(ReferenceUpstreamTest, PagesWalkVerThenIdAcrossTiesOnOneConnection) {
  start();
  auto loans = generateLoans(10, 2);
  std::reverse(loans.begin(), loans.end());  // ids do not arrive in order
  server_->putLoans(loans, 4);               // vers: 4 loans, 4 loans, 2 loans
  std::vector<std::pair<std::uint64_t, std::string>> seen;
  ChangeCursor cursor;
  for (int n = 0; n < 10; ++n) {
    const ChangePage p = page(UpstreamFeed::Loans, cursor, 3);
    for (const auto& l : p.loans)
      seen.emplace_back(l.ver, l.loanId);
    if (!p.loans.empty()) {
      EXPECT_EQ(p.next, (ChangeCursor{p.loans.back().ver, p.loans.back().loanId}));
    }
    cursor = p.next;
    if (!p.hasMore) break;
  }
  ASSERT_EQ(seen.size(), 10u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
  EXPECT_EQ(seen[0].first, seen[3].first);  // a tie straddled the first page boundary
  EXPECT_EQ(conn_->connectionsOpened(), 1u);
  EXPECT_EQ(server_->connectionsAccepted(), 1u);
  // Past the end: the same cursor back, nothing more.
  const ChangePage end = page(UpstreamFeed::Loans, cursor, 3);
  EXPECT_TRUE(end.loans.empty());
  EXPECT_EQ(end.next, cursor);
  EXPECT_FALSE(end.hasMore);
}

TEST_F(ReferenceUpstreamTest, DeletionsAreTombstonesAndTheBranchFilterSendsLiveLoansOnly) {
  start();
  server_->putLoans(generateLoans(8, 2));  // L..0, 2, 4, 6 in branch 1; odd in branch 2
  server_->deleteLoan("L0000003");
  const ChangePage all = page(UpstreamFeed::Loans, {}, 100);
  EXPECT_EQ(all.loans.size(), 7u);
  ASSERT_EQ(all.deletions.size(), 1u);
  EXPECT_EQ(all.deletions[0].id, "L0000003");
  EXPECT_EQ(all.next, (ChangeCursor{all.deletions[0].ver, "L0000003"}));  // the last change

  const ChangePage branch2 = page(UpstreamFeed::Loans, {}, 100, 2);
  std::vector<std::string> ids;
  for (const auto& l : branch2.loans)
    ids.push_back(l.loanId);
  EXPECT_THAT(ids, ::testing::ElementsAre("L0000001", "L0000005", "L0000007"));
  EXPECT_TRUE(branch2.deletions.empty());
}

TEST_F(ReferenceUpstreamTest, AuthGzipAndIdempotentEvents) {
  ReferenceUpstreamOptions o;
  o.bearerToken = "token-0123456789abcdef";
  start(o);
  server_->putLoans(generateLoans(50, 1));
  EXPECT_EQ(exchange("GET", "/v1/reconcile").reply.status, 401u);
  EXPECT_EQ(server_->unauthorizedCount(), 1u);

  options_.auth = gateway::UpstreamAuth::Bearer;
  options_.token = gateway::Secret("token-0123456789abcdef");
  const auto big = exchange("GET", "/v1/changes?feed=loans&after_ver=0&after_id=&limit=50");
  ASSERT_EQ(big.reply.status, 200u);
  EXPECT_LT(big.reply.wireBodyBytes * 3, big.reply.body.size());  // it travelled gzipped

  const std::vector<gateway::WireEvent> events = {
      {{1, 2, 3}, 1, "optout", 1709251200, R"({"msisdn":"254700000001"})"},
      {{4, 5, 6}, 2, "referral", 1709251201, "{}"}};
  const std::string body = gateway::encodeEventBatch(events);
  const auto first = exchange("POST", "/v1/events", body);
  const auto again = exchange("POST", "/v1/events", body);
  ASSERT_EQ(first.reply.status, 200u);
  const auto a = gateway::decodeEventAnswers(first.reply.body);
  const auto b = gateway::decodeEventAnswers(again.reply.body);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(a[0].result, gateway::EventResult::Accepted);
  EXPECT_EQ(b[0].result, gateway::EventResult::Duplicate);
  EXPECT_EQ(server_->storedEventCount(), 2u);
  EXPECT_EQ(server_->receivedCounts().at(store::EventKey{1, 2, 3}), 2u);
}

TEST_F(ReferenceUpstreamTest, AClosedIdleConnectionIsReopenedForTheNextRequest) {
  start();
  ASSERT_EQ(exchange("GET", "/v1/reconcile").reply.status, 200u);
  server_->pause();  // closes every connection
  server_->resume();
  const auto x = exchange("GET", "/v1/reconcile");
  EXPECT_TRUE(x.ok()) << x.message;
  EXPECT_EQ(x.reply.status, 200u);
  EXPECT_EQ(conn_->connectionsOpened(), 2u);
}

TEST_F(ReferenceUpstreamTest, ClosedConnectionAnswersStopped) {
  start();
  conn_->close();
  const auto x = exchange("GET", "/v1/reconcile");
  EXPECT_EQ(x.failure, gateway::UpstreamFailureKind::Stopped);
  EXPECT_EQ(server_->requestCount(), 0u);
}

}  // namespace
}  // namespace mfigw::testing
