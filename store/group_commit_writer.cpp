#include "store/group_commit_writer.hpp"

#include "store/error.hpp"

#include <exception>
#include <stdexcept>
#include <utility>

namespace mfigw::store {

GroupCommitWriter::GroupCommitWriter(Env& env, Post post, GroupCommitOptions options)
    : env_(env), post_(std::move(post)), options_(options) {
  if (!post_) {
    throw std::invalid_argument(
        "GroupCommitWriter for store at " + env_.path() +
        ": a post function is required (it decides where `done` callbacks run)");
  }
  if (options_.maxBatch == 0) {
    options_.maxBatch = 1;
  }
  thread_ = std::thread([this] { run(); });
}

GroupCommitWriter::~GroupCommitWriter() {
  stop();
}

void GroupCommitWriter::submit(Work work, Done done) {
  std::error_code refused;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      refused = errc::shutting_down;
    } else if (options_.maxQueue != 0 && queue_.size() >= options_.maxQueue) {
      refused = errc::queue_full;
    } else {
      queue_.push_back(Item{std::move(work), std::move(done)});
    }
  }
  if (refused) {
    itemsFailed_.fetch_add(1, std::memory_order_relaxed);
    deliver(done, refused);
    return;
  }
  wake_.notify_one();
}

void GroupCommitWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  std::lock_guard joinLock(joinMutex_);
  if (thread_.joinable()) {
    thread_.join();
  }
}

GroupCommitWriter::Stats GroupCommitWriter::stats() const {
  Stats s;
  s.batchesCommitted = batchesCommitted_.load(std::memory_order_relaxed);
  s.itemsCommitted = itemsCommitted_.load(std::memory_order_relaxed);
  s.itemsFailed = itemsFailed_.load(std::memory_order_relaxed);
  s.mapFullBatches = mapFullBatches_.load(std::memory_order_relaxed);
  s.mapGrowths = mapGrowths_.load(std::memory_order_relaxed);
  s.callbackErrors = callbackErrors_.load(std::memory_order_relaxed);
  s.lastBatchSize = lastBatchSize_.load(std::memory_order_relaxed);
  {
    std::lock_guard lock(mutex_);
    s.queueDepth = queue_.size();
  }
  return s;
}

void GroupCommitWriter::run() {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping and drained
      }
      // Everything waiting, up to maxBatch: no timer, no waiting for more. Batches
      // form naturally while the previous commit is syncing.
      while (!queue_.empty() && batch.size() < options_.maxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    processBatch(batch);
    batch.clear();
  }
}

void GroupCommitWriter::processBatch(std::vector<Item>& batch) {
  std::vector<std::error_code> results(batch.size());
  BatchOutcome outcome = attempt(batch, results);
  if (outcome == BatchOutcome::MapFull) {
    // No txn of ours is open now (attempt() ended it), so grow() can take its lock.
    bool grown = false;
    try {
      grown = env_.grow();
    } catch (const StoreError&) {
      grown = false;
    }
    if (grown) {
      mapGrowths_.fetch_add(1, std::memory_order_relaxed);
      // Work items run again from scratch in a new txn; the failed attempt left
      // nothing behind.
      results.assign(batch.size(), std::error_code{});
      outcome = attempt(batch, results);
    }
  }

  switch (outcome) {
    case BatchOutcome::Committed:
      break;
    case BatchOutcome::MapFull:
      mapFullBatches_.fetch_add(1, std::memory_order_relaxed);
      results.assign(batch.size(), make_error_code(errc::map_full));
      break;
    case BatchOutcome::Failed:
      results.assign(batch.size(), make_error_code(errc::write_failed));
      break;
  }

  uint64_t ok = 0;
  for (const std::error_code& ec : results) {
    ok += ec ? 0 : 1;
  }
  if (outcome == BatchOutcome::Committed) {
    batchesCommitted_.fetch_add(1, std::memory_order_relaxed);
  }
  itemsCommitted_.fetch_add(ok, std::memory_order_relaxed);
  itemsFailed_.fetch_add(batch.size() - ok, std::memory_order_relaxed);
  lastBatchSize_.store(batch.size(), std::memory_order_relaxed);

  // Only now, after the commit returned (durable for a Durable env), report outcomes.
  for (size_t i = 0; i < batch.size(); ++i) {
    deliver(batch[i].done, results[i]);
  }
}

GroupCommitWriter::BatchOutcome GroupCommitWriter::attempt(std::vector<Item>& batch,
                                                           std::vector<std::error_code>& results) {
  try {
    WriteTxn txn = env_.beginWrite();
    for (size_t i = 0; i < batch.size(); ++i) {
      // A nested txn per item: an item that throws is rolled back alone and the
      // rest of the batch still commits.
      WriteTxn child = txn.nested();
      try {
        if (batch[i].work) {
          batch[i].work(child);
        }
        child.commit();
      } catch (const MapFull&) {
        // Space is a property of the whole batch, not of this item: give up on
        // the attempt (txn and child abort on unwinding) and let the caller grow.
        throw;
      } catch (...) {
        child.abort();
        results[i] = errc::write_failed;
      }
    }
    txn.commit();
    return BatchOutcome::Committed;
  } catch (const MapFull&) {
    return BatchOutcome::MapFull;
  } catch (const std::exception&) {
    // beginWrite or the final commit failed (I/O error, ...): nothing was written.
    return BatchOutcome::Failed;
  }
}

void GroupCommitWriter::deliver(Done& done, std::error_code ec) {
  if (!done) {
    return;
  }
  try {
    post_([cb = std::move(done), ec]() { cb(ec); });
  } catch (...) {
    callbackErrors_.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace mfigw::store
