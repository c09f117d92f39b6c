// gateway/reminder_scheduler.hpp: the service that turns due reminders into outbox messages.
//
// Purpose:   At start and then every `interval`, scans the loan book (loans in chunks of
//            `scanBatch`, each in its own short read txn, the loop free between chunks) and
//            the village-bank groups, asks the rules (reminder_rules.hpp) what is due at
//            the clock's `now`, and hands each loan or group with something to send to the
//            durable GroupCommitWriter. In the writer's txn the work reads the loan, client
//            and opt-outs again, plans again against the ledger as it is in that txn (so
//            caps hold across loans of one borrower and a payment synced meanwhile wins),
//            renders the template and, per message, enqueues it in the outbox (kind
//            Reminder, priority Bulk, not_before now, not_after from the rule) and records
//            it in the ledger, in the same txn: both or neither. The outbox Idempotency-Key
//            is derived from (subject, id, day, rule, recipient), so a repeat is a no-op.
//            After a commit that queued something, `wake` (the sender) is called. Bounded
//            work per tick: at most `maxPerTick` loans/groups go to the writer. A pass cut
//            short there is a backlog: once started, the next pass follows after
//            `backlogDelay` (not a whole interval) and its loan scan resumes after the last
//            loan the cut pass looked at, wrapping round to the start, so a large book
//            drains in linear time instead of rescanning the same sent loans. A pass is skipped
//            while `now` is quiet time for every window (nothing could be sent). Once a day the
//            ledger forgets days older than `keepDays`.
// Threading: Everything on the io_context's thread except the write work, which runs on
//            the writer's thread and touches only its txn and immutable captured state.
// Metrics:   With setMetrics(): mfigw_reminders_enqueued_total{kind} and
//            mfigw_sms_accepted_total{reminder} per commit, mfigw_reminder_passes_total{result}
//            and mfigw_reminder_last_pass_seconds per pass, mfigw_reminders_held{reason} from
//            the scan of each complete pass (a gauge: the same held reminder is seen again
//            every pass), mfigw_reminder_write_failures_total.
// Errors:    A failed write (map full, a record over its bounds) is logged and counted; the
//            same reminders are tried again next tick. Never throws from a handler.
// Ownership: Borrows the env, tables, writer and logger; all must outlive stop().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gateway/metrics.hpp"
#include "gateway/reminder_file.hpp"
#include "gateway/reminder_rules.hpp"
#include "gateway/reminder_zone.hpp"
#include "store/business_tables.hpp"
#include "store/env.hpp"
#include "store/group_commit_writer.hpp"

namespace mfigw::gateway {

struct ReminderSchedulerOptions {
  std::chrono::milliseconds interval{std::chrono::seconds(60)};
  std::size_t scanBatch = 2000;  // loans per read txn
  std::size_t maxPerTick = 500;  // loans + groups handed to the writer per tick
  std::string source;            // sender id of reminder SMS; empty: the link's default
  int keepDays = 120;            // ledger days kept (well past the last overdue rule)
  // Pause before the next pass when one stopped at maxPerTick (only once start()ed).
  std::chrono::milliseconds backlogDelay{0};
};

// What the scheduler did, for metrics (reminders_* rows) and tests.
struct ReminderStats {
  std::uint64_t passes = 0;
  std::uint64_t quietPasses = 0;  // skipped: quiet time everywhere
  std::uint64_t enqueued = 0;     // new outbox messages
  std::uint64_t duplicates = 0;   // the outbox already had the Idempotency-Key
  std::uint64_t writeFailures = 0;
  std::uint64_t purged = 0;
  std::map<std::string, std::uint64_t> enqueuedByKind;  // pre_due, due_today, ...
  // At the last write of each loan/group, per "verdict" or "verdict:reason" (suppressed:paid,
  // capped:borrower_day, ...), summed over the last pass.
  std::map<std::string, std::uint64_t> lastPass;
};

// Derived outbox Idempotency-Key: "rem:<subject>:<rule>:<YYYYMMDD>:<32 hex>", the hex being
// BLAKE2b-128 of the ledger key (ids may hold any byte; the key stays <= 128 bytes).
std::string reminderIdempotencyKey(const store::ReminderKey& key);

class ReminderScheduler {
 public:
  using Clock = std::function<std::int64_t()>;  // unix seconds
  using Wake = std::function<void()>;

  // Throws std::invalid_argument when the config's time zone is unknown (the loader
  // checks it first, so this is a programming error).
  ReminderScheduler(boost::asio::io_context& io, store::Env& env,
                    const store::BusinessTables& tables, store::GroupCommitWriter& writer,
                    ReminderConfig config, ReminderSchedulerOptions options, spdlog::logger& log,
                    Clock now = {}, Wake wake = {});
  ~ReminderScheduler();
  ReminderScheduler(const ReminderScheduler&) = delete;
  ReminderScheduler& operator=(const ReminderScheduler&) = delete;

  // A pass now, then every interval.
  void start();
  void stop();
  // Runs one pass (unless one is running); `done` is called once its writes are committed.
  void tick(std::function<void()> done = {});
  // A reloaded reminders.yaml: used from the next pass on.
  void setConfig(ReminderConfig config);
  // Where the scheduler's counters go (none until set); must outlive the scheduler.
  void setMetrics(Metrics* metrics) { metrics_ = metrics; }

  const ReminderStats& stats() const { return stats_; }

 private:
  struct Shared;  // immutable per config: policy, templates, zone
  struct Pass;

  void arm(std::chrono::milliseconds after);
  void scanChunk(std::shared_ptr<Pass> pass);
  void scanGroups(std::shared_ptr<Pass> pass);
  void submit(std::shared_ptr<Pass> pass);
  void finish(std::shared_ptr<Pass> pass);
  void publishPass(const Pass& pass, bool quiet);
  bool anyWindowOpen(const Shared& shared, std::int64_t now) const;

  boost::asio::io_context& io_;
  store::Env& env_;
  const store::BusinessTables& tables_;
  store::GroupCommitWriter& writer_;
  ReminderSchedulerOptions options_;
  spdlog::logger& log_;
  Clock now_;
  Wake wake_;
  Metrics* metrics_ = nullptr;
  std::shared_ptr<const Shared> shared_;
  boost::asio::steady_timer timer_;
  ReminderStats stats_;
  bool running_ = false;  // a pass is in progress
  bool stopped_ = false;
  bool armed_ = false;      // start()ed: passes follow each other by the timer
  std::string carryAfter_;  // a cut pass's last loan: the next pass's scan starts after it
  store::DayNumber lastPurgeDay_ = store::kNoDay;
  std::shared_ptr<bool> alive_;  // completions check it: the writer may outlive a pass
};

}  // namespace mfigw::gateway
