// One UpstreamSync with adapter fineract on its own io_context and temporary store, against
// a FakeFineract on 127.0.0.1. Options come from an UpstreamConfig through the daemon's own
// upstreamOptions(), so the tenant header and basic auth are what a configured daemon sends.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "gateway/config.hpp"
#include "gateway/upstream_sync.hpp"
#include "tests/upstream/server/fake_fineract.hpp"
#include "tests/upstream/sync_harness.hpp"

namespace mfigw::testing {

class FineractHarness {
 public:
  explicit FineractHarness(FakeFineractOptions serverOptions = {}) : log_(testLogger()) {
    server = std::make_unique<FakeFineract>(serverOptions);
    server->start();
    gateway::StoreConfig config;
    config.path = clientDir_.path();
    config.mapSize = 64ull << 20;
    config.maxMapSize = 1ull << 30;
    config.sessionMapSize = 4ull << 20;
    stores = std::make_unique<gateway::StoreLayout>(
        config, [this](std::function<void()> fn) { boost::asio::post(io, std::move(fn)); }, *log_);
  }

  ~FineractHarness() {
    stopSync();
    stores.reset();
    server->stop();
  }

  // What a daemon configured for this server would run (one window unless asked).
  gateway::UpstreamConfig config() const {
    gateway::UpstreamConfig c;
    c.enabled = true;
    c.url = server->url();
    c.auth = "basic";
    c.username = "mifos";
    c.password = gateway::Secret("password");
    c.adapter = "fineract";
    c.fineractTenant = "default";
    c.pageSize = 10;
    return c;
  }
  gateway::UpstreamOptions options(const gateway::UpstreamConfig& c) const {
    gateway::UpstreamOptions o = gateway::upstreamOptions(c);
    o.client.timeout = 2s;
    o.schedule.interval = 1h;
    // No retry on its own: a test that wants another window asks (syncNow, restartSync).
    o.schedule.backoffMin = 1h;
    o.schedule.backoffMax = 1h;
    return o;
  }
  gateway::UpstreamOptions options() const { return options(config()); }

  void startSync(gateway::UpstreamOptions o) {
    sync = std::make_unique<gateway::UpstreamSync>(io, *stores, std::move(o), metrics, *log_);
    sync->start();
  }
  void stopSync() {
    if (!sync) return;
    sync->stop();
    runUntil([&] { return !sync->running(); }, 5s);
    for (int i = 0; i < 20; ++i) {
      io.run_for(5ms);
      io.restart();
    }
    sync.reset();
  }
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
  gateway::UpstreamStatus status() const { return sync->status(); }
  bool syncing() const { return status().state == gateway::UpstreamState::Syncing; }
  bool windowsDone(std::uint64_t ok) {
    return runUntil([&] { return status().windowsOk >= ok && !syncing(); });
  }
  bool failuresDone(std::uint64_t failed) {
    return runUntil([&] { return status().windowsFailed >= failed && !syncing(); });
  }

  // ---- the local store ----
  std::uint64_t localLoanCount() {
    store::ReadTxn txn = stores->durable().beginRead();
    return stores->tables().loanBook.loanTable().count(txn);
  }
  std::uint64_t localClientCount() {
    store::ReadTxn txn = stores->durable().beginRead();
    return stores->tables().loanBook.clientTable().count(txn);
  }
  std::optional<store::LoanSnapshot> localLoan(const std::string& lid) {
    store::ReadTxn txn = stores->durable().beginRead();
    return stores->tables().loanBook.loan(txn, lid);
  }
  std::optional<store::SyncCursor> localCursor(const std::string& feed) {
    store::ReadTxn txn = stores->durable().beginRead();
    return stores->tables().loanBook.cursor(txn, feed);
  }
  store::UpstreamEventCounts localEventCounts() {
    store::ReadTxn txn = stores->durable().beginRead();
    return stores->tables().upstreamEvents.counts(txn);
  }
  std::vector<store::UpstreamEvent> localRejected() {
    store::ReadTxn txn = stores->durable().beginRead();
    return stores->tables().upstreamEvents.rejected(txn);
  }
  void appendEvent(const store::EventKey& key, store::UpstreamEventType type,
                   const nlohmann::json& payload) {
    stores->durable().write([&](store::WriteTxn& txn) {
      stores->tables().upstreamEvents.append(txn, key, 1724140800, type, payload.dump());
    });
  }

  store::testing::TempDir clientDir_;
  boost::asio::io_context io;  // before the stores: their writers post here
  std::shared_ptr<spdlog::logger> log_;
  gateway::Metrics metrics;
  std::unique_ptr<FakeFineract> server;
  std::unique_ptr<gateway::StoreLayout> stores;
  std::unique_ptr<gateway::UpstreamSync> sync;
};

}  // namespace mfigw::testing
