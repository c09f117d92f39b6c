// gateway/outbox_retention.hpp: purges final outbox rows older than sms.keep_final.
//
// Purpose:   Without it the outbox keeps every delivered / failed / expired / cancelled
//            message forever and a small box's LMDB map fills up: the daemon then refuses
//            new work (503, ESME_RMSGQFUL) until an operator grows the map. A pass runs
//            shortly after start, then every `interval`, and at once when the durable
//            writer reports a batch refused for lack of space (polled from its stats every
//            `mapFullPoll`; cheap atomics). A pass is a chain of chunks, each one write item
//            on the durable GroupCommitWriter removing at most `chunk` rows
//            (store::Outbox::purgeFinal), so a backlog never becomes one giant txn and other
//            writes interleave. LMDB reuses the freed pages in later txns, so the space goes
//            to new writes without the file growing. A chunk refused with map_full goes to
//            the `reclaim` function when one is set (the daemon's runs it through
//            store::Env::reclaim on a background thread: a delete needs fresh pages too, and
//            only reclaim may use the reserve beyond store.max_map_size), else it is tried
//            again with half the rows down to one.
// Threading: Everything runs on the io_context's thread; the work item runs on the writer
//            thread and touches only its txn and the captured Outbox handle and values.
// Errors:    A failed chunk is logged at warn and ends the pass; the next trigger starts
//            over. Nothing throws.
// Ownership: Borrows the io_context, outbox, writer, metrics and logger; all must outlive
//            it. Completions check a shared `alive_` flag, since the writer may finish an
//            item after stop().
// Open issues: each chunk walks the final states' index from the oldest id, reading the
//            young final rows it keeps; fine for days of retention on a branch box, a
//            (final time, id) index would make it O(removed).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "gateway/metrics.hpp"
#include "store/group_commit_writer.hpp"
#include "store/outbox.hpp"

namespace mfigw::gateway {

struct OutboxRetentionOptions {
  std::chrono::milliseconds keepFinal = std::chrono::hours(24 * 7);  // sms.keep_final
  std::chrono::milliseconds firstPass = std::chrono::seconds(30);    // after start()
  std::chrono::milliseconds interval = std::chrono::minutes(10);
  std::chrono::milliseconds mapFullPoll = std::chrono::seconds(1);
  std::size_t chunk = 500;  // rows per write item
};

class OutboxRetention {
 public:
  using Clock = std::function<std::int64_t()>;  // unix seconds, like the outbox's times
  // Runs one work item in its own top-level txn allowed past the map's bound and reports
  // the outcome on the loop (store::errc codes, like the writer).
  using Reclaim =
      std::function<void(store::GroupCommitWriter::Work, store::GroupCommitWriter::Done)>;

  OutboxRetention(boost::asio::io_context& io, const store::Outbox& outbox,
                  store::GroupCommitWriter& writer, OutboxRetentionOptions options,
                  Metrics& metrics, spdlog::logger& log, Clock now = {});
  ~OutboxRetention();
  OutboxRetention(const OutboxRetention&) = delete;
  OutboxRetention& operator=(const OutboxRetention&) = delete;

  void start();
  void stop();
  // SIGHUP: applies from the next pass.
  void setKeepFinal(std::chrono::milliseconds keepFinal) { options_.keepFinal = keepFinal; }
  void setReclaim(Reclaim reclaim) { reclaim_ = std::move(reclaim); }
  // Starts a pass unless one is running; `done` (optional) runs on the loop when it ends.
  void purgeNow(std::function<void()> done = {});

  std::uint64_t purgedTotal() const { return purgedTotal_; }
  std::uint64_t passes() const { return passes_; }

 private:
  struct Pass;
  void armPeriodic(std::chrono::milliseconds after);
  void armMapFullPoll();
  void runChunk(std::shared_ptr<Pass> pass);
  void finish(const Pass& pass);

  boost::asio::io_context& io_;
  const store::Outbox& outbox_;
  store::GroupCommitWriter& writer_;
  OutboxRetentionOptions options_;
  Metrics& metrics_;
  spdlog::logger& log_;
  Clock now_;
  Reclaim reclaim_;
  boost::asio::steady_timer periodic_;
  boost::asio::steady_timer poll_;
  std::uint64_t mapFullSeen_ = 0;  // writer's mapFullBatches at the last poll
  bool running_ = false;
  bool stopped_ = false;
  std::uint64_t purgedTotal_ = 0;
  std::uint64_t passes_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace mfigw::gateway
