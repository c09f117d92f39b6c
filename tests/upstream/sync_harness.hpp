// One UpstreamSync on its own io_context and temporary store, against a ReferenceUpstream
// on 127.0.0.1 with a temporary store of its own. Loops are bounded by a wall-clock limit.
#pragma once

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "gateway/metrics.hpp"
#include "gateway/store_layout.hpp"
#include "gateway/upstream_sync.hpp"
#include "store/reconcile_digest.hpp"
#include "tests/store/store_test_util.hpp"
#include "tests/upstream/server/reference_upstream.hpp"

namespace mfigw::testing {

using namespace std::chrono_literals;

// MFIGW_TEST_LOG=debug shows the service's log lines; warnings by default.
inline std::shared_ptr<spdlog::logger> testLogger() {
  auto log = std::make_shared<spdlog::logger>("upstream",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
  const char* level = std::getenv("MFIGW_TEST_LOG");
  log->set_level(level != nullptr ? spdlog::level::from_str(level) : spdlog::level::err);
  return log;
}

class SyncHarness {
 public:
  explicit SyncHarness(ReferenceUpstreamOptions serverOptions = {}) : log_(testLogger()) {
    serverOptions.dataDir = serverDir_.sub("upstream");
    server = std::make_unique<ReferenceUpstream>(serverOptions);
    server->start();
    openStores();
  }

  ~SyncHarness() {
    stopSync();
    stores.reset();  // its writers post their last completions to io, still alive here
    server->stop();
  }

  // Test defaults: short back-off, one window unless asked (long interval), no reconcile
  // unless the test makes it due, small pages so 10,000 loans are 20 pages.
  gateway::UpstreamOptions options() const {
    gateway::UpstreamOptions o;
    o.enabled = true;
    o.client.url = *gateway::parseUpstreamUrl(server->url());
    o.client.timeout = 2s;
    o.schedule.interval = 1h;
    o.schedule.reconcileInterval = 1000h;
    o.schedule.backoffMin = 20ms;
    o.schedule.backoffMax = 200ms;
    o.pageSize = 500;
    o.pushBatch = 100;
    return o;
  }

  void startSync(gateway::UpstreamOptions o) {
    sync = std::make_unique<gateway::UpstreamSync>(io, *stores, std::move(o), metrics, *log_);
    sync->start();
  }
  void startSync() { startSync(options()); }

  // Stops the service and lets its window wind down, as the daemon does on SIGTERM.
  void stopSync() {
    if (!sync) return;
    sync->stop();
    runUntil([&] { return !sync->running(); }, 5s);
    drain();
    sync.reset();
  }

  // A new service on the same store: what a restart of the daemon does.
  void restartSync(gateway::UpstreamOptions o) {
    stopSync();
    startSync(std::move(o));
  }

  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds limit = 30s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.run_for(5ms);
      io.restart();
    }
    return done();
  }

  // Runs what is ready (completions of commits already made) without waiting for more.
  void drain() {
    for (int i = 0; i < 20; ++i) {
      io.run_for(5ms);
      io.restart();
    }
  }

  gateway::UpstreamStatus status() const { return sync->status(); }

  bool windowsDone(std::uint64_t ok) {
    return runUntil([&] { return status().windowsOk >= ok && !syncing(); });
  }
  bool syncing() const { return status().state == gateway::UpstreamState::Syncing; }

  // ---- the local store ----
  std::vector<store::BranchDigest> localDigests() {
    store::ReadTxn txn = stores->durable().beginRead();
    return store::reconcileDigests(txn, stores->tables().loanBook.loanTable());
  }
  std::uint64_t localLoanCount() {
    store::ReadTxn txn = stores->durable().beginRead();
    return stores->tables().loanBook.loanTable().count(txn);
  }
  std::optional<store::LoanSnapshot> localLoan(const std::string& lid) {
    store::ReadTxn txn = stores->durable().beginRead();
    return stores->tables().loanBook.loan(txn, lid);
  }
  store::UpstreamEventCounts localEventCounts() {
    store::ReadTxn txn = stores->durable().beginRead();
    return stores->tables().upstreamEvents.counts(txn);
  }
  std::optional<store::UpstreamEvent> localEvent(const store::EventKey& key) {
    store::ReadTxn txn = stores->durable().beginRead();
    return stores->tables().upstreamEvents.find(txn, key);
  }
  // Appends `count` events (keys 1..count in their first two bytes after `tag`).
  std::vector<store::EventKey> appendEvents(
      std::size_t count, std::uint8_t tag,
      store::UpstreamEventType type = store::UpstreamEventType::CreditRequest) {
    std::vector<store::EventKey> keys;
    stores->durable().write([&](store::WriteTxn& txn) {
      for (std::size_t i = 1; i <= count; ++i) {
        store::EventKey key{tag, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i),
                            0x5a};
        stores->tables().upstreamEvents.append(
            txn, key, 1709251200 + static_cast<std::int64_t>(i), type,
            R"({"lid":"L0000001","amount":)" + std::to_string(10000 * i) + "}");
        keys.push_back(key);
      }
    });
    return keys;
  }

  store::testing::TempDir clientDir_;
  store::testing::TempDir serverDir_;
  boost::asio::io_context io;  // before the stores: their writers post here
  std::shared_ptr<spdlog::logger> log_;
  gateway::Metrics metrics;
  std::unique_ptr<ReferenceUpstream> server;
  std::unique_ptr<gateway::StoreLayout> stores;
  std::unique_ptr<gateway::UpstreamSync> sync;

 private:
  void openStores() {
    gateway::StoreConfig config;
    config.path = clientDir_.path();
    config.mapSize = 64ull << 20;
    config.maxMapSize = 1ull << 30;
    config.sessionMapSize = 4ull << 20;
    stores = std::make_unique<gateway::StoreLayout>(
        config, [this](std::function<void()> fn) { boost::asio::post(io, std::move(fn)); }, *log_);
  }
};

}  // namespace mfigw::testing
