// The outbox retention over a real (temporary) store and group-commit writer, with a fake
// clock: a pass removes the final messages older than keep_final in chunks of `chunk` write
// items, counts them in mfigw_outbox_purged_total, keeps young final and live messages, and
// a SIGHUP's new keep_final applies from the next pass.
#include "gateway/outbox_retention.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <memory>
#include <string>

#include "store/business_tables.hpp"
#include "store/group_commit_writer.hpp"
#include "tests/store/store_test_util.hpp"

namespace mfigw::gateway {
namespace {

using namespace std::chrono_literals;

class RetentionTest : public ::testing::Test {
 protected:
  RetentionTest()
      : env_(store::testing::smallEnv(dir_.sub("data"))),
        tables_(store::openBusinessTables(env_)),
        writer_(env_, [this](std::function<void()> fn) { boost::asio::post(io_, std::move(fn)); }),
        log_(std::make_shared<spdlog::logger>("test",
                                              std::make_shared<spdlog::sinks::null_sink_mt>())) {}
  ~RetentionTest() override {
    retention_.reset();
    writer_.stop();
    io_.restart();
    io_.poll();
  }

  void makeRetention(std::chrono::milliseconds keepFinal, std::size_t chunk) {
    OutboxRetentionOptions o;
    o.keepFinal = keepFinal;
    o.chunk = chunk;
    retention_ = std::make_unique<OutboxRetention>(io_, tables_.outbox, writer_, o, metrics_, *log_,
                                                   [this] { return now_; });
  }

  // `n` messages to distinct numbers, delivered at `at` (unix seconds); returns their ids.
  std::vector<uint64_t> delivered(int n, int64_t at) {
    std::vector<uint64_t> ids;
    env_.write([&](store::WriteTxn& txn) {
      for (int i = 0; i < n; ++i) {
        store::OutboxMessage m;
        m.to = "2547110" + std::to_string(10000 + next_++);
        m.text = "Your payment is due";
        ids.push_back(tables_.outbox.enqueue(txn, m, at).id);
      }
      for (const store::OutboxMessage& m : tables_.outbox.claim(txn, at, 1000)) {
        const std::string smscId = "s" + std::to_string(m.id);
        tables_.outbox.markPartSubmitted(txn, m.id, 0, 1, smscId, at);
        tables_.outbox.applyReceipt(txn, smscId, store::PartState::Delivered, at);
      }
    });
    return ids;
  }
  uint64_t queued(int64_t at) {
    uint64_t id = 0;
    env_.write([&](store::WriteTxn& txn) {
      store::OutboxMessage m;
      m.to = "254711099999";
      m.text = "later";
      m.notBefore = at + 1'000'000;  // not due: stays queued
      id = tables_.outbox.enqueue(txn, m, at).id;
    });
    return id;
  }
  bool exists(uint64_t id) {
    store::ReadTxn txn = env_.beginRead();
    return tables_.outbox.get(txn, id).has_value();
  }
  // One pass, the loop run until it reports done (bounded).
  void pass() {
    bool done = false;
    retention_->purgeNow([&] { done = true; });
    io_.restart();
    auto guard = boost::asio::make_work_guard(io_);
    for (int i = 0; i < 1000 && !done; ++i)
      io_.run_one_for(100ms);
    ASSERT_TRUE(done);
  }
  uint64_t purgedMetric() { return metrics_.counter(MetricId::OutboxPurgedTotal).value(); }

  store::testing::TempDir dir_;
  store::Env env_;
  store::BusinessTables tables_;
  boost::asio::io_context io_;
  store::GroupCommitWriter writer_;
  std::shared_ptr<spdlog::logger> log_;
  Metrics metrics_;
  std::unique_ptr<OutboxRetention> retention_;
  int64_t now_ = 0;
  int next_ = 0;
};

TEST_F(RetentionTest, APassRemovesAgedFinalMessagesInChunksAndCountsThem) {
  const std::vector<uint64_t> old = delivered(25, 1000);
  const std::vector<uint64_t> young = delivered(3, 5000);
  const uint64_t live = queued(1000);
  makeRetention(1h, 10);
  now_ = 1000 + 3600 + 1;  // the first 25 are past keep_final, the 3 others are not
  const uint64_t batchesBefore = writer_.stats().batchesCommitted;
  pass();
  for (uint64_t id : old)
    EXPECT_FALSE(exists(id)) << id;
  for (uint64_t id : young)
    EXPECT_TRUE(exists(id)) << id;
  EXPECT_TRUE(exists(live));
  EXPECT_EQ(retention_->purgedTotal(), 25u);
  EXPECT_EQ(purgedMetric(), 25u);
  // 10 + 10 + 5: three write items, each its own batch here (nothing else was queued).
  EXPECT_EQ(writer_.stats().batchesCommitted - batchesBefore, 3u);

  pass();  // nothing more is old enough
  EXPECT_EQ(purgedMetric(), 25u);
}

TEST_F(RetentionTest, ANewKeepFinalAppliesFromTheNextPass) {
  const std::vector<uint64_t> ids = delivered(4, 1000);
  makeRetention(24h, 500);
  now_ = 1000 + 3600;
  pass();
  EXPECT_EQ(purgedMetric(), 0u);
  retention_->setKeepFinal(30min);  // SIGHUP
  pass();
  EXPECT_EQ(purgedMetric(), 4u);
  for (uint64_t id : ids)
    EXPECT_FALSE(exists(id));
}

}  // namespace
}  // namespace mfigw::gateway
