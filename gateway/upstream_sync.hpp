// UpstreamSync: keeps the local loan book in step with the MFI's loan system and delivers
// the events the appliance owes it (docs/upstream-protocol.md).
//
// Purpose: runs sync windows on the daemon's io_context, as UpstreamSchedule decides (every
//   upstream.interval; after a failure a jittered back-off; at once on syncNow()). A window
//   opens one kept-alive connection and:
//     1. pushes pending events in seq order, batch by batch; upstream's answers for a batch
//        are committed in one group commit (accepted/duplicate leave the outbox, rejected
//        keep the reason, unanswered stay pending);
//     2. pulls each feed (clients, groups, payment points, loans) page by page; each page
//        AND its cursor commit in one write txn through the durable writer, so a cut
//        connection resumes from the last committed page;
//     3. when reconcile is due, compares loan count + hash per branch with upstream and
//        starts a full re-pull of every branch that differs (missed deletes included);
//     4. continues any unfinished branch re-pull.
//   Any failure ends the window (nothing half-applied: a page is committed whole or not at
//   all) and the schedule backs off. Status and metrics report the outcome.
//   With adapter fineract a window runs gateway/fineract_sync.hpp instead of steps 1-4
//   (same schedule, connection, commits, status and metrics).
// Threading: every member runs on the io_context's thread (post to it from elsewhere).
//   Store writes run on the durable writer's thread; their completions return to the loop.
// Errors: construction throws std::runtime_error when a TLS file cannot be loaded (a
//   start-up error). At run time nothing throws: failures are logged, counted in
//   mfigw_upstream_windows_total{result} and shown by status().
// Ownership: borrows the io_context, the stores, the metrics and the logger; all must
//   outlive the last window. A window in flight keeps the service's internal state alive,
//   so stop() followed by running the io_context dry is a clean shutdown.
// Open issues: reconcile covers loans only (clients, groups and payment points rely on
//   their tombstones); a re-pull is per branch, so a loan that moved branch while its
//   change was missed is removed by one branch's sweep and restored by the other's
//   reconcile; the CSV adapter (issue 4, item 4) is separate.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "gateway/config.hpp"
#include "gateway/fineract_options.hpp"
#include "gateway/metrics.hpp"
#include "gateway/store_layout.hpp"
#include "gateway/upstream_client.hpp"
#include "gateway/upstream_schedule.hpp"

namespace mfigw::gateway {

struct UpstreamOptions {
  bool enabled = false;
  UpstreamAdapter adapter = UpstreamAdapter::Mfigw;
  FineractOptions fineract;  // adapter == Fineract
  UpstreamClientOptions client;
  UpstreamScheduleOptions schedule;
  std::size_t pageSize = 500;
  std::size_t pushBatch = 100;
  // Bounds per window, so a server that always says has_more cannot hold the loop.
  std::size_t maxPagesPerFeed = 2000;
  std::size_t maxPushBatches = 1000;
};

// The config section as service options. Throws std::invalid_argument for a URL the config
// check would have refused.
[[nodiscard]] UpstreamOptions upstreamOptions(const UpstreamConfig& config);

enum class UpstreamState { Disabled, Idle, Syncing, BackingOff, Stopped };
[[nodiscard]] std::string_view toString(UpstreamState state) noexcept;

struct UpstreamStatus {
  UpstreamState state = UpstreamState::Disabled;
  std::int64_t lastSuccessUnix = 0;  // last window that completed; 0: never
  std::int64_t lastAttemptUnix = 0;
  std::int64_t lastReconcileUnix = 0;
  std::int64_t lagSeconds = 0;  // since the last success (since start-up when none)
  std::int64_t nextWindowInMs = 0;
  std::uint32_t consecutiveFailures = 0;
  std::string lastFailureKind;  // toString(UpstreamFailureKind); "" after a success
  std::string lastError;
  std::uint64_t windowsOk = 0;
  std::uint64_t windowsFailed = 0;
  std::uint64_t connections = 0;
  std::uint64_t bytesIn = 0;
  std::uint64_t bytesOut = 0;
  std::uint64_t recordsUpserted = 0;
  std::uint64_t recordsDeleted = 0;
  std::uint64_t recordsInvalid = 0;
  std::uint64_t recordsSwept = 0;
  std::uint64_t eventsAccepted = 0;
  std::uint64_t eventsDuplicate = 0;
  std::uint64_t eventsRejected = 0;
  std::uint64_t eventsPending = 0;
  std::uint64_t reconcileMismatches = 0;  // branches found different, all time
  std::uint32_t resyncsRunning = 0;       // branch re-pulls not finished yet
};
[[nodiscard]] nlohmann::json toJson(const UpstreamStatus& status);

class UpstreamSync {
 public:
  UpstreamSync(boost::asio::io_context& io, StoreLayout& stores, UpstreamOptions options,
               Metrics& metrics, spdlog::logger& log);
  ~UpstreamSync();
  UpstreamSync(const UpstreamSync&) = delete;
  UpstreamSync& operator=(const UpstreamSync&) = delete;

  // Starts the schedule (the first window opens at once). Nothing when disabled.
  void start();
  // Ends the window in flight (its connection is closed; commits already submitted still
  // land) and the schedule. Idempotent.
  void stop();
  // Opens a window now (or right after the one in flight). False when disabled or stopped.
  bool syncNow();
  // A reload. Takes effect from the next window; enabling starts the schedule, disabling
  // ends it. Throws std::runtime_error (and keeps the old options) for a TLS file that
  // cannot be loaded.
  void setOptions(UpstreamOptions options);

  [[nodiscard]] UpstreamStatus status() const;
  // The schedule's coroutine is alive (a window may be in flight). After stop(), false once
  // the window in flight has wound down: the daemon may then stop the store writers.
  [[nodiscard]] bool running() const;
  // Brings the gauges (lag, pending events, up) up to date; call before rendering /metrics.
  void exportMetrics();

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace mfigw::gateway
