#include "gateway/outbox_retention.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>

namespace mfigw::gateway {

struct OutboxRetention::Pass {
  std::int64_t cutoff = 0;  // rows final before this (unix seconds) go
  std::size_t chunk = 0;
  std::uint64_t removed = 0;
  bool reclaim = false;  // the writer found the map full: the rest goes through reclaim_
  std::function<void()> done;
};

namespace {

std::int64_t systemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

OutboxRetention::OutboxRetention(boost::asio::io_context& io, const store::Outbox& outbox,
                                 store::GroupCommitWriter& writer, OutboxRetentionOptions options,
                                 Metrics& metrics, spdlog::logger& log, Clock now)
    : io_(io),
      outbox_(outbox),
      writer_(writer),
      options_(options),
      metrics_(metrics),
      log_(log),
      now_(now ? std::move(now) : Clock(systemNow)),
      periodic_(io),
      poll_(io) {}

OutboxRetention::~OutboxRetention() {
  *alive_ = false;
}

void OutboxRetention::start() {
  stopped_ = false;
  mapFullSeen_ = writer_.stats().mapFullBatches;
  armPeriodic(options_.firstPass);
  armMapFullPoll();
}

void OutboxRetention::stop() {
  stopped_ = true;
  periodic_.cancel();
  poll_.cancel();
}

void OutboxRetention::armPeriodic(std::chrono::milliseconds after) {
  periodic_.expires_after(after);
  periodic_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive || stopped_) return;
    purgeNow();
    armPeriodic(options_.interval);
  });
}

void OutboxRetention::armMapFullPoll() {
  poll_.expires_after(options_.mapFullPoll);
  poll_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive || stopped_) return;
    // A refused batch means space matters now, not at the next period.
    const std::uint64_t mapFull = writer_.stats().mapFullBatches;
    if (mapFull != mapFullSeen_) {
      mapFullSeen_ = mapFull;
      purgeNow();
    }
    armMapFullPoll();
  });
}

void OutboxRetention::purgeNow(std::function<void()> done) {
  if (running_ || stopped_) {
    if (done) boost::asio::post(io_, std::move(done));
    return;
  }
  running_ = true;
  ++passes_;
  auto pass = std::make_shared<Pass>();
  const auto keepSeconds =
      std::chrono::duration_cast<std::chrono::seconds>(options_.keepFinal).count();
  pass->cutoff = now_() - keepSeconds;
  pass->chunk = std::max<std::size_t>(options_.chunk, 1);
  pass->done = std::move(done);
  runChunk(std::move(pass));
}

void OutboxRetention::runChunk(std::shared_ptr<Pass> pass) {
  auto removed = std::make_shared<std::size_t>(0);
  const store::Outbox* outbox = &outbox_;
  const std::int64_t cutoff = pass->cutoff;
  const std::size_t chunk = pass->chunk;
  auto work = [outbox, cutoff, chunk, removed](store::WriteTxn& txn) {
    // Assigned, not added: the writer runs an item again after growing the map.
    *removed = outbox->purgeFinal(txn, cutoff, chunk);
  };
  auto done = [this, alive = alive_, pass, removed](std::error_code ec) {
    if (!*alive) return;
    if (ec == store::errc::map_full && !pass->reclaim && reclaim_ && !stopped_) {
      pass->reclaim = true;
      log_.warn("outbox purge: the map is full, purging through the store's reserve");
      runChunk(pass);
      return;
    }
    if (ec == store::errc::map_full && pass->chunk > 1 && !stopped_) {
      pass->chunk /= 2;  // fewer deletions dirty fewer pages
      runChunk(pass);
      return;
    }
    if (ec) {
      log_.warn("outbox purge failed error={} removed={}", ec.message(), pass->removed);
      finish(*pass);
      return;
    }
    pass->removed += *removed;
    purgedTotal_ += *removed;
    metrics_.counter(MetricId::OutboxPurgedTotal).inc(*removed);
    // A full chunk may have left more: the next one is a new item, so other writes
    // queued meanwhile commit in between.
    if (*removed == pass->chunk && !stopped_) {
      runChunk(pass);
      return;
    }
    finish(*pass);
  };
  if (pass->reclaim) {
    reclaim_(std::move(work), std::move(done));
  } else {
    writer_.submit(std::move(work), std::move(done));
  }
}

void OutboxRetention::finish(const Pass& pass) {
  running_ = false;
  if (pass.removed > 0)
    log_.info("outbox purged final messages removed={} keep_final_s={}", pass.removed,
              std::chrono::duration_cast<std::chrono::seconds>(options_.keepFinal).count());
  if (pass.done) boost::asio::post(io_, pass.done);
}

}  // namespace mfigw::gateway
